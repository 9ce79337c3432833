"""The workspace search on PostgreSQL: a page is read from the scope's newest matters when they hold it,
else from the indexes; the pages are the same either way, and never leave the scope."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from core.pagination import CappedPaginator
from portal import views as portal_views
from roundtable import selectors
from roundtable.models import Issue, Stage
from tests.factories import VillageFactory, make_user
from tests.roundtable_helpers import pages_seen, raise_issue

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="the indexes and the walk are PostgreSQL's"),
]


@pytest.fixture(params=["district", "villages"])
def wide(monkeypatch, request):
    """Both ways of reading the newest matters: a district's (the created_at index) and a few villages'
    (each village's newest, merged); a newest-first window small enough to run out, and in the villages'
    way smaller than a village, so that the busier village's window ends later than the other's."""
    monkeypatch.setattr(selectors, "KEYED_VILLAGES_MAX", 1 if request.param == "district" else 30)
    monkeypatch.setattr(selectors, "SEARCH_WALK_ROWS", 40 if request.param == "district" else 20)


@pytest.fixture
def history(village, other_village):
    """Seventy matters, two in three in one village, newest last; every other one mentions 路灯 (in the
    title or the description), ties of creation time included."""
    now = timezone.now()
    rows = []
    for n in range(70):
        lamp = n % 2 == 0
        rows.append(
            Issue(
                village=village if n % 3 else other_village,
                title=f"村道路灯{n}" if lamp and n % 4 else f"事项{n}",
                description="晚上路灯不亮" if lamp and not n % 4 else "描述",
                category="other",
                stage=Stage.RAISED,
                tracking_code=f"W{n:011d}",
                created_at=now - datetime.timedelta(hours=70 - n // 2),
            )
        )
    # The newest matters of all are in a village outside the scope: never found, never taking places.
    outside = VillageFactory(township=village.township, name="外村", code="outside")
    rows += [
        Issue(
            village=outside,
            title=f"外村路灯{n}",
            description="描述",
            category="other",
            stage=Stage.RAISED,
            tracking_code=f"X{n:011d}",
            created_at=now,
        )
        for n in range(5)
    ]
    Issue.objects.bulk_create(rows)
    return [village.pk, other_village.pk]


def _expected(village_ids, word):
    return list(
        Issue.objects.filter(village_id__in=village_ids)
        .filter(Q(title__contains=word) | Q(description__contains=word))
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
    )


def test_pages_read_newest_first_equal_the_indexes_pages_and_visit_every_match_once(wide, history):
    search = selectors.staff_search(text="路灯", village_ids=history, personal_village_ids=frozenset())
    assert isinstance(search, selectors.NewestFirstSearch)
    paginator = CappedPaginator(search, 3, cap=5)
    with CaptureQueriesContext(connection) as counting:
        assert paginator.capped  # six matches among the newest matters
    # Counted among the newest matters, in one query that never asks the grams index of the history.
    reads = [q["sql"] for q in counting.captured_queries if "roundtable_issue" in q["sql"]]
    assert len(reads) == 1 and "ORDER BY created_at DESC" in reads[0] and "tongxin" not in reads[0]
    seen, ways, number = [], [], 1
    while True:
        page = paginator.get_page(number)
        seen += [issue.pk for issue in page]
        ways.append(search.walked)
        assert all(issue.village.pk in history for issue in page)  # villages fetched for the page
        if not page.has_next():
            break
        number += 1
    assert seen == _expected(history, "路灯") and len(seen) == 35
    assert not Issue.objects.filter(pk__in=seen, title__startswith="外村").exists()
    # The first pages come from the newest forty matters; the deeper ones from the indexes.
    assert ways[0] is True and ways[1] is True and ways[-1] is False


def test_a_word_rarer_than_the_cap_is_counted_exactly_by_the_indexes(wide, history):
    Issue.objects.filter(pk=_expected(history, "路灯")[-1]).update(title="水渠堵塞")  # the oldest lamp
    search = selectors.staff_search(text="水渠", village_ids=history, personal_village_ids=frozenset())
    paginator = CappedPaginator(search, 5, cap=10)
    assert paginator.count == 1 and not paginator.capped
    assert [i.title for i in paginator.get_page(1)] == ["水渠堵塞"]
    assert search.walked is False


def test_the_search_page_in_a_district_pages_through_and_finds_raisers_only_as_cadre(
    client, wide, village, other_village, monkeypatch
):
    monkeypatch.setattr(portal_views, "SEARCH_COUNT_CAP", 3)
    for n in range(8):
        raise_issue(village if n % 2 else other_village, title=f"路灯坏了{n}", consent=True)
    named = raise_issue(
        village, title="桥栏杆松动", description="栏杆晃动", raiser_name="林美华", consent=True
    )
    cadre = make_user(Membership.Role.CADRE, village=village)
    Membership.objects.create(user=cadre, village=other_village, role=Membership.Role.CADRE)
    client.force_login(cadre)
    url = reverse("workspace:search")
    first = client.get(url, {"q": "路灯"})
    assert "超过 3 件事项" in first.text or "More than 3 issues" in first.text
    seen = pages_seen(client, url, {"q": "路灯"})
    assert seen == _expected([village.pk, other_village.pk], "路灯") and len(seen) == 8
    assert [i.pk for i in client.get(url, {"q": "林美华"}).context["page"]] == [named.pk]
    official = make_user(Membership.Role.OFFICIAL, township=village.township)
    client.force_login(official)
    assert list(client.get(url, {"q": "林美华"}).context["page"]) == []


def _scope_newest_first(village_ids):
    return list(
        Issue.objects.filter(village_id__in=village_ids)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
    )


def test_a_scope_smaller_than_the_walk_is_counted_and_paged_from_one_walk(wide, history, monkeypatch):
    """The walk reads the whole scope: its numbers are every match, counted exactly, and every page is
    fetched by number; the indexes are never asked."""
    monkeypatch.setattr(selectors, "SEARCH_WALK_ROWS", 500)
    search = selectors.staff_search(text="路灯", village_ids=history, personal_village_ids=frozenset())
    paginator = CappedPaginator(search, 10, cap=50)
    with CaptureQueriesContext(connection) as queries:
        assert paginator.count == 35 and not paginator.capped
        seen = []
        for number in paginator.page_range:
            page = paginator.page(number)
            assert search.walked is True
            seen += [issue.pk for issue in page]
    assert seen == _expected(history, "路灯")
    assert not any("tongxin" in q["sql"] for q in queries.captured_queries)
    assert sum("ORDER BY created_at DESC" in q["sql"] for q in queries.captured_queries) == 1


def test_a_walk_whose_last_matter_matches_still_knows_it_did_not_read_the_whole_scope(wide, history):
    """The walk's last place holds a match and an older match lies beyond it: the count is the indexes'
    (both), not the walk's one."""
    newest = _scope_newest_first(history)
    last_place, older = newest[selectors.SEARCH_WALK_ROWS - 1], newest[selectors.SEARCH_WALK_ROWS + 5]
    Issue.objects.filter(pk__in=[last_place, older]).update(title="水渠堵塞", description="描述")
    search = selectors.staff_search(text="水渠", village_ids=history, personal_village_ids=frozenset())
    paginator = CappedPaginator(search, 5, cap=10)
    assert paginator.count == 2 and not paginator.capped
    assert [i.pk for i in paginator.get_page(1)] == [last_place, older]
    assert search.walked is False
