from django.contrib import admin

from tumbuh.regions.models import PriorityArea, PriorityAreaRegency, Province, Regency


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "time_zone", "population"]
    search_fields = ["code", "name"]


@admin.register(Regency)
class RegencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "province", "is_3t"]
    list_filter = ["is_3t", "is_disadvantaged", "is_land_border", "has_outermost_small_island"]
    search_fields = ["code", "name"]


class PriorityAreaRegencyInline(admin.TabularInline):
    model = PriorityAreaRegency
    extra = 0
    raw_id_fields = ["regency"]


@admin.register(PriorityArea)
class PriorityAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "collection", "slug"]
    inlines = [PriorityAreaRegencyInline]
