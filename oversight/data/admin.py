"""Admin pages for looking at imported data and its provenance.

Imports write only through ``services`` (the command line), so batches and the figures they
brought in are read-only here: a batch shows its file, checksum, counts, who and when.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from oversight.data.models import (
    Area,
    Force,
    ImportBatch,
    OnsFigure,
    Population,
    StreetCount,
    SurveyValue,
    WorkforceFigure,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewing only: data changes go through an import, which records its provenance."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Force)
class ForceAdmin(ReadOnlyAdmin):
    list_display = ["name", "slug", "ons_code"]
    search_fields = ["name", "slug", "ons_code"]


@admin.register(Area)
class AreaAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "code", "force", "parent"]
    list_filter = ["kind", "force"]
    search_fields = ["name", "code"]


@admin.register(Population)
class PopulationAdmin(ReadOnlyAdmin):
    list_display = ["force", "area", "year", "value", "source"]
    list_filter = ["force", "year"]


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = [
        "file_name",
        "kind",
        "force",
        "month",
        "status",
        "rows_read",
        "rows_stored",
        "imported_by",
        "imported_at",
    ]
    list_filter = ["kind", "status", "force"]
    search_fields = ["file_name", "sha256"]
    date_hierarchy = "imported_at"


@admin.register(StreetCount)
class StreetCountAdmin(ReadOnlyAdmin):
    list_display = [
        "month",
        "force",
        "crime_type",
        "lsoa_code",
        "local_authority",
        "rows",
        "crime_ids",
    ]
    list_filter = ["force", "crime_type"]
    search_fields = ["lsoa_code", "local_authority"]
    list_select_related = ["force"]
    show_full_result_count = False


@admin.register(OnsFigure)
class OnsFigureAdmin(ReadOnlyAdmin):
    list_display = [
        "period_end",
        "area_name",
        "offence",
        "measure",
        "value",
        "marker",
        "edition",
        "is_current",
    ]
    list_filter = ["measure", "area_kind", "is_current", "period_end"]
    search_fields = ["area_name", "area_code", "offence", "edition"]
    show_full_result_count = False


@admin.register(WorkforceFigure)
class WorkforceFigureAdmin(ReadOnlyAdmin):
    list_display = ["as_at", "area_name", "measure", "value", "edition", "is_current"]
    list_filter = ["measure", "area_kind", "is_current"]
    search_fields = ["area_name", "edition"]


@admin.register(SurveyValue)
class SurveyValueAdmin(ReadOnlyAdmin):
    list_display = ["measure_code", "period", "value", "sample_size", "source", "is_current"]
    list_filter = ["kind", "is_current"]
    search_fields = ["measure_code", "source"]
