"""Review fixes in the roundtable: regression tests for access, personal data and workflow defects."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from roundtable import services, workflow
from roundtable.models import AgendaItem, Issue, Meeting, RoundtableMember, Stage, TimelineEntry
from tests.factories import make_user
from tests.roundtable_helpers import advance, hold, make_roundtable, raise_issue, schedule

pytestmark = pytest.mark.django_db


def issue_url(issue, name="roundtable:issue", **extra):
    return reverse(name, kwargs={"code": issue.village.code, "pk": issue.pk, **extra})


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


# --- the tracking code is the resident's key: only the village's cadres see it ----------------------


@pytest.mark.parametrize("who", ["member", "supervisor", "official"])
def test_issue_page_hides_tracking_code_from_non_cadres(client, village, cadre, who, request):
    issue = raise_issue(village)
    client.force_login(request.getfixturevalue(who))
    response = client.get(issue_url(issue))
    assert response.status_code == 200
    assert issue.tracking_code not in response.content.decode()


def test_issue_page_shows_tracking_code_to_the_village_cadre(client, village, cadre):
    issue = raise_issue(village)
    client.force_login(cadre)
    assert issue.tracking_code in client.get(issue_url(issue)).content.decode()


def test_merge_note_names_the_merged_issue_by_number_not_tracking_code(client, village, cadre, member):
    earlier = raise_issue(village, title="路灯坏了")
    duplicate = raise_issue(village, title="路灯又坏了")
    workflow.issue_merge(issue=duplicate, actor=cadre, target_issue=earlier)
    note = TimelineEntry.objects.filter(issue=earlier, kind=TimelineEntry.Kind.COMMENT).get().note
    assert duplicate.tracking_code not in note
    assert f"#{duplicate.pk}" in note
    client.force_login(member)
    assert duplicate.tracking_code not in client.get(issue_url(earlier)).content.decode()


# --- a seat left on a roundtable of a village where the user holds no role shows nothing ------------


def test_workspace_home_hides_meetings_of_villages_without_a_role(client, village, other_village):
    user = make_user(Membership.Role.MEMBER, village=other_village)
    roundtable = make_roundtable(village)
    RoundtableMember.objects.create(roundtable=roundtable, name="老成员", role="other", user=user)
    meeting = services.meeting_schedule(
        roundtable=roundtable, starts_at=timezone.now() + datetime.timedelta(days=1), place="村委会"
    )
    services.meeting_add_topic(meeting=meeting, topic="征地补偿方案")
    client.force_login(user)
    html = client.get(reverse("workspace:home")).content.decode()
    assert "征地补偿方案" not in html
    assert reverse("roundtable:meeting", kwargs={"code": village.code, "pk": meeting.pk}) not in html


def test_workspace_home_lists_meetings_of_the_members_own_roundtable(client, village, member):
    roundtable = make_roundtable(village)
    RoundtableMember.objects.create(roundtable=roundtable, name="成员", role="other", user=member)
    meeting = services.meeting_schedule(
        roundtable=roundtable, starts_at=timezone.now() + datetime.timedelta(days=1), place="村委会"
    )
    services.meeting_add_topic(meeting=meeting, topic="征地补偿方案")
    client.force_login(member)
    assert "征地补偿方案" in client.get(reverse("workspace:home")).content.decode()


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


def test_supervisor_cannot_sign_off_work_they_were_responsible_for(client, village, cadre, supervisor):
    roundtable = make_roundtable(village, members=5)
    issue = advance(raise_issue(village), Stage.SUPERVISING, cadre=cadre, roundtable=roundtable)
    Issue.objects.filter(pk=issue.pk).update(responsible=supervisor)
    client.force_login(supervisor)
    url = reverse("roundtable:issue_act", kwargs={"code": village.code, "pk": issue.pk, "move": "confirm"})
    client.post(url, {"confirm-note": ""})
    assert Issue.objects.get(pk=issue.pk).stage == Stage.SUPERVISING
    Issue.objects.filter(pk=issue.pk).update(responsible=cadre)
    client.post(url, {"confirm-note": ""})
    assert Issue.objects.get(pk=issue.pk).stage == Stage.CLOSED


def test_deactivated_members_do_not_count_towards_quorum(village, cadre):
    roundtable = make_roundtable(village, members=5)
    issue = advance(raise_issue(village), Stage.DELIBERATING, cadre=cadre, roundtable=roundtable)
    item = issue.agenda_items.get()
    hold(item.meeting, present=3)  # 3 of 5: quorate
    # two of the three present leave the roundtable: 1 present of 3 active members is no quorum
    roundtable.members.filter(
        pk__in=list(roundtable.members.order_by("pk").values_list("pk", flat=True)[:2])
    ).update(is_active=False)
    with pytest.raises(workflow.WorkflowError):
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
