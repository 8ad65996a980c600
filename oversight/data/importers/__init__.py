"""One module per source: each finds, parses and checks its files; ``services`` stores them.

- ``police_uk``: data.police.uk street-level crime files (DuckDB, set-based).
- ``lookups``: ONS LAD → CSP → PFA lookups and the data.police.uk force list.
- ``population``: mid-year population by police force area (ONS tables, compiled table).
"""
