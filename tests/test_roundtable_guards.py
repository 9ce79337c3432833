"""Each guard of the workflow and the meeting services, on its own: every test meets all the other conditions
of the move, breaks exactly one, and expects that guard's own message (so removing the guard fails the test:
the move then goes through, or another guard answers with another message). Which stages each move leaves
is tested by the stage × move matrix in test_roundtable_workflow.py."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from accounts.models import Membership
from roundtable import services, workflow
from roundtable.models import (
    AgendaItem,
    Attendance,
    Issue,
    Meeting,
    Opinion,
    Satisfaction,
    Stage,
    TimelineEntry,
)
from roundtable.workflow import WorkflowError
from tests.factories import make_user
from tests.roundtable_helpers import advance, hold, make_roundtable, raise_issue, schedule

DUE = datetime.timedelta(days=10)


@pytest.fixture(autouse=True)
def english():
    """Refusals are matched by their English text."""
    with translation.override("en"):
        yield


@pytest.fixture
def roundtable(village):
    return make_roundtable(village, members=5)


def _deliberating(village, roundtable, cadre):
    """An issue on the agenda of a meeting that sits now (scheduled, not yet held)."""
    issue = advance(raise_issue(village), Stage.DELIBERATING, cadre=cadre, roundtable=roundtable)
    return issue, issue.agenda_items.select_related("meeting").get()


def _held(village, roundtable, cadre, *, present=5):
    issue, item = _deliberating(village, roundtable, cadre)
    hold(item.meeting, present=present)
    return issue, item


def _decide(issue, item, cadre, **change):
    args = {
        "issue": issue,
        "actor": cadre,
        "agenda_item": item,
        "text": "决议",
        "discussion": "讨论",
        "votes_for": 4,
        "votes_against": 1,
        "votes_abstain": 0,
        "responsible": cadre,
        "due_date": timezone.localdate() + DUE,
    }
    return workflow.issue_decide(**{**args, **change})


def _not_adopted(issue, item, cadre, **change):
    args = {
        "issue": issue,
        "actor": cadre,
        "agenda_item": item,
        "discussion": "讨论",
        "votes_for": 1,
        "votes_against": 4,
        "votes_abstain": 0,
    }
    return workflow.issue_not_adopted(**{**args, **change})


def _defer(issue, item, cadre, **change):
    args = {"issue": issue, "actor": cadre, "agenda_item": item, "discussion": "再调查"}
    return workflow.issue_defer(**{**args, **change})


OUTCOME_MOVES = {"decide": _decide, "not_adopted": _not_adopted, "defer": _defer}
VOTING_MOVES = {"decide": _decide, "not_adopted": _not_adopted}


def _unchanged(issue, stage):
    assert Issue.objects.get(pk=issue.pk).stage == stage


# --- merge ------------------------------------------------------------------------------------------


def test_merge_without_a_target_is_refused(village, cadre):
    issue = raise_issue(village)
    with pytest.raises(WorkflowError, match="Choose the issue to merge into"):
        workflow.issue_merge(issue=issue, actor=cadre, target_issue=None)
    _unchanged(issue, Stage.RAISED)


# --- opinions ---------------------------------------------------------------------------------------


def _opinion(issue, cadre, **change):
    args = {"issue": issue, "party": "村民代表", "stance": "support", "text": "同意", "source": "member"}
    return workflow.issue_add_opinion(actor=cadre, **{**args, **change})


def test_opinion_outside_steps_2_and_3_is_refused(village, cadre):
    issue = raise_issue(village)
    with pytest.raises(WorkflowError, match="steps 2 and 3 only"):
        _opinion(issue, cadre)
    assert not Opinion.objects.filter(issue=issue).exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"stance": "maybe"}, "Choose support, oppose or neutral"),
        ({"text": "  "}, "Write the opinion"),
        ({"party": ""}, "Say whose opinion it is"),
    ],
)
def test_opinion_needs_stance_text_and_party(village, cadre, change, message):
    issue = workflow.issue_accept(issue=raise_issue(village), actor=cadre)
    with pytest.raises(WorkflowError, match=message):
        _opinion(issue, cadre, **change)
    assert not Opinion.objects.filter(issue=issue).exists()


# --- agenda -----------------------------------------------------------------------------------------


def _soliciting(village, cadre):
    issue = workflow.issue_accept(issue=raise_issue(village), actor=cadre)
    _opinion(issue, cadre)
    return issue


def test_agenda_of_a_meeting_that_is_not_scheduled_is_refused(village, cadre, roundtable):
    issue = _soliciting(village, cadre)
    meeting = schedule(roundtable)
    hold(meeting, present=5)
    with pytest.raises(WorkflowError, match="Only a scheduled meeting can take new agenda items"):
        workflow.issue_put_on_agenda(issue=issue, actor=cadre, meeting=meeting)
    _unchanged(issue, Stage.SOLICITING)


def test_agenda_of_a_signed_off_meeting_is_refused(village, cadre, roundtable):
    issue = _soliciting(village, cadre)
    meeting = schedule(roundtable, hours_ago=-24)
    Meeting.objects.filter(pk=meeting.pk).update(signed_off_at=timezone.now())  # locked, state untouched
    with pytest.raises(WorkflowError, match="Only a scheduled meeting can take new agenda items"):
        workflow.issue_put_on_agenda(issue=issue, actor=cadre, meeting=meeting)
    _unchanged(issue, Stage.SOLICITING)


def test_agenda_of_another_villages_meeting_is_refused(village, other_village, cadre):
    issue = _soliciting(village, cadre)
    meeting = schedule(make_roundtable(other_village), hours_ago=-24)
    with pytest.raises(WorkflowError, match="does not cover the issue's village group"):
        workflow.issue_put_on_agenda(issue=issue, actor=cadre, meeting=meeting)
    _unchanged(issue, Stage.SOLICITING)


def test_agenda_of_a_roundtable_of_another_group_is_refused(village, cadre):
    first, second = village.groups.all()[:2]
    issue = workflow.issue_accept(issue=raise_issue(village, group=first), actor=cadre)
    _opinion(issue, cadre)
    meeting = schedule(make_roundtable(village, group=second, name="二组"), hours_ago=-24)
    with pytest.raises(WorkflowError, match="does not cover the issue's village group"):
        workflow.issue_put_on_agenda(issue=issue, actor=cadre, meeting=meeting)
    _unchanged(issue, Stage.SOLICITING)


def test_agenda_twice_on_one_meeting_is_refused(village, cadre, roundtable):
    issue, item = _deliberating(village, roundtable, cadre)
    # deferred, yet still listed on that (scheduled) meeting's agenda
    AgendaItem.objects.filter(pk=item.pk).update(outcome=AgendaItem.Outcome.DEFERRED)
    with pytest.raises(WorkflowError, match="already on this meeting's agenda"):
        workflow.issue_put_on_agenda(issue=issue, actor=cadre, meeting=item.meeting)
    assert issue.agenda_items.count() == 1


# --- the meeting a decision needs ---------------------------------------------------------------------


@pytest.mark.parametrize("move", list(VOTING_MOVES))
def test_outcome_of_a_meeting_not_held_is_refused(village, cadre, roundtable, move):
    """Attendance recorded and quorate, but the meeting was never marked as held."""
    issue, item = _deliberating(village, roundtable, cadre)
    item.meeting.attendance.update(status=Attendance.Status.PRESENT)
    with pytest.raises(WorkflowError, match="must be held"):
        VOTING_MOVES[move](issue, item, cadre)
    _unchanged(issue, Stage.DELIBERATING)


def test_decision_of_a_signed_off_meeting_is_refused(village, cadre, roundtable):
    issue, item = _held(village, roundtable, cadre)
    Meeting.objects.filter(pk=item.meeting_id).update(signed_off_at=timezone.now())
    with pytest.raises(WorkflowError, match="signed off and locked"):
        _decide(issue, item, cadre)
    _unchanged(issue, Stage.DELIBERATING)


def test_decision_without_attendance_is_refused(village, cadre, roundtable):
    issue, item = _deliberating(village, roundtable, cadre)
    Meeting.objects.filter(pk=item.meeting_id).update(state=Meeting.State.HELD)
    with pytest.raises(WorkflowError, match="Record the meeting's attendance first"):
        _decide(issue, item, cadre)
    _unchanged(issue, Stage.DELIBERATING)


@pytest.mark.parametrize("move", list(VOTING_MOVES))
def test_outcome_without_quorum_is_refused(village, cadre, roundtable, move):
    issue, item = _held(village, roundtable, cadre, present=2)
    with pytest.raises(WorkflowError, match="No quorum"):
        VOTING_MOVES[move](issue, item, cadre, votes_for=1, votes_against=1)
    _unchanged(issue, Stage.DELIBERATING)


# --- the agenda item ----------------------------------------------------------------------------------


@pytest.mark.parametrize("move", list(OUTCOME_MOVES))
def test_outcome_on_another_issues_agenda_item_is_refused(village, cadre, roundtable, move):
    issue, item = _held(village, roundtable, cadre)
    other = advance(raise_issue(village, title="另一件"), Stage.SOLICITING, cadre=cadre)
    _opinion(other, cadre)
    other_item = AgendaItem.objects.create(meeting=item.meeting, issue=other, order=9)
    with pytest.raises(WorkflowError, match="about another issue"):
        OUTCOME_MOVES[move](issue, other_item, cadre)
    _unchanged(issue, Stage.DELIBERATING)
    assert AgendaItem.objects.get(pk=other_item.pk).outcome == AgendaItem.Outcome.PENDING


@pytest.mark.parametrize("move", list(OUTCOME_MOVES))
def test_outcome_on_an_item_that_has_one_is_refused(village, cadre, roundtable, move):
    issue, item = _held(village, roundtable, cadre)
    AgendaItem.objects.filter(pk=item.pk).update(outcome=AgendaItem.Outcome.DEFERRED)
    with pytest.raises(WorkflowError, match="already has an outcome"):
        OUTCOME_MOVES[move](issue, item, cadre)
    _unchanged(issue, Stage.DELIBERATING)
    assert not TimelineEntry.objects.filter(issue=issue, kind=TimelineEntry.Kind.DEFERRED).exists()


# --- votes ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("move", list(VOTING_MOVES))
def test_negative_votes_are_refused(village, cadre, roundtable, move):
    issue, item = _held(village, roundtable, cadre)
    with pytest.raises(WorkflowError, match="cannot be negative"):
        VOTING_MOVES[move](issue, item, cadre, votes_abstain=-1)
    _unchanged(issue, Stage.DELIBERATING)


@pytest.mark.parametrize("move", list(VOTING_MOVES))
def test_more_votes_than_members_present_are_refused(village, cadre, roundtable, move):
    issue, item = _held(village, roundtable, cadre, present=4)
    with pytest.raises(WorkflowError, match="only 4 members are present"):
        VOTING_MOVES[move](issue, item, cadre, votes_abstain=1)
    _unchanged(issue, Stage.DELIBERATING)


def test_decision_without_a_majority_is_refused(village, cadre, roundtable):
    issue, item = _held(village, roundtable, cadre, present=4)
    with pytest.raises(WorkflowError, match="Not adopted: 2 votes for"):
        _decide(issue, item, cadre, votes_for=2, votes_against=2)
    _unchanged(issue, Stage.DELIBERATING)


def test_not_adopted_with_a_majority_for_is_refused(village, cadre, roundtable):
    issue, item = _held(village, roundtable, cadre)
    with pytest.raises(WorkflowError, match="record a resolution instead"):
        _not_adopted(issue, item, cadre, votes_for=3, votes_against=2)
    _unchanged(issue, Stage.DELIBERATING)


@pytest.mark.parametrize(
    ("move", "change", "message"),
    [
        ("decide", {"discussion": " "}, "Write down the discussion"),
        ("decide", {"text": ""}, "Write the resolution"),
        ("not_adopted", {"discussion": ""}, "Write down the discussion"),
        ("defer", {"discussion": ""}, "why it is deferred"),
    ],
)
def test_outcome_needs_its_notes(village, cadre, roundtable, move, change, message):
    issue, item = _held(village, roundtable, cadre)
    with pytest.raises(WorkflowError, match=message):
        OUTCOME_MOVES[move](issue, item, cadre, **change)
    _unchanged(issue, Stage.DELIBERATING)
    assert AgendaItem.objects.get(pk=item.pk).outcome == AgendaItem.Outcome.PENDING


# --- the person responsible and the due date -----------------------------------------------------------


def test_decision_without_a_responsible_person_is_refused(village, cadre, roundtable):
    issue, item = _held(village, roundtable, cadre)
    with pytest.raises(WorkflowError, match="Name the person responsible"):
        _decide(issue, item, cadre, responsible=None)
    _unchanged(issue, Stage.DELIBERATING)


def test_decision_naming_someone_outside_the_village_is_refused(village, other_cadre, cadre, roundtable):
    issue, item = _held(village, roundtable, cadre)
    with pytest.raises(WorkflowError, match="active member of the village's staff") as refused:
        _decide(issue, item, cadre, responsible=other_cadre)
    assert refused.value.field == "responsible"
    _unchanged(issue, Stage.DELIBERATING)


def test_decision_naming_a_deactivated_user_is_refused(village, cadre, roundtable):
    gone = make_user(Membership.Role.CADRE, village=village, is_active=False)
    issue, item = _held(village, roundtable, cadre)
    with pytest.raises(WorkflowError, match="active member of the village's staff"):
        _decide(issue, item, cadre, responsible=gone)
    _unchanged(issue, Stage.DELIBERATING)


def test_assigning_someone_outside_the_village_is_refused(village, other_cadre, cadre):
    issue = raise_issue(village)
    with pytest.raises(WorkflowError, match="active member of the village's staff"):
        workflow.issue_assign(issue=issue, actor=cadre, responsible=other_cadre)
    assert Issue.objects.get(pk=issue.pk).responsible_id is None


def test_assigning_a_closed_issue_is_refused(village, cadre):
    issue = workflow.issue_reject(issue=raise_issue(village), actor=cadre, reason="重复")
    with pytest.raises(WorkflowError, match="Only an open issue can be assigned"):
        workflow.issue_assign(issue=issue, actor=cadre, responsible=cadre)
    assert Issue.objects.get(pk=issue.pk).responsible_id is None


@pytest.mark.parametrize("due", [None, -1])
def test_decision_without_a_due_date_ahead_is_refused(village, cadre, roundtable, due):
    issue, item = _held(village, roundtable, cadre)
    due_date = None if due is None else timezone.localdate() + datetime.timedelta(days=due)
    with pytest.raises(WorkflowError, match="due date that is not in the past"):
        _decide(issue, item, cadre, due_date=due_date)
    _unchanged(issue, Stage.DELIBERATING)


def test_decision_form_shows_the_responsible_rule_beside_its_field(village, other_cadre):
    from roundtable.forms import DecisionForm

    form = DecisionForm(
        {"discussion": "d", "votes_for": 1, "votes_against": 0, "votes_abstain": 0, "text": "t",
         "responsible": other_cadre.pk, "due_date": timezone.localdate().isoformat()},
        village=village,
    )  # fmt: skip
    assert not form.is_valid()
    assert "responsible" in form.errors


# --- defer ------------------------------------------------------------------------------------------


def test_defer_at_a_meeting_not_held_is_refused(village, cadre, roundtable):
    issue, item = _deliberating(village, roundtable, cadre)
    with pytest.raises(WorkflowError, match="Only a held meeting that is not signed off"):
        _defer(issue, item, cadre)
    assert AgendaItem.objects.get(pk=item.pk).outcome == AgendaItem.Outcome.PENDING


def test_defer_at_a_signed_off_meeting_is_refused(village, cadre, roundtable):
    issue, item = _held(village, roundtable, cadre)
    Meeting.objects.filter(pk=item.meeting_id).update(signed_off_at=timezone.now())
    with pytest.raises(WorkflowError, match="Only a held meeting that is not signed off"):
        _defer(issue, item, cadre)
    assert AgendaItem.objects.get(pk=item.pk).outcome == AgendaItem.Outcome.PENDING


# --- steps 5 and 6 ----------------------------------------------------------------------------------


def test_progress_outside_step_5_is_refused(village, cadre, roundtable):
    issue = advance(raise_issue(village), Stage.DECIDED, cadre=cadre, roundtable=roundtable)
    with pytest.raises(WorkflowError, match="step 5"):
        workflow.issue_report_progress(issue=issue, actor=cadre, percent=10, note="开工")
    assert not issue.progress.exists()


@pytest.mark.parametrize(
    ("percent", "note", "message"),
    [(101, "进展", "from 0 to 100"), (-1, "进展", "from 0 to 100"), (50, " ", "Describe")],
)
def test_progress_needs_a_percentage_and_a_note(village, cadre, roundtable, percent, note, message):
    issue = advance(raise_issue(village), Stage.EXECUTING, cadre=cadre, roundtable=roundtable)
    with pytest.raises(WorkflowError, match=message):
        workflow.issue_report_progress(issue=issue, actor=cadre, percent=percent, note=note)
    assert not issue.progress.exists()


def test_completion_needs_a_note(village, cadre, roundtable):
    issue = advance(raise_issue(village), Stage.EXECUTING, cadre=cadre, roundtable=roundtable)
    with pytest.raises(WorkflowError, match="completion note"):
        workflow.issue_report_done(issue=issue, actor=cadre, note="  ")
    _unchanged(issue, Stage.EXECUTING)


def test_send_back_needs_a_reason(village, cadre, supervisor, roundtable):
    issue = advance(raise_issue(village), Stage.SUPERVISING, cadre=cadre, roundtable=roundtable)
    with pytest.raises(WorkflowError, match="why the work is sent back"):
        workflow.issue_send_back(issue=issue, supervisor=supervisor, reason=" ")
    _unchanged(issue, Stage.SUPERVISING)


def test_reject_needs_a_reason(village, cadre):
    issue = raise_issue(village)
    with pytest.raises(WorkflowError, match="reason for rejecting"):
        workflow.issue_reject(issue=issue, actor=cadre, reason="")
    _unchanged(issue, Stage.RAISED)


def test_comment_needs_text(village, cadre):
    issue = raise_issue(village)
    with pytest.raises(WorkflowError, match="Write the comment"):
        workflow.issue_comment(issue=issue, actor=cadre, note=" ")
    assert issue.timeline.count() == 1


def test_rating_before_the_work_is_done_is_refused(village, cadre, roundtable):
    issue = advance(raise_issue(village), Stage.EXECUTING, cadre=cadre, roundtable=roundtable)
    with pytest.raises(WorkflowError, match="once the work is reported done"):
        workflow.issue_rate(issue=issue, score=5)
    assert not Satisfaction.objects.filter(issue=issue).exists()


@pytest.mark.parametrize("score", [0, 6])
def test_rating_outside_1_to_5_is_refused(village, cadre, roundtable, score):
    issue = advance(raise_issue(village), Stage.SUPERVISING, cadre=cadre, roundtable=roundtable)
    with pytest.raises(WorkflowError, match="from 1 to 5"):
        workflow.issue_rate(issue=issue, score=score)
    assert not Satisfaction.objects.filter(issue=issue).exists()


def test_rating_twice_is_refused(village, cadre, roundtable):
    issue = advance(raise_issue(village), Stage.SUPERVISING, cadre=cadre, roundtable=roundtable)
    workflow.issue_rate(issue=issue, score=4)
    with pytest.raises(WorkflowError, match="already been rated"):
        workflow.issue_rate(issue=issue, score=5)
    assert Satisfaction.objects.get(issue=issue).score == 4


# --- automatic moves ----------------------------------------------------------------------------------


def test_automatic_escalation_without_the_deadline_seen_is_refused(village):
    issue = raise_issue(village)
    with pytest.raises(WorkflowError, match="moved on or was escalated"):
        workflow.issue_escalate(issue=issue, actor=None)
    assert Issue.objects.get(pk=issue.pk).escalated_at is None


def test_automatic_escalation_of_a_step_without_a_deadline_is_refused(village):
    """No deadline seen and none on the issue: nothing to be overdue, nothing escalated."""
    issue = raise_issue(village)
    Issue.objects.filter(pk=issue.pk).update(stage_due_at=None)
    with pytest.raises(WorkflowError, match="moved on or was escalated"):
        workflow.issue_escalate(issue=issue, actor=None, overdue_due_at=None)
    assert Issue.objects.get(pk=issue.pk).escalated_at is None


def test_overdue_flag_on_a_terminal_issue_with_a_deadline_is_refused(village, cadre):
    issue = workflow.issue_reject(issue=raise_issue(village), actor=cadre, reason="重复")
    Issue.objects.filter(pk=issue.pk).update(stage_due_at=timezone.now() - DUE)
    with pytest.raises(WorkflowError, match="not overdue"):
        workflow.issue_flag_overdue(issue=issue)
    assert not issue.timeline.filter(kind=TimelineEntry.Kind.OVERDUE).exists()


def test_overdue_flag_on_a_step_without_a_deadline_is_refused(village):
    issue = raise_issue(village)
    Issue.objects.filter(pk=issue.pk).update(stage_due_at=None)
    with pytest.raises(WorkflowError, match="not overdue"):
        workflow.issue_flag_overdue(issue=issue)
    assert not issue.timeline.filter(kind=TimelineEntry.Kind.OVERDUE).exists()


# --- issue and meeting services -----------------------------------------------------------------------


def test_issue_with_name_but_no_consent_is_refused(village):
    with pytest.raises(ValidationError, match="Agree to the use of your name"):
        raise_issue(village, raiser_name="张三")
    assert not Issue.objects.exists()


def test_issue_in_a_group_of_another_village_is_refused(village, other_village):
    with pytest.raises(ValidationError, match="group is not in this village"):
        raise_issue(village, group=other_village.groups.first())
    assert not Issue.objects.exists()


def test_meeting_chaired_by_another_roundtables_member_is_refused(village, roundtable):
    stranger = make_roundtable(village, name="别的圆桌会").members.first()
    with pytest.raises(ValidationError, match="chair must be a member of this roundtable"):
        services.meeting_schedule(
            roundtable=roundtable, starts_at=timezone.now() + DUE, place="会议室", chair=stranger
        )
    assert not Meeting.objects.filter(roundtable=roundtable).exists()


def _held_meeting(roundtable):
    meeting = schedule(roundtable)
    hold(meeting, present=5)
    return meeting


def test_moving_a_meeting_that_is_not_scheduled_is_refused(roundtable):
    meeting = _held_meeting(roundtable)
    with pytest.raises(WorkflowError, match="Only a scheduled meeting can be moved"):
        services.meeting_move(meeting=meeting, starts_at=timezone.now() + DUE)
    assert Meeting.objects.get(pk=meeting.pk).schedule_version == meeting.schedule_version


def test_moving_a_meeting_into_the_past_is_refused(roundtable):
    meeting = schedule(roundtable, hours_ago=-24)
    with pytest.raises(WorkflowError, match="scheduled in the future") as refused:
        services.meeting_move(meeting=meeting, starts_at=timezone.now() - DUE)
    assert refused.value.field == "starts_at"
    assert Meeting.objects.get(pk=meeting.pk).schedule_version == meeting.schedule_version


def test_cancelling_a_meeting_that_is_not_scheduled_is_refused(roundtable):
    meeting = _held_meeting(roundtable)
    with pytest.raises(WorkflowError, match="Only a scheduled meeting can be cancelled"):
        services.meeting_cancel(meeting=meeting, reason="下雨")
    assert Meeting.objects.get(pk=meeting.pk).state == Meeting.State.HELD


def test_cancelling_a_meeting_needs_a_reason(roundtable):
    meeting = schedule(roundtable, hours_ago=-24)
    with pytest.raises(WorkflowError, match="reason for cancelling"):
        services.meeting_cancel(meeting=meeting, reason="  ")
    assert Meeting.objects.get(pk=meeting.pk).state == Meeting.State.SCHEDULED


def test_topic_on_a_meeting_that_is_not_scheduled_is_refused(roundtable):
    meeting = _held_meeting(roundtable)
    with pytest.raises(WorkflowError, match="Only a scheduled meeting can take new agenda items"):
        services.meeting_add_topic(meeting=meeting, topic="环境整治")
    assert not meeting.agenda.exists()


def test_topic_needs_text(roundtable):
    meeting = schedule(roundtable, hours_ago=-24)
    with pytest.raises(WorkflowError, match="Write the topic"):
        services.meeting_add_topic(meeting=meeting, topic=" ")
    assert not meeting.agenda.exists()


def _all_present(meeting):
    return {a.member_id: Attendance.Status.PRESENT for a in meeting.attendance.all()}


def test_attendance_of_a_cancelled_meeting_is_refused(roundtable):
    meeting = schedule(roundtable)
    statuses = _all_present(meeting)
    services.meeting_cancel(meeting=meeting, reason="下雨")
    with pytest.raises(WorkflowError, match="cancelled meeting has no attendance"):
        services.meeting_record_attendance(meeting=meeting, statuses=statuses)
    assert not meeting.attendance.exclude(status="").exists()


def test_attendance_of_a_signed_off_meeting_is_refused(roundtable, cadre):
    meeting = _held_meeting(roundtable)
    services.meeting_save_minutes(meeting=meeting, minutes="记录")
    services.meeting_sign_off(meeting=meeting, actor=cadre)
    statuses = dict.fromkeys(_all_present(meeting), Attendance.Status.ABSENT)
    with pytest.raises(WorkflowError, match="signed off and locked"):
        services.meeting_record_attendance(meeting=meeting, statuses=statuses)
    assert meeting.attendance.filter(status=Attendance.Status.PRESENT).count() == 5


def test_attendance_in_advance_is_refused(roundtable):
    meeting = schedule(roundtable, hours_ago=-24)
    with pytest.raises(WorkflowError, match="not in advance"):
        services.meeting_record_attendance(meeting=meeting, statuses=_all_present(meeting))
    assert Meeting.objects.get(pk=meeting.pk).state == Meeting.State.SCHEDULED


def test_confirming_attendance_after_the_meeting_is_refused(roundtable):
    meeting = _held_meeting(roundtable)
    member = meeting.attendance.first().member
    with pytest.raises(WorkflowError, match="only before the meeting"):
        services.attendance_confirm(meeting=meeting, member=member)
    assert not meeting.attendance.filter(confirmed_at__isnull=False).exists()


def test_minutes_of_a_signed_off_meeting_are_refused(roundtable, cadre):
    meeting = _held_meeting(roundtable)
    services.meeting_save_minutes(meeting=meeting, minutes="记录")
    services.meeting_sign_off(meeting=meeting, actor=cadre)
    with pytest.raises(WorkflowError, match="signed off and locked"):
        services.meeting_save_minutes(meeting=meeting, minutes="改")
    assert Meeting.objects.get(pk=meeting.pk).minutes == "记录"


def test_minutes_of_a_meeting_not_held_are_refused(roundtable):
    meeting = schedule(roundtable, hours_ago=-24)
    with pytest.raises(WorkflowError, match="kept for a held meeting"):
        services.meeting_save_minutes(meeting=meeting, minutes="记录")
    assert Meeting.objects.get(pk=meeting.pk).minutes == ""


def test_signing_off_twice_is_refused(roundtable, cadre, official):
    meeting = _held_meeting(roundtable)
    services.meeting_save_minutes(meeting=meeting, minutes="记录")
    services.meeting_sign_off(meeting=meeting, actor=cadre)
    with pytest.raises(WorkflowError, match="already signed off"):
        services.meeting_sign_off(meeting=meeting, actor=official)
    assert Meeting.objects.get(pk=meeting.pk).signed_off_by == cadre


def test_signing_off_a_meeting_not_held_is_refused(roundtable, cadre):
    meeting = schedule(roundtable, hours_ago=-24)
    Meeting.objects.filter(pk=meeting.pk).update(minutes="事先写好的记录")
    with pytest.raises(WorkflowError, match="Only a held meeting can be signed off"):
        services.meeting_sign_off(meeting=meeting, actor=cadre)
    assert Meeting.objects.get(pk=meeting.pk).signed_off_at is None


def test_signing_off_without_minutes_is_refused(roundtable, cadre):
    meeting = _held_meeting(roundtable)
    with pytest.raises(WorkflowError, match="Write the minutes before signing off"):
        services.meeting_sign_off(meeting=meeting, actor=cadre)
    assert Meeting.objects.get(pk=meeting.pk).signed_off_at is None


def test_signing_off_with_an_issue_without_outcome_is_refused(village, cadre, roundtable):
    _issue, item = _held(village, roundtable, cadre)
    services.meeting_save_minutes(meeting=item.meeting, minutes="记录")
    with pytest.raises(WorkflowError, match="needs an outcome"):
        services.meeting_sign_off(meeting=item.meeting, actor=cadre)
    assert Meeting.objects.get(pk=item.meeting_id).signed_off_at is None


# --- public consultation ------------------------------------------------------------------------------


def _open_for_opinions(village, cadre):
    issue = workflow.issue_accept(issue=raise_issue(village), actor=cadre)
    return workflow.issue_open_consultation(
        issue=issue, actor=cadre, summary="村口路灯维修", closes_on=timezone.localdate() + DUE
    )


def test_consultation_without_a_closing_date_is_refused(village, cadre):
    issue = workflow.issue_accept(issue=raise_issue(village), actor=cadre)
    with pytest.raises(WorkflowError, match="closing date that is not in the past"):
        workflow.issue_open_consultation(issue=issue, actor=cadre, summary="村口路灯维修", closes_on=None)
    assert Issue.objects.get(pk=issue.pk).consultation_opened_at is None


@pytest.mark.parametrize(
    ("change", "message"),
    [({"stance": "maybe"}, "Choose support, oppose or neutral"), ({"text": " "}, "Write the opinion")],
)
def test_public_opinion_needs_a_stance_and_text(village, cadre, change, message):
    issue = _open_for_opinions(village, cadre)
    with pytest.raises(WorkflowError, match=message):
        workflow.issue_add_public_opinion(issue=issue, **{"stance": "support", "text": "同意", **change})
    assert not Opinion.objects.filter(issue=issue).exists()
