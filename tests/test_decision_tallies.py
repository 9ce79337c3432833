"""The village page's decision counts come from the workflow's tallies (never a count over the village's
history) and equal the decisions board's lists after every kind of write; the rebuild repairs them."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Membership
from noticeboard.selectors import BOARD_FILTERS, decision_counts, decisions_board
from roundtable import services
from roundtable.models import Issue, IssueTally, Meeting, Resolution, Stage
from tests.factories import make_user
from tests.roundtable_helpers import make_roundtable, raise_issue
from tests.test_roundtable_tallies import CASES, MAKE, _at, ctx  # noqa: F401 - ctx is a fixture
from villages.models import Village

pytestmark = pytest.mark.django_db


def _live(village):
    """The board's own lists, counted: what the counts must equal."""
    counts = {key: decisions_board(village=village, status=key).count() for key in BOARD_FILTERS}
    counts["all"] = decisions_board(village=village).count()
    return counts


def _check(village):
    assert decision_counts(village=village) == _live(village)
    # Every decision overdue: only the open ones count as overdue, never the closed.
    Resolution.objects.filter(issue__village=village).update(
        due_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert decision_counts(village=village) == _live(village)


@pytest.mark.parametrize(("stage", "move"), CASES)
def test_decision_counts_equal_the_board_after_every_move(village, other_village, ctx, stage, move):  # noqa: F811
    issue = _at(stage, village, ctx)
    _at(Stage.CLOSED, village, ctx)  # history that stays put
    elsewhere = {
        "cadre": make_user(Membership.Role.CADRE, village=other_village),
        "supervisor": None,
        "roundtable": make_roundtable(other_village),
    }
    _at(Stage.EXECUTING, other_village, elsewhere)  # another village's decisions count there only
    assert decision_counts(village=village) == _live(village)
    MAKE[move](Issue.objects.get(pk=issue.pk), ctx)
    _check(village)
    _check(other_village)
    assert decision_counts(village=other_village)["in_progress"] == 1


def test_cancelling_a_meeting_keeps_the_counts(village, ctx):  # noqa: F811
    pending = _at(Stage.DELIBERATING, village, ctx)
    _at(Stage.SUPERVISING, village, ctx)
    meeting = pending.agenda_items.get().meeting
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() + datetime.timedelta(days=1))
    services.meeting_cancel(meeting=meeting, reason="下雨", actor=ctx["cadre"])
    _check(village)
    assert decision_counts(village=village)["supervising"] == 1


def test_counts_are_read_from_the_tallies_in_two_queries(village, ctx, django_assert_num_queries):  # noqa: F811
    for stage in (Stage.DECIDED, Stage.EXECUTING, Stage.CLOSED, Stage.CLOSED):
        _at(stage, village, ctx)
    with django_assert_num_queries(2):  # the tallies; the open decisions due before today
        counts = decision_counts(village=village)
    assert (counts["done"], counts["to_start"], counts["all"]) == (2, 1, 4)
    # The tally is what the village page shows: a closed count off by five shows as such.
    IssueTally.objects.filter(village=village, stage=Stage.CLOSED).update(count=7)
    assert decision_counts(village=village)["done"] == 7
    assert decision_counts(village=village)["all"] == 9


def test_rebuild_tallies_repairs_decisions_written_around_the_workflow(village, ctx):  # noqa: F811
    issue = _at(Stage.EXECUTING, village, ctx)
    resolution = Resolution.objects.get(issue=issue)
    imported = Issue.objects.bulk_create(
        [
            Issue(
                village=village,
                title=f"导入{i}",
                description="d",
                category="other",
                stage=Stage.CLOSED,
                tracking_code=f"IMPD{i:08d}",
            )
            for i in range(3)
        ]
    )
    for row in imported:
        resolution.pk, resolution.issue, resolution.agenda_item = None, row, None
        resolution.save()
    assert decision_counts(village=village) != _live(village)
    call_command("rebuild_tallies", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert decision_counts(village=village) == _live(village)
    assert decision_counts(village=village)["done"] == 3


def test_demo_villages_counts_equal_their_boards(demo):
    villages = Village.objects.filter(township=demo).order_by("pk")
    assert villages
    total = 0
    for village in villages:
        assert decision_counts(village=village) == _live(village), village.code
        total += decision_counts(village=village)["all"]
    assert total > 10


def test_a_roundtable_alone_counts_nothing(village):
    make_roundtable(village)
    raise_issue(village)
    assert decision_counts(village=village) == dict.fromkeys([*BOARD_FILTERS, "all"], 0) == _live(village)
