"""The Police and Crime Plan as stored: versions, themes, priorities, outcomes, measures, peers.

A plan is loaded from a plan file (``oversight.plans.services.load_plan_file``) and never edited
in place: a refresh is a new ``Plan`` row pointing at the one it replaces, so every report can
say which version it measured against. The validated file is kept whole in ``Plan.spec``.

Where the source papers do not state something, the field is left empty and its name is kept in
the row's ``not_stated`` list, so a page can say "not stated" rather than show a blank.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models

if TYPE_CHECKING:
    from oversight.plans.planfile import PlanFile


class Plan(models.Model):
    """One version of a Police and Crime Plan (or delivery plan), loaded from one plan file."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        APPROVED = "approved", "Approved"

    slug = models.SlugField(
        max_length=100,
        help_text="Short name shared by every version of the plan, e.g. leicestershire-2013-2017",
    )
    title = models.CharField(max_length=250, help_text="The plan's title as published")
    force = models.ForeignKey(
        "data.Force",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plans",
        help_text="The force the plan covers, once that force's data has been imported",
    )
    force_slug = models.SlugField(
        max_length=60, help_text="The force's data.police.uk identifier, as the file gives it"
    )
    force_name = models.CharField(
        max_length=120, help_text="The force's name, as the file gives it"
    )
    start_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="First year the plan covers; empty if not stated"
    )
    end_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Last year the plan covers; empty if not stated"
    )
    version = models.CharField(max_length=100, help_text="The version as the file names it")
    published_date = models.DateField(
        null=True, blank=True, help_text="When the plan was published; empty if not stated"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, help_text="Where the plan is in its approval"
    )
    source = models.TextField(help_text="The papers the plan file was written from")
    description = models.TextField(blank=True, help_text="A short account of the plan")
    strands = models.JSONField(
        default=list, blank=True, help_text="The plan's strands: number, title and source"
    )
    grade_scale = models.CharField(
        max_length=20, blank=True, help_text="The grade scale the plan uses; empty if not stated"
    )
    change_reason = models.TextField(
        blank=True, help_text="Why this version was made, as the file gives it"
    )
    not_stated = models.JSONField(
        default=list, blank=True, help_text="Plan fields the source papers do not state"
    )
    file_name = models.CharField(max_length=255, help_text="Name of the plan file loaded")
    sha256 = models.CharField(
        max_length=64, unique=True, help_text="Checksum of the plan file, to spot a repeat load"
    )
    spec = models.JSONField(help_text="The whole plan file, as validated")
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_versions",
        help_text="The version this one replaced",
    )
    is_current = models.BooleanField(
        default=True, help_text="Whether this is the version in use for its plan"
    )
    loaded_at = models.DateTimeField(auto_now_add=True, help_text="When the file was loaded")
    loaded_by = models.CharField(max_length=150, help_text="Who loaded the file")

    class Meta:
        ordering = ["slug", "-loaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug"],
                condition=models.Q(is_current=True),
                name="plan_one_current_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"

    def plan_file(self) -> PlanFile:
        """The validated plan file this version was loaded from."""
        from oversight.plans.planfile import PlanFile

        return PlanFile.model_validate(self.spec)


class Theme(models.Model):
    """A theme of a plan, such as "Making Communities and Neighbourhoods Safer"."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="themes", help_text="The plan version"
    )
    number = models.PositiveSmallIntegerField(help_text="The theme's number in the plan")
    title = models.CharField(max_length=250, help_text="The theme's title as published")
    description = models.TextField(blank=True, help_text="What the theme covers")
    strand = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Number of the strand the theme sits under, if stated"
    )
    ambitions = models.JSONField(
        default=list, blank=True, help_text="The plan's ambitions grouped under this theme"
    )
    resources = models.TextField(blank=True, help_text="Resources allocated to the theme")
    source = models.TextField(blank=True, help_text="Where the papers state the theme")
    illustrative = models.BooleanField(
        default=False, help_text="Added as an example, not taken from the plan's papers"
    )
    not_stated = models.JSONField(
        default=list, blank=True, help_text="Theme fields the source papers do not state"
    )

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="theme_plan_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Priority(models.Model):
    """A strategic priority, ranked where the plan ranks it, and kept or removed at a refresh."""

    class Status(models.TextChoices):
        KEPT = "kept", "Kept"
        REMOVED = "removed", "Removed"
        NOT_STATED = "not_stated", "Not stated"

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="priorities", help_text="The plan version"
    )
    theme = models.ForeignKey(
        Theme,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="priorities",
        help_text="The theme it sits under; empty where the papers do not say",
    )
    key = models.SlugField(max_length=80, help_text="Short name used in the plan file")
    rank = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Its rank among the priorities; empty if not stated"
    )
    title = models.CharField(max_length=250, help_text="The priority as the plan names it")
    description = models.TextField(blank=True, help_text="What the priority covers")
    status = models.CharField(
        max_length=12, choices=Status.choices, help_text="Whether the latest refresh kept it"
    )
    reason = models.TextField(blank=True, help_text="Why it was kept or removed")
    source = models.TextField(blank=True, help_text="Where the papers state the priority")
    illustrative = models.BooleanField(
        default=False, help_text="Added as an example, not taken from the plan's papers"
    )
    order = models.PositiveIntegerField(default=0, help_text="Position in the plan file")
    not_stated = models.JSONField(
        default=list, blank=True, help_text="Priority fields the source papers do not state"
    )

    class Meta:
        ordering = ["plan", "order"]
        verbose_name_plural = "priorities"
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="priority_plan_key")]

    def __str__(self) -> str:
        return self.title


class Outcome(models.Model):
    """An outcome the plan wants, under a theme or under a priority."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="outcomes", help_text="The plan version"
    )
    theme = models.ForeignKey(
        Theme,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outcomes",
        help_text="The theme it sits under (through its priority, if it has one)",
    )
    priority = models.ForeignKey(
        Priority,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outcomes",
        help_text="The priority it sits under, if any",
    )
    key = models.SlugField(max_length=80, help_text="Short name used in the plan file")
    title = models.CharField(max_length=300, help_text="The outcome as the plan words it")
    description = models.TextField(blank=True, help_text="More about the outcome")
    source = models.TextField(blank=True, help_text="Where the papers state the outcome")
    illustrative = models.BooleanField(
        default=False, help_text="Added as an example, not taken from the plan's papers"
    )
    order = models.PositiveIntegerField(default=0, help_text="Position in the plan file")
    not_stated = models.JSONField(
        default=list, blank=True, help_text="Outcome fields the source papers do not state"
    )

    class Meta:
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="outcome_plan_key"),
            models.CheckConstraint(
                condition=models.Q(theme__isnull=False) | models.Q(priority__isnull=False),
                name="outcome_has_theme_or_priority",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Measure(models.Model):
    """A measure (KPI): what is counted, from where, how often, and against what target."""

    class Unit(models.TextChoices):
        COUNT = "count", "Number"
        RATE_PER_1000 = "rate_per_1000", "Rate per 1,000 people"
        PERCENTAGE = "percentage", "Percentage"
        MONEY = "money", "Pounds"
        DAYS = "days", "Days"

    class Polarity(models.TextChoices):
        HIGHER = "higher", "Higher is better"
        LOWER = "lower", "Lower is better"
        NEITHER = "neither", "Neither higher nor lower is better"

    class Kind(models.TextChoices):
        INPUT = "input", "Input"
        OUTCOME = "outcome", "Outcome"
        ACTIVITY = "activity", "Activity"
        NOT_STATED = "not_stated", "Not stated"

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"
        ANNUAL = "annual", "Annual"

    class Geography(models.TextChoices):
        FORCE = "force", "Force area"
        CSP = "csp", "Community safety partnership"
        LOCAL_AUTHORITY = "local_authority", "Local authority"

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="measures", help_text="The plan version"
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.CASCADE, related_name="measures", help_text="Its theme"
    )
    priority = models.ForeignKey(
        Priority,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
        help_text="The priority it measures, if any",
    )
    outcome = models.ForeignKey(
        Outcome,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
        help_text="The outcome it measures, if any",
    )
    code = models.CharField(max_length=40, help_text="Short code, unique within the plan")
    name = models.CharField(max_length=250, help_text="The measure's name as shown on pages")
    definition = models.TextField(blank=True, help_text="Exactly what is counted")
    unit = models.CharField(
        max_length=20, choices=Unit.choices, blank=True, help_text="Empty if not stated"
    )
    polarity = models.CharField(
        max_length=10,
        choices=Polarity.choices,
        blank=True,
        help_text="Which direction is good news; empty if not stated",
    )
    kind = models.CharField(
        max_length=12,
        choices=Kind.choices,
        blank=True,
        help_text="Input, outcome or activity measure; empty if not stated",
    )
    source = models.JSONField(
        default=dict, blank=True, help_text="Where the figures come from, as the file gives it"
    )
    frequency = models.CharField(
        max_length=12,
        choices=Frequency.choices,
        blank=True,
        help_text="How often a new figure arrives; empty if not stated",
    )
    geography = models.CharField(
        max_length=20,
        choices=Geography.choices,
        blank=True,
        help_text="The area each figure covers; empty if not stated",
    )
    baseline = models.JSONField(
        default=dict, blank=True, help_text="What the measure is compared against, and how"
    )
    target = models.JSONField(
        default=dict, blank=True, help_text="The target: type, figures, method, consultees, actions"
    )
    owner = models.CharField(max_length=200, blank=True, help_text="Who answers for the measure")
    public = models.BooleanField(
        default=False, help_text="Whether the measure is shown on the public pages"
    )
    peer_group = models.CharField(
        max_length=120, blank=True, help_text="Name of the peer group it is compared with"
    )
    spc = models.JSONField(
        default=dict, blank=True, help_text="Settings for its SPC (XmR) chart, passed through"
    )
    exception_rule = models.JSONField(
        default=dict, blank=True, help_text="Settings for the two-quarters exception rule"
    )
    reported_values = models.JSONField(
        default=list, blank=True, help_text="Figures the source papers report, as printed"
    )
    caveats = models.JSONField(
        default=list, blank=True, help_text="Things a reader must know, one sentence each"
    )
    citation = models.TextField(blank=True, help_text="Where the papers state the measure")
    illustrative = models.BooleanField(
        default=False, help_text="Added as an example, not taken from the plan's papers"
    )
    not_stated = models.JSONField(
        default=list, blank=True, help_text="Measure fields the source papers do not state"
    )
    order = models.PositiveIntegerField(default=0, help_text="Position in the plan file")

    class Meta:
        ordering = ["plan", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="measure_plan_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PeerGroup(models.Model):
    """A named group of peer forces for a plan, such as its Most Similar Group."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="peer_groups", help_text="The plan version"
    )
    name = models.CharField(max_length=120, help_text="The group's name, e.g. Provisional MSG")
    version = models.CharField(max_length=60, blank=True, help_text="Which edition of the group")
    valid_from = models.DateField(
        null=True, blank=True, help_text="When this membership took effect; empty if not stated"
    )
    members = models.JSONField(
        default=list, help_text="data.police.uk identifiers of the peer forces"
    )
    provisional = models.BooleanField(
        default=False, help_text="Whether the membership still needs confirming"
    )
    source = models.TextField(blank=True, help_text="Where the membership comes from")
    note = models.TextField(blank=True, help_text="Anything a reader must know about the group")

    class Meta:
        ordering = ["plan", "name"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="peergroup_plan_name")]

    def __str__(self) -> str:
        return self.name


class PlanChange(models.Model):
    """A proposed change to the plan in use: the edited plan file and why, drafted by an
    analyst, reviewed by someone else, and on approval loaded as a new ``Plan`` version.

    The workflow is ``oversight.plans.changes``: draft → waiting for review → approved (or
    sent back to draft with a note, or withdrawn by its author). Nothing here is public until
    it is approved and loaded.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "Waiting for review"
        APPROVED = "approved", "Approved"
        WITHDRAWN = "withdrawn", "Withdrawn"

    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, related_name="changes",
        help_text="The version the change was proposed against",
    )
    spec = models.JSONField(help_text="The whole plan file as edited so far")
    reason = models.TextField(help_text="Why the plan is changing, in the author's words")
    version = models.CharField(
        max_length=100, help_text="The version name the new plan will have"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        help_text="Who proposed the change",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", help_text="Who approved it or sent it back",
    )
    review_note = models.TextField(blank=True, help_text="Why the reviewer sent it back")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_at = models.DateTimeField(null=True, blank=True, help_text="When it was approved")
    new_plan = models.OneToOneField(
        Plan, on_delete=models.PROTECT, null=True, blank=True, related_name="made_by_change",
        help_text="The version its approval created",
    )

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return f"Change {self.pk} to {self.plan.slug}: {self.reason[:60]}"
