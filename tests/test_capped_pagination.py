"""The cadre's issue list counts at most a cap of rows: under the cap the total is exact, over it the
page says "more than", and the pages still visit every issue exactly once, newest first."""

import re

import pytest
from django.urls import reverse

from accounts.models import Membership
from core import pagination
from core.pagination import CappedPaginator
from roundtable.models import Issue, Stage
from tests.factories import make_user
from tests.roundtable_helpers import pages_seen

pytestmark = pytest.mark.django_db


def _issues(village, n, *, title="事项"):
    Issue.objects.bulk_create(
        [
            Issue(
                village=village,
                title=f"{title}{i}",
                description="d",
                category="other",
                stage=Stage.RAISED if i % 3 else Stage.CLOSED,
                tracking_code=f"CAP{village.pk:03d}{i:06d}",
            )
            for i in range(n)
        ]
    )


def _newest_first(village):
    return list(
        Issue.objects.filter(village=village).order_by("-created_at", "-pk").values_list("pk", flat=True)
    )


def test_under_the_cap_it_is_djangos_paginator_with_the_exact_count(village):
    _issues(village, 7)
    paginator = CappedPaginator(Issue.objects.filter(village=village).order_by("-pk"), 3, cap=7)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (7, False, 3)
    assert [len(paginator.page(n)) for n in (1, 2, 3)] == [3, 3, 1]
    assert paginator.get_page(99).number == 3


def test_over_the_cap_pages_visit_every_row_once(village, django_assert_num_queries):
    _issues(village, 11)
    qs = Issue.objects.filter(village=village).order_by("-created_at", "-pk")
    paginator = CappedPaginator(qs, 3, cap=4)
    with django_assert_num_queries(1):
        assert paginator.count == 5  # counted over LIMIT cap+1, never the whole list
    assert paginator.capped
    seen, number = [], 1
    while True:
        page = paginator.get_page(number)
        assert page.number == number and page.start_index() == (number - 1) * 3 + 1
        seen += [issue.pk for issue in page]
        assert page.end_index() == len(seen)
        if not page.has_next():
            break
        number = page.next_page_number()
    assert seen == _newest_first(village) and len(seen) == 11
    assert number == 4 and page.has_previous() and page.has_other_pages()
    # Past the end, a page number that is not a number, or one no offset can take: a page, never an error.
    assert paginator.get_page(5).number == paginator.num_pages == 2
    assert paginator.get_page("x").number == 1
    assert paginator.get_page(0).number == 2
    assert paginator.get_page("9" * 30).number == 2


def _cadre_client(client, village):
    client.force_login(make_user(Membership.Role.CADRE, village=village))
    return client


def _list(client, village, query=""):
    response = client.get(reverse("roundtable:issues", kwargs={"code": village.code}) + query)
    assert response.status_code == 200
    return response


def test_cadre_list_total_equals_the_live_count_under_the_cap(client, village, other_village):
    _issues(village, 30)
    _issues(other_village, 5)
    html = _list(_cadre_client(client, village), village).text
    live = Issue.objects.filter(village=village).count()
    assert live == 30
    assert re.search(r"共 30 件|30 issues", html)
    assert "第 1 页，共 2 页" in html or "Page 1 of 2" in html
    filtered = _list(client, village, f"?stage={Stage.CLOSED}").text
    assert re.search(r"共 10 件|10 issues", filtered)


def test_cadre_list_over_the_cap_says_more_than_and_pages_through_everything(client, village, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 20)
    _issues(village, 60)
    _cadre_client(client, village)
    first = _list(client, village)
    assert "超过 20 件事项" in first.text or "More than 20 issues" in first.text
    assert "第 1 页" in first.text and "共 3 页" not in first.text
    seen, number = [], 1
    while True:
        page = _list(client, village, f"?page={number}").context["page"]
        seen += [issue.pk for issue in page]
        if not page.has_next():
            break
        assert f"page={number + 1}" in _list(client, village, f"?page={number}").text
        number += 1
    assert seen == _newest_first(village)
    assert number == 3  # 25 a page
    # A filter that narrows the list under the cap shows its exact count again.
    narrowed = _list(client, village, f"?stage={Stage.CLOSED}").text
    assert re.search(r"共 20 件|20 issues", narrowed)


def test_staff_search_over_the_cap_says_more_than_and_pages_through_every_match(
    client, village, other_village, monkeypatch
):
    """The workspace search counts its matches up to its cap, like the cadre's list: a district official's
    common word never counts every match of the district."""
    from portal import views as portal_views

    monkeypatch.setattr(portal_views, "SEARCH_COUNT_CAP", 20)
    _issues(village, 40, title="路灯")
    _issues(other_village, 5, title="水渠")
    client.force_login(make_user(Membership.Role.CADRE, village=village))
    url = reverse("workspace:search")
    first = client.get(url, {"q": "路灯"})
    assert "超过 20 件事项" in first.text or "More than 20 issues" in first.text
    seen = pages_seen(client, url, {"q": "路灯"})
    assert sorted(seen) == sorted(Issue.objects.filter(village=village).values_list("pk", flat=True))
    assert len(seen) == len(set(seen)) == 40
    under = client.get(url, {"q": "路灯1"}).text  # 路灯1, 路灯10…路灯19: under the cap, the exact count
    assert re.search(r"共 11 件|11 issues", under)


@pytest.mark.django_db
def test_the_count_reads_numbers_only_and_still_counts_what_an_annotation_filters(village):
    """The count compiles and reads no column, join or annotation the page shows (a meeting list's three
    counts were compiled and run for its count too); an annotation the list filters on still filters."""
    from django.db import connection
    from django.db.models import Count, Q
    from django.test.utils import CaptureQueriesContext

    from roundtable.models import Opinion

    _issues(village, 7)
    for issue in Issue.objects.filter(village=village).order_by("pk")[:3]:
        Opinion.objects.create(issue=issue, party="甲", stance="support", text="好")
    rows = (
        Issue.objects.filter(village=village)
        .select_related("village")
        .annotate(
            n_opinions=Count("opinions"), supported=Count("opinions", filter=Q(opinions__stance="support"))
        )
        .order_by("-created_at")
    )
    with CaptureQueriesContext(connection) as ctx:
        assert CappedPaginator(rows, 5).count == 7
    sql = ctx.captured_queries[0]["sql"]
    assert "villages_village" not in sql and "ORDER BY" not in sql and "supported" not in sql
    # The meeting list: its attendance and agenda counts (subqueries) are not in its count.
    from dashboards.selectors import meeting_rows
    from tests.roundtable_helpers import make_roundtable, schedule

    roundtable = make_roundtable(village)
    for hours in (1, 2, 3):
        schedule(roundtable, hours_ago=hours)
    meetings = meeting_rows(village_ids=[village.pk], page=True)
    with CaptureQueriesContext(connection) as ctx:
        assert CappedPaginator(meetings, 2).count == 3
    sql = ctx.captured_queries[0]["sql"]
    assert "roundtable_attendance" not in sql and "roundtable_agendaitem" not in sql
    assert CappedPaginator(rows.filter(n_opinions__gt=0), 5).count == 3
    assert CappedPaginator(rows.filter(n_opinions__gt=0), 2, cap=2).count == 3  # over the cap: cap + 1
