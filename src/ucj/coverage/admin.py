"""Admin of coverage data: denominators (workforce) and targets are edited by ``admin`` and ``provinsi`` (a
provinsi analyst only inside their regions), every change audited with before/after values; participation
feeds are loaded by ``ucj import feed`` and only shown here (read-only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ucj.accounts import audit
from ucj.accounts.scoping import COVERAGE_WRITE_ROLES, TARGET_WRITE_ROLES, scope_for
from ucj.coverage.models import FeedBatch, FeedRow, Target, Workforce
from ucj.coverage.services import bump_version

WORKFORCE_FIELDS = ("region", "year", "definition", "workers", "source", "synthetic")
TARGET_FIELDS = ("region", "year", "definition", "rate", "count", "source", "synthetic")


def _can(request: HttpRequest, roles: frozenset[str]) -> bool:
    user = request.user
    return bool(user.is_active and (user.is_superuser or scope_for(user).can(roles)))


def _values(obj: Model, names: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for name in names:
        value = getattr(obj, "region_id" if name == "region" else name)
        out[name] = "" if value is None else str(value)
    return out


def _changes(before: dict[str, str], after: dict[str, str]) -> dict[str, list[str]]:
    keys = dict.fromkeys([*before, *after])
    return {k: [before.get(k, ""), after.get(k, "")] for k in keys if before.get(k, "") != after.get(k, "")}


class ScopedForm(forms.ModelForm):
    """Refuses a region outside the editing user's regions (set by the admin as ``request_user``)."""

    request_user: Any = None

    def clean_region(self) -> Any:
        region = self.cleaned_data.get("region")
        user = self.request_user
        if region is not None and user is not None and not scope_for(user).covers(region.code, TARGET_WRITE_ROLES):
            raise forms.ValidationError(_("Wilayah di luar wilayah Anda."))
        return region


class WorkforceForm(ScopedForm):
    class Meta:
        model = Workforce
        fields = list(WORKFORCE_FIELDS)

    def clean_workers(self) -> int:
        value = self.cleaned_data["workers"]
        if value is not None and value < 0:
            raise forms.ValidationError(_("Jumlah tidak boleh negatif."))
        return int(value)


class TargetForm(ScopedForm):
    class Meta:
        model = Target
        fields = list(TARGET_FIELDS)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        rate, count = data.get("rate"), data.get("count")
        if rate is None and count is None and not self.errors:
            raise forms.ValidationError(_("Isi target persen atau target jumlah pekerja."))
        if rate is not None and not 0 <= rate <= 100:
            self.add_error("rate", _("Target persen harus 0–100."))
        if count is not None and count < 0:
            self.add_error("count", _("Jumlah tidak boleh negatif."))
        return data


class AuditedCoverageAdmin(admin.ModelAdmin):
    """Editable by admin and provinsi inside their regions; each save and delete is audited."""

    audited: tuple[str, ...] = ()
    action_name = ""
    raw_id_fields = ("region",)
    list_filter = ("year", "definition", "synthetic")
    search_fields = ("region__code", "region__name", "source")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _can(request, TARGET_WRITE_ROLES)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _can(request, TARGET_WRITE_ROLES)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _can(request, TARGET_WRITE_ROLES)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _can(request, TARGET_WRITE_ROLES)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _can(request, TARGET_WRITE_ROLES)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        return qs.filter(scope_for(request.user).region_q("region_id", TARGET_WRITE_ROLES))

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form: Any = super().get_form(request, obj, change=change, **kwargs)
        user = request.user
        form.request_user = None if user.is_superuser or scope_for(user).everywhere else user
        return form

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            old = type(obj).objects.filter(pk=obj.pk).first() if obj.pk else None
            before = _values(old, self.audited) if old is not None else {}
            super().save_model(request, obj, form, change)
            audit.record(f"{self.action_name}.update" if old is not None else f"{self.action_name}.create",
                         request=request, object_type=self.action_name, object_id=obj.pk,
                         region_code=obj.region_id or "", summary=f"{obj} (admin)",
                         changes=_changes(before, _values(obj, self.audited)))  # fmt: skip
            transaction.on_commit(bump_version)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            values, pk, label = _values(obj, self.audited), obj.pk, str(obj)
            super().delete_model(request, obj)
            audit.record(f"{self.action_name}.delete", request=request, object_type=self.action_name, object_id=pk,
                         region_code=values["region"], summary=f"{label} (admin)",
                         changes=_changes(values, {}))  # fmt: skip
            transaction.on_commit(bump_version)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)


@admin.register(Workforce)
class WorkforceAdmin(AuditedCoverageAdmin):
    form = WorkforceForm
    audited = WORKFORCE_FIELDS
    action_name = "workforce"
    list_display = ("region", "year", "definition", "workers", "source", "synthetic")


@admin.register(Target)
class TargetAdmin(AuditedCoverageAdmin):
    form = TargetForm
    audited = TARGET_FIELDS
    action_name = "target"
    list_display = ("region", "year", "definition", "rate", "count", "source", "synthetic")


class ReadOnly(admin.ModelAdmin):
    """Shown to the roles that load feeds; never added, changed or deleted here."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _can(request, COVERAGE_WRITE_ROLES)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _can(request, COVERAGE_WRITE_ROLES)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FeedBatch)
class FeedBatchAdmin(ReadOnly):
    list_display = ("id", "file_name", "created_at", "user", "rows", "accepted", "synthetic")
    search_fields = ("file_name", "sha256")


@admin.register(FeedRow)
class FeedRowAdmin(ReadOnly):
    list_display = ("region", "month", "segment", "ecosystem", "payer", "active", "batch")
    list_filter = ("month", "segment", "ecosystem")
    search_fields = ("region__code",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        return qs.filter(scope_for(request.user).region_q("region_id", COVERAGE_WRITE_ROLES))
