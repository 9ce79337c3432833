from django.contrib import admin

from projects.models import CollectiveIncome, Cooperative, Funding, Milestone, Partner, Project, Resource


class FundingInline(admin.TabularInline):
    model = Funding
    extra = 0


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "village", "category", "status", "land_area_mu", "start_date", "is_public"]
    list_filter = ["category", "status", "is_public", "village"]
    search_fields = ["name", "village__name", "description"]
    list_select_related = ["village"]
    raw_id_fields = ["origin_issue"]
    autocomplete_fields = ["planning_partner"]
    filter_horizontal = ["other_villages", "partners"]
    inlines = [FundingInline, MilestoneInline]


@admin.register(Funding)
class FundingAdmin(admin.ModelAdmin):
    list_display = ["project", "source", "amount_intended", "amount_landed", "land_mu", "date"]
    list_filter = ["source", "project__village"]
    search_fields = ["project__name", "note"]
    list_select_related = ["project"]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "due_date", "done_date", "progress"]
    search_fields = ["title", "project__name"]
    list_select_related = ["project"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "township", "contact_name", "since"]
    list_filter = ["kind", "township"]
    search_fields = ["name", "description"]
    filter_horizontal = ["villages", "roundtables"]


@admin.register(Cooperative)
class CooperativeAdmin(admin.ModelAdmin):
    list_display = ["name", "village", "kind", "members", "founded", "leader"]
    list_filter = ["kind", "village"]
    search_fields = ["name", "village__name", "products"]
    list_select_related = ["village"]


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["name", "village", "kind", "area_mu", "location"]
    list_filter = ["kind", "village"]
    search_fields = ["name", "village__name", "description"]
    list_select_related = ["village"]


@admin.register(CollectiveIncome)
class CollectiveIncomeAdmin(admin.ModelAdmin):
    list_display = ["village", "year", "amount", "note"]
    list_filter = ["year", "village"]
    search_fields = ["village__name"]
    list_select_related = ["village"]
