"""Cancelling a meeting locks the issues on its agenda while it writes their timelines."""

import threading
import time

import pytest
from django.db import connection, transaction

from accounts.models import Membership
from roundtable import services, workflow
from roundtable.models import Stage, TimelineEntry
from tests.factories import VillageFactory, make_user
from tests.roundtable_helpers import advance, raise_issue


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
def test_cancelling_a_meeting_locks_the_issues_on_its_agenda(township):
    """While a cancellation writes an issue's timeline, a move on that issue waits for it to commit."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL (SQLite serialises whole-database writes)")
    village = VillageFactory(township=township, code="cancel")
    cadre = make_user(Membership.Role.CADRE, village=village)
    issue = advance(raise_issue(village), Stage.DELIBERATING, cadre=cadre)
    meeting = issue.agenda_items.get().meeting
    holding, release = threading.Event(), threading.Event()
    done = {}

    def cancel():
        try:
            with transaction.atomic():
                services.meeting_cancel(meeting=meeting, reason="下雨", actor=cadre)
                holding.set()
                release.wait(20)
            done["cancel"] = time.monotonic()
        finally:
            connection.close()

    def comment():
        try:
            workflow.issue_comment(issue=issue, actor=cadre, note="请尽快")
            done["comment"] = time.monotonic()
        finally:
            connection.close()

    first = threading.Thread(target=cancel)
    first.start()
    assert holding.wait(20)
    second = threading.Thread(target=comment)
    second.start()
    deadline = time.monotonic() + 20
    waited = False
    while second.is_alive() and time.monotonic() < deadline:
        if _waiting_on_a_lock():
            waited = True
            break
        time.sleep(0.05)
    release.set()
    first.join(20)
    second.join(20)
    assert waited, "the comment went ahead while the cancellation still held the issue"
    assert set(done) == {"cancel", "comment"}
    kinds = list(issue.timeline.order_by("pk").values_list("kind", flat=True))
    assert kinds[-2:] == [TimelineEntry.Kind.DEFERRED, TimelineEntry.Kind.COMMENT]
