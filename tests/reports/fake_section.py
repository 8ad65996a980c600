"""A stand-in for a later app's report section provider (see oversight/reports/sections.py)."""


def report_section(plan, period, *, theme=None, public_only=True):
    return {
        "id": "commissioned-services",
        "title": "Commissioned services",
        "paragraphs": [f"Services commissioned for {period}."],
        "tables": [{"caption": "Services and amounts", "columns": ["Service", "Amount"],
                    "rows": [["Youth Commission", "£15,000"]], "numeric": [1]}],
    }
