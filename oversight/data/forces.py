"""The police forces of England, Wales and Northern Ireland as data.police.uk names them.

One table, used by every importer to recognise a force however a source spells it: the
data.police.uk slug (``leicestershire``), the name written in the ``Falls within`` column of
street-level files (``Leicestershire Police``), the ONS police force area code (``E23000021``)
and the other spellings seen in the shared sources (ONS tables, population tables, the
datahub force list). No Django here, so it can be used from any import or batch job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class KnownForce:
    """A force: its slug, its ``Falls within`` name, its ONS code and other spellings."""

    slug: str
    name: str
    ons_code: str = ""
    aliases: tuple[str, ...] = ()


KNOWN_FORCES: tuple[KnownForce, ...] = (
    KnownForce(
        "avon-and-somerset",
        "Avon and Somerset Constabulary",
        "E23000036",
        ("Avon and Somerset", "Avon & Somerset Constabulary"),
    ),
    KnownForce("bedfordshire", "Bedfordshire Police", "E23000026", ("Bedfordshire",)),
    KnownForce("btp", "British Transport Police"),
    KnownForce("cambridgeshire", "Cambridgeshire Constabulary", "E23000023", ("Cambridgeshire",)),
    KnownForce("cheshire", "Cheshire Constabulary", "E23000006", ("Cheshire",)),
    KnownForce(
        "city-of-london",
        "City of London Police",
        "E23000034",
        ("City of London", "London, City of"),
    ),
    KnownForce("cleveland", "Cleveland Police", "E23000013", ("Cleveland",)),
    KnownForce("cumbria", "Cumbria Constabulary", "E23000002", ("Cumbria",)),
    KnownForce("derbyshire", "Derbyshire Constabulary", "E23000018", ("Derbyshire",)),
    KnownForce(
        "devon-and-cornwall",
        "Devon & Cornwall Police",
        "E23000035",
        ("Devon and Cornwall", "Devon & Cornwall"),
    ),
    KnownForce("dorset", "Dorset Police", "E23000039", ("Dorset",)),
    KnownForce("durham", "Durham Constabulary", "E23000008", ("Durham",)),
    KnownForce(
        "dyfed-powys", "Dyfed-Powys Police", "W15000004", ("Dyfed-Powys", "Dyfed Powys Police")
    ),
    KnownForce("essex", "Essex Police", "E23000028", ("Essex",)),
    KnownForce(
        "gloucestershire", "Gloucestershire Constabulary", "E23000037", ("Gloucestershire",)
    ),
    KnownForce(
        "greater-manchester", "Greater Manchester Police", "E23000005", ("Greater Manchester",)
    ),
    KnownForce("gwent", "Gwent Police", "W15000002", ("Gwent",)),
    KnownForce("hampshire", "Hampshire Constabulary", "E23000030", ("Hampshire",)),
    KnownForce("hertfordshire", "Hertfordshire Constabulary", "E23000027", ("Hertfordshire",)),
    KnownForce(
        "humberside", "Humberside Police", "E23000012", ("Humberside", "Humberside Constabulary")
    ),
    KnownForce("kent", "Kent Police", "E23000032", ("Kent",)),
    KnownForce("lancashire", "Lancashire Constabulary", "E23000003", ("Lancashire",)),
    KnownForce("leicestershire", "Leicestershire Police", "E23000021", ("Leicestershire",)),
    KnownForce("lincolnshire", "Lincolnshire Police", "E23000020", ("Lincolnshire",)),
    KnownForce("merseyside", "Merseyside Police", "E23000004", ("Merseyside",)),
    KnownForce(
        "metropolitan", "Metropolitan Police Service", "E23000001", ("Metropolitan Police",)
    ),
    KnownForce("norfolk", "Norfolk Constabulary", "E23000024", ("Norfolk",)),
    KnownForce("north-wales", "North Wales Police", "W15000001", ("North Wales",)),
    KnownForce("north-yorkshire", "North Yorkshire Police", "E23000009", ("North Yorkshire",)),
    KnownForce("northamptonshire", "Northamptonshire Police", "E23000022", ("Northamptonshire",)),
    KnownForce("northern-ireland", "Police Service of Northern Ireland", "", ("Northern Ireland",)),
    KnownForce("northumbria", "Northumbria Police", "E23000007", ("Northumbria",)),
    KnownForce("nottinghamshire", "Nottinghamshire Police", "E23000019", ("Nottinghamshire",)),
    KnownForce("south-wales", "South Wales Police", "W15000003", ("South Wales",)),
    KnownForce("south-yorkshire", "South Yorkshire Police", "E23000011", ("South Yorkshire",)),
    KnownForce("staffordshire", "Staffordshire Police", "E23000015", ("Staffordshire",)),
    KnownForce("suffolk", "Suffolk Constabulary", "E23000025", ("Suffolk",)),
    KnownForce("surrey", "Surrey Police", "E23000031", ("Surrey",)),
    KnownForce("sussex", "Sussex Police", "E23000033", ("Sussex",)),
    KnownForce("thames-valley", "Thames Valley Police", "E23000029", ("Thames Valley",)),
    KnownForce("warwickshire", "Warwickshire Police", "E23000017", ("Warwickshire",)),
    KnownForce("west-mercia", "West Mercia Police", "E23000016", ("West Mercia",)),
    KnownForce("west-midlands", "West Midlands Police", "E23000014", ("West Midlands",)),
    KnownForce("west-yorkshire", "West Yorkshire Police", "E23000010", ("West Yorkshire",)),
    KnownForce("wiltshire", "Wiltshire Police", "E23000038", ("Wiltshire",)),
)

BY_SLUG: dict[str, KnownForce] = {force.slug: force for force in KNOWN_FORCES}
BY_ONS_CODE: dict[str, KnownForce] = {f.ons_code: f for f in KNOWN_FORCES if f.ons_code}


def _key(name: str) -> str:
    """A spelling-insensitive key: lower case, '&' as 'and', punctuation as spaces."""
    name = name.lower().replace("&", " and ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", name).split())


_BY_KEY: dict[str, KnownForce] = {}
for _force in KNOWN_FORCES:
    for _spelling in (_force.slug, _force.name, *_force.aliases):
        _BY_KEY.setdefault(_key(_spelling), _force)


def find_force(name: str) -> KnownForce | None:
    """The force a source means by ``name`` (slug, force name or area name), if any."""
    return _BY_KEY.get(_key(name))
