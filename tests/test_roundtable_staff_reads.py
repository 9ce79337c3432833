"""The staff issue page reads the matter's own records in one query on PostgreSQL (issue 13): the same
objects as the separate reads give, and the opinions not read twice."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership
from roundtable import selectors, workflow
from roundtable.models import Issue, Opinion, Stage
from tests.factories import make_user
from tests.roundtable_helpers import advance, make_roundtable, raise_issue

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="the one-query read is PostgreSQL's"),
]


@pytest.fixture
def staff(village):
    return {
        "cadre": make_user(Membership.Role.CADRE, village=village),
        "supervisor": make_user(Membership.Role.SUPERVISOR, village=village),
        "roundtable": make_roundtable(village),
    }


def _values(obj, *related):
    """Every concrete field of a model object, and the same of the related objects named."""
    if obj is None:
        return None
    own = tuple(getattr(obj, f.attname) for f in obj._meta.concrete_fields)
    return (own, *(_values(getattr(obj, name)) for name in related))


def _shown(context: dict) -> dict:
    def meeting(entry):
        return entry.meeting and _values(entry.meeting, "roundtable")

    return {
        "timeline": [(_values(e), meeting(e), e.get_kind_display()) for e in context["timeline"]],
        "opinions": [_values(o) for o in context["opinions"]],
        "agenda_items": [(_values(a), _values(a.meeting, "roundtable")) for a in context["agenda_items"]],
        "resolutions": [_values(r, "meeting") for r in context["resolutions"]],
        "progress": [_values(p) for p in context["progress"]],
        "verdicts": [_values(v, "supervisor") for v in context["verdicts"]],
        "satisfaction": _values(context["satisfaction"]),
    }


def _both(issue, monkeypatch):
    together = _shown(selectors.issue_detail_context(Issue.objects.get(pk=issue.pk), internal=True))
    with monkeypatch.context() as m:
        m.setattr(settings, "IS_POSTGRES", False)
        apart = _shown(selectors.issue_detail_context(Issue.objects.get(pk=issue.pk), internal=True))
    return together, apart


@pytest.mark.parametrize("stage", [Stage.RAISED, Stage.SOLICITING, Stage.DELIBERATING, Stage.EXECUTING])
def test_one_query_read_equals_the_separate_reads_at_each_step(village, staff, stage, monkeypatch):
    issue = advance(raise_issue(village, title="修村道"), stage, **staff)
    together, apart = _both(issue, monkeypatch)
    assert together == apart
    assert together["timeline"]


def test_closed_matter_with_everything(village, staff, monkeypatch):
    cadre = staff["cadre"]
    issue = advance(raise_issue(village, title="修水渠"), Stage.EXECUTING, **staff)  # with an opinion
    workflow.issue_report_progress(issue=issue, actor=cadre, percent=40, note="四成 <b>&", note_public=True)
    workflow.issue_report_progress(issue=issue, actor=cadre, percent=60, note="内部", note_public=False)
    workflow.issue_report_done(issue=issue, actor=cadre, note="已修复")
    workflow.issue_send_back(issue=issue, supervisor=staff["supervisor"], reason="没修完")
    workflow.issue_report_done(issue=issue, actor=cadre, note="修完了")
    workflow.issue_confirm(issue=issue, supervisor=staff["supervisor"])
    issue.refresh_from_db()
    workflow.issue_rate(issue=issue, score=4, comment="修得好")
    together, apart = _both(issue, monkeypatch)
    assert together == apart
    assert any(entry[1] for entry in together["timeline"]), "an entry with its meeting"
    assert together["opinions"] and together["agenda_items"] and together["resolutions"]
    assert len(together["progress"]) >= 3 and len(together["verdicts"]) == 2 and together["satisfaction"]


def test_issue_page_reads_the_opinions_once(client, village, staff):
    issue = advance(raise_issue(village, title="修村道"), Stage.SOLICITING, **staff)
    workflow.issue_add_opinion(
        issue=issue,
        actor=staff["cadre"],
        party="村民",
        source=Opinion.Source.MEMBER,
        stance="oppose",
        text="不",
    )
    client.force_login(staff["cadre"])
    url = reverse("roundtable:issue", kwargs={"code": village.code, "pk": issue.pk})
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    assert "不" in response.content.decode()
    opinion_reads = [q["sql"] for q in ctx.captured_queries if 'FROM "roundtable_opinion"' in q["sql"]]
    assert opinion_reads == []  # read inside the one query of the matter's records
    assert sum("roundtable_timelineentry" in q["sql"] for q in ctx.captured_queries) == 1
