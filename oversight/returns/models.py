"""Partner monitoring returns: what a partner is asked for, what it sent and the values kept.

A ``ReturnTemplate`` asks one provider (a partner or commissioned service) for figures for some
measures every month or quarter, due a number of days after each period ends. Its ``fields``
list the measures: code, name, definition and what to give (a number, a numerator and
denominator, or a value), with the allowed range. Changing the fields makes a new ``version``;
a file made from an older version is refused.

An uploaded file becomes a ``ReturnSubmission``: "pending" once every cell has been checked
and the preview is waiting for the provider to confirm, then "accepted" (with the
``ImportBatch`` that records it, who submitted it and when). A later accepted return for the
same period supersedes the earlier one, which is kept. The figures are ``ReturnValue`` rows.
A file with any problem is never stored.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models

from oversight.accounts.models import Organisation


class ReturnTemplate(models.Model):
    """What one provider returns, how often and by when."""

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly (financial year)"

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200, help_text="e.g. Victim services monthly return")
    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="return_templates"
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    first_period = models.CharField(
        max_length=12, help_text="The first period returned: 2025-04 or 2025/26 Q1"
    )
    due_days = models.PositiveSmallIntegerField(
        default=20, help_text="Days after the end of each period that the return is due"
    )
    version = models.PositiveIntegerField(default=1)
    fields = models.JSONField(default=list, help_text="The measures asked for, in order")
    notes = models.TextField(blank=True, help_text="Guidance shown to the provider")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["provider__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.provider})"

    def field_codes(self) -> list[str]:
        return [f["code"] for f in self.fields]


class ReturnSubmission(models.Model):
    """One uploaded return for one period: checked, then confirmed."""

    class Status(models.TextChoices):
        PENDING = "pending", "Checked, waiting for confirmation"
        ACCEPTED = "accepted", "Submitted"
        SUPERSEDED = "superseded", "Replaced by a later submission"

    template = models.ForeignKey(
        ReturnTemplate, on_delete=models.PROTECT, related_name="submissions"
    )
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="returns")
    period = models.CharField(max_length=12)
    template_version = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.BigIntegerField()
    rows = models.JSONField(default=list, help_text="The figures read from the file, checked")
    via = models.CharField(max_length=20, default="web", help_text="web or command line")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_by_name = models.CharField(max_length=150)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_by_name = models.CharField(max_length=150, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    batch = models.ForeignKey(
        "data.ImportBatch",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="return_submissions",
    )

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["template", "period", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "period"],
                condition=models.Q(status="accepted"),
                name="returnsubmission_one_accepted",
            )
        ]

    def __str__(self) -> str:
        return f"{self.template.name} {self.period} ({self.get_status_display()})"

    def was_late(self, due: dt.date) -> bool:
        return self.submitted_at is not None and self.submitted_at.date() > due

    def as_dict(self) -> dict[str, Any]:
        return {"period": self.period, "status": self.status, "file_name": self.file_name}


class ReturnValue(models.Model):
    """One figure of an accepted return."""

    submission = models.ForeignKey(
        ReturnSubmission, on_delete=models.CASCADE, related_name="values"
    )
    batch = models.ForeignKey(
        "data.ImportBatch", on_delete=models.CASCADE, related_name="return_values"
    )
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    measure_code = models.CharField(max_length=40)
    period = models.CharField(max_length=12)
    value = models.FloatField(null=True, blank=True)
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["period", "measure_code"]
        indexes = [models.Index(fields=["measure_code", "period"])]

    def __str__(self) -> str:
        return f"{self.measure_code} {self.period}"

    @property
    def figure(self) -> float | None:
        """The value, or the numerator as a percentage of the denominator."""
        if self.value is not None:
            return self.value
        if self.numerator is not None and self.denominator:
            return 100.0 * self.numerator / self.denominator
        return None
