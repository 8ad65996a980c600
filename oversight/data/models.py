"""Where every figure comes from: forces, areas, populations, import batches and the
street-level crime counts built from data.police.uk files.

Every stored figure points at the ``ImportBatch`` that brought it in, so any number on a page
traces back to its file (name, checksum, who, when) and a batch can be removed as a whole.
"""

from __future__ import annotations

from django.conf import settings
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
    # and every extra index slows the bulk insert of an import.
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="street_counts", db_index=False
    )
    month = models.CharField(max_length=7)
    force = models.ForeignKey(Force, on_delete=models.PROTECT, db_index=False)
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
