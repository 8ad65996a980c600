"""``oversight demo``: the main job end to end on real data, from any directory.

Creates the database, imports area lookups, population estimates, the ONS police force area
tables (the shipped extract: Leicestershire and its five peers) and the shipped real
data.police.uk files, loads the example plan, computes every measure, writes the quarterly
report (HTML, PDF and Word) to ``out/`` in the current directory and serves the site.
"""

from __future__ import annotations

from pathlib import Path

import typer

from oversight.cli.common import (
    RichProgress,
    UserError,
    console,
    friendly_errors,
    progress_bars,
    setup_django,
)

DEMO_DATA = Path(__file__).resolve().parent.parent / "demo_data"
DEMO_PLAN = "leicestershire-2013.yaml"


def _data_files(data: Path) -> dict[str, list[Path]]:
    """The files to load from a data folder laid out like the shipped demo set or shared/data."""
    street_dir = next((p for p in (data / "street", data / "police-uk" / "street") if p.is_dir()),
                      None)
    if street_dir is None:
        raise UserError(f"{data} has no street/ or police-uk/street/ folder of data.police.uk "
                        "files; point --data at a folder laid out like oversight/demo_data.")
    lookups = sorted((data / "lookups").glob("LAD17_*.csv")) or sorted(
        (data / "lookups").glob("LAD*.csv"))
    forces = sorted((data / "lookups").glob("datahub_crime-uk_forces.csv"))
    population = [p for p in (
        data / "population" / "population_policeforces.csv",
        data / "population" / "pfa_tables_population_extract.csv",
        data / "ons" / "pfa-data-tables" / "derived" / "pfa_tables_p1_p3_long.csv",
    ) if p.is_file()]
    street = sorted(street_dir.glob("*/*-street.csv*"))
    ons = sorted((data / "ons").glob("*.csv"))
    if not ons and (data / "ons" / "pfa-data-tables").is_dir():
        ons = [data / "ons" / "pfa-data-tables"]
    return {"lookups": forces + lookups[-1:], "population": population, "ons": ons,
            "street": street}


def run_demo(data: Path, out: Path) -> Path:
    """Build the demo on the configured database and return the report's path."""
    files = _data_files(data)
    console.print("[bold]1.[/] Creating the database tables")
    setup_django(migrate=True)
    from oversight.data import services as data_services
    from oversight.performance.services import compute_plan
    from oversight.plans import examples
    from oversight.plans.services import load_plan_file
    from oversight.reports.services import write

    console.print("[bold]2.[/] Importing area lookups and population estimates")
    data_services.import_lookups(files["lookups"], imported_by="demo")
    data_services.import_population(files["population"], imported_by="demo")
    if files["ons"]:
        console.print("   and the ONS police force area tables (recorded crime by offence group)")
        data_services.import_ons(files["ons"], imported_by="demo")
    console.print(f"[bold]3.[/] Importing {len(files['street'])} data.police.uk street-level files")
    with progress_bars() as progress:
        result = data_services.import_police_uk(files["street"], imported_by="demo",
                                                progress=RichProgress(progress))
    console.print(f"   {len(result.imported)} files imported, {len(result.unchanged)} already "
                  f"imported, in {result.seconds:.1f} seconds")
    console.print("[bold]4.[/] Loading the example plan")
    plan = load_plan_file(examples.path(DEMO_PLAN), user="demo")
    console.print(f"   {plan.title} ({plan.measures.count()} measures)")
    measures = plan.measures.count()
    with progress_bars() as progress:
        task = progress.add_task("Computing measures", total=measures)
        compute_plan(plan, progress=lambda _code: progress.advance(task))
    console.print("[bold]5.[/] Writing the quarterly performance report (HTML, PDF and Word)")
    paths = write("quarterly", plan, None, ("html", "pdf", "docx"), out)
    for path in paths[1:]:
        console.print(f"   {path}")
    return paths[0]


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        serve: bool = typer.Option(True, "--serve/--no-serve",
                                   help="Serve the site when the report is written."),
        port: int = typer.Option(8000, help="Port for the site."),
        data: Path = typer.Option(DEMO_DATA, help="Data folder (default: the shipped demo set; "
                                  "../shared/data loads the full set)."),
        out: Path = typer.Option(Path("out"), help="Folder for the report."),
    ) -> None:
        """Build the demo: database, plan, real data, computed measures, report, web site.

        Example: oversight demo --no-serve
        """
        with friendly_errors():
            report = run_demo(data, out)
        console.print(f"\n[bold green]The report is at[/] {report.resolve()}")
        if serve:
            from oversight.cli.serve import serve_site

            console.print(f"[bold green]Open[/] http://127.0.0.1:{port}/ to see the plan and "
                          "its measures.")
            serve_site("127.0.0.1", port)
