from django.contrib import admin

from core import pagecache
from villages.models import District, Township, Village, VillageGroup


class PublicPagesStaleMixin:
    """Every public page shows the township and its villages (the home lists them with their groups):
    an edit here marks every kept public page stale (core.pagecache)."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        pagecache.township_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        pagecache.township_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        pagecache.township_changed()


class VillageGroupInline(admin.TabularInline):
    model = VillageGroup
    extra = 0


@admin.register(District)
class DistrictAdmin(PublicPagesStaleMixin, admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Township)
class TownshipAdmin(PublicPagesStaleMixin, admin.ModelAdmin):
    list_display = ["name", "code", "district"]
    list_filter = ["district"]
    search_fields = ["name", "code"]
    list_select_related = ["district"]


@admin.register(Village)
class VillageAdmin(PublicPagesStaleMixin, admin.ModelAdmin):
    list_display = ["name", "code", "township", "population", "households", "is_pilot", "roundtable_founded"]
    list_filter = ["township", "is_pilot"]
    search_fields = ["name", "code"]
    inlines = [VillageGroupInline]


@admin.register(VillageGroup)
class VillageGroupAdmin(PublicPagesStaleMixin, admin.ModelAdmin):
    list_display = ["name", "village", "kind", "households", "order"]
    list_filter = ["kind", "village"]
    search_fields = ["name", "village__name"]
    list_select_related = ["village"]
