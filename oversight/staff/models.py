"""Questions Police and Crime Panel members ask about a measure when they read a draft report,
with the answer an analyst or administrator gives in the staff area; and the records of work
that runs in the background (an upload's import, a report being built).

Analysts see the questions not yet answered on their dashboard; a report's "Panel questions"
section shows each question with its answer or "Not yet answered".
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
    answer = models.TextField(blank=True, help_text="The answer, as the analyst wrote it")
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    answered_by_name = models.CharField(max_length=150, blank=True,
                                        help_text="Kept if the user is later removed")
    answered_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-asked_at", "-id"]

    def __str__(self) -> str:
        return f"Question on {self.measure.code} for {self.period}"

    @property
    def answered(self) -> bool:
        return self.answered_at is not None


class BackgroundJob(models.Model):
    """A piece of work a user started from a page that runs in the background, as the user's
    record of it: who started it, its status, its progress steps, its result or what went
    wrong. A django-tasks task does the work (``task_id`` names it in django-tasks-db's table);
    ``oversight.staff.background`` queues, runs and recovers jobs of every kind. Each kind of
    job is a subclass with its own result fields (``ImportJob``)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Stopped"

    STOPPED_MESSAGE = ("The work stopped before it finished, when the server or the worker "
                       "stopped. Nothing it was doing was saved; start it again.")
    """What the user is told when the worker running the job stopped part-way."""

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED,
                              db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             related_name="+")
    username = models.CharField(max_length=150, help_text="Kept if the user is later removed")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True, db_index=True,
                               help_text="The django-tasks task that does the work")
    folder = models.CharField(max_length=500, blank=True,
                              help_text="Where the job keeps its files while it runs")
    steps = models.JSONField(default=list, blank=True, help_text="Each step and how far it got")
    error = models.TextField(blank=True, help_text="Why the job stopped, if it did")

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class ImportJob(BackgroundJob):
    """Files uploaded on the import page, imported in the background
    (``oversight.staff.imports``). The status page reads it, and the job's progress file
    while it runs."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Not imported"

    STOPPED_MESSAGE = ("The import stopped when the server or the worker stopped. Files are "
                       "stored all together or not at all: if they are not in the list of "
                       "files imported, upload them again.")

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED,
                              db_index=True)
    files = models.JSONField(default=list, help_text="Names of the files uploaded")
    summary = models.JSONField(null=True, blank=True, help_text="What was imported")
    problem = models.JSONField(null=True, blank=True,
                               help_text="The problem found in a file: file, row, column, fix")

    class Meta(BackgroundJob.Meta):
        pass

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.get_status_display()})"


class ReportJob(BackgroundJob):
    """A Panel report being built from the staff area, in the background
    (``oversight.reports.jobs``): what was asked for, and the draft it made. The status page
    reads it, and the job's progress file while it runs."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Building"
        DONE = "done", "Built"
        FAILED = "failed", "Not built"

    STOPPED_MESSAGE = ("The report was not built: the server or the worker stopped before the "
                       "draft was ready. Build the report again.")

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED,
                              db_index=True)
    kind = models.CharField(max_length=10, help_text="quarterly, thematic or annual")
    period = models.CharField(max_length=12, blank=True,
                              help_text="The quarter or year asked for; empty for the latest")
    theme_number = models.PositiveIntegerField(null=True, blank=True,
                                               help_text="The theme of a thematic update")
    public = models.BooleanField(default=True, help_text="Public measures only")
    draft = models.ForeignKey("reports.ReportDraft", on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", help_text="The draft it built")
    error_field = models.CharField(
        max_length=20, blank=True,
        help_text="The choice to change when the report cannot be built as asked")

    class Meta(BackgroundJob.Meta):
        pass

    def __str__(self) -> str:
        return f"Report build {self.pk} ({self.get_status_display()})"
