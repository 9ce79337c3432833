"""Meetings and their issues: withdrawal and sign-off, seats for new members, quorum of active members."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from roundtable import services, workflow
from roundtable.models import AgendaItem, Meeting, RoundtableMember, Stage
from tests.matching import reason
from tests.roundtable_helpers import advance, hold, make_roundtable, raise_issue, schedule

pytestmark = pytest.mark.django_db


# --- a withdrawn issue must not block the sign-off of a held meeting ------------------------------


def test_withdraw_while_on_held_meeting_lets_the_meeting_be_signed_off(client, village, cadre):
    roundtable = make_roundtable(village)
    issue = advance(raise_issue(village), Stage.DELIBERATING, cadre=cadre, roundtable=roundtable)
    meeting = issue.agenda_items.get().meeting
    hold(meeting, present=5)
    response = client.post(
        reverse("roundtable:track_withdraw", kwargs={"code": issue.tracking_code}), {"note": "已私下解决"}
    )
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.stage == Stage.WITHDRAWN
    assert not AgendaItem.objects.filter(issue=issue, outcome=AgendaItem.Outcome.PENDING).exists()

    services.meeting_save_minutes(meeting=meeting, minutes="会议记录")
    client.force_login(cadre)
    client.post(
        reverse(
            "roundtable:meeting_act", kwargs={"code": village.code, "pk": meeting.pk, "action": "sign_off"}
        )
    )
    meeting.refresh_from_db()
    assert meeting.is_locked


def test_withdraw_keeps_the_outcomes_of_signed_off_meetings(village, cadre):
    roundtable = make_roundtable(village)
    issue = advance(raise_issue(village), Stage.DELIBERATING, cadre=cadre, roundtable=roundtable)
    item = issue.agenda_items.get()
    hold(item.meeting, present=5)
    workflow.issue_defer(issue=issue, actor=cadre, agenda_item=item, discussion="再议")
    services.meeting_save_minutes(meeting=item.meeting, minutes="会议记录")
    services.meeting_sign_off(meeting=item.meeting, actor=cadre)
    workflow.issue_withdraw(issue=issue)
    item.refresh_from_db()
    assert item.outcome == AgendaItem.Outcome.DEFERRED
    assert Meeting.objects.get(pk=item.meeting_id).agenda.filter(pk=item.pk).exists()


# --- a member who joins before a scheduled meeting can be marked present ----------------------------


def test_member_added_after_scheduling_gets_a_seat_on_the_attendance(client, village, cadre):
    roundtable = make_roundtable(village, members=3)
    meeting = schedule(roundtable)
    client.force_login(cadre)
    client.post(
        reverse("roundtable:roundtable", kwargs={"code": village.code, "pk": roundtable.pk}),
        {"name": "新成员甲", "role": RoundtableMember.Role.REPRESENTATIVE},
    )
    client.post(
        reverse("roundtable:roundtable", kwargs={"code": village.code, "pk": roundtable.pk}),
        {"name": "新成员乙", "role": RoundtableMember.Role.REPRESENTATIVE},
    )
    assert roundtable.members.filter(is_active=True).count() == 5
    assert meeting.attendance.count() == 5
    # Three old and two new members present: four of five is a quorum the cadre can now record.
    statuses = {a.member_id: "present" if i < 4 else "absent" for i, a in enumerate(meeting.attendance.all())}
    services.meeting_record_attendance(meeting=meeting, statuses=statuses)
    assert workflow.quorum_met(meeting)


def test_member_added_gets_no_seat_on_held_or_cancelled_meetings(village, cadre):
    roundtable = make_roundtable(village, members=3)
    held = hold(schedule(roundtable), present=3)
    cancelled = schedule(roundtable, hours_ago=-48)
    services.meeting_cancel(meeting=cancelled, reason="下雨")
    services.member_add(roundtable=roundtable, name="新成员", role=RoundtableMember.Role.OTHER)
    assert held.attendance.count() == 3
    assert cancelled.attendance.count() == 3


def test_deactivated_members_do_not_count_towards_quorum(village, cadre):
    roundtable = make_roundtable(village, members=5)
    issue = advance(raise_issue(village), Stage.DELIBERATING, cadre=cadre, roundtable=roundtable)
    item = issue.agenda_items.get()
    hold(item.meeting, present=3)  # 3 of 5: quorate
    # two of the three present leave the roundtable: 1 present of 3 active members is no quorum
    roundtable.members.filter(
        pk__in=list(roundtable.members.order_by("pk").values_list("pk", flat=True)[:2])
    ).update(is_active=False)
    with pytest.raises(
        workflow.WorkflowError, match=reason("No quorum: more than half of the members must be present.")
    ):
        workflow.issue_decide(
            issue=issue,
            actor=cadre,
            agenda_item=item,
            text="决议",
            discussion="讨论",
            votes_for=2,
            votes_against=0,
            votes_abstain=0,
            responsible=cadre,
            due_date=timezone.localdate() + datetime.timedelta(days=3),
        )
