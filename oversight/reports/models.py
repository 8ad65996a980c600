"""Published Panel reports, frozen: the figures, words and files exactly as they went out.

A report is published as a new ``PublishedReport`` row holding the report data it was rendered
from (``context``), its HTML and the bytes of its PDF and Word files, with a SHA-256 of each.
Nothing about a published row changes afterwards: a correction is a new version of the same
series (kind, plan, period, theme, audience). ``batch_ids`` keeps the import batches its
figures came from, so a later replacement of one of them can be listed as a revision.

The PDF and Word files are stored in the database (``BinaryField``) rather than as files in a
media folder: a report is a few hundred kilobytes, it is saved in the same transaction as its
record and audit entry, and it is backed up with the database. There is no media folder to
configure, serve or keep in step.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PublishedReport(models.Model):
    """One published version of a quarterly, thematic or annual Panel report."""

    class Kind(models.TextChoices):
        QUARTERLY = "quarterly", "Quarterly performance report"
        THEMATIC = "thematic", "Thematic update"
        ANNUAL = "annual", "Annual report"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    plan = models.ForeignKey("plans.Plan", on_delete=models.PROTECT,
                             related_name="published_reports")
    period = models.CharField(max_length=12,
                              help_text="Quarter (2025/26 Q1) or financial year (2025/26)")
    theme = models.ForeignKey("plans.Theme", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="published_reports",
                              help_text="The theme of a thematic update")
    public = models.BooleanField(
        default=True, help_text="Public measures only, and listed on the public site")
    series = models.CharField(
        max_length=200, help_text="Kind, plan, period, theme and audience: versions share it")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=250)
    note = models.TextField(blank=True, help_text="Why this version was published")
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")
    published_by_name = models.CharField(max_length=150,
                                         help_text="Kept if the user is later removed")
    context = models.JSONField(help_text="The report data the files were rendered from")
    batch_ids = models.JSONField(default=list,
                                 help_text="Import batches the report's figures came from")
    html = models.TextField()
    html_sha256 = models.CharField(max_length=64)
    pdf = models.BinaryField()
    pdf_sha256 = models.CharField(max_length=64)
    docx = models.BinaryField()
    docx_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["series", "version"],
                                    name="publishedreport_series_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"

    @property
    def file_stem(self) -> str:
        """The name its files are downloaded under, without the extension."""
        theme = f"-theme-{self.context.get('theme', {}).get('number')}" \
            if self.kind == self.Kind.THEMATIC else ""
        period = self.period.replace("/", "-").replace(" ", "-")
        return f"{self.kind}-report{theme}-{period}-v{self.version}"


class ReportDraft(models.Model):
    """A report built from the staff area, kept so it can be read, downloaded and checked
    before it is published.

    A draft is not a record of what went out: publishing goes through
    ``services.publish``, which builds the report again from the data (refusing if the data
    has changed since the draft was built) and freezes it as a ``PublishedReport``; the
    draft then points to it.
    """

    kind = models.CharField(max_length=10, choices=PublishedReport.Kind.choices)
    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE,
                             related_name="report_drafts")
    period = models.CharField(max_length=12,
                              help_text="Quarter (2025/26 Q1) or financial year (2025/26)")
    theme_number = models.PositiveIntegerField(
        null=True, blank=True, help_text="The theme of a thematic update")
    public = models.BooleanField(default=True, help_text="Public measures only")
    title = models.CharField(max_length=250)
    built_at = models.DateTimeField()
    built_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="+")
    built_by_name = models.CharField(max_length=150)
    seconds = models.FloatField(help_text="How long building the three files took")
    context = models.JSONField(help_text="The report data the files were rendered from")
    html = models.TextField()
    pdf = models.BinaryField()
    docx = models.BinaryField()
    published = models.ForeignKey(PublishedReport, on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="drafts",
                                  help_text="The version published from this draft")

    class Meta:
        ordering = ["-built_at", "-id"]

    def __str__(self) -> str:
        return f"Draft {self.id}: {self.title}"

    @property
    def file_stem(self) -> str:
        """The name its files are downloaded under, without the extension."""
        theme = f"-theme-{self.theme_number}" if self.kind == PublishedReport.Kind.THEMATIC \
            else ""
        period = self.period.replace("/", "-").replace(" ", "-")
        audience = "" if self.public else "-internal"
        return f"{self.kind}-report{theme}-{period}{audience}-draft-{self.id}"
