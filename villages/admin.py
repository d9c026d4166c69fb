from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import PartyBranch, StarRating, Township, Village, VillageMonth


@admin.register(Township)
class TownshipAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ["name", "township", "order"]
    list_filter = ["township"]
    search_fields = ["name"]


@admin.register(PartyBranch)
class PartyBranchAdmin(SimpleHistoryAdmin):
    list_display = ["name", "village", "secretary_name"]
    list_filter = ["village__township"]
    list_select_related = ["village"]


@admin.register(StarRating)
class StarRatingAdmin(SimpleHistoryAdmin):
    list_display = ["branch", "year", "stars", "target_stars"]
    list_filter = ["year", "stars"]
    list_select_related = ["branch"]


@admin.register(VillageMonth)
class VillageMonthAdmin(SimpleHistoryAdmin):
    list_display = ["village", "year", "month", "status"]
    list_filter = ["year", "status"]
    list_select_related = ["village"]
