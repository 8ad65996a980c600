"""LSOA codes of both vintages (2011 and 2021) and local authorities created since the lookups.

data.police.uk files up to 2022-11 use 2011 LSOA codes; the 2024 and 2025 files use 2021
codes and post-2021 local authority names. No LSOA lookup file is available here, so:

- ``lsoa_vintages(code)`` says which census geographies a code can belong to: codes up to
  E01033768 (England) and W01001958 (Wales) were issued for 2011 and most carry over unchanged
  into 2021; codes after them were created in 2021 (e.g. E01035509).
- the LSOA name's prefix gives its local authority ("Blaby 002A" is in Blaby), whatever the
  vintage; ``force_for_local_authority(name)`` then finds the police force area, through the
  imported LAD → CSP → PFA lookups and, for authorities created after those lookups (North
  Northamptonshire, Somerset, Cumberland …), through ``SUCCESSORS`` below.
"""

from __future__ import annotations

import re

LAST_2011 = {"E": 33768, "W": 1958}
"""The highest LSOA number issued in 2011, per country (England E01…, Wales W01…)."""

SUCCESSORS: dict[str, str] = {
    # Unitary authorities created since the December 2016 / January 2017 lookups, with the
    # police force area that covers them (boundaries unchanged at force level).
    "North Northamptonshire": "northamptonshire",
    "West Northamptonshire": "northamptonshire",
    "Buckinghamshire": "thames-valley",
    "Bournemouth, Christchurch and Poole": "dorset",
    "Dorset": "dorset",
    "Somerset": "avon-and-somerset",
    "Somerset West and Taunton": "avon-and-somerset",
    "North Yorkshire": "north-yorkshire",
    "Cumberland": "cumbria",
    "Westmorland and Furness": "cumbria",
    "East Suffolk": "suffolk",
    "West Suffolk": "suffolk",
}


def lsoa_vintages(code: str) -> tuple[str, ...]:
    """The census vintages an LSOA code can belong to: ("2011", "2021") or ("2021",)."""
    match = re.fullmatch(r"([EW])01([0-9]{6})", code or "")
    if match is None:
        raise ValueError(f'"{code}" is not an LSOA code; use a code like E01025734')
    return ("2011", "2021") if int(match[2]) <= LAST_2011[match[1]] else ("2021",)


def local_authority_of(lsoa_name: str) -> str:
    """The local authority an LSOA name starts with: "Blaby 002A" gives "Blaby"."""
    return re.sub(r" [0-9]{3}[A-Z]$", "", lsoa_name or "").strip()


def force_for_local_authority(name: str) -> str | None:
    """The slug of the police force area covering a local authority (by name), or None."""
    from oversight.data.models import Area
    from oversight.data.queries import _name_key

    key = _name_key(name)
    for area_name, slug in Area.objects.filter(kind=Area.Kind.LOCAL_AUTHORITY).values_list(
        "name", "force__slug"
    ):
        if _name_key(area_name) == key:
            return slug
    return next((slug for la, slug in SUCCESSORS.items() if _name_key(la) == key), None)
