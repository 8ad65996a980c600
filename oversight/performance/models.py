"""Computed performance: one stored result per measure, read by pages, reports and exports.

Figures are computed once (``services.compute_plan``) and stored with the import batches they
came from; nothing that shows a figure recomputes it.
"""

from __future__ import annotations

from django.db import models


class MeasureResult(models.Model):
    """The latest computed figures for one measure (KPI) of a plan.

    ``figures`` holds the JSON described in ``oversight.performance.compute``: the monthly
    series, the latest quarter with count, rate and change, rolling 12 months, the SPC result,
    the peer (MSG) comparison, the status against the target and the grade with its reason.
    """

    class Status(models.TextChoices):
        MET = "met", "Target met"
        NOT_MET = "not-met", "Target not met"
        NOT_ASSESSABLE = "not-assessable", "Not assessable"

    measure = models.OneToOneField("plans.Measure", on_delete=models.CASCADE,
                                   related_name="result")
    computed_at = models.DateTimeField(auto_now=True)
    latest_month = models.CharField(max_length=7, blank=True)
    latest_quarter = models.CharField(max_length=12, blank=True,
                                      help_text="Financial-year quarter, e.g. 2025/26 Q1")
    status = models.CharField(max_length=16, choices=Status.choices,
                              default=Status.NOT_ASSESSABLE)
    status_reason = models.TextField(blank=True)
    grade = models.CharField(max_length=60, blank=True)
    grade_colour = models.CharField(max_length=20, blank=True,
                                    help_text="GOV.UK tag colour for the grade")
    grade_reason = models.TextField(blank=True)
    figures = models.JSONField(default=dict)
    batch_ids = models.JSONField(default=list, help_text="Import batches the figures came from")
    warnings = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"Result for {self.measure}"
