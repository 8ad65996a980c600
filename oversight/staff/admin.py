"""Admin pages for the Panel's questions, and read-only views of plans, results and commentary.

Plans are loaded from plan files and commentary goes through its draft → review → approved
workflow, so the admin only shows them; an app that registers its own admin keeps it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from oversight.accounts.admin import AuditedAdmin
from oversight.commentary.models import Commentary
from oversight.performance.models import MeasureResult
from oversight.plans.models import Measure, Plan, Theme
from oversight.staff.models import PanelQuestion


@admin.register(PanelQuestion)
class PanelQuestionAdmin(AuditedAdmin):
    list_display = ["measure", "period", "asked_by", "asked_at"]
    list_filter = ["period"]
    list_select_related = ["measure", "asked_by"]
    search_fields = ["text", "measure__code", "measure__name"]
    raw_id_fields = ["measure"]


class ReadOnly(admin.ModelAdmin):
    """Viewing only: these change through their own workflow, which audits each step."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PlanAdmin(ReadOnly):
    list_display = ["title", "version", "status", "is_current", "loaded_at", "loaded_by"]
    list_filter = ["is_current", "status"]
    exclude = ["spec"]


class ThemeAdmin(ReadOnly):
    list_display = ["number", "title", "plan"]
    list_select_related = ["plan"]


class MeasureAdmin(ReadOnly):
    list_display = ["code", "name", "plan", "public", "unit", "polarity"]
    list_filter = ["public", "plan"]
    list_select_related = ["plan"]
    search_fields = ["code", "name"]


class MeasureResultAdmin(ReadOnly):
    list_display = ["measure", "latest_quarter", "status", "grade", "computed_at"]
    list_select_related = ["measure"]
    list_filter = ["status", "latest_quarter"]


class CommentaryAdmin(ReadOnly):
    list_display = ["measure", "period", "status", "author", "reviewer", "updated_at"]
    list_filter = ["status", "period"]
    list_select_related = ["measure", "author", "reviewer"]


for _model, _admin in ((Plan, PlanAdmin), (Theme, ThemeAdmin), (Measure, MeasureAdmin),
                       (MeasureResult, MeasureResultAdmin), (Commentary, CommentaryAdmin)):
    if not admin.site.is_registered(_model):
        admin.site.register(_model, _admin)
