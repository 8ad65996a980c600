"""Django's admin, for administrators only, with every change audited.

- Only a signed-in administrator (``role_of`` says so, and ``is_staff``) may use the admin;
  the role sets ``is_staff`` (``oversight.accounts.signals``), and the site checks the role too.
- ``AuditedAdmin`` records each add, change and delete made here through ``audit.record``,
  with the values before and after, in the same transaction as the change.
- The audit trail itself is read-only.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.db import models
from django.http import HttpRequest, HttpResponse

from oversight.accounts import audit
from oversight.accounts.models import AuditEvent, Organisation, Profile, Role
from oversight.accounts.roles import role_of

admin.site.site_header = "Oversight administration"
admin.site.site_title = "Oversight admin"
admin.site.index_title = "Records"
admin.site.site_url = "/staff/"

_django_has_permission = admin.site.has_permission


def _administrators_only(request: HttpRequest) -> bool:
    """The admin is for administrators: ``is_staff`` alone is not enough."""
    return _django_has_permission(request) and role_of(request.user) == Role.ADMINISTRATOR


admin.site.has_permission = _administrators_only  # type: ignore[method-assign]


def _staff_sign_in(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The admin has no sign-in form of its own: everyone signs in at /staff/login/, where
    wrong attempts are limited (``oversight.accounts.throttle``)."""
    wanted = request.GET.get("next", "")
    return redirect_to_login(wanted if wanted.startswith("/admin/") else "/admin/")


admin.site.login = _staff_sign_in  # type: ignore[method-assign]

SECRET_FIELDS = {"password"}


def _plain(value: Any) -> Any:
    """A field value as JSON can hold it."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return f"<{len(value)} bytes>"
    return value


def values_of(obj: models.Model) -> dict[str, Any]:
    """Every stored field of ``obj`` (foreign keys as ids); secrets say only "changed"."""
    values: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.name in SECRET_FIELDS:
            values[f.name] = "(hidden)"
        else:
            values[f.attname] = _plain(getattr(obj, f.attname))
    return values


def _changed(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, Any]:
    if before is None:
        return after
    return {k: v for k, v in after.items() if before.get(k) != v}


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose adds, changes and deletes are written to the audit trail."""

    def _action(self, verb: str) -> str:
        return f"admin.{self.model._meta.model_name}.{verb}"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = None
        if change and obj.pk is not None:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            before = values_of(stored) if stored is not None else None
        super().save_model(request, obj, form, change)
        after = values_of(obj)
        if before is not None:
            keys = set(_changed(before, after))
            before = {k: before[k] for k in keys}
            after = {k: after[k] for k in keys}
        audit.record(request.user, self._action("change" if change else "add"), obj,
                     before=before, after=after)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit.record(request.user, self._action("delete"), obj, before=values_of(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            audit.record(request.user, self._action("delete"), obj, before=values_of(obj))
        super().delete_queryset(request, queryset)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Inline rows (e.g. a user's profile) are audited one by one."""
        befores = {}
        for inline_form in formset.forms:
            instance = inline_form.instance
            if instance.pk is not None and inline_form.has_changed():
                stored = type(instance)._default_manager.filter(pk=instance.pk).first()
                if stored is not None:
                    befores[instance.pk] = values_of(stored)
        saved = formset.save(commit=False)
        for obj in formset.deleted_objects:
            audit.record(request.user, f"admin.{obj._meta.model_name}.delete", obj,
                         before=values_of(obj))
            obj.delete()
        for obj in saved:
            is_new = obj.pk is None
            obj.save()
            verb = "add" if is_new else "change"
            audit.record(request.user, f"admin.{obj._meta.model_name}.{verb}", obj,
                         before=befores.get(obj.pk), after=values_of(obj))
        formset.save_m2m()


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    fk_name = "user"
    extra = 0
    max_num = 1
    autocomplete_fields = ["organisation"]


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "role", "organisation", "is_active", "last_login"]
    list_select_related = ["profile__organisation"]
    list_filter = ["profile__role", "is_active"]

    @admin.display(description="Role")
    def role(self, obj: Any) -> str:
        profile = getattr(obj, "profile", None)
        if profile is None:
            return "Administrator" if obj.is_superuser else "No role"
        return profile.get_role_display()

    @admin.display(description="Organisation")
    def organisation(self, obj: Any) -> str:
        profile = getattr(obj, "profile", None)
        return str(profile.organisation) if profile and profile.organisation else "–"

    def user_change_password(self, request: HttpRequest, id: str,
                             form_url: str = "") -> HttpResponse:
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, id)
            if user is not None:
                audit.record(request.user, "admin.user.password-change", user,
                             after={"password": "(changed)"})
        return response


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "slug", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail: read only, so it cannot be changed from here."""

    list_display = ["at", "username", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["username", "object_repr", "object_id", "action"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
