"""The Django admin for roundtables. Workflow records (issues, their timeline and evidence, meetings, agenda
items, resolutions) are read-only here: they change only through admin actions that call the workflow and
the meeting services, which check the stage, lock the rows and write the timeline. Nothing of the workflow
is hard-deleted (a deleted issue takes its timeline with it): reject, withdraw or cancel instead."""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import PersonalDataAdminMixin
from roundtable import services, workflow
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


# --- read-only workflow records ------------------------------------------------------------------


class ReadOnlyMixin:
    """Viewable, never added, changed or deleted in the admin. Workflow actions need the model's change
    permission (``allowed_permissions = ["workflow"]``), though the change form itself stays read-only."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_workflow_permission(self, request):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason or note"), widget=forms.Textarea(attrs={"rows": 3}))


def _run_action(modeladmin, request, queryset, *, title, needs_reason, run, move=None):
    """Runs one workflow move per selected object, after a page asking for the reason or note.

    ``run(obj, reason)`` calls the workflow or service; its refusal is reported for that object and the
    others still go ahead (each move is its own transaction)."""
    form = ReasonForm(request.POST if "apply" in request.POST else None)
    if not needs_reason:
        form.fields["reason"].required = False
    if "apply" not in request.POST or not form.is_valid():
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "objects": queryset,
            "form": form,
            "action": request.POST.get("action"),
            "opts": modeladmin.opts,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/roundtable/workflow_action.html", context)
    done = 0
    for obj in queryset.order_by("pk"):
        before = getattr(obj, "stage", None)
        try:
            run(obj, form.cleaned_data["reason"])
        except workflow.WorkflowError as exc:
            modeladmin.message_user(request, f"{obj}: {exc}", messages.ERROR)
        else:
            done += 1
            if move:
                # An issue's move says what happened to it, as on the workspace's issue page.
                message = workflow.move_done_message(obj, move, before=before)
                modeladmin.message_user(request, message, messages.SUCCESS)
    if done and not move:
        modeladmin.message_user(request, _("%(count)s done.") % {"count": done}, messages.SUCCESS)
    return None


class TimelineInline(ReadOnlyInline):
    model = TimelineEntry
    can_delete = False
    fields = ["created_at", "kind", "actor_label", "from_stage", "to_stage", "note", "is_public"]
    readonly_fields = fields


@admin.register(Issue)
class IssueAdmin(PersonalDataAdminMixin, ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: stages, village, group and the responsible person change only through the workflow,
    here through the actions below, on the workspace's issue page otherwise."""

    personal_fields = ("raiser_mobile",)
    hash_search = ("raiser_mobile_hash",)
    list_display = ["title", "village", "stage", "category", "channel", "created_at", "stage_due_at"]
    list_filter = ["stage", "category", "channel", "village"]
    search_fields = ["title", "tracking_code"]
    date_hierarchy = "created_at"
    list_select_related = ["village"]
    readonly_fields = ["workspace_link"]
    inlines = [TimelineInline]
    actions = ["accept", "reject", "withdraw"]

    @admin.display(description=gettext_lazy("Workspace"))
    def workspace_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("Open the issue's page"))

    @admin.action(description=gettext_lazy("Accept (step 1 → 2)"), permissions=["workflow"])
    def accept(self, request, queryset):
        return _run_action(
            self,
            request,
            queryset,
            title=_("Accept the issues"),
            needs_reason=False,
            move="accept",
            run=lambda issue, note: workflow.issue_accept(issue=issue, actor=request.user, note=note),
        )

    @admin.action(description=gettext_lazy("Reject, with a reason"), permissions=["workflow"])
    def reject(self, request, queryset):
        return _run_action(
            self,
            request,
            queryset,
            title=_("Reject the issues"),
            needs_reason=True,
            move="reject",
            run=lambda issue, reason: workflow.issue_reject(issue=issue, actor=request.user, reason=reason),
        )

    @admin.action(description=gettext_lazy("Withdraw on the raiser's behalf"), permissions=["workflow"])
    def withdraw(self, request, queryset):
        return _run_action(
            self,
            request,
            queryset,
            title=_("Withdraw the issues"),
            move="withdraw",
            needs_reason=True,
            run=lambda issue, note: workflow.issue_withdraw(issue=issue, actor=request.user, note=note),
        )


@admin.register(TimelineEntry)
class TimelineEntryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Append-only: viewable, never changed or deleted."""

    list_display = ["issue", "kind", "from_stage", "to_stage", "actor_label", "is_public", "created_at"]
    list_filter = ["kind", "is_public"]
    list_select_related = ["issue"]


class AgendaInline(ReadOnlyInline):
    model = AgendaItem


class AttendanceInline(ReadOnlyInline):
    model = Attendance


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: a meeting is moved on the workspace's meeting page (which bumps ``schedule_version``,
    so reminders for the old time are dropped) and cancelled by the action below."""

    list_display = ["roundtable", "starts_at", "place", "chair", "state", "signed_off_at"]
    list_filter = ["state", "roundtable__village"]
    date_hierarchy = "starts_at"
    list_select_related = ["roundtable", "chair"]
    readonly_fields = ["workspace_link"]
    inlines = [AgendaInline, AttendanceInline]
    actions = ["cancel"]

    @admin.display(description=gettext_lazy("Workspace"))
    def workspace_link(self, obj):
        url = reverse("roundtable:meeting", kwargs={"code": obj.roundtable.village.code, "pk": obj.pk})
        return format_html('<a href="{}">{}</a>', url, _("Open the meeting's page (to move it)"))

    @admin.action(description=gettext_lazy("Cancel, with a reason"), permissions=["workflow"])
    def cancel(self, request, queryset):
        return _run_action(
            self,
            request,
            queryset,
            title=_("Cancel the meetings"),
            needs_reason=True,
            run=lambda meeting, reason: services.meeting_cancel(
                meeting=meeting, reason=reason, actor=request.user
            ),
        )


for model in (Opinion, Resolution, ProgressUpdate, SupervisionVerdict, Satisfaction, AgendaItem, Attendance):
    admin.site.register(
        model,
        type(
            f"{model.__name__}Admin",
            (ReadOnlyMixin, admin.ModelAdmin),
            {"list_display": ["__str__", "issue" if hasattr(model, "issue_id") else "meeting"]},
        ),
    )
