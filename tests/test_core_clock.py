"""The portal's own clock (core.clock): the demo back-dates its history with it, no test library needed."""

import datetime

import pytest
from django.utils import timezone

from core import clock
from notifications import clock as notifications_clock
from roundtable import workflow
from roundtable.models import Stage
from tests.roundtable_helpers import raise_issue

MOMENT = datetime.datetime(2025, 3, 1, 9, 30, tzinfo=datetime.UTC)


def test_clock_now_is_real_time_outside_travel():
    before = timezone.now()
    assert before <= clock.now() <= timezone.now()


def test_clock_travel_sets_now_and_localdate_then_comes_back():
    with clock.travel(MOMENT):
        assert clock.now() == MOMENT
        assert clock.localdate() == timezone.localdate(MOMENT)
        assert notifications_clock.now() == MOMENT
    assert clock.now() > MOMENT + datetime.timedelta(days=365)


def test_clock_travel_to_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="aware datetimes only"), clock.travel(datetime.datetime(2025, 3, 1)):
        pass


def test_clock_travel_back_dates_what_the_workflow_writes(village, cadre):
    with clock.travel(MOMENT):
        issue = raise_issue(village)
    with clock.travel(MOMENT + datetime.timedelta(days=2)):
        workflow.issue_accept(issue=issue, actor=cadre, note="受理")
    issue.refresh_from_db()
    assert issue.created_at == MOMENT
    assert issue.stage == Stage.SOLICITING
    assert issue.stage_entered_at == MOMENT + datetime.timedelta(days=2)
    assert [e.created_at for e in issue.timeline.order_by("created_at")][-1] == MOMENT + datetime.timedelta(
        days=2
    )
