from django.contrib import admin

from villages.models import District, Township, Village, VillageGroup


class VillageGroupInline(admin.TabularInline):
    model = VillageGroup
    extra = 0


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Township)
class TownshipAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "district"]
    list_filter = ["district"]
    search_fields = ["name", "code"]
    list_select_related = ["district"]


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "township", "population", "households", "is_pilot", "roundtable_founded"]
    list_filter = ["township", "is_pilot"]
    search_fields = ["name", "code"]
    inlines = [VillageGroupInline]


@admin.register(VillageGroup)
class VillageGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "village", "kind", "households", "order"]
    list_filter = ["kind", "village"]
    search_fields = ["name", "village__name"]
    list_select_related = ["village"]
