"""Panel reports: quarterly, thematic and annual, as HTML, PDF and Word, frozen on publication.

Start at ``services`` (build, render, write, publish, revisions); ``docs/reports.md`` explains
the report, the rules it states and the formats.
"""
