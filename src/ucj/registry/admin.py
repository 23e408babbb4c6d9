from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from ucj.accounts import audit
from ucj.accounts.admin import ReadOnlyAdmin
from ucj.contributions.admin import AdminOnly
from ucj.registry import vocab
from ucj.registry.models import EcosystemRule, ImportBatch, Participant


@admin.register(Participant)
class ParticipantAdmin(ReadOnlyAdmin):
    """Personal data is changed on the registry pages, where every edit is audited with before/after values.
    No admin search: it would put NIKs and names into the URL's query string."""

    list_display = ("public_hex", "desa_id", "segment", "ecosystem", "payer", "paid_through")
    list_filter = ("segment", "ecosystem", "payer")
    raw_id_fields = ("desa",)
    readonly_fields = ("source_batch", "source_row", "created_at", "updated_at")
    show_full_result_count = False


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("id", "file_name", "user", "region", "status", "rows", "accepted", "updated", "rejected")
    list_filter = ("status", "kind")
    readonly_fields = [f.name for f in ImportBatch._meta.fields]


class EcosystemRuleForm(forms.ModelForm):
    class Meta:
        model = EcosystemRule
        fields = ["region", "keyword", "ecosystem", "source"]

    def clean_keyword(self) -> str:
        keyword = vocab.fold(self.cleaned_data.get("keyword"))
        if not keyword:
            raise forms.ValidationError("kata kunci kosong / empty keyword")
        return keyword


def _rule_values(obj: EcosystemRule | None) -> dict[str, str]:
    if obj is None:
        return {}
    return {"region": obj.region_id or "", "keyword": obj.keyword, "ecosystem": obj.ecosystem, "source": obj.source}


@admin.register(EcosystemRule)
class EcosystemRuleAdmin(AdminOnly):
    """Occupation → ecosystem per region (issue 12 item 17); rows without a region are the national default."""

    form = EcosystemRuleForm
    list_display = ("region", "keyword", "ecosystem", "source")
    list_filter = ("ecosystem",)
    search_fields = ("keyword",)
    raw_id_fields = ("region",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            before = _rule_values(EcosystemRule.objects.filter(pk=obj.pk).first() if obj.pk else None)
            super().save_model(request, obj, form, change)
            audit.record("ecosystem_mapping.update" if before else "ecosystem_mapping.create", request=request,
                         object_type="ecosystem_mapping", object_id=obj.pk, region_code=obj.region_id or "",
                         summary=f"{obj} (admin)", changes={"before": before, "after": _rule_values(obj)})  # fmt: skip

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            values, pk, label = _rule_values(obj), obj.pk, str(obj)
            super().delete_model(request, obj)
            audit.record("ecosystem_mapping.delete", request=request, object_type="ecosystem_mapping", object_id=pk,
                         region_code=values["region"], summary=f"{label} (admin)",
                         changes={"before": values, "after": {}})  # fmt: skip

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)
