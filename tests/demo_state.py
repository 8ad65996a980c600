"""Build a small real database state for page, report and browser tests.

Uses the shipped demo data (real data.police.uk files), so tests run without ../shared.
"""

from __future__ import annotations

from pathlib import Path

from oversight.cli.demo import DEMO_DATA, DEMO_PLAN

PEERS = ("derbyshire", "kent", "northamptonshire", "nottinghamshire", "staffordshire")


def street_files(months: list[str], forces: tuple[str, ...] = ("leicestershire", *PEERS)
                 ) -> list[Path]:
    files = []
    for month in months:
        for force in forces:
            path = DEMO_DATA / "street" / month / f"{month}-{force}-street.csv.gz"
            if path.exists():
                files.append(path)
    return files


def build(months: list[str] | None = None, *, ons: bool = False):
    """Import lookups, populations, the given months of street data and the example plan,
    compute every measure, and return the plan. With ``ons``, the shipped ONS police force
    area table extract is imported too, as ``oversight demo`` does."""
    from oversight.data import services as data
    from oversight.performance.services import compute_plan
    from oversight.plans import examples
    from oversight.plans.services import load_plan_file

    months = months or ["2024-04", "2025-01", "2025-02", "2025-03", "2025-04", "2025-05",
                        "2025-06"]
    data.import_lookups(sorted((DEMO_DATA / "lookups").glob("*.csv")), imported_by="test")
    data.import_population(sorted((DEMO_DATA / "population").glob("*.csv")), imported_by="test")
    if ons:
        data.import_ons(sorted((DEMO_DATA / "ons").glob("*.csv")), imported_by="test")
    data.import_police_uk(street_files(months), imported_by="test")
    plan = load_plan_file(examples.path(DEMO_PLAN), user="test")
    compute_plan(plan)
    return plan
