"""Admin of the contribution rules and the village-role defaults: only ``admin`` changes them, every change
is audited with before/after values, and a rule is checked like a row of a rules file (``rules.check_rule``)
and against the other rows (``rules.check_overlaps``) before it is stored."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from ucj.accounts import audit
from ucj.accounts.scoping import scope_for
from ucj.contributions import rules as core
from ucj.contributions.models import ContributionRule, RoleDefault

PROGRAM_NAMES = ("JKK", "JKM", "JHT", "JP", "JKP")
DEFAULT_FIELDS = ("region", "role", "segment", "programs", "payer", "risk_class", "income", "source")


def is_rules_admin(request: HttpRequest) -> bool:
    """Superusers and holders of the admin role (``scope_for(user).everywhere``)."""
    user = request.user
    return bool(user.is_active and (user.is_superuser or scope_for(user).everywhere))


class AdminOnly(admin.ModelAdmin):
    """Visible to staff; added, changed and deleted only by the admin role."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_rules_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_rules_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_rules_admin(request)


def _changes(before: dict[str, str], after: dict[str, str]) -> dict[str, list[str]]:
    keys = dict.fromkeys([*before, *after])
    return {k: [before.get(k, ""), after.get(k, "")] for k in keys if before.get(k, "") != after.get(k, "")}


# ---------------------------------------------------------------- rules


class ContributionRuleForm(forms.ModelForm):
    class Meta:
        model = ContributionRule
        fields = list(core.COLUMNS)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        candidate = ContributionRule(**{name: data.get(name) for name in core.COLUMNS})
        try:
            rule = candidate.to_rule()  # rule_from_row → check_rule, as for a line of a rules file
            others = ContributionRule.objects.exclude(pk=self.instance.pk) if self.instance.pk else None
            rows = others if others is not None else ContributionRule.objects.all()
            core.check_overlaps([*(r.to_rule() for r in rows), rule])
        except core.RuleError as err:
            raise forms.ValidationError(str(err)) from None
        return data

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # (not in django-stubs)
        if self.errors and self.instance.pk:
            # A refused edit must not stay on the instance: the admin titles the page with str(instance), which
            # reads the row as a rule and would raise on the refused values.
            self.instance.refresh_from_db()


@admin.register(ContributionRule)
class ContributionRuleAdmin(AdminOnly):
    form = ContributionRuleForm
    list_display = ("code", "variant", "valid_from", "valid_to", "rate_employer", "rate_worker", "rate_government",
                    "amount", "factor", "source")  # fmt: skip
    list_filter = ("code",)
    search_fields = ("code", "source", "note")
    ordering = ("code", "variant", "valid_from")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            old = ContributionRule.objects.filter(pk=obj.pk).first() if obj.pk else None
            before = core.rule_to_row(old.to_rule()) if old is not None else {}
            super().save_model(request, obj, form, change)
            core.check_overlaps(r.to_rule() for r in ContributionRule.objects.all())  # the stored table stays sound
            rule = obj.to_rule()
            audit.record("rules.update" if old is not None else "rules.create", request=request, object_type="rule",
                         object_id=rule.id, summary=f"{rule.id} (admin)",
                         changes=_changes(before, core.rule_to_row(rule)))  # fmt: skip

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            row = core.rule_to_row(obj.to_rule())
            rule_id = obj.to_rule().id
            super().delete_model(request, obj)
            audit.record("rules.delete", request=request, object_type="rule", object_id=rule_id,
                         summary=f"{rule_id} (admin)", changes=_changes(row, {}))  # fmt: skip

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)


# ---------------------------------------------------------------- village-role defaults


def _default_values(obj: Model) -> dict[str, str]:
    values = {}
    for name in DEFAULT_FIELDS:
        value = getattr(obj, "region_id" if name == "region" else name)
        values[name] = "" if value is None else str(value)
    return values


class RoleDefaultForm(forms.ModelForm):
    class Meta:
        model = RoleDefault
        fields = list(DEFAULT_FIELDS)

    def clean_programs(self) -> str:
        value = self.cleaned_data.get("programs") or ""
        programs = [p.strip().upper() for p in value.split(",") if p.strip()]
        unknown = [p for p in programs if p not in PROGRAM_NAMES]
        if not programs or unknown:
            raise forms.ValidationError(f"programs: {', '.join(unknown) or '—'} tidak dikenal / unknown "
                                        f"({', '.join(PROGRAM_NAMES)})")  # fmt: skip
        return ",".join(dict.fromkeys(programs))

    def clean_risk_class(self) -> int | None:
        value = self.cleaned_data.get("risk_class")
        if value is not None and not 1 <= value <= 5:
            raise forms.ValidationError("kelas risiko harus 1-5 / the risk class must be 1-5")
        return value


@admin.register(RoleDefault)
class RoleDefaultAdmin(AdminOnly):
    form = RoleDefaultForm
    list_display = ("region", "role", "segment", "programs", "payer", "risk_class", "income", "source")
    list_filter = ("role", "segment", "payer")
    raw_id_fields = ("region",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            old = RoleDefault.objects.filter(pk=obj.pk).first() if obj.pk else None
            before = _default_values(old) if old is not None else {}
            super().save_model(request, obj, form, change)
            audit.record("role_default.update" if old is not None else "role_default.create", request=request,
                         object_type="role_default", object_id=obj.pk, region_code=obj.region_id or "",
                         summary=f"{obj} (admin)", changes=_changes(before, _default_values(obj)))  # fmt: skip

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            values, pk, label = _default_values(obj), obj.pk, str(obj)
            super().delete_model(request, obj)
            audit.record("role_default.delete", request=request, object_type="role_default", object_id=pk,
                         region_code=values["region"], summary=f"{label} (admin)",
                         changes=_changes(values, {}))  # fmt: skip

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)
