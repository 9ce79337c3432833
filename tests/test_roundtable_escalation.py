"""Escalation and overdue flags: manual or automatic, each is a workflow move that leaves a timeline entry."""

import datetime

import pytest
from django.utils import translation

from accounts.models import Membership
from notifications import clock, services
from notifications.models import Notification
from roundtable import workflow
from roundtable.models import Stage, TimelineEntry
from roundtable.workflow import WorkflowError
from tests.factories import make_user
from tests.factories_notifications import RoundtableFactory, freeze_now, raise_issue, rows

Kind = Notification.Kind
HOUR = datetime.timedelta(hours=1)


@pytest.fixture(autouse=True)
def english():
    """Refusals are matched by their English text."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def frozen():
    moment = freeze_now()
    yield moment
    clock.freeze(None)


@pytest.fixture
def grace(settings):
    settings.NOTIFICATIONS_ESCALATION_GRACE_HOURS = 48
    return datetime.timedelta(hours=48)


def _sweep_at(moment) -> int:
    clock.freeze(moment)
    return services.overdue_sweep()


def _entries(issue, kind):
    return TimelineEntry.objects.filter(issue=issue, kind=kind)


def test_automatic_escalation_leaves_a_timeline_entry(village, cadre, official, grace):
    issue = raise_issue(village)
    due = issue.stage_due_at
    _sweep_at(due + grace)
    entry = _entries(issue, TimelineEntry.Kind.ESCALATION).get()
    issue.refresh_from_db()
    assert issue.escalated_at == due + grace
    assert (entry.actor_id, entry.is_public, entry.created_at) == (None, False, due + grace)
    assert entry.actor_label and entry.note
    # once: a second sweep neither escalates again nor writes another entry
    _sweep_at(due + grace + HOUR)
    assert _entries(issue, TimelineEntry.Kind.ESCALATION).count() == 1


def test_automatic_escalation_tells_the_liaison_once_not_twice(village, cadre, grace):
    liaison = make_user(Membership.Role.OFFICIAL, township=village.township)
    RoundtableFactory(village=village, liaison=liaison)
    issue = raise_issue(village)
    _sweep_at(issue.stage_due_at + grace)
    # Addresses are encrypted at rest (issue 9): compared in Python, not in SQL.
    to_liaison = [n.kind for n in rows(issue=issue) if n.address == liaison.email]
    assert to_liaison == [Kind.ISSUE_OVERDUE_ESCALATION]
    assert not rows(issue=issue, kind=Kind.ISSUE_ESCALATED).exists()


def test_manual_escalation_leaves_a_timeline_entry_and_tells_the_cadres(village, cadre, official):
    issue = raise_issue(village)
    workflow.issue_escalate(issue=issue, actor=official, note="群众反映多次")
    entry = _entries(issue, TimelineEntry.Kind.ESCALATION).get()
    assert (entry.actor_id, entry.note, entry.is_public) == (official.pk, "群众反映多次", False)
    assert any(n.address == cadre.email for n in rows(issue=issue, kind=Kind.ISSUE_ESCALATED))


def test_automatic_escalation_refused_when_the_issue_moved_on(village, cadre):
    issue = raise_issue(village)
    seen_due = issue.stage_due_at
    workflow.issue_accept(issue=issue, actor=cadre)
    with pytest.raises(WorkflowError, match="moved on or was escalated"):
        workflow.issue_escalate(issue=issue, actor=None, overdue_due_at=seen_due)
    issue.refresh_from_db()
    assert issue.escalated_at is None
    assert not _entries(issue, TimelineEntry.Kind.ESCALATION).exists()


def test_automatic_escalation_refused_when_already_escalated(village, cadre, official):
    issue = raise_issue(village)
    workflow.issue_escalate(issue=issue, actor=official, note="先升级")
    with pytest.raises(WorkflowError, match="moved on or was escalated"):
        workflow.issue_escalate(issue=issue, actor=None, overdue_due_at=issue.stage_due_at)
    assert _entries(issue, TimelineEntry.Kind.ESCALATION).count() == 1


def test_escalation_refused_for_a_closed_issue(village, cadre, official):
    issue = raise_issue(village)
    workflow.issue_reject(issue=issue, actor=cadre, reason="重复")
    with pytest.raises(WorkflowError, match="Only an open issue"):
        workflow.issue_escalate(issue=issue, actor=official, note="升级")
    assert not _entries(issue, TimelineEntry.Kind.ESCALATION).exists()


def test_escalation_by_an_official_needs_a_note(village, official):
    issue = raise_issue(village)
    with pytest.raises(WorkflowError, match="Say why"):
        workflow.issue_escalate(issue=issue, actor=official, note="  ")
    issue.refresh_from_db()
    assert issue.escalated_at is None


def test_overdue_sweep_flags_the_step_on_the_timeline_once_per_deadline(village, cadre, grace):
    issue = raise_issue(village)
    due = issue.stage_due_at
    _sweep_at(due - HOUR)
    assert not _entries(issue, TimelineEntry.Kind.OVERDUE).exists()
    _sweep_at(due)
    _sweep_at(due + HOUR)
    flag = _entries(issue, TimelineEntry.Kind.OVERDUE).get()
    assert (flag.from_stage, flag.is_public, flag.created_at) == (Stage.RAISED, False, due)
    # a new step, a new deadline: flagged again when that one passes
    clock.freeze(due + 2 * HOUR)
    workflow.issue_accept(issue=issue, actor=cadre)
    issue.refresh_from_db()
    _sweep_at(issue.stage_due_at)
    assert list(_entries(issue, TimelineEntry.Kind.OVERDUE).values_list("from_stage", flat=True)) == [
        Stage.RAISED,
        Stage.SOLICITING,
    ]


def test_overdue_flag_refused_before_the_deadline(village):
    issue = raise_issue(village)
    with pytest.raises(WorkflowError, match="not overdue"):
        workflow.issue_flag_overdue(issue=issue, now=issue.stage_due_at - HOUR)
    assert not _entries(issue, TimelineEntry.Kind.OVERDUE).exists()


def test_overdue_flag_refused_for_a_closed_issue(village, cadre):
    issue = raise_issue(village)
    workflow.issue_reject(issue=issue, actor=cadre, reason="重复")
    with pytest.raises(WorkflowError, match="not overdue"):
        workflow.issue_flag_overdue(issue=issue, now=issue.stage_due_at + HOUR)
