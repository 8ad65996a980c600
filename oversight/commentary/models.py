"""Commentary: the narrative for a measure in a period, drafted, reviewed and approved.

Reports and public pages show only approved commentary and flag where it is missing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Commentary(models.Model):
    """What happened, why, what is being done and the reasoning behind the grade."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "Waiting for review"
        APPROVED = "approved", "Approved"

    measure = models.ForeignKey("plans.Measure", on_delete=models.CASCADE,
                                related_name="commentaries")
    period = models.CharField(max_length=12, help_text="Financial-year quarter, e.g. 2025/26 Q1")
    text = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="+")
    review_note = models.TextField(blank=True, help_text="Why the reviewer sent it back")
    updated_at = models.DateTimeField(auto_now=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "commentaries"
        constraints = [models.UniqueConstraint(fields=["measure", "period"],
                                               name="commentary_measure_period")]

    def __str__(self) -> str:
        return f"Commentary on {self.measure.code} for {self.period}"
