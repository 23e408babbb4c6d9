from django.contrib import admin

from ucj.registry.models import ImportBatch, Participant


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ("public_hex", "desa_id", "segment", "ecosystem", "payer", "paid_through")
    list_filter = ("segment", "ecosystem", "payer")
    search_fields = ("=nik",)
    raw_id_fields = ("desa",)
    readonly_fields = ("source_batch", "source_row", "created_at", "updated_at")
    show_full_result_count = False

    # Personal data is changed on the registry pages, where every edit is audited with before/after values;
    # the admin only shows it.
    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("id", "file_name", "user", "region", "status", "rows", "accepted", "updated", "rejected")
    list_filter = ("status", "kind")
    readonly_fields = [f.name for f in ImportBatch._meta.fields]
