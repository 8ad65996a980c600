"""One real database for the whole reports module: built once (it takes seconds), shared by
every test, emptied at the end. Each test still runs in its own transaction, rolled back."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from oversight.methods import periods
from tests import demo_state

# 18 months of Leicestershire (enough for SPC limits) and its peers for April to June 2025,
# and October to December 2018 for a report of a quarter the ONS tables cover (the shipped
# ONS extract, years ending March 2018 to December 2019, is imported as the demo does).
MONTHS = (periods.month_range("2018-10", "2018-12") + periods.month_range("2020-04", "2021-03")
          + periods.month_range("2025-01", "2025-06"))
PRODUCED = "2025-07-31"


@pytest.fixture(scope="module")
def report_plan(django_db_setup, django_db_blocker):
    """The example plan, computed on real data.police.uk files, kept for the module."""
    with django_db_blocker.unblock():
        plan = demo_state.build(MONTHS, ons=True)
        yield plan
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module")
def quarterly_files(report_plan, django_db_blocker):
    """The draft quarterly report for the latest quarter, in all three formats."""
    from oversight.reports import services

    with django_db_blocker.unblock():
        data = services.build("quarterly", report_plan, None, produced=PRODUCED)
        return data, services.render_data(data, ("html", "pdf", "docx"))
