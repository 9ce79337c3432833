"""Snapshots of the default dashboard views: equal to the live figures, served with the time they were
computed, never for another day, refreshed by Celery beat."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership
from dashboards import selectors as s
from dashboards import services, tasks
from roundtable.models import Stage
from tests.dashboards_helpers import NOW, at, build_world, carry, forget_snapshots, small_world, when
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def without_time(data: dict) -> dict:
    return {k: v for k, v in data.items() if k not in ("computed_at", "from_snapshot")}


def test_snapshots_equal_the_live_figures(db):
    build_world()
    with at(NOW):
        assert services.snapshots_refresh() == 3 * (2 + 1)  # two townships and their district, three periods
        for frame in s.snapshot_frames():
            snapshot = s.dashboard_or_snapshot(frame)
            assert snapshot["from_snapshot"]
            assert without_time(snapshot) == without_time(s.dashboard(frame))


def test_dashboard_page_serves_the_snapshot_and_says_when(client, db):
    world = build_world()
    official = make_user(Membership.Role.OFFICIAL, township=world["luoxi"])
    client.force_login(official)
    with at(NOW - datetime.timedelta(minutes=10)):
        tasks.refresh_snapshots()
    a = world["villages"][0]
    carry(a, Stage.RAISED, raised=NOW - datetime.timedelta(minutes=5), days=[], cadre=world["cadres"][a.pk])
    with at(NOW):
        kept = client.get("/work/dashboard/t/luoxi/").context
        live = client.get("/work/dashboard/t/luoxi/", {"category": ""} | {"period": "custom",
                          "start": "2026-01-01", "end": "2026-06-15"}).context  # fmt: skip
    assert kept["from_snapshot"] and kept["computed_at"] == NOW - datetime.timedelta(minutes=10)
    assert kept["total"]["raised"] == 7
    assert not live["from_snapshot"] and live["total"]["raised"] == 8


def test_yesterdays_snapshot_is_not_served_today(client, db):
    world = build_world()
    client.force_login(make_user(Membership.Role.OFFICIAL, township=world["luoxi"]))
    with at(NOW - datetime.timedelta(days=1)):
        services.snapshots_refresh()
    with at(NOW):
        assert not client.get("/work/dashboard/t/luoxi/").context["from_snapshot"]


def test_beat_refreshes_the_snapshots():
    entry = settings.CELERY_BEAT_SCHEDULE["dashboards-refresh-snapshots"]
    assert entry["task"] == tasks.refresh_snapshots.name
    assert entry["schedule"] <= 900


# --- the village dashboard: kept from its first view --------------------------------------------


def _village_page(client, world, village, language="zh-hans", **params):
    client.force_login(world["cadres"][village.pk])
    return client.get(f"/work/dashboard/v/{village.code}/", params, HTTP_ACCEPT_LANGUAGE=language)


def _main(response) -> str:
    return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


def _rendered(response) -> bool:
    """Whether the page's figures were laid out in this request (not served as kept)."""
    return "dashboards/_page.html" in [t.name for t in response.templates]


def test_village_dashboard_is_kept_from_its_first_view_and_equals_the_live_figures(client, db):
    world = build_world()
    a = world["villages"][0]

    def figures(context) -> dict:
        return without_time({key: context[key] for key in s.dashboard(context["frame"])})

    with at(NOW - datetime.timedelta(minutes=10)):
        first = _village_page(client, world, a).context
        kept = _village_page(client, world, a).context
        assert figures(kept) == without_time(s.dashboard(kept["frame"]))
    assert not first["from_snapshot"] and kept["from_snapshot"]
    assert figures(kept) == figures(first) and kept["total"]["raised"] == 4
    carry(a, Stage.RAISED, raised=NOW - datetime.timedelta(minutes=5), days=[], cadre=world["cadres"][a.pk])
    with at(NOW):
        still = _village_page(client, world, a)
        english = _village_page(client, world, a, language="en").content.decode()
    assert "kept for 15 minutes from the first view" in english
    assert still.context["computed_at"] == NOW - datetime.timedelta(minutes=10)
    assert still.context["from_snapshot"] and not _rendered(still)
    # Computed afresh once the interval is over.
    with at(
        NOW - datetime.timedelta(minutes=10) + datetime.timedelta(seconds=s.VILLAGE_SNAPSHOT_TIMEOUT + 1)
    ):
        fresh = _village_page(client, world, a).context
        again = _village_page(client, world, a).context
    assert not fresh["from_snapshot"] and fresh["total"]["raised"] == 5
    assert again["from_snapshot"] and figures(again) == figures(fresh)


def test_village_dashboard_keeps_only_its_default_views(client, db):
    world = build_world()
    a = world["villages"][0]
    with at(NOW):
        for params in (
            {"category": "land_dispute"},
            {"period": "custom", "start": "2026-01-01", "end": "2026-06-15"},
        ):
            _village_page(client, world, a, **params)
            assert not _village_page(client, world, a, **params).context["from_snapshot"]
        _village_page(client, world, a, period="month")
        assert _village_page(client, world, a, period="month").context["from_snapshot"]


def test_township_dashboard_of_one_village_is_not_kept_when_viewed(client, db):
    """Only the village dashboard keeps figures from a view; the townships' are beat's."""
    world = small_world(villages_per_township=1)
    client.force_login(make_user(Membership.Role.OFFICIAL, township=world["luoxi"]))
    with at(NOW):
        client.get("/work/dashboard/t/luoxi/")
        assert not client.get("/work/dashboard/t/luoxi/").context["from_snapshot"]


def test_village_dashboard_makes_the_same_queries_at_two_sizes(client, db):
    """Each of its three requests (computed on the first view, laid out from the snapshot, served as
    kept) makes as many queries on a small village as after hundreds of matters more."""
    world = build_world()
    a = world["villages"][0]

    def counts():
        forget_snapshots([a.pk])
        out = []
        for _ in range(3):
            with CaptureQueriesContext(connection) as ctx:
                assert _village_page(client, world, a).status_code == 200
            out.append(len(ctx))
        return out

    with at(NOW):
        _village_page(client, world, a)  # the session, as a returning visitor has it
        small = counts()
    for n in range(60):
        stage = [Stage.RAISED, Stage.SOLICITING, Stage.EXECUTING, Stage.CLOSED][n % 4]
        carry(
            a, stage, raised=when(1 + n % 5, 1 + n % 20), days=[1] * 6, cadre=world["cadres"][a.pk], rating=3
        )
    with at(NOW + datetime.timedelta(minutes=1)):
        large = counts()
        frame = s.Frame((a.pk,), s.UNIT_VILLAGE, s.period_of("year"))
        assert s.dashboard_or_snapshot(frame)["total"]["raised"] > 60
    assert large == small


# --- the pages rendered from a snapshot ------------------------------------------------------------


def test_the_page_of_a_snapshot_is_kept_and_never_outlives_it(client, db):
    world = build_world()
    client.force_login(make_user(Membership.Role.OFFICIAL, township=world["luoxi"]))
    with at(NOW - datetime.timedelta(minutes=20)):
        services.snapshots_refresh()
    with at(NOW - datetime.timedelta(minutes=15)):
        laid_out = client.get("/work/dashboard/t/luoxi/")
        kept = client.get("/work/dashboard/t/luoxi/")
    assert _rendered(laid_out) and not _rendered(kept)
    assert _main(kept) == _main(laid_out) and "{#" not in _main(kept)
    assert kept.context["from_snapshot"] and kept.context["computed_at"] == NOW - datetime.timedelta(
        minutes=20
    )
    a = world["villages"][0]
    carry(a, Stage.RAISED, raised=NOW - datetime.timedelta(minutes=10), days=[], cadre=world["cadres"][a.pk])
    with at(NOW - datetime.timedelta(minutes=5)):
        services.snapshots_refresh()
    with at(NOW):
        refreshed = client.get("/work/dashboard/t/luoxi/")
    assert _rendered(refreshed) and refreshed.context["total"]["raised"] == 8
    assert refreshed.context["computed_at"] == NOW - datetime.timedelta(minutes=5)


def test_the_kept_page_is_per_language_and_only_for_the_default_views(client, db):
    world = build_world()
    client.force_login(make_user(Membership.Role.OFFICIAL, township=world["luoxi"]))
    with at(NOW):
        services.snapshots_refresh()
        client.get("/work/dashboard/t/luoxi/")
        chinese = client.get("/work/dashboard/t/luoxi/")
        english = client.get("/work/dashboard/t/luoxi/", HTTP_ACCEPT_LANGUAGE="en")
        client.get("/work/dashboard/t/luoxi/", {"period": "month"})
        month = client.get("/work/dashboard/t/luoxi/", {"period": "month"})
        client.get("/work/dashboard/t/luoxi/", {"sort": "raised", "dir": "asc"})
        ascending = client.get("/work/dashboard/t/luoxi/", {"sort": "raised", "dir": "asc"})
    assert not _rendered(chinese) and "罗溪镇" in chinese.content.decode()
    assert _rendered(english) and "Ranking" in english.content.decode()
    assert "Ranking" not in chinese.content.decode()
    assert not _rendered(month) and month.context["frame"].period.kind == "month"
    assert _rendered(ascending) and ascending.context["from_snapshot"]
    raised = [r["raised"] for r in ascending.context["rows"]]
    assert raised == sorted(raised)


def test_a_snapshot_stored_without_a_stamp_gets_one_and_yesterdays_page_is_not_served(client, db):
    """bench/pages.py stores snapshots itself: their page is kept all the same; the stamp names the day."""
    from django.core.cache import cache

    world = build_world()
    client.force_login(make_user(Membership.Role.OFFICIAL, township=world["luoxi"]))
    ids = tuple(v.pk for v in world["villages"] if v.township == world["luoxi"])
    with at(NOW - datetime.timedelta(days=1)):
        frame = s.sorted_frame(s.Frame(ids, s.UNIT_VILLAGE, s.period_of("year")))
        cache.set(s.snapshot_key(frame), s.dashboard(frame), s.SNAPSHOT_TIMEOUT)
        client.get("/work/dashboard/t/luoxi/")
        assert not _rendered(client.get("/work/dashboard/t/luoxi/"))
    with at(NOW):
        today = client.get("/work/dashboard/t/luoxi/")
    assert _rendered(today) and not today.context["from_snapshot"]
