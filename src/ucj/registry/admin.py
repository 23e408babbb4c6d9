from django.contrib import admin

from ucj.accounts.admin import ReadOnlyAdmin
from ucj.registry.models import ImportBatch, Participant


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
