"""The six-step workflow: the stage × move matrix, evidence, quorum and majority, locking, concurrency."""

import datetime
import threading

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from accounts.models import Membership
from roundtable import services, workflow
from roundtable.models import (
    AgendaItem,
    Attendance,
    Issue,
    Meeting,
    Opinion,
    Resolution,
    Satisfaction,
    Stage,
    TimelineEntry,
)
from roundtable.workflow import TRANSITIONS, WorkflowError
from tests.factories import make_user
from tests.matching import reason
from tests.roundtable_helpers import advance, hold, make_roundtable, raise_issue, schedule

ALL_STAGES = list(Stage.values)
ALL_MOVES = list(workflow.MOVE_LABELS)
# msgids of refusals, matched in the active language by tests.matching.reason
REFUSED_AT_STAGE = "“%(move)s” is not possible while the issue is at “%(stage)s”."
NOT_ADOPTED = "Not adopted: %(for)s votes for is not more than half of the %(present)s members present."
TOO_MANY_VOTES = "%(votes)s votes were cast but only %(present)s members are present."
NO_PAST_DUE_DATE = "Give a due date that is not in the past."


@pytest.fixture
def roundtable(village):
    return make_roundtable(village, members=5)


def _held_item(issue, roundtable, *, present=5):
    meeting = schedule(roundtable)
    hold(meeting, present=present)
    return AgendaItem.objects.create(meeting=meeting, issue=issue, order=99)


def _attempt(move, issue, *, cadre, supervisor, roundtable):
    """Prepares the move's evidence (so only the stage can refuse it), then makes the move."""
    due = timezone.localdate() + datetime.timedelta(days=10)
    if move == "accept":
        return workflow.issue_accept(issue=issue, actor=cadre)
    if move == "reject":
        return workflow.issue_reject(issue=issue, actor=cadre, reason="理由")
    if move == "merge":
        return workflow.issue_merge(
            issue=issue, actor=cadre, target_issue=raise_issue(issue.village, title="原件")
        )
    if move == "withdraw":
        return workflow.issue_withdraw(issue=issue)
    if move == "put_on_agenda":
        Opinion.objects.create(issue=issue, party="甲", stance="support", text="同意")
        return workflow.issue_put_on_agenda(
            issue=issue, actor=cadre, meeting=schedule(roundtable, hours_ago=-48)
        )
    if move == "decide":
        item = _held_item(issue, roundtable)
        return workflow.issue_decide(
            issue=issue,
            actor=cadre,
            agenda_item=item,
            text="决议",
            discussion="讨论",
            votes_for=4,
            votes_against=1,
            votes_abstain=0,
            responsible=cadre,
            due_date=due,
        )
    if move == "defer":
        item = _held_item(issue, roundtable)
        return workflow.issue_defer(issue=issue, actor=cadre, agenda_item=item, discussion="需要再调查")
    if move == "not_adopted":
        item = _held_item(issue, roundtable)
        return workflow.issue_not_adopted(
            issue=issue,
            actor=cadre,
            agenda_item=item,
            discussion="讨论",
            votes_for=1,
            votes_against=4,
            votes_abstain=0,
        )
    if move == "start":
        return workflow.issue_start(issue=issue, actor=cadre)
    if move == "report_done":
        return workflow.issue_report_done(issue=issue, actor=cadre, note="完成")
    if move == "confirm":
        return workflow.issue_confirm(issue=issue, supervisor=supervisor)
    if move == "send_back":
        return workflow.issue_send_back(issue=issue, supervisor=supervisor, reason="质量不合格")
    raise AssertionError(move)


@pytest.mark.parametrize("stage", ALL_STAGES)
@pytest.mark.parametrize("move", ALL_MOVES)
def test_stage_move_matrix(stage, move, village, roundtable, cadre, supervisor):
    issue = advance(raise_issue(village), stage, cadre=cadre, supervisor=supervisor, roundtable=roundtable)
    expected = TRANSITIONS.get(stage, {}).get(move)
    entries_before = TimelineEntry.objects.filter(issue=issue).count()
    if expected is None:
        with pytest.raises(
            WorkflowError,
            match=reason(REFUSED_AT_STAGE, move=workflow.MOVE_LABELS[move], stage=issue.get_stage_display()),
        ) as excinfo:
            _attempt(move, issue, cadre=cadre, supervisor=supervisor, roundtable=roundtable)
        assert str(excinfo.value)
        issue.refresh_from_db()
        assert issue.stage == stage
        assert TimelineEntry.objects.filter(issue=issue).count() == entries_before
    else:
        _attempt(move, issue, cadre=cadre, supervisor=supervisor, roundtable=roundtable)
        issue.refresh_from_db()
        assert issue.stage == expected
        assert TimelineEntry.objects.filter(issue=issue).count() > entries_before


def test_refusal_message_is_translated(village, cadre):
    from django.utils import translation

    issue = raise_issue(village)
    with (
        translation.override("zh-hans"),
        pytest.raises(WorkflowError, match=reason(REFUSED_AT_STAGE)) as excinfo,
    ):
        workflow.issue_start(issue=issue, actor=cadre)
    assert str(excinfo.value) == "事项处于“群众提事”阶段，不能“开始办理”。"


def test_every_move_writes_the_timeline_with_actor_and_stages(village, roundtable, cadre, supervisor):
    issue = advance(
        raise_issue(village), Stage.CLOSED, cadre=cadre, supervisor=supervisor, roundtable=roundtable
    )
    moves = list(issue.timeline.filter(kind=TimelineEntry.Kind.STAGE).values_list("from_stage", "to_stage"))
    assert moves == [
        ("raised", "soliciting"),
        ("soliciting", "deliberating"),
        ("deliberating", "decided"),
        ("decided", "executing"),
        ("executing", "supervising"),
        ("supervising", "closed"),
    ]
    assert issue.timeline.filter(kind=TimelineEntry.Kind.STAGE, actor=cadre).count() == 5


def test_timeline_is_append_only(village):
    from django.core.exceptions import ValidationError

    entry = raise_issue(village).timeline.get()
    entry.note = "changed"
    with pytest.raises(ValidationError, match="append-only"):
        entry.save()
    with pytest.raises(ValidationError, match="append-only"):
        TimelineEntry.objects.filter(pk=entry.pk).update(note="x")
    with pytest.raises(ValidationError, match="append-only"):
        TimelineEntry.objects.filter(pk=entry.pk).delete()


def test_agenda_needs_an_opinion(village, roundtable, cadre):
    issue = workflow.issue_accept(issue=raise_issue(village), actor=cadre)
    with pytest.raises(WorkflowError, match=r"opinion|意见"):
        workflow.issue_put_on_agenda(issue=issue, actor=cadre, meeting=schedule(roundtable, hours_ago=-24))
    assert Issue.objects.get(pk=issue.pk).stage == Stage.SOLICITING


def test_agenda_needs_a_roundtable_covering_the_group(village, cadre):
    groups = list(village.groups.all())
    issue = raise_issue(village, group=groups[0])
    workflow.issue_accept(issue=issue, actor=cadre)
    workflow.issue_add_opinion(
        issue=issue, actor=cadre, party="甲", source="member", stance="support", text="好"
    )
    other_group_table = make_roundtable(village, group=groups[1], name="二组圆桌会")
    with pytest.raises(
        WorkflowError, match=reason("This meeting's roundtable does not cover the issue's village group.")
    ):
        workflow.issue_put_on_agenda(
            issue=issue, actor=cadre, meeting=schedule(other_group_table, hours_ago=-24)
        )
    own = make_roundtable(village, group=groups[0], name="一组圆桌会")
    workflow.issue_put_on_agenda(issue=issue, actor=cadre, meeting=schedule(own, hours_ago=-24))
    assert Issue.objects.get(pk=issue.pk).stage == Stage.DELIBERATING


def _deliberating(village, roundtable, cadre):
    issue = advance(raise_issue(village), Stage.DELIBERATING, cadre=cadre, roundtable=roundtable)
    return issue, issue.agenda_items.get()


@pytest.mark.parametrize(
    ("members", "present", "quorate"),
    [(5, 2, False), (5, 3, True), (4, 2, False), (4, 3, True), (1, 1, True)],
)
def test_quorum_is_more_than_half_of_members(village, cadre, members, present, quorate):
    roundtable = make_roundtable(village, members=members)
    issue, item = _deliberating(village, roundtable, cadre)
    hold(item.meeting, present=present)
    due = timezone.localdate() + datetime.timedelta(days=5)
    call = lambda: workflow.issue_decide(  # noqa: E731
        issue=issue,
        actor=cadre,
        agenda_item=item,
        text="决议",
        discussion="讨论",
        votes_for=present,
        votes_against=0,
        votes_abstain=0,
        responsible=cadre,
        due_date=due,
    )
    if quorate:
        call()
        assert Issue.objects.get(pk=issue.pk).stage == Stage.DECIDED
    else:
        with pytest.raises(
            WorkflowError, match=reason("No quorum: more than half of the members must be present.")
        ):
            call()
        assert Issue.objects.get(pk=issue.pk).stage == Stage.DELIBERATING


@pytest.mark.parametrize(("votes_for", "adopted"), [(2, False), (3, True), (4, True)])
def test_majority_is_more_than_half_of_those_present(village, cadre, votes_for, adopted):
    roundtable = make_roundtable(village, members=6)
    issue, item = _deliberating(village, roundtable, cadre)
    hold(item.meeting, present=4)  # 4 of 6 present: quorum; a decision needs 3 votes for
    due = timezone.localdate() + datetime.timedelta(days=5)
    if adopted:
        workflow.issue_decide(
            issue=issue,
            actor=cadre,
            agenda_item=item,
            text="决议",
            discussion="讨论",
            votes_for=votes_for,
            votes_against=4 - votes_for,
            votes_abstain=0,
            responsible=cadre,
            due_date=due,
        )
        assert Resolution.objects.get(issue=issue).votes_for == votes_for
    else:
        with pytest.raises(
            WorkflowError,
            match=reason(NOT_ADOPTED),
        ):
            workflow.issue_decide(
                issue=issue,
                actor=cadre,
                agenda_item=item,
                text="决议",
                discussion="讨论",
                votes_for=votes_for,
                votes_against=4 - votes_for,
                votes_abstain=0,
                responsible=cadre,
                due_date=due,
            )
        assert not Resolution.objects.filter(issue=issue).exists()
        workflow.issue_not_adopted(
            issue=issue,
            actor=cadre,
            agenda_item=item,
            discussion="未通过",
            votes_for=votes_for,
            votes_against=4 - votes_for,
            votes_abstain=0,
        )
        assert Issue.objects.get(pk=issue.pk).stage == Stage.REJECTED


def test_more_votes_than_present_is_refused(village, cadre):
    roundtable = make_roundtable(village, members=5)
    issue, item = _deliberating(village, roundtable, cadre)
    hold(item.meeting, present=3)
    with pytest.raises(
        WorkflowError,
        match=reason(TOO_MANY_VOTES, votes=4, present=3),
    ):
        workflow.issue_decide(
            issue=issue,
            actor=cadre,
            agenda_item=item,
            text="决议",
            discussion="讨论",
            votes_for=3,
            votes_against=1,
            votes_abstain=0,
            responsible=cadre,
            due_date=timezone.localdate(),
        )


def test_decision_needs_a_held_meeting(village, cadre, roundtable):
    issue, item = _deliberating(village, roundtable, cadre)
    with pytest.raises(
        WorkflowError,
        match=reason("The meeting must be held, with its attendance recorded, before it decides."),
    ):
        workflow.issue_decide(
            issue=issue,
            actor=cadre,
            agenda_item=item,
            text="决议",
            discussion="讨论",
            votes_for=5,
            votes_against=0,
            votes_abstain=0,
            responsible=cadre,
            due_date=timezone.localdate(),
        )


def test_decision_needs_discussion_text_responsible_and_due_date(village, cadre, roundtable):
    issue, item = _deliberating(village, roundtable, cadre)
    hold(item.meeting, present=5)
    base = {
        "issue": issue,
        "actor": cadre,
        "agenda_item": item,
        "text": "决议",
        "discussion": "讨论",
        "votes_for": 5,
        "votes_against": 0,
        "votes_abstain": 0,
        "responsible": cadre,
        "due_date": timezone.localdate(),
    }
    for change, refusal in (
        ({"discussion": " "}, "Write down the discussion."),
        ({"text": ""}, "Write the resolution."),
        ({"responsible": None}, "Name the person responsible for carrying it out."),
        ({"due_date": None}, NO_PAST_DUE_DATE),
        ({"due_date": timezone.localdate() - datetime.timedelta(days=1)}, NO_PAST_DUE_DATE),
    ):
        with pytest.raises(WorkflowError, match=reason(refusal)):
            workflow.issue_decide(**{**base, **change})
    assert Issue.objects.get(pk=issue.pk).stage == Stage.DELIBERATING


def test_defer_keeps_step_3_and_moves_to_next_meeting(village, cadre, roundtable):
    issue, item = _deliberating(village, roundtable, cadre)
    hold(item.meeting, present=5)
    later = schedule(roundtable, hours_ago=-72)
    workflow.issue_defer(
        issue=issue, actor=cadre, agenda_item=item, discussion="需补充材料", next_meeting=later
    )
    issue.refresh_from_db()
    assert issue.stage == Stage.DELIBERATING
    assert AgendaItem.objects.get(pk=item.pk).outcome == AgendaItem.Outcome.DEFERRED
    assert AgendaItem.objects.filter(issue=issue, meeting=later, outcome=AgendaItem.Outcome.PENDING).exists()


def test_completion_note_required_before_supervision(village, cadre, roundtable):
    issue = advance(raise_issue(village), Stage.EXECUTING, cadre=cadre, roundtable=roundtable)
    with pytest.raises(
        WorkflowError, match=reason("Write a completion note with the evidence of what was done.")
    ):
        workflow.issue_report_done(issue=issue, actor=cadre, note="  ")
    assert Issue.objects.get(pk=issue.pk).stage == Stage.EXECUTING


def test_send_back_needs_a_reason_and_returns_to_step_5(village, cadre, supervisor, roundtable):
    issue = advance(raise_issue(village), Stage.SUPERVISING, cadre=cadre, roundtable=roundtable)
    with pytest.raises(WorkflowError, match=reason("Say why the work is sent back.")):
        workflow.issue_send_back(issue=issue, supervisor=supervisor, reason="")
    workflow.issue_send_back(issue=issue, supervisor=supervisor, reason="路灯仍有一盏不亮")
    issue.refresh_from_db()
    assert issue.stage == Stage.EXECUTING
    assert issue.verdicts.get().verdict == "send_back"


def test_rating_once_in_step_6_or_closed(village, cadre, supervisor, roundtable):
    issue = advance(raise_issue(village), Stage.EXECUTING, cadre=cadre, roundtable=roundtable)
    with pytest.raises(
        WorkflowError, match=reason("The outcome can be rated once the work is reported done.")
    ):
        workflow.issue_rate(issue=issue, score=5)
    workflow.issue_report_done(issue=issue, actor=cadre, note="完成")
    with pytest.raises(WorkflowError, match=reason("Choose a rating from 1 to 5.")):
        workflow.issue_rate(issue=issue, score=6)
    workflow.issue_rate(issue=issue, score=4, comment="满意")
    with pytest.raises(WorkflowError, match=reason("This issue has already been rated.")):
        workflow.issue_rate(issue=issue, score=5)
    assert Satisfaction.objects.get(issue=issue).score == 4


def test_stage_due_times_follow_township_limits(village, cadre):
    township = village.township
    township.limit_soliciting_days = 10
    township.save()
    issue = raise_issue(village)
    assert abs((issue.stage_due_at - timezone.now()) - datetime.timedelta(days=3)) < datetime.timedelta(
        minutes=1
    )
    issue = workflow.issue_accept(issue=issue, actor=cadre)
    assert abs((issue.stage_due_at - timezone.now()) - datetime.timedelta(days=10)) < datetime.timedelta(
        minutes=1
    )
    Issue.objects.filter(pk=issue.pk).update(stage_due_at=timezone.now() - datetime.timedelta(hours=1))
    assert Issue.objects.get(pk=issue.pk).is_overdue


def test_executing_due_is_the_resolutions_due_date(village, cadre, roundtable):
    issue = advance(raise_issue(village), Stage.EXECUTING, cadre=cadre, roundtable=roundtable)
    resolution = issue.resolutions.get()
    assert timezone.localtime(issue.stage_due_at).date() == resolution.due_date


def test_merge_links_the_duplicate(village, cadre):
    original = raise_issue(village, title="路灯坏了")
    duplicate = raise_issue(village, title="路灯不亮")
    workflow.issue_merge(issue=duplicate, actor=cadre, target_issue=original)
    duplicate.refresh_from_db()
    assert duplicate.stage == Stage.MERGED and duplicate.merged_into == original
    assert list(original.duplicates.all()) == [duplicate]


def test_merge_refuses_other_village_or_self(village, other_village, cadre):
    issue = raise_issue(village)
    with pytest.raises(
        WorkflowError, match=reason("An issue can only be merged into another issue of the same village.")
    ):
        workflow.issue_merge(issue=issue, actor=cadre, target_issue=raise_issue(other_village))
    with pytest.raises(
        WorkflowError, match=reason("An issue can only be merged into another issue of the same village.")
    ):
        workflow.issue_merge(issue=issue, actor=cadre, target_issue=issue)


def test_withdraw_removes_pending_agenda_item(village, cadre, roundtable):
    issue, item = _deliberating(village, roundtable, cadre)
    workflow.issue_withdraw(issue=issue, note="已自行解决")
    assert not AgendaItem.objects.filter(pk=item.pk).exists()
    assert Issue.objects.get(pk=issue.pk).stage == Stage.WITHDRAWN


# --- meetings -----------------------------------------------------------------------------------


def test_minutes_locked_after_sign_off(village, cadre, roundtable):
    issue, item = _deliberating(village, roundtable, cadre)
    meeting = item.meeting
    hold(meeting, present=5)
    services.meeting_save_minutes(meeting=meeting, minutes="会议记录")
    with pytest.raises(
        WorkflowError,
        match=reason("Every issue on the agenda needs an outcome (resolution, deferral or not adopted)."),
    ):  # an issue on the agenda still has no outcome
        services.meeting_sign_off(meeting=meeting, actor=cadre)
    workflow.issue_decide(
        issue=issue,
        actor=cadre,
        agenda_item=item,
        text="决议",
        discussion="讨论",
        votes_for=5,
        votes_against=0,
        votes_abstain=0,
        responsible=cadre,
        due_date=timezone.localdate(),
    )
    services.meeting_sign_off(meeting=meeting, actor=cadre)
    with pytest.raises(WorkflowError, match=reason("The minutes are signed off and locked.")):
        services.meeting_save_minutes(meeting=meeting, minutes="改过的记录")
    with pytest.raises(WorkflowError, match=reason("The meeting's minutes are signed off and locked.")):
        services.meeting_record_attendance(meeting=meeting, statuses={})
    assert Meeting.objects.get(pk=meeting.pk).minutes == "会议记录"


def test_sign_off_needs_minutes_and_a_held_meeting(village, cadre, roundtable):
    meeting = schedule(roundtable, hours_ago=-24)
    with pytest.raises(WorkflowError, match=reason("Only a held meeting can be signed off.")):
        services.meeting_sign_off(meeting=meeting, actor=cadre)
    hold(schedule(roundtable), present=3)


def test_attendance_must_cover_every_member(village, roundtable):
    meeting = schedule(roundtable)
    with pytest.raises(WorkflowError, match=reason("Record present, absent or excused for every member.")):
        services.meeting_record_attendance(meeting=meeting, statuses={})
    assert Meeting.objects.get(pk=meeting.pk).state == Meeting.State.SCHEDULED
    assert not Attendance.objects.filter(meeting=meeting).exclude(status="").exists()


def test_chair_rotates_between_party_members_and_others(village):
    roundtable = make_roundtable(village, members=4)
    chairs = []
    for days in range(4):
        meeting = services.meeting_schedule(
            roundtable=roundtable,
            place="会议室",
            starts_at=timezone.now() + datetime.timedelta(days=days + 1),
        )
        chairs.append(meeting.chair)
    assert [c.is_party_member for c in chairs] == [True, False, True, False]
    assert len({c.pk for c in chairs}) == 4  # everyone takes a turn


def test_chair_can_be_overridden(village):
    roundtable = make_roundtable(village, members=4)
    chosen = roundtable.members.filter(is_party_member=False).first()
    meeting = services.meeting_schedule(
        roundtable=roundtable,
        place="会议室",
        chair=chosen,
        starts_at=timezone.now() + datetime.timedelta(days=1),
    )
    assert meeting.chair == chosen


def test_cancelled_meeting_sends_issue_back_to_waiting(village, cadre, roundtable):
    issue, item = _deliberating(village, roundtable, cadre)
    services.meeting_cancel(meeting=item.meeting, reason="台风")
    item.refresh_from_db()
    assert item.outcome == AgendaItem.Outcome.DEFERRED
    assert Meeting.objects.get(pk=item.meeting_id).state == Meeting.State.CANCELLED
    workflow.issue_put_on_agenda(issue=issue, actor=cadre, meeting=schedule(roundtable, hours_ago=-24))
    assert issue.agenda_items.filter(outcome=AgendaItem.Outcome.PENDING).count() == 1


def test_moving_a_meeting_bumps_its_schedule_version(village, roundtable):
    meeting = schedule(roundtable, hours_ago=-24)
    moved = services.meeting_move(meeting=meeting, starts_at=timezone.now() + datetime.timedelta(days=3))
    assert moved.schedule_version == meeting.schedule_version + 1


# --- concurrency (PostgreSQL row locks) -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_accepts_exactly_one_succeeds(township):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL (SQLite serialises whole-database writes)")
    from tests.factories import VillageFactory

    village = VillageFactory(township=township, code="concurrent")
    cadre = make_user(Membership.Role.CADRE, village=village)
    issue = raise_issue(village)
    barrier = threading.Barrier(2)
    results = []

    def attempt():
        try:
            barrier.wait()
            workflow.issue_accept(issue=issue, actor=cadre)
            results.append("ok")
        except WorkflowError:
            results.append("refused")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results) == ["ok", "refused"]
    assert TimelineEntry.objects.filter(issue=issue, kind=TimelineEntry.Kind.STAGE).count() == 1
