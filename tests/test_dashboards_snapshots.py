"""Snapshots of the default dashboard views: equal to the live figures, served with the time they were
computed, never for another day, refreshed by Celery beat."""

import datetime

import pytest
from django.conf import settings

from accounts.models import Membership
from dashboards import selectors as s
from dashboards import services, tasks
from roundtable.models import Stage
from tests.dashboards_helpers import NOW, at, build_world, carry
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
