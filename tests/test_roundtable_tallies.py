"""The issue tallies (per village × stage) equal the live counts after every kind of move, and the
command rebuilds them; the pages that show totals read them."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Count, Exists, F, OuterRef, Sum
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from noticeboard.selectors import mean_rating
from roundtable import selectors, services, workflow
from roundtable.models import AgendaItem, Issue, IssueTally, Opinion, Resolution, Satisfaction, Stage
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


def _live_ratings(village_ids):
    """Per village: how many ratings its closed decided matters have, and their sum (counted afresh)."""
    decided = Resolution.objects.filter(issue=OuterRef("issue_id"), adopted=True)
    return {
        row["issue__village_id"]: (row["n"], row["total"])
        for row in Satisfaction.objects.filter(issue__village_id__in=village_ids, issue__stage=Stage.CLOSED)
        .filter(Exists(decided))
        .values("issue__village_id")
        .annotate(n=Count("pk"), total=Sum("score"))
        .order_by()
    }


def _tallied_ratings(village_ids):
    """The same, as the tallies keep it (on the closed stage's row; every other row holds none)."""
    rows = IssueTally.objects.filter(village_id__in=village_ids).exclude(rated=0, rating_total=0)
    assert {t.stage for t in rows} <= {Stage.CLOSED}
    return {t.village_id: (t.rated, t.rating_total) for t in rows}


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
    workflow.issue_rate(issue=_at(Stage.CLOSED, village, ctx), score=5)  # a rated closed matter stays put
    if move != "rate" and stage in workflow.ACTIVITIES["rate"]:
        workflow.issue_rate(issue=issue, score=2)  # the moved matter carries its rating
    assert _tallied(ids) == _live(ids)
    assert _tallied_ratings(ids) == _live_ratings(ids)
    MAKE[move](Issue.objects.get(pk=issue.pk), ctx)
    assert _tallied(ids) == _live(ids)
    assert _tallied_ratings(ids) == _live_ratings(ids) != {}
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


def test_a_rating_counts_once_in_its_village_mean_whenever_it_is_given(client, village, other_village, ctx):
    ids = [village.pk, other_village.pk]
    assert mean_rating(village=village) is None
    workflow.issue_rate(issue=_at(Stage.CLOSED, village, ctx), score=5)  # after closing
    rated_early = _at(Stage.SUPERVISING, village, ctx)
    workflow.issue_rate(issue=rated_early, score="2")  # in step 6, as the form posts it
    assert _tallied_ratings(ids) == _live_ratings(ids) == {village.pk: (1, 5)}
    # Sent back, done again, confirmed: the rating comes along once.
    workflow.issue_send_back(issue=rated_early, supervisor=ctx["supervisor"], reason="还没修好")
    assert _tallied_ratings(ids) == _live_ratings(ids) == {village.pk: (1, 5)}
    workflow.issue_report_done(issue=Issue.objects.get(pk=rated_early.pk), actor=ctx["cadre"], note="完成")
    workflow.issue_confirm(issue=Issue.objects.get(pk=rated_early.pk), supervisor=ctx["supervisor"])
    workflow.issue_rate(issue=_at(Stage.CLOSED, village, ctx), score=4)
    assert _tallied_ratings(ids) == _live_ratings(ids) == {village.pk: (3, 11)}
    assert mean_rating(village=village) == 3.7 and mean_rating(village=other_village) is None
    response = client.get(reverse("noticeboard:decisions", kwargs={"code": village.code}))
    assert "3.7" in response.content.decode()
    # The board reads the kept figures: a tally off shows on the page.
    IssueTally.objects.filter(village=village, stage=Stage.CLOSED).update(rated=2, rating_total=9)
    assert mean_rating(village=village) == 4.5


def test_a_closed_matter_without_an_adopted_resolution_is_rated_outside_the_mean(village, ctx):
    imported = Issue.objects.create(
        village=village, title="导入", description="d", category="other", stage=Stage.CLOSED
    )
    services.tallies_rebuild(village_ids=[village.pk])
    workflow.issue_rate(issue=imported, score=1)
    assert _tallied_ratings([village.pk]) == _live_ratings([village.pk]) == {}
    assert mean_rating(village=village) is None


def test_rebuild_counts_the_ratings_again(village, other_village, ctx):
    ids = [village.pk, other_village.pk]
    for score in (3, 4):
        workflow.issue_rate(issue=_at(Stage.CLOSED, village, ctx), score=score)
    workflow.issue_rate(issue=_at(Stage.SUPERVISING, village, ctx), score=1)  # not closed: not counted
    closed_elsewhere = advance(
        raise_issue(other_village),
        Stage.CLOSED,
        cadre=make_user(Membership.Role.CADRE, village=other_village),
        roundtable=make_roundtable(other_village),
    )
    Satisfaction.objects.create(issue=closed_elsewhere, score=5)  # written around the workflow
    IssueTally.objects.filter(village=village, stage=Stage.CLOSED).update(rated=9, rating_total=1)
    assert _tallied_ratings(ids) != _live_ratings(ids)
    call_command("rebuild_tallies", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _tallied_ratings(ids) == _live_ratings(ids) == {village.pk: (2, 7), other_village.pk: (1, 5)}
    IssueTally.objects.update(rated=0, rating_total=0)
    services.tallies_rebuild(village_ids=[village.pk])
    assert _tallied_ratings(ids) == {village.pk: (2, 7)}
    assert mean_rating(village=village) == 3.5


def test_the_migration_counts_the_ratings_already_there(village, ctx):
    workflow.issue_rate(issue=_at(Stage.CLOSED, village, ctx), score=4)
    workflow.issue_rate(issue=_at(Stage.SUPERVISING, village, ctx), score=1)
    IssueTally.objects.update(rated=0, rating_total=0)  # as the columns are added
    migration = importlib.import_module("roundtable.migrations.0013_issue_tally_ratings")
    migration.count_ratings(apps, None)
    assert _tallied_ratings([village.pk]) == _live_ratings([village.pk]) == {village.pk: (1, 4)}
