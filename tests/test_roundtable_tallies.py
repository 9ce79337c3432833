"""The issue tallies (per village × stage) equal the live counts after every kind of move, and the
command rebuilds them; the pages that show totals read them."""

import datetime

import pytest
from django.core.management import call_command
from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from roundtable import selectors, services, workflow
from roundtable.models import AgendaItem, Issue, IssueTally, Opinion, Resolution, Stage
from tests.factories import make_user
from tests.roundtable_helpers import advance, hold, make_roundtable, raise_issue, schedule

pytestmark = pytest.mark.django_db


def _live(village_ids):
    return {
        (row["village_id"], row["stage"]): row["n"]
        for row in Issue.objects.filter(village_id__in=village_ids)
        .values("village_id", "stage")
        .annotate(n=Count("pk"))
        .order_by()
    }


def _resolutions_off_village():
    """Resolutions whose kept village is not their issue's (or is missing)."""
    return list(Resolution.objects.exclude(village_id=F("issue__village_id")).values_list("pk", flat=True))


def _tallied(village_ids):
    return {
        (t.village_id, t.stage): t.count
        for t in IssueTally.objects.filter(village_id__in=village_ids)
        if t.count
    }


@pytest.fixture
def ctx(village, other_village):
    cadre = make_user(Membership.Role.CADRE, village=village)
    supervisor = make_user(Membership.Role.SUPERVISOR, village=village)
    official = make_user(Membership.Role.OFFICIAL, township=village.township)
    roundtable = make_roundtable(village)
    # Another village's issues move too: a move must count in its own village only.
    raise_issue(other_village, title="别村的事")
    return {"cadre": cadre, "supervisor": supervisor, "official": official, "roundtable": roundtable}


def _at(stage, village, ctx):
    return advance(
        raise_issue(village),
        stage,
        cadre=ctx["cadre"],
        supervisor=ctx["supervisor"],
        roundtable=ctx["roundtable"],
    )


def _pending(issue):
    return issue.agenda_items.get(outcome=AgendaItem.Outcome.PENDING)


def _held_pending(issue, ctx):
    item = _pending(issue)
    hold(item.meeting, present=ctx["roundtable"].members.count())
    return item


def _votes(ctx, *, passed):
    present = ctx["roundtable"].members.count()
    return {
        "votes_for": present if passed else 0,
        "votes_against": 0 if passed else present,
        "votes_abstain": 0,
    }


def _deferred(issue, ctx):
    workflow.issue_defer(
        issue=issue, actor=ctx["cadre"], agenda_item=_held_pending(issue, ctx), discussion="下次再议"
    )
    return Issue.objects.get(pk=issue.pk)


# Every move and activity of the workflow, made on an issue at the given stage.
MAKE = {
    "accept": lambda issue, ctx: workflow.issue_accept(issue=issue, actor=ctx["cadre"]),
    "reject": lambda issue, ctx: workflow.issue_reject(
        issue=issue, actor=ctx["cadre"], reason="不属于议事范围"
    ),
    "merge": lambda issue, ctx: workflow.issue_merge(
        issue=issue, actor=ctx["cadre"], target_issue=raise_issue(issue.village, title="先提的事")
    ),
    "withdraw": lambda issue, ctx: workflow.issue_withdraw(issue=issue),
    "opinion": lambda issue, ctx: workflow.issue_add_opinion(
        issue=issue,
        actor=ctx["cadre"],
        party="村民",
        source=Opinion.Source.RESIDENT,
        stance="support",
        text="同意",
    ),
    "open_consultation": lambda issue, ctx: workflow.issue_open_consultation(
        issue=issue, actor=ctx["cadre"], summary="公开征求意见", closes_on=timezone.localdate()
    ),
    "put_on_agenda": lambda issue, ctx: (
        workflow.issue_add_opinion(
            issue=issue,
            actor=ctx["cadre"],
            party="村民",
            source=Opinion.Source.RESIDENT,
            stance="support",
            text="同意",
        )
        if issue.stage == Stage.SOLICITING
        else None,
        workflow.issue_put_on_agenda(
            issue=issue if issue.stage == Stage.SOLICITING else _deferred(issue, ctx),
            actor=ctx["cadre"],
            meeting=schedule(ctx["roundtable"], hours_ago=-24),
        ),
    ),
    "decide": lambda issue, ctx: workflow.issue_decide(
        issue=issue,
        actor=ctx["cadre"],
        agenda_item=_held_pending(issue, ctx),
        text="同意",
        discussion="讨论",
        responsible=ctx["cadre"],
        due_date=timezone.localdate() + datetime.timedelta(days=30),
        **_votes(ctx, passed=True),
    ),
    "defer": lambda issue, ctx: _deferred(issue, ctx),
    "not_adopted": lambda issue, ctx: workflow.issue_not_adopted(
        issue=issue,
        actor=ctx["cadre"],
        agenda_item=_held_pending(issue, ctx),
        discussion="未通过",
        **_votes(ctx, passed=False),
    ),
    "start": lambda issue, ctx: workflow.issue_start(issue=issue, actor=ctx["cadre"]),
    "progress": lambda issue, ctx: workflow.issue_report_progress(
        issue=issue, actor=ctx["cadre"], percent=50, note="一半"
    ),
    "report_done": lambda issue, ctx: workflow.issue_report_done(
        issue=issue, actor=ctx["cadre"], note="完成"
    ),
    "confirm": lambda issue, ctx: workflow.issue_confirm(issue=issue, supervisor=ctx["supervisor"]),
    "send_back": lambda issue, ctx: workflow.issue_send_back(
        issue=issue, supervisor=ctx["supervisor"], reason="还没修好"
    ),
    "rate": lambda issue, ctx: workflow.issue_rate(issue=issue, score=4),
    "comment": lambda issue, ctx: workflow.issue_comment(issue=issue, actor=ctx["cadre"], note="备注"),
    "escalate": lambda issue, ctx: workflow.issue_escalate(issue=issue, actor=ctx["official"], note="督办"),
    # Not moves a person picks, but the workflow's all the same.
    "flag_overdue": lambda issue, ctx: (
        Issue.objects.filter(pk=issue.pk).update(stage_due_at=timezone.now() - datetime.timedelta(hours=1)),
        workflow.issue_flag_overdue(issue=issue),
    ),
    "assign": lambda issue, ctx: workflow.issue_assign(
        issue=issue, actor=ctx["cadre"], responsible=ctx["cadre"]
    ),
}

CASES = sorted(
    {(str(stage), move) for stage, moves in workflow.TRANSITIONS.items() for move in moves}
    | {(str(stage), move) for move, stages in workflow.ACTIVITIES.items() for stage in stages}
    | {(str(stage), move) for stage in workflow.STEPS for move in ("flag_overdue", "assign")}
)


def test_every_move_of_the_workflow_is_exercised():
    assert set(workflow.MOVES) <= set(MAKE)


@pytest.mark.parametrize(("stage", "move"), CASES)
def test_tallies_equal_live_counts_after_every_move(village, other_village, ctx, stage, move):
    ids = [village.pk, other_village.pk]
    issue = _at(stage, village, ctx)
    assert _tallied(ids) == _live(ids)
    MAKE[move](Issue.objects.get(pk=issue.pk), ctx)
    assert _tallied(ids) == _live(ids)
    assert Issue.objects.filter(village=village).exists()
    assert _resolutions_off_village() == []


def test_a_refused_move_changes_no_tally(village, ctx):
    issue = _at(Stage.CLOSED, village, ctx)
    before = _tallied([village.pk])
    with pytest.raises(workflow.WorkflowError, match="已办结"):
        workflow.issue_accept(issue=issue, actor=ctx["cadre"])
    assert _tallied([village.pk]) == before == _live([village.pk])


def test_rebuild_command_repairs_tallies_after_writes_around_the_workflow(village, other_village, ctx):
    raise_issue(village)
    Issue.objects.bulk_create(
        [
            Issue(
                village=village,
                title=f"导入{i}",
                description="d",
                category="other",
                stage=Stage.CLOSED,
                tracking_code=f"IMP{i:09d}",
            )
            for i in range(3)
        ]
    )
    IssueTally.objects.filter(village=other_village).update(count=99)
    decided = _at(Stage.EXECUTING, village, ctx)
    Resolution.objects.filter(issue=decided).update(village=None)  # as a bulk load writes them
    ids = [village.pk, other_village.pk]
    assert _tallied(ids) != _live(ids)
    assert _resolutions_off_village() != []
    call_command("rebuild_tallies", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _tallied(ids) == _live(ids)
    assert _resolutions_off_village() == []
    assert services.tallies_rebuild(village_ids=[village.pk]) == len(_live([village.pk]))
    assert _tallied(ids) == _live(ids)


def test_pages_show_the_tallied_counts(client, village, ctx):
    for stage in (Stage.RAISED, Stage.EXECUTING, Stage.CLOSED, Stage.CLOSED):
        _at(stage, village, ctx)
    context = selectors.public_village_context(village=village)
    # The recent decisions, read by the village kept on each, are the village's issues' adopted ones.
    plain = Resolution.objects.filter(issue__village=village, adopted=True).order_by("-created_at")[:10]
    assert [r.pk for r in context["decisions"]] == [r.pk for r in plain]
    assert len(context["decisions"]) == 3
    assert context["closed_count"] == 2
    assert context["open_count"] == 2
    assert context["in_progress_count"] == 1 == len(context["in_progress"])
    summary = selectors.workspace_summary(villages=[village])["by_village"][village.pk]
    assert (summary["new"], summary["open"], summary["supervising"]) == (1, 2, 0)
    # The tallies are what the pages read: a tally off by one shows on the page.
    IssueTally.objects.filter(village=village, stage=Stage.CLOSED).update(count=7)
    assert selectors.public_village_context(village=village)["closed_count"] == 7
    response = client.get(reverse("villages:detail", kwargs={"code": village.code}))
    assert response.status_code == 200


def test_overdue_and_due_this_week_follow_the_clock(village, ctx):
    late = _at(Stage.SOLICITING, village, ctx)
    soon = _at(Stage.SOLICITING, village, ctx)
    _at(Stage.CLOSED, village, ctx)
    now = timezone.now()
    Issue.objects.filter(pk=late.pk).update(stage_due_at=now - datetime.timedelta(days=1))
    Issue.objects.filter(pk=soon.pk).update(stage_due_at=now + datetime.timedelta(days=2))
    summary = selectors.workspace_summary(villages=[village])["by_village"][village.pk]
    assert (summary["overdue"], summary["due_week"], summary["open"]) == (1, 1, 2)
