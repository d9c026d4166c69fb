from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import IdNumberRefusal, User


@admin.register(User)
class TownshipUserAdmin(UserAdmin):
    list_display = ["username", "role", "township", "village", "is_active"]
    list_filter = ["role", "township"]
    list_select_related = ["township", "village"]
    fieldsets = UserAdmin.fieldsets + (("党建角色", {"fields": ("role", "township", "village")}),)
    add_fieldsets = UserAdmin.add_fieldsets + (("党建角色", {"fields": ("role", "township", "village")}),)


@admin.register(IdNumberRefusal)
class IdNumberRefusalAdmin(admin.ModelAdmin):
    """Read-only: the log of refused 身份证号 is written by township.audit, never by hand."""

    list_display = ["at", "username", "path", "masked_number", "reason", "township"]
    list_filter = ["reason", "township"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
