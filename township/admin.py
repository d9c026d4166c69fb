from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import User


@admin.register(User)
class TownshipUserAdmin(UserAdmin):
    list_display = ["username", "role", "township", "village", "is_active"]
    list_filter = ["role", "township"]
    list_select_related = ["township", "village"]
    fieldsets = UserAdmin.fieldsets + (("党建角色", {"fields": ("role", "township", "village")}),)
    add_fieldsets = UserAdmin.add_fieldsets + (("党建角色", {"fields": ("role", "township", "village")}),)
