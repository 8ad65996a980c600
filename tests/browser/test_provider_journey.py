"""A data provider signs in, downloads the return template, uploads a file with a mistake, sees
the problem row by row, uploads the corrected file, checks the preview and submits it; and
cannot see another provider's return. In a real browser, with axe on every page."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import axe_violations, explain, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def returns_world(settings):
    from oversight.accounts.models import Organisation
    from oversight.accounts.services import create_user
    from oversight.methods import periods
    from oversight.returns.services import define_template, field_spec

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    today = dt.date.today()
    last_month = periods.add_months(f"{today.year:04d}-{today.month:02d}", -1)
    victims = Organisation.objects.create(
        slug="victim-services", name="Victim First", kind=Organisation.Kind.PARTNER
    )
    youth = Organisation.objects.create(
        slug="youth-diversion", name="Youth Diversion Service", kind=Organisation.Kind.PARTNER
    )
    template = define_template(
        name="Victim services monthly return",
        provider=victims,
        frequency="monthly",
        first_period=periods.add_months(last_month, -2),
        due_days=20,
        fields=[
            field_spec(
                "VS-REFERRALS",
                "Victims referred to the service",
                definition="Victims referred in the month, by any route.",
            ),
            field_spec(
                "VS-CONTACTED",
                "Victims contacted within 2 working days",
                kind="proportion",
                numerator_label="contacted within 2 working days",
                denominator_label="victims referred",
            ),
        ],
    )
    other = define_template(
        name="Youth diversion return",
        provider=youth,
        frequency="monthly",
        first_period=last_month,
        fields=[field_spec("YD-STARTS", "Young people starting")],
    )
    create_user("vera", "data-provider", organisation="victim-services", password=PASSWORD)
    return {"template": template, "other": other, "period": last_month}


def fill(path, referrals, contacted, out):
    workbook = load_workbook(path)
    sheet = workbook["Return"]
    sheet["C7"] = referrals
    sheet["D8"], sheet["E8"] = contacted, referrals
    workbook.save(out)
    return out


def check(page, name):
    screenshot(page, name)
    violations = axe_violations(page)
    assert violations == [], explain(violations)


def test_a_provider_submits_a_return_and_cannot_see_another(
    live_server, page, returns_world, tmp_path
):
    from oversight.methods import periods
    from oversight.returns.models import ReturnSubmission, ReturnValue

    template, period = returns_world["template"], returns_world["period"]
    words = periods.month_words(period)
    page.goto(live_server.url + "/staff/login/?next=/staff/returns/")
    page.get_by_label("User name").fill("vera")
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/returns/")
    assert page.locator("h1").inner_text() == "Monitoring returns"
    check(page, "provider-01-returns")

    page.get_by_role("link", name="Victim services monthly return").click()
    page.wait_for_url(f"**/staff/returns/{template.slug}/")
    check(page, "provider-02-template")

    with page.expect_download() as info:
        page.get_by_role("link", name=f"Excel template for {words}").click()
    downloaded = tmp_path / info.value.suggested_filename
    info.value.save_as(downloaded)
    assert downloaded.name == f"{template.slug}-{period}-v1.xlsx"

    page.get_by_role("link", name=f"Upload the return for {words}").click()
    page.wait_for_url(f"**/{period}/upload/")
    check(page, "provider-03-upload")

    wrong = fill(downloaded, 412, 450, tmp_path / "wrong.xlsx")
    page.set_input_files("#return_file", str(wrong))
    page.get_by_role("button", name="Check the file").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "the numerator (450) is more than the denominator (412)" in summary.inner_text()
    assert "Nothing has been saved" in page.locator("main").inner_text()
    assert not ReturnSubmission.objects.exists()
    check(page, "provider-04-errors")

    page.get_by_role("link", name="Upload the corrected file").click()
    right = fill(downloaded, 412, 377, tmp_path / "right.xlsx")
    page.set_input_files("#return_file", str(right))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_url("**/staff/returns/submissions/*/")
    assert page.locator("h1").inner_text() == f"Check your return for {words}"
    assert ReturnSubmission.objects.get().status == "pending" and not ReturnValue.objects.exists()
    check(page, "provider-05-check")

    page.get_by_role("button", name="Submit the return").click()
    page.wait_for_url("**/staff/returns/submissions/*/?submitted=1")
    assert page.locator(".govuk-panel__title").inner_text() == "Return submitted"
    submission = ReturnSubmission.objects.get()
    assert submission.status == "accepted" and submission.submitted_by_name == "vera"
    assert ReturnValue.objects.count() == 2
    check(page, "provider-06-submitted")

    other = returns_world["other"]
    for path in (f"/staff/returns/{other.slug}/", f"/staff/returns/{other.slug}/{period}/upload/"):
        response = page.goto(live_server.url + path)
        assert response.status == 404, path
