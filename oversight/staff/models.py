"""Questions Police and Crime Panel members ask about a measure when they read a draft report.

Analysts see them on their dashboard and answer them in the commentary or at the Panel.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PanelQuestion(models.Model):
    """One question from a Panel member about one measure (KPI) in one quarter."""

    measure = models.ForeignKey("plans.Measure", on_delete=models.CASCADE,
                                related_name="panel_questions")
    period = models.CharField(max_length=12, help_text="Financial-year quarter, e.g. 2025/26 Q1")
    text = models.TextField(help_text="The question as the Panel member wrote it")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="panel_questions")
    asked_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-asked_at", "-id"]

    def __str__(self) -> str:
        return f"Question on {self.measure.code} for {self.period}"
