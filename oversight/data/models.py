"""Where every figure comes from: forces, areas, populations, import batches and the
street-level crime counts built from data.police.uk files.

Every stored figure points at the ``ImportBatch`` that brought it in, so any number on a page
traces back to its file (name, checksum, who, when) and a batch can be removed as a whole.
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class Force(models.Model):
    """A territorial police force (and its police force area)."""

    slug = models.SlugField(unique=True, help_text="data.police.uk identifier, e.g. leicestershire")
    name = models.CharField(
        max_length=100, help_text="As data.police.uk writes it in 'Falls within'"
    )
    ons_code = models.CharField(max_length=9, blank=True, help_text="ONS PFA code, e.g. E23000021")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    """A local authority district or community safety partnership inside a force area."""

    class Kind(models.TextChoices):
        LOCAL_AUTHORITY = "la", "Local authority"
        CSP = "csp", "Community safety partnership"

    kind = models.CharField(max_length=3, choices=Kind.choices)
    code = models.CharField(max_length=9, help_text="ONS code, e.g. E07000129")
    name = models.CharField(max_length=120)
    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="areas", null=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="For a local authority, its community safety partnership",
    )
    batch = models.ForeignKey("ImportBatch", on_delete=models.CASCADE, related_name="areas")

    class Meta:
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="area_kind_code")]

    def __str__(self) -> str:
        return self.name


class Population(models.Model):
    """An ONS mid-year population estimate for a force area or local authority."""

    force = models.ForeignKey(
        Force, on_delete=models.CASCADE, null=True, related_name="populations"
    )
    area = models.ForeignKey(Area, on_delete=models.CASCADE, null=True, related_name="populations")
    year = models.PositiveSmallIntegerField(help_text="Mid-year of the estimate, e.g. 2019")
    value = models.PositiveIntegerField()
    source = models.CharField(max_length=200, help_text="Which publication, in words")
    batch = models.ForeignKey("ImportBatch", on_delete=models.CASCADE, related_name="populations")

    class Meta:
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(
                fields=["force", "year"],
                name="population_force_year",
                condition=models.Q(force__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["area", "year"],
                name="population_area_year",
                condition=models.Q(area__isnull=False),
            ),
        ]


class ImportBatch(models.Model):
    """One file brought in by one import: the provenance of every figure it stored."""

    class Kind(models.TextChoices):
        POLICE_UK = "police-uk", "data.police.uk street-level crime"
        POPULATION = "population", "Population estimates"
        LOOKUPS = "lookups", "Area lookups"
        ONS = "ons", "ONS police force area tables"
        WORKFORCE = "workforce", "Police workforce"
        RETURN = "return", "Partner monitoring return"
        MANUAL = "manual", "Survey or manual value"

    class Status(models.TextChoices):
        CURRENT = "current", "Current"
        REPLACED = "replaced", "Replaced by a later file"
        ROLLED_BACK = "rolled-back", "Rolled back"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(
        max_length=64, db_index=True, help_text="Checksum of the file as read"
    )
    size_bytes = models.BigIntegerField()
    month = models.CharField(max_length=7, blank=True, help_text="YYYY-MM, for monthly files")
    force = models.ForeignKey(Force, on_delete=models.PROTECT, null=True, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    rows_stored = models.PositiveIntegerField(default=0)
    details = models.JSONField(
        default=dict, blank=True, help_text="Counts found while reading, e.g. ASB rows, duplicates"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CURRENT)
    replaces = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaced_by"
    )
    difference = models.JSONField(
        default=dict, blank=True, help_text="What changed against the batch it replaced"
    )
    imported_by = models.CharField(max_length=150, help_text="User name or system account")
    imported_at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["-imported_at", "-id"]
        indexes = [models.Index(fields=["kind", "force", "month", "status"])]
        constraints = [
            # A force's month has one current data.police.uk file; a new version replaces it.
            models.UniqueConstraint(
                fields=["force", "month"],
                name="importbatch_one_current_street_file",
                condition=models.Q(kind="police-uk", status="current"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_kind_display()}, {self.imported_at:%Y-%m-%d})"


class StreetCount(models.Model):
    """Rows of a data.police.uk street-level file, counted by month, force, crime type and LSOA.

    ``rows`` counts every row, repeated Crime IDs included (the convention of DOMAIN.md 4.0);
    ``crime_ids`` counts distinct non-empty Crime IDs within the cell. Rows with no location
    have an empty ``lsoa_code``. ``local_authority`` is the LSOA name's prefix ("Blaby 002A"
    gives "Blaby").
    """

    # No separate index on either foreign key: Meta.indexes already lead with each of them,
    # and every extra index slows the bulk insert of an import. No database constraint either
    # (db_constraint=False): PostgreSQL would check every one of a million rows one by one at
    # commit. The import, the only writer, checks its rows once by a query before it commits
    # (services.police_uk._check_stored_counts); CASCADE and PROTECT still apply in Django.
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.CASCADE,
        related_name="street_counts",
        db_index=False,
        db_constraint=False,
    )
    month = models.CharField(max_length=7)
    force = models.ForeignKey(Force, on_delete=models.PROTECT, db_index=False, db_constraint=False)
    crime_type = models.CharField(max_length=40)
    lsoa_code = models.CharField(max_length=9, blank=True)
    local_authority = models.CharField(max_length=80, blank=True)
    rows = models.PositiveIntegerField()
    crime_ids = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["force", "month", "crime_type"]),
            models.Index(fields=["batch"]),
        ]


class Revisable(models.Model):
    """A published figure that a later edition of the same publication may revise.

    The figure a new edition changes is kept, no longer current, and the new row points at it
    through ``revised_from``: following that link gives the whole history of revisions.
    """

    revised_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revisions",
        help_text="The figure this one revises (an earlier edition of the same figure)",
    )
    is_current = models.BooleanField(
        default=True, help_text="False once a later edition revises it"
    )

    class Meta:
        abstract = True

    def history(self) -> list[Revisable]:
        """This figure and every earlier edition of it, newest first."""
        chain: list[Revisable] = [self]
        while chain[-1].revised_from_id is not None:
            chain.append(chain[-1].revised_from)  # type: ignore[arg-type]
        return chain


class OnsFigure(Revisable):
    """One figure of the ONS "Police force area data tables": a count of offences (table P1),
    a rate (table P3) or the population a rate was worked out with (table P3).

    ``period_end`` is the last month of the 12 months the figure covers. ``edition`` names the
    publication file it came from. Offences form a tree: ``offence`` is a group or subgroup
    (``level`` 0 for total recorded crime, 1 for a group, 2 and 3 for subgroups) and
    ``parent_offence`` the group it sits under. ``value`` is empty where the table prints a
    marker instead (``..`` not available, ``+`` suppressed), kept in ``marker``.
    """

    class Measure(models.TextChoices):
        COUNT = "count", "Number of offences"
        RATE = "rate_per_1000_population", "Rate per 1,000 people"
        HOUSEHOLD_RATE = "rate_per_1000_households", "Rate per 1,000 households"
        POPULATION = "population", "Population"
        HOUSEHOLDS = "households", "Households"

    class AreaKind(models.TextChoices):
        PFA = "pfa", "Police force area"
        REGION = "region", "English region"
        COUNTRY = "country", "Country"

    period_end = models.CharField(max_length=7, help_text="YYYY-MM: the 12 months ending then")
    edition = models.CharField(
        max_length=255, help_text="The publication file, e.g. pfatablesdec19.xlsx"
    )
    table = models.CharField(max_length=10, help_text="P1 (counts) or P3 (rates, population)")
    area_code = models.CharField(max_length=9)
    area_name = models.CharField(max_length=120)
    area_kind = models.CharField(max_length=8, choices=AreaKind.choices)
    force = models.ForeignKey(
        Force, on_delete=models.PROTECT, null=True, blank=True, related_name="ons_figures"
    )
    offence = models.CharField(
        max_length=80, blank=True, help_text="Offence slug; empty for population"
    )
    offence_label = models.CharField(
        max_length=120, blank=True, help_text="As this edition prints it"
    )
    parent_offence = models.CharField(max_length=80, blank=True)
    level = models.PositiveSmallIntegerField(default=0)
    measure = models.CharField(max_length=30, choices=Measure.choices)
    value = models.FloatField(null=True, blank=True)
    marker = models.CharField(
        max_length=4, blank=True, help_text="'..' not available, '+' suppressed"
    )
    population_vintage = models.CharField(
        max_length=20, blank=True, help_text="The mid-year population a rate uses, e.g. mid-2018"
    )
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="ons_figures")

    class Meta:
        ordering = ["period_end", "area_code", "level", "offence", "measure"]
        indexes = [
            models.Index(fields=["force", "offence", "measure", "period_end"]),
            models.Index(fields=["batch"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["area_code", "period_end", "offence", "measure"],
                condition=models.Q(is_current=True),
                name="onsfigure_one_current",
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_name} {self.offence or self.measure} {self.period_end} ({self.edition})"


class WorkforceFigure(Revisable):
    """Police officers by force at a date, from the Home Office police workforce tables.

    An input measure: full-time equivalent officers (or headcount) at 31 March or 30 September.
    A later edition of the tables repeats earlier dates and may revise them.
    """

    class Measure(models.TextChoices):
        OFFICERS_FTE = "officers_fte", "Police officers (full-time equivalent)"
        OFFICERS_HEADCOUNT = "officers_headcount", "Police officers (headcount)"

    class AreaKind(models.TextChoices):
        FORCE = "force", "Police force"
        REGION = "region", "English region or Wales"
        TOTAL = "total", "Total"
        OTHER = "other", "Other (secondments, British Transport Police)"

    as_at = models.DateField(help_text="The date the count is for")
    measure = models.CharField(max_length=30, choices=Measure.choices)
    area_key = models.CharField(
        max_length=60, help_text="The force's slug, or the region or total's name as a slug"
    )
    area_name = models.CharField(max_length=120, help_text="As the table prints it")
    area_kind = models.CharField(max_length=8, choices=AreaKind.choices)
    force = models.ForeignKey(
        Force, on_delete=models.PROTECT, null=True, blank=True, related_name="workforce"
    )
    value = models.FloatField()
    edition = models.CharField(max_length=255, help_text="The publication file")
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="workforce")

    class Meta:
        ordering = ["as_at", "area_name", "measure"]
        indexes = [
            models.Index(fields=["force", "measure", "as_at"]),
            models.Index(fields=["batch"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["area_key", "measure", "as_at"],
                condition=models.Q(is_current=True),
                name="workforcefigure_one_current",
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_name} {self.get_measure_display()} {self.as_at}"


class SurveyValue(Revisable):
    """A value entered by hand for a measure with no file to import: a survey result (with
    its sample size or confidence interval) or another published figure.

    A later entry for the same measure, force and period revises the earlier one.
    """

    class Kind(models.TextChoices):
        SURVEY = "survey", "Survey result"
        MANUAL = "manual", "Other published figure"

    measure_code = models.CharField(max_length=40, help_text="The plan measure's code")
    force = models.ForeignKey(
        Force, on_delete=models.PROTECT, null=True, blank=True, related_name="survey_values"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    period = models.CharField(max_length=30, help_text="YYYY-MM, 2025/26 Q1, 2025/26 or 2025")
    value = models.FloatField()
    unit = models.CharField(max_length=20, blank=True, help_text="As the plan's units")
    sample_size = models.PositiveIntegerField(null=True, blank=True)
    ci_lower = models.FloatField(null=True, blank=True, help_text="Lower confidence limit")
    ci_upper = models.FloatField(null=True, blank=True, help_text="Upper confidence limit")
    confidence_level = models.FloatField(default=95.0, help_text="Per cent, e.g. 95")
    source = models.CharField(max_length=300, help_text="The publication, in words")
    published_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="survey_values")

    class Meta:
        ordering = ["measure_code", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure_code", "force", "period"],
                condition=models.Q(is_current=True),
                name="surveyvalue_one_current",
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure_code} {self.period}: {self.value:g}"


class BatchChange(models.Model):
    """What an import changed outside the rows it created, so rolling it back can undo it.

    ``updated`` rows hold, per object, the field values before the import changed them;
    ``deleted`` rows hold whole rows the import removed (e.g. the counts of a month it
    replaced); ``created`` rows list objects created without a batch of their own (forces).
    """

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"
        DELETED = "deleted", "Deleted"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="changes")
    model = models.CharField(max_length=60, help_text="app_label.ModelName")
    action = models.CharField(max_length=8, choices=Action.choices)
    fields = models.JSONField(default=list, help_text="Field names of the rows, in order")
    rows = models.JSONField(default=list, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["id"]
