"""The tracking page reads a matter and all it shows in one query (issue 13), the same as read apart."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from roundtable import services, workflow
from roundtable.models import Issue, Stage
from roundtable.selectors import public_issue_by_code, public_issue_context
from tests.factories import make_user
from tests.roundtable_helpers import advance, make_roundtable, raise_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(village):
    return {
        "cadre": make_user(Membership.Role.CADRE, village=village),
        "supervisor": make_user(Membership.Role.SUPERVISOR, village=village),
        "roundtable": make_roundtable(village),
    }


def _close(issue, staff):
    workflow.issue_report_done(issue=issue, actor=staff["cadre"], note="已修复")
    workflow.issue_confirm(issue=issue, supervisor=staff["supervisor"])
    issue.refresh_from_db()
    assert issue.stage == Stage.CLOSED
    return issue


def _shown(context: dict) -> dict:
    """What the page shows of a context, in plain values."""
    resolution, satisfaction = context["resolution"], context["satisfaction"]
    return {
        "timeline": [
            (
                e.pk,
                e.issue_id,
                e.kind,
                e.get_kind_display(),
                e.from_stage,
                e.to_stage,
                e.shows_stage,
                e.public_note,
                e.created_at,
                e.meeting
                and (
                    e.meeting.pk,
                    e.meeting.starts_at,
                    e.meeting.place,
                    e.meeting.is_cancelled,
                    e.meeting.entered_afterwards,
                    e.meeting.roundtable.name,
                ),
            )
            for e in context["timeline"]
        ],
        "resolution": resolution
        and (
            resolution.pk,
            resolution.text,
            resolution.votes_for,
            resolution.votes_against,
            resolution.votes_abstain,
            resolution.due_date,
        ),
        "progress": [
            (p.pk, p.created_at, p.percent, p.public_note, bool(p.photo)) for p in context["progress"]
        ],
        "opinion_counts": dict(sorted(context["opinion_counts"].items())),
        "satisfaction": satisfaction and (satisfaction.score, satisfaction.comment),
        "meeting_now": context["meeting_now"]
        and (context["meeting_now"]["meeting"].pk, context["meeting_now"]["cancelled"]),
    }


def _both(issue):
    read_together = public_issue_by_code(issue.tracking_code)
    assert read_together.public_extras is not None  # PostgreSQL: read with the matter
    read_apart = Issue.objects.get(pk=issue.pk)
    return _shown(public_issue_context(read_together)), _shown(public_issue_context(read_apart))


def test_closed_matter_with_meeting_decision_progress_opinions_and_rating(village, staff):
    issue = advance(raise_issue(village, title="修村道"), Stage.EXECUTING, **staff)
    cadre = staff["cadre"]
    workflow.issue_report_progress(issue=issue, actor=cadre, percent=40, note="四成 <b>&", note_public=True)
    workflow.issue_report_progress(issue=issue, actor=cadre, percent=60, note="内部", note_public=False)
    issue = _close(issue, staff)
    workflow.issue_rate(issue=issue, score=4, comment="修得好")
    together, apart = _both(issue)
    assert together == apart
    assert any(entry[-1] for entry in together["timeline"]), "an entry with its meeting"
    assert together["resolution"] and len(together["progress"]) >= 2 and together["satisfaction"]
    assert together["opinion_counts"]


def test_matter_waiting_on_a_moved_then_cancelled_meeting(village, staff):
    issue = advance(raise_issue(village, title="修水渠"), Stage.DELIBERATING, **staff)
    meeting = issue.agenda_items.get().meeting
    services.meeting_move(meeting=meeting, starts_at=timezone.now() + datetime.timedelta(days=3))
    before_cancel, apart = _both(issue)
    assert before_cancel == apart and before_cancel["meeting_now"] == (meeting.pk, False)
    services.meeting_cancel(meeting=meeting, reason="暴雨")
    together, apart = _both(issue)
    assert together == apart and together["meeting_now"] == (meeting.pk, True)
    assert together != before_cancel


def test_new_matter_without_anything_else(village):
    issue = raise_issue(village)
    together, apart = _both(issue)
    assert together == apart
    assert together["resolution"] is None and together["progress"] == [] and together["opinion_counts"] == {}


def _roundtable_queries(client, issue) -> list[str]:
    url = reverse("roundtable:track", kwargs={"code": issue.tracking_code})
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries if "roundtable_" in q["sql"]]


def test_tracking_page_reads_the_matter_and_all_it_shows_in_one_query(client, village, staff):
    issue = advance(raise_issue(village, title="修村道"), Stage.EXECUTING, **staff)
    workflow.issue_report_progress(
        issue=issue, actor=staff["cadre"], percent=40, note="四成", note_public=True
    )
    assert len(_roundtable_queries(client, issue)) == 1
    closed = _close(issue, staff)
    workflow.issue_rate(issue=closed, score=5)
    # The rating read with the matter also answers whether it may still be rated.
    assert len(_roundtable_queries(client, closed)) == 1


def test_tracking_page_shows_each_write_at_once(client, village, staff):
    """Nothing of the page is kept: a progress report or a rating shows on the next request."""
    issue = advance(raise_issue(village, title="修村道"), Stage.EXECUTING, **staff)
    url = reverse("roundtable:track", kwargs={"code": issue.tracking_code})
    assert "七成半" not in client.get(url).content.decode()
    workflow.issue_report_progress(
        issue=issue, actor=staff["cadre"], percent=75, note="七成半", note_public=True
    )
    assert "七成半" in client.get(url).content.decode()
    closed = _close(issue, staff)
    workflow.issue_rate(issue=closed, score=2, comment="路面又坏了")
    assert "路面又坏了" in client.get(url).content.decode()
