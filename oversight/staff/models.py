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


class ImportJob(models.Model):
    """Files uploaded on the import page, imported in the background by a worker
    (``oversight.staff.imports``). The status page reads it, and the job's progress file
    while it runs."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Not imported"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED,
                              db_index=True)
    files = models.JSONField(default=list, help_text="Names of the files uploaded")
    folder = models.CharField(max_length=500, help_text="Where the uploads wait to be imported")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             related_name="import_jobs")
    username = models.CharField(max_length=150, help_text="Kept if the user is later removed")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True,
                              help_text="The worker running it, as host:process id")
    steps = models.JSONField(default=list, blank=True, help_text="Each step and how far it got")
    summary = models.JSONField(null=True, blank=True, help_text="What was imported")
    problem = models.JSONField(null=True, blank=True,
                               help_text="The problem found in a file: file, row, column, fix")
    error = models.TextField(blank=True, help_text="Why the import stopped, if not a file "
                                                   "problem")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
