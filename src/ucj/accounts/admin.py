from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from ucj.accounts.models import ApiToken, AuditEvent, RoleAssignment


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "region")
    list_filter = ("role",)
    search_fields = ("user__username", "region__code", "region__name")
    raw_id_fields = ("region",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens per user with their expiry and last use; issued by ``ucj users token`` (the clear token is shown
    once there). The admin may revoke a token or shorten its life; the digest is never shown."""

    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "expires_at", "revoked")
    list_filter = ("revoked",)
    search_fields = ("user__username", "name", "prefix")
    fields = ("user", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked")
    readonly_fields = ("user", "prefix", "created_at", "last_used_at")

    def has_add_permission(self, request: object) -> bool:
        return False  # a token is useful only with its clear text, which only ``ucj users token`` shows


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown in the admin, changed only through the audited operations of the app."""

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_name", "action", "object_type", "object_id", "region_code", "address")
    list_filter = ("action",)
    search_fields = ("actor_name", "object_id", "region_code")


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1
    raw_id_fields = ("region",)


admin.site.unregister(User)


@admin.register(User)
class UcjUserAdmin(UserAdmin):
    """Users with their region-bound roles on the same page."""

    inlines = [RoleAssignmentInline]
    list_display = ("username", "email", "is_active", "is_staff", "last_login")
