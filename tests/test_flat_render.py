"""Render cost (issue 13): cached template loaders, the village page's matters section cached per
village and language and dropped by the workflow, Cache-Control on public pages (never on a resident's
tracking page)."""

import pytest
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership
from roundtable import workflow
from roundtable.models import Stage
from tests.factories import make_user
from tests.roundtable_helpers import advance, make_roundtable, raise_issue

pytestmark = pytest.mark.django_db


def test_templates_are_loaded_once_per_process():
    from django.template.loaders.cached import Loader

    loaders = engines["django"].engine.template_loaders
    assert len(loaders) == 1 and isinstance(loaders[0], Loader)


@pytest.fixture
def executing(village):
    cadre = make_user(Membership.Role.CADRE, village=village)
    issue = advance(
        raise_issue(village, title="修村道"),
        Stage.EXECUTING,
        cadre=cadre,
        supervisor=make_user(Membership.Role.SUPERVISOR, village=village),
        roundtable=make_roundtable(village),
    )
    return issue, cadre


def _get(client, url, **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return response, len(ctx.captured_queries)


def test_village_matters_section_is_cached_and_dropped_by_each_move(
    client, village, executing, django_capture_on_commit_callbacks
):
    issue, cadre = executing
    url = reverse("villages:detail", kwargs={"code": village.code})
    first, cold = _get(client, url)
    assert "修村道" in first.content.decode()
    again, warm = _get(client, url)
    assert warm < cold
    assert "修村道" in again.content.decode()
    # A move (here a progress report) shows at once: the workflow dropped the cached section on commit.
    with django_capture_on_commit_callbacks(execute=True):
        workflow.issue_report_progress(issue=issue, actor=cadre, percent=70, note="七成", note_public=True)
    after, _n = _get(client, url)
    assert "70%" in after.content.decode()
    # Dropped at once too, and again on commit: a page rendered before the commit cached the old state.
    from django.core.cache import cache

    from roundtable.fragments import village_section_keys

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.issue_report_progress(issue=issue, actor=cadre, percent=80, note="八成", note_public=True)
        assert "80%" in _get(client, url)[0].content.decode()
        cache.set(village_section_keys(village.pk)[0], "stale", 60)
    assert cache.get(village_section_keys(village.pk)[0]) == "stale"
    for callback in callbacks:
        callback()
    assert cache.get(village_section_keys(village.pk)[0]) is None
    with django_capture_on_commit_callbacks(execute=True):
        workflow.issue_report_done(issue=issue, actor=cadre, note="完工")
    assert "修村道" in _get(client, url)[0].content.decode()  # still in progress (step 6)
    supervisor = make_user(Membership.Role.SUPERVISOR, village=village)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.issue_confirm(issue=issue, supervisor=supervisor)
    settled = _get(client, url)[0].content.decode()
    assert '<span class="count" data-count="work">' not in settled


def test_village_matters_section_is_cached_per_language(client, village, executing):
    url = reverse("villages:detail", kwargs={"code": village.code})
    chinese = _get(client, url, headers={"accept-language": "zh-hans"})[0].content.decode()
    english = _get(client, url, headers={"accept-language": "en"})[0].content.decode()
    assert "Work in progress" in english and "Work in progress" not in chinese


def test_public_pages_may_be_kept_a_minute_and_tracking_never(client, village, executing):
    issue, _cadre = executing
    home, village_page = reverse("home"), reverse("villages:detail", kwargs={"code": village.code})
    first = client.get(village_page)
    assert "max-age" not in first.get("Cache-Control", "")  # the first visit sets its CSRF cookie
    for url in (home, village_page):
        response = client.get(url)
        assert response["Cache-Control"] == "private, max-age=60", url
    tracking = client.get(reverse("roundtable:track", kwargs={"code": issue.tracking_code}))
    assert "no-store" in tracking["Cache-Control"] and "max-age=0" in tracking["Cache-Control"]
    submit = client.get(reverse("roundtable:submit", kwargs={"code": village.code}))
    assert "no-store" in submit["Cache-Control"]
    client.force_login(make_user(Membership.Role.CADRE, village=village))
    assert "no-store" in client.get(village_page)["Cache-Control"]
