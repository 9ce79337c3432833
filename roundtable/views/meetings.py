"""Roundtables and their meetings: schedule, agenda, attendance, decisions, minutes, sign-off, print."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import access_village, can_manage_village
from roundtable import permissions as perms
from roundtable import selectors, services, workflow
from roundtable.forms import (
    AttendanceForm,
    DecisionForm,
    DeferForm,
    MeetingForm,
    MinutesForm,
    MoveMeetingForm,
    ReasonForm,
    RoundtableMemberForm,
    TopicForm,
    VoteFields,
    add_workflow_error,
)
from roundtable.models import AgendaItem, Attendance, Meeting


@login_required
def roundtable_list(request, code):
    village = access_village(request.user, code)
    return render(
        request,
        "roundtable/work/roundtable_list.html",
        {
            "village": village,
            "roundtables": selectors.roundtables_of(village=village),
        },
    )


@login_required
def roundtable_detail(request, code, pk):
    village = access_village(request.user, code)
    roundtable = perms.access_roundtable(request.user, village, pk)
    manage = perms.can_manage_roundtable(request.user, roundtable)
    form = RoundtableMemberForm(request.POST or None) if manage else None
    if request.method == "POST":
        if not manage:
            raise Http404
        if form.is_valid():
            services.member_add(roundtable=roundtable, **form.cleaned_data)
            messages.success(request, _("Member added."))
            return redirect("roundtable:roundtable", code=village.code, pk=roundtable.pk)
    return render(
        request,
        "roundtable/work/roundtable_detail.html",
        {
            "village": village,
            "roundtable": roundtable,
            "manage": manage,
            "form": form,
            "members": roundtable.members.select_related("user").order_by(
                "-is_active", "-is_party_member", "name"
            ),
            "meetings": roundtable.meetings.select_related("chair").order_by("-starts_at")[:20],
            "next_chair": services.propose_next_chair(roundtable),
        },
    )


@login_required
def meeting_list(request, code):
    village = access_village(request.user, code)
    return render(
        request,
        "roundtable/work/meeting_list.html",
        {
            "village": village,
            "meetings": selectors.village_meetings(village=village)[:100],
            "roundtables": selectors.roundtables_of(village=village),
            "manage": can_manage_village(request.user, village),
        },
    )


@login_required
def meeting_new(request, code, pk):
    """Schedule a meeting of one roundtable; the chair is proposed by rotation."""
    village = access_village(request.user, code)
    roundtable = perms.access_roundtable(request.user, village, pk)
    if not perms.can_manage_roundtable(request.user, roundtable):
        raise Http404
    proposed = services.propose_next_chair(roundtable)
    form = MeetingForm(request.POST or None, roundtable=roundtable, initial={"chair": proposed})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        meeting = services.meeting_schedule(
            roundtable=roundtable,
            starts_at=d["starts_at"],
            place=d["place"],
            chair=d["chair"],
            actor=request.user,
            entered_afterwards=d["entered_afterwards"],
        )
        if meeting.entered_afterwards:
            messages.success(
                request, _("The meeting is entered. Now enter its agenda, attendance and decisions.")
            )
        else:
            messages.success(request, _("The meeting is scheduled. Members will be reminded."))
        return redirect("roundtable:meeting", code=village.code, pk=meeting.pk)
    return render(
        request,
        "roundtable/work/meeting_new.html",
        {
            "village": village,
            "roundtable": roundtable,
            "form": form,
            "proposed": proposed,
        },
    )


def _share_choices(forms, field_name):
    """Reads a select's options once for all agenda items instead of once per item."""
    if forms:
        choices = list(forms[0].fields[field_name].choices)
        for form in forms:
            form.fields[field_name].choices = choices


def meeting_page_context(request, village, meeting, bound=None):
    """The meeting page: agenda with each item's forms, attendance, minutes, and what the user may do
    (``workflow.meeting_actions``: the page offers only what the services will save)."""
    manage = perms.can_manage_meeting(request.user, meeting)
    actions = workflow.meeting_actions(request.user, meeting)
    context = selectors.meeting_detail_context(meeting)
    data = bound or {}
    held_open = meeting.state == Meeting.State.HELD and not meeting.is_locked
    item_forms = {}
    item_form = {
        "decide": lambda item: DecisionForm(prefix=f"i{item.pk}-decide", village=village),
        "defer": lambda item: DeferForm(prefix=f"i{item.pk}-defer", meeting=meeting),
        "not_adopted": lambda item: VoteFields(prefix=f"i{item.pk}-not_adopted"),
    }
    for item in context["agenda"]:
        if held_open and item.issue_id and item.outcome == AgendaItem.Outcome.PENDING:
            moves = workflow.available_moves(request.user, item.issue)
            forms = {move: build(item) for move, build in item_form.items() if move in moves}
            if forms:
                item_forms[item.pk] = forms
    _share_choices([f["decide"] for f in item_forms.values()], "responsible")
    _share_choices([f["defer"] for f in item_forms.values()], "next_meeting")
    my_seat = meeting.attendance.filter(member__user=request.user).select_related("member").first()
    chair_row = next((a for a in context["attendance"] if a.member_id == meeting.chair_id), None)
    context.update(
        {
            "chair_absent": meeting.is_held
            and meeting.chair_id is not None
            and (chair_row is None or chair_row.status != Attendance.Status.PRESENT),
            "village": village,
            "meeting": meeting,
            "manage": manage,
            "actions": actions,
            "item_forms": item_forms,
            "ready": list(selectors.issues_ready_for_agenda(meeting)) if "agenda" in actions else [],
            "topic_form": data.get("topic") or (TopicForm() if "agenda" in actions else None),
            "attendance_form": data.get("attendance")
            or (
                AttendanceForm(meeting=meeting, rows=context["attendance"])
                if "attendance" in actions
                else None
            ),
            # A cadre sees why attendance is not offered yet, and from when it is.
            "attendance_opens_at": workflow.attendance_opens_at(meeting)
            if manage and meeting.is_scheduled and "attendance" not in actions
            else None,
            "minutes_form": data.get("minutes")
            or (MinutesForm(initial={"minutes": meeting.minutes}) if "minutes" in actions else None),
            "move_form": data.get("move")
            or (MoveMeetingForm(initial={"place": meeting.place}) if "move" in actions else None),
            "cancel_form": data.get("cancel") or (ReasonForm() if "cancel" in actions else None),
            "my_seat": my_seat,
            "can_confirm": my_seat is not None and workflow.confirm_open(meeting),
            "open_item": None,
        }
    )
    return context


@login_required
def meeting_detail(request, code, pk):
    village = access_village(request.user, code)
    meeting = perms.access_meeting(request.user, village, pk)
    return render(
        request, "roundtable/work/meeting_detail.html", meeting_page_context(request, village, meeting)
    )


@login_required
def meeting_print(request, code, pk):
    """Minutes and sign-in sheet laid out for A4."""
    village = access_village(request.user, code)
    meeting = perms.access_meeting(request.user, village, pk)
    context = selectors.meeting_detail_context(meeting)
    context.update(
        {
            "village": village,
            "meeting": meeting,
            "blank_rows": range(max(0, 3 - len(context["attendance"]) % 3 + 2)),
        }
    )
    return render(request, "roundtable/work/meeting_print.html", context)


@login_required
@require_POST
def meeting_act(request, code, pk, action):
    """One change to a meeting: agenda, attendance, minutes, sign-off, move, cancel, confirm."""
    village = access_village(request.user, code)
    meeting = perms.access_meeting(request.user, village, pk)
    manage = perms.can_manage_meeting(request.user, meeting)
    context_forms = {}
    try:
        if action == "confirm":
            seat = meeting.attendance.filter(member__user=request.user).select_related("member").first()
            if seat is None:
                raise Http404
            services.attendance_confirm(
                meeting=meeting, member=seat.member, coming=request.POST.get("coming", "1") == "1"
            )
            messages.success(request, _("Thank you, your answer is recorded."))
        elif not manage:
            raise Http404
        elif action == "add_issue":
            issue = selectors.issues_ready_for_agenda(meeting).filter(pk=request.POST.get("issue")).first()
            if issue is None:
                raise workflow.WorkflowError(_("That issue is not ready for this meeting."))
            workflow.issue_put_on_agenda(issue=issue, actor=request.user, meeting=meeting)
            messages.success(request, _("Added to the agenda."))
        elif action == "add_topic":
            form = TopicForm(request.POST)
            if not form.is_valid():
                context_forms["topic"] = form
            else:
                services.meeting_add_topic(meeting=meeting, topic=form.cleaned_data["topic"])
                messages.success(request, _("Added to the agenda."))
        elif action == "attendance":
            rows = list(meeting.attendance.select_related("member"))
            form = AttendanceForm(request.POST, meeting=meeting, rows=rows)
            if form.is_valid():
                try:
                    services.meeting_record_attendance(
                        meeting=meeting, statuses=form.statuses(), substitute_chair=form.substitute()
                    )
                except workflow.WorkflowError as exc:
                    add_workflow_error(form, exc)
                else:
                    messages.success(request, _("Attendance recorded; the meeting is marked as held."))
            if form.errors:
                context_forms["attendance"] = form
        elif action == "minutes":
            form = MinutesForm(request.POST)
            if not form.is_valid():
                context_forms["minutes"] = form
            else:
                topic_notes = {
                    item.pk: request.POST.get(f"topic-{item.pk}", "")
                    for item in meeting.agenda.filter(issue__isnull=True)
                    if f"topic-{item.pk}" in request.POST
                }
                services.meeting_save_minutes(
                    meeting=meeting, minutes=form.cleaned_data["minutes"], topic_notes=topic_notes
                )
                messages.success(request, _("Minutes saved."))
        elif action == "sign_off":
            services.meeting_sign_off(meeting=meeting, actor=request.user)
            messages.success(request, _("Signed off. The minutes are now locked."))
        elif action == "move":
            form = MoveMeetingForm(request.POST)
            if form.is_valid():
                try:
                    services.meeting_move(
                        meeting=meeting,
                        starts_at=form.cleaned_data["starts_at"],
                        place=form.cleaned_data["place"],
                        actor=request.user,
                    )
                except workflow.WorkflowError as exc:
                    add_workflow_error(form, exc)
                else:
                    messages.success(request, _("The meeting is moved. Members will be told."))
            if form.errors:
                context_forms["move"] = form
        elif action == "cancel":
            form = ReasonForm(request.POST)
            if not form.is_valid():
                context_forms["cancel"] = form
            else:
                services.meeting_cancel(
                    meeting=meeting, reason=form.cleaned_data["reason"], actor=request.user
                )
                messages.success(request, _("The meeting is cancelled. Members will be told."))
        else:
            raise Http404
    except workflow.WorkflowError as exc:
        messages.error(request, str(exc))
    if context_forms:
        meeting.refresh_from_db()
        context = meeting_page_context(request, village, meeting, bound=context_forms)
        return render(request, "roundtable/work/meeting_detail.html", context, status=400)
    return redirect("roundtable:meeting", code=village.code, pk=meeting.pk)
