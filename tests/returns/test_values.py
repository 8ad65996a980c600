"""Survey and other manual values: entered with a sample size or confidence interval, source
and publication date; a later entry revises an earlier one; each is its own batch."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from oversight.data import services
from oversight.data.models import ImportBatch, SurveyValue
from tests.data.conftest import dump_tables

pytestmark = pytest.mark.django_db


def entry(**changes):
    values = dict(
        measure_code="MCNS-CONFIDENCE",
        period="2024/25",
        value=85.5,
        source="Leicestershire Police community based survey",
        kind="survey",
        force="leicestershire",
        unit="percentage",
        sample_size=2400,
        ci_lower=84.1,
        ci_upper=86.9,
        published_on=dt.date(2025, 6, 12),
    )
    values.update(changes)
    return services.ManualValue(**values)


def test_a_survey_value_is_stored_with_its_provenance():
    stored = services.record_manual_value(entry(), entered_by="anna")

    assert (stored.value, stored.sample_size, stored.ci_lower, stored.ci_upper) == (
        85.5,
        2400,
        84.1,
        86.9,
    )
    assert stored.published_on == dt.date(2025, 6, 12)
    batch = stored.batch
    assert (batch.kind, batch.imported_by, batch.rows_stored) == ("manual", "anna", 1)


def test_a_later_entry_revises_the_earlier_and_rolls_back():
    first = services.record_manual_value(entry(), entered_by="anna")
    before = dump_tables()
    second = services.record_manual_value(
        entry(value=86.0, ci_lower=84.6, ci_upper=87.4), entered_by="anna"
    )

    first.refresh_from_db()
    assert not first.is_current and second.revised_from == first
    assert [v.value for v in second.history()] == [86.0, 85.5]

    services.rollback_batch(second.batch_id, rolled_back_by="anna")
    after = dump_tables()
    for table in ("accounts_auditevent", "data_importbatch"):
        before.pop(table), after.pop(table)
    assert after == before


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        (
            {"sample_size": None, "ci_lower": None, "ci_upper": None},
            "sample_size",
            "sample size or both confidence limits",
        ),
        ({"ci_lower": 86.0}, "ci_lower", "between the lower and upper confidence limits"),
        ({"ci_upper": None}, "ci_upper", "both confidence limits, or neither"),
        ({"value": 120.0, "ci_upper": 130.0}, "value", "between 0 and 100"),
        ({"period": "last year"}, "period", "a quarter (2025/26 Q1)"),
        ({"source": ""}, "source", "Enter the source"),
    ],
)
def test_a_value_that_does_not_add_up_is_refused(changes, field, words):
    problems = services.check_manual_value(entry(**changes))
    assert words in problems[field]
    with pytest.raises(services.ManualValueError):
        services.record_manual_value(entry(**changes), entered_by="anna")
    assert not SurveyValue.objects.exists() and not ImportBatch.objects.exists()


def test_the_values_page(client, people):
    client.force_login(people["analyst"])
    url = reverse("returns:values")
    assert client.get(url).status_code == 200

    bad = client.post(
        url,
        {
            "measure_code": "MCNS-CONFIDENCE",
            "kind": "survey",
            "period": "2024/25",
            "value": "85.5",
            "source": "Survey",
            "confidence_level": "95",
        },
    )
    assert bad.status_code == 400
    assert "Enter the sample size or both confidence limits" in bad.content.decode()
    assert not SurveyValue.objects.exists()

    good = client.post(
        url,
        {
            "measure_code": "MCNS-CONFIDENCE",
            "kind": "survey",
            "period": "2024/25",
            "value": "85.5",
            "sample_size": "2,400",
            "source": "Community based survey",
            "published_on": "2025-06-12",
            "confidence_level": "95",
            "unit": "percentage",
            "force": "leicestershire",
        },
    )
    assert good.status_code == 302
    stored = SurveyValue.objects.get()
    assert stored.sample_size == 2400 and stored.batch.imported_by == "anna"
    page = client.get(url).content.decode()
    assert "n = 2,400" in page and "Community based survey, published 12 June 2025" in page
