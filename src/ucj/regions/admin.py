from django.contrib import admin

from ucj.regions.models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "kind", "parent_id", "postcode")
    list_filter = ("level", "kind")
    search_fields = ("code", "name")
    readonly_fields = ("name_key",)
