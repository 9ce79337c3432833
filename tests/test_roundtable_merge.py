"""Merging a duplicate: only into an open issue of the same village, both rows locked, and the refusal shown
beside the form's field."""

import threading
import time

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import translation

from accounts.models import Membership
from roundtable import workflow
from roundtable.models import Stage, TimelineEntry
from roundtable.workflow import WorkflowError
from tests.factories import VillageFactory, make_user
from tests.roundtable_helpers import advance, raise_issue


@pytest.fixture(autouse=True)
def english():
    """Refusals are matched by their English text."""
    with translation.override("en"):
        yield


@pytest.mark.parametrize("closed", [Stage.CLOSED, Stage.REJECTED, Stage.WITHDRAWN, Stage.MERGED])
def test_merge_into_a_closed_issue_is_refused(village, cadre, supervisor, closed):
    target = advance(raise_issue(village, title="原件"), closed, cadre=cadre, supervisor=supervisor)
    issue = raise_issue(village)
    with pytest.raises(WorkflowError, match="must still be open") as refused:
        workflow.issue_merge(issue=issue, actor=cadre, target_issue=target)
    assert refused.value.field == "target_issue"
    issue.refresh_from_db()
    assert (issue.stage, issue.merged_into_id) == (Stage.RAISED, None)
    assert not TimelineEntry.objects.filter(issue=target, kind=TimelineEntry.Kind.COMMENT).exists()


def test_merge_reads_the_target_under_its_lock_not_as_the_caller_saw_it(village, cadre):
    """The caller's copy of the target is stale (it was rejected since): the locked row decides."""
    target = raise_issue(village, title="原件")
    stale = type(target).objects.get(pk=target.pk)
    workflow.issue_reject(issue=target, actor=cadre, reason="重复")
    issue = raise_issue(village)
    with pytest.raises(WorkflowError, match="must still be open"):
        workflow.issue_merge(issue=issue, actor=cadre, target_issue=stale)
    assert type(issue).objects.get(pk=issue.pk).stage == Stage.RAISED


def test_merge_into_an_issue_of_another_village_is_refused(village, other_village, cadre):
    issue = raise_issue(village)
    with pytest.raises(WorkflowError, match="same village"):
        workflow.issue_merge(issue=issue, actor=cadre, target_issue=raise_issue(other_village))
    assert type(issue).objects.get(pk=issue.pk).stage == Stage.RAISED


def test_merge_into_itself_is_refused(village, cadre):
    issue = raise_issue(village)
    with pytest.raises(WorkflowError, match="same village"):
        workflow.issue_merge(issue=issue, actor=cadre, target_issue=issue)
    assert type(issue).objects.get(pk=issue.pk).stage == Stage.RAISED


def test_merge_form_shows_the_refusal_beside_the_number(client, village, cadre):
    target = raise_issue(village, title="原件")
    workflow.issue_reject(issue=target, actor=cadre, reason="重复")
    issue = raise_issue(village)
    client.force_login(cadre)
    url = reverse("roundtable:issue_act", kwargs={"code": village.code, "pk": issue.pk, "move": "merge"})
    response = client.post(url, {"merge-target": str(target.pk)}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    form = next(a["form"] for a in response.context["actions"] if a["move"] == "merge")
    assert form.errors["target"] == [
        "The issue to merge into must still be open (not closed, merged, withdrawn or rejected)."
    ]
    assert f'value="{target.pk}"' in response.content.decode()
    issue.refresh_from_db()
    assert issue.stage == Stage.RAISED


# --- concurrency (PostgreSQL row locks) -------------------------------------------------------------


def _waiting_on_a_lock() -> bool:
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_merges_into_one_target_serialise(township):
    """One thread merges the target away and holds its lock; a merge into that target waits for it and is
    then refused, instead of reading the target as still open and merging into a merged issue."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL (SQLite serialises whole-database writes)")
    from django.db import transaction

    village = VillageFactory(township=township, code="merges")
    cadre = make_user(Membership.Role.CADRE, village=village)
    first, target, duplicate = (raise_issue(village, title=t) for t in ("最早", "原件", "重复"))
    holding, release = threading.Event(), threading.Event()
    results = {}

    def merge_target_away():
        try:
            with transaction.atomic():
                workflow.issue_merge(issue=target, actor=cadre, target_issue=first)
                holding.set()
                release.wait(20)
            results["away"] = "ok"
        finally:
            connection.close()

    def merge_into_target():
        try:
            workflow.issue_merge(issue=duplicate, actor=cadre, target_issue=target)
            results["into"] = "ok"
        except WorkflowError as exc:
            results["into"] = str(exc)
        finally:
            connection.close()

    away = threading.Thread(target=merge_target_away)
    away.start()
    assert holding.wait(20)
    into = threading.Thread(target=merge_into_target)
    with translation.override("en"):
        into.start()
    # Let the second merge reach the target's lock (or finish, if nothing made it wait).
    deadline = time.monotonic() + 20
    while into.is_alive() and not _waiting_on_a_lock() and time.monotonic() < deadline:
        time.sleep(0.05)
    release.set()
    away.join(20)
    into.join(20)
    assert results["away"] == "ok"
    assert results["into"] != "ok", "the merge read the target as open while it was being merged away"
    duplicate.refresh_from_db()
    target.refresh_from_db()
    assert (duplicate.stage, duplicate.merged_into_id) == (Stage.RAISED, None)
    assert (target.stage, target.merged_into_id) == (Stage.MERGED, first.pk)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_merges_of_a_pair_into_each_other_exactly_one_succeeds(township):
    """A into B and B into A at once: the pair is locked in one order, so one merge waits for the other and
    is refused; no cycle of merged issues, no deadlock."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL (SQLite serialises whole-database writes)")
    village = VillageFactory(township=township, code="pair")
    cadre = make_user(Membership.Role.CADRE, village=village)
    a, b = raise_issue(village, title="甲"), raise_issue(village, title="乙")
    barrier = threading.Barrier(2)
    results = []

    def attempt(issue, target_issue):
        try:
            barrier.wait()
            workflow.issue_merge(issue=issue, actor=cadre, target_issue=target_issue)
            results.append("ok")
        except WorkflowError:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=pair) for pair in ((a, b), (b, a))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results) == ["ok", "refused"]
    a.refresh_from_db()
    b.refresh_from_db()
    assert sorted([a.stage, b.stage]) == sorted([Stage.MERGED, Stage.RAISED])
