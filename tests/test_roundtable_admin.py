"""The Django admin cannot bypass the workflow: workflow records are read-only, nothing of them is
hard-deleted, and the admin's actions move issues and meetings through the workflow's own functions."""

import datetime

import pytest
from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from roundtable.models import AgendaItem, Issue, Meeting, Opinion, Stage, TimelineEntry
from tests.roundtable_helpers import advance, hold, make_roundtable, raise_issue, schedule

WORKFLOW_FIELDS = ("stage", "village", "group", "responsible", "merged_into", "escalated_at", "stage_due_at")


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(email="root@example.com", password="pw-admin-123")


@pytest.fixture
def admin(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def roundtable(village):
    return make_roundtable(village, members=5)


def _url(obj, view):
    return reverse(f"admin:roundtable_{obj._meta.model_name}_{view}", args=[obj.pk])


def _changelist(model):
    return reverse(f"admin:roundtable_{model._meta.model_name}_changelist")


def _act(admin, model, action, objects, **data):
    payload = {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in objects], "index": 0, **data}
    return admin.post(_changelist(model), payload)


def test_issue_change_form_offers_no_workflow_field(admin, village):
    issue = raise_issue(village)
    html = admin.get(_url(issue, "change")).content.decode()
    for name in (*WORKFLOW_FIELDS, "title", "description"):
        assert f'name="{name}"' not in html, name
    assert 'name="_save"' not in html


def test_issue_change_post_is_refused_and_changes_nothing(admin, village, cadre):
    issue = raise_issue(village)
    response = admin.post(
        _url(issue, "change"), {"stage": Stage.CLOSED, "responsible": cadre.pk, "title": "改了"}
    )
    assert response.status_code == 403
    issue.refresh_from_db()
    assert (issue.stage, issue.responsible_id, issue.title) == (Stage.RAISED, None, "村道路灯损坏")


def test_issue_delete_is_refused(admin, village):
    issue = raise_issue(village)
    assert admin.post(_url(issue, "delete"), {"post": "yes"}).status_code == 403
    response = _act(admin, Issue, "delete_selected", [issue], post="yes")
    assert Issue.objects.filter(pk=issue.pk).exists()
    assert TimelineEntry.objects.filter(issue=issue).count() == 1
    assert response.status_code in (200, 302)


def test_roundtable_delete_is_refused_while_it_has_a_held_meeting(admin, village, roundtable):
    """Deleting the roundtable would cascade to its meetings: the admin refuses it."""
    meeting = schedule(roundtable)
    hold(meeting, present=5)
    response = admin.post(_url(roundtable, "delete"), {"post": "yes"})
    assert response.status_code == 403
    assert Meeting.objects.filter(pk=meeting.pk).exists()


def test_held_meeting_delete_is_refused(admin, village, roundtable):
    meeting = schedule(roundtable)
    hold(meeting, present=5)
    assert admin.post(_url(meeting, "delete"), {"post": "yes"}).status_code == 403
    assert Meeting.objects.filter(pk=meeting.pk, state=Meeting.State.HELD).exists()


def test_meeting_change_form_offers_no_time_or_state_field(admin, village, roundtable):
    meeting = schedule(roundtable, hours_ago=-48)
    html = admin.get(_url(meeting, "change")).content.decode()
    for name in ("starts_at", "starts_at_0", "state", "place", "chair"):
        assert f'name="{name}"' not in html, name
    assert reverse("roundtable:meeting", kwargs={"code": village.code, "pk": meeting.pk}) in html


def test_meeting_change_post_is_refused_and_keeps_schedule_version(admin, village, roundtable):
    meeting = schedule(roundtable, hours_ago=-48)
    later = timezone.now() + datetime.timedelta(days=9)
    response = admin.post(
        _url(meeting, "change"),
        {"starts_at_0": later.date().isoformat(), "starts_at_1": "10:00", "state": Meeting.State.HELD},
    )
    assert response.status_code == 403
    fresh = Meeting.objects.get(pk=meeting.pk)
    assert (fresh.starts_at, fresh.state, fresh.schedule_version) == (
        meeting.starts_at,
        Meeting.State.SCHEDULED,
        meeting.schedule_version,
    )


@pytest.mark.parametrize("model", [TimelineEntry, AgendaItem, Opinion])
def test_workflow_evidence_change_is_refused(admin, village, cadre, roundtable, model):
    issue = advance(raise_issue(village), Stage.DELIBERATING, cadre=cadre, roundtable=roundtable)
    obj = model.objects.filter(issue=issue).order_by("pk").first()
    assert (
        admin.post(_url(obj, "change"), {"note": "x", "text": "x", "outcome": "decided"}).status_code == 403
    )
    assert admin.post(_url(obj, "delete"), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_admin_accept_action_moves_the_issue_and_writes_the_timeline(admin, superuser, village):
    issue = raise_issue(village)
    response = _act(admin, Issue, "accept", [issue], apply="1", reason="")
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.stage == Stage.SOLICITING
    entry = TimelineEntry.objects.filter(issue=issue, kind=TimelineEntry.Kind.STAGE).get()
    assert (entry.from_stage, entry.to_stage, entry.actor_id) == (
        Stage.RAISED,
        Stage.SOLICITING,
        superuser.pk,
    )


def test_admin_reject_action_asks_for_the_reason_first(admin, village):
    issue = raise_issue(village)
    page = _act(admin, Issue, "reject", [issue])
    assert page.status_code == 200
    assert 'name="reason"' in page.content.decode()
    empty = _act(admin, Issue, "reject", [issue], apply="1", reason=" ")
    assert empty.status_code == 200
    issue.refresh_from_db()
    assert issue.stage == Stage.RAISED
    _act(admin, Issue, "reject", [issue], apply="1", reason="不属于村级事务")
    issue.refresh_from_db()
    assert issue.stage == Stage.REJECTED
    assert issue.timeline.filter(to_stage=Stage.REJECTED, note="不属于村级事务").exists()


def test_admin_action_refused_by_the_workflow_changes_nothing(admin, village, cadre):
    issue = advance(raise_issue(village), Stage.SOLICITING, cadre=cadre)
    response = _act(admin, Issue, "accept", [issue], apply="1", reason="")
    issue.refresh_from_db()
    assert issue.stage == Stage.SOLICITING
    assert issue.timeline.filter(kind=TimelineEntry.Kind.STAGE).count() == 1
    errors = [str(m) for m in get_messages(response.wsgi_request) if m.level == messages.ERROR]
    assert len(errors) == 1 and errors[0].startswith(issue.title), errors


def test_admin_cancel_action_cancels_the_meeting_and_writes_the_issues_timeline(
    admin, village, cadre, roundtable
):
    issue = advance(raise_issue(village), Stage.DELIBERATING, cadre=cadre, roundtable=roundtable)
    meeting = issue.agenda_items.get().meeting
    _act(admin, Meeting, "cancel", [meeting], apply="1", reason="主持人生病")
    meeting.refresh_from_db()
    assert (meeting.state, meeting.cancel_reason) == (Meeting.State.CANCELLED, "主持人生病")
    assert issue.timeline.filter(kind=TimelineEntry.Kind.DEFERRED).count() == 1


def test_workflow_actions_need_the_change_permission(client, village):
    staff = User.objects.create_user(email="staff@example.com", password="pw-staff-123", is_staff=True)
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(Permission.objects.get(codename="view_issue"))
    client.force_login(staff)
    issue = raise_issue(village)
    assert 'value="accept"' not in client.get(_changelist(Issue)).content.decode()
    _act(client, Issue, "accept", [issue], apply="1", reason="")
    issue.refresh_from_db()
    assert issue.stage == Stage.RAISED
