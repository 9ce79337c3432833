from django.contrib import admin

from core.admin import PersonalDataAdminMixin
from roundtable.models import (
    AgendaItem,
    Attendance,
    Issue,
    Meeting,
    Opinion,
    ProgressUpdate,
    Resolution,
    Roundtable,
    RoundtableMember,
    Satisfaction,
    SupervisionVerdict,
    TimelineEntry,
)


class MemberInline(admin.TabularInline):
    model = RoundtableMember
    extra = 0
    exclude = ["mobile"]  # personal data: masked on the member's own admin page
    autocomplete_fields = ["user"]


@admin.register(Roundtable)
class RoundtableAdmin(admin.ModelAdmin):
    list_display = ["name", "village", "group", "liaison", "is_active"]
    list_filter = ["village__township", "village", "is_active"]
    search_fields = ["name", "village__name"]
    autocomplete_fields = ["village", "liaison"]
    list_select_related = ["village", "group", "liaison"]
    inlines = [MemberInline]


@admin.register(RoundtableMember)
class RoundtableMemberAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    personal_fields = ("mobile",)
    list_display = ["name", "roundtable", "role", "is_party_member", "is_active"]
    list_filter = ["role", "is_party_member", "is_active"]
    search_fields = ["name", "roundtable__name"]
    list_select_related = ["roundtable"]
    autocomplete_fields = ["roundtable", "user"]


class AgendaInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    raw_id_fields = ["issue"]


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    raw_id_fields = ["member"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["roundtable", "starts_at", "place", "chair", "state", "signed_off_at"]
    list_filter = ["state", "roundtable__village"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["roundtable", "chair", "signed_off_by", "created_by"]
    list_select_related = ["roundtable", "chair"]
    inlines = [AgendaInline, AttendanceInline]


class TimelineInline(admin.TabularInline):
    model = TimelineEntry
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "actor_label", "from_stage", "to_stage", "note", "is_public"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Issue)
class IssueAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    """Read-mostly: stages move only through the workflow, so they are not editable here."""

    personal_fields = ("raiser_mobile",)
    hash_search = ("raiser_mobile_hash",)
    list_display = ["title", "village", "stage", "category", "channel", "created_at", "stage_due_at"]
    list_filter = ["stage", "category", "channel", "village"]
    search_fields = ["title", "tracking_code"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "tracking_code",
        "stage",
        "stage_entered_at",
        "stage_due_at",
        "merged_into",
        "escalated_at",
        "created_at",
        "updated_at",
        "consent_at",
    ]
    raw_id_fields = ["village", "group", "responsible", "created_by"]
    list_select_related = ["village"]
    inlines = [TimelineInline]


@admin.register(TimelineEntry)
class TimelineEntryAdmin(admin.ModelAdmin):
    """Append-only: viewable, never changed or deleted."""

    list_display = ["issue", "kind", "from_stage", "to_stage", "actor_label", "is_public", "created_at"]
    list_filter = ["kind", "is_public"]
    raw_id_fields = ["issue", "actor"]
    list_select_related = ["issue"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


for model in (Opinion, Resolution, ProgressUpdate, SupervisionVerdict, Satisfaction, AgendaItem, Attendance):
    admin.site.register(
        model,
        type(
            f"{model.__name__}Admin",
            (admin.ModelAdmin,),
            {
                "list_display": ["__str__", "issue" if hasattr(model, "issue_id") else "meeting"],
                "raw_id_fields": [f.name for f in model._meta.fields if f.is_relation],
            },
        ),
    )
