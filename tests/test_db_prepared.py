"""PostgreSQL binds the parameters; the pages that read by keys (a matter's page, the tracking page) also
prepare what a connection runs again and again, so it is planned once per connection, not on every page;
every other page is planned for its values every time (issue 13)."""

import pytest
from django.conf import settings
from django.db import connection

from core.db import prepared_statements
from roundtable.models import Issue

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="PostgreSQL prepared statements"),
]


def _prepared(fragment: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall() if fragment in row[0]]


def test_a_key_read_run_again_in_the_block_is_prepared_with_its_parameters_bound_by_the_server(village):
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    assert isinstance(connection.connection.cursor(), ServerBindingCursor)
    assert settings.DB_PREPARE_THRESHOLD == 5
    issue = Issue.objects.create(village=village, title="路灯不亮", description="d", category="other")
    query = Issue.objects.filter(village_id=village.pk, pk=issue.pk).only("title")
    for _ in range(10):  # outside the block: never prepared
        assert query.get().title == "路灯不亮"
    assert not _prepared('"roundtable_issue"."title"')
    with prepared_statements():
        for _ in range(settings.DB_PREPARE_THRESHOLD + 1):
            assert query.get().title == "路灯不亮"
    [statement] = _prepared('"roundtable_issue"."title"')
    assert "$1" in statement and f"= {village.pk}" not in statement
    assert connection.connection.prepare_threshold is None  # the block is over


def test_the_matter_page_prepares_and_a_list_of_the_dashboards_does_not(client, village, cadre, township):
    """A generic plan of a dashboard's list, planned without its villages and its moment, took 16 ms where
    the plan for its values took 1 (1,000,000 matters): its queries are never prepared."""
    from accounts.models import Membership
    from tests.factories import make_user

    issue = Issue.objects.create(village=village, title="路灯不亮", description="d", category="other")
    client.force_login(cadre)
    for _ in range(settings.DB_PREPARE_THRESHOLD + 2):
        assert client.get(f"/work/v/{village.code}/issues/{issue.pk}/").status_code == 200
    assert _prepared('FROM "roundtable_issue"')
    client.force_login(make_user(Membership.Role.OFFICIAL, township=township))
    before = set(_prepared("roundtable_issue"))
    for _ in range(settings.DB_PREPARE_THRESHOLD + 2):
        assert client.get("/work/dashboard/overdue/").status_code == 200
        assert client.get("/work/overdue/").status_code == 200
    assert set(_prepared("roundtable_issue")) == before


def test_prepared_statements_can_be_turned_off_for_a_pooler(monkeypatch):
    """DJANGO_DB_PREPARE=0 (pgbouncer in transaction mode): client-side binding, nothing prepared."""
    import importlib

    import config.settings as portal_settings

    monkeypatch.setenv("DJANGO_DB_PREPARE", "0")
    try:
        off = importlib.reload(portal_settings)
        off = (off.DATABASES["default"]["OPTIONS"], off.DB_PREPARE_THRESHOLD)
    finally:
        monkeypatch.delenv("DJANGO_DB_PREPARE")
        on = importlib.reload(portal_settings)
        on = (on.DATABASES["default"]["OPTIONS"], on.DB_PREPARE_THRESHOLD)
    assert "server_side_binding" not in off[0] and off[1] is None
    assert on[0]["server_side_binding"] is True and on[1] == 5
    # The trigram threshold of the likely duplicates is set either way
    assert "pg_trgm.similarity_threshold=0.15" in off[0]["options"] == on[0]["options"]


def test_the_search_walk_is_prepared_and_the_index_search_is_not(client, village, township, monkeypatch):
    """The search's walk has one plan whatever its values (sorts and bitmaps off): prepared. A rare word's
    count and page through the indexes depend on the word: never prepared."""
    from accounts.models import Membership
    from roundtable import selectors
    from tests.factories import make_user
    from tests.roundtable_helpers import raise_issue

    raise_issue(village, title="水渠堵塞")
    for n in range(6):
        raise_issue(village, title=f"村道路灯损坏{n}")
    monkeypatch.setattr(selectors, "SEARCH_WALK_ROWS", 4)  # the rare word lies beyond the walk
    client.force_login(make_user(Membership.Role.OFFICIAL, township=township))
    for _ in range(settings.DB_PREPARE_THRESHOLD + 2):
        assert client.get("/work/search/", {"q": "路灯"}).status_code == 200
    assert _prepared("row_number()")
    for _ in range(settings.DB_PREPARE_THRESHOLD + 2):
        response = client.get("/work/search/", {"q": "水渠"})
        assert [i.title for i in response.context["page"]] == ["水渠堵塞"]
        assert response.context["page"].paginator.object_list.walked is False  # read through the indexes
    assert not [s for s in _prepared("LIKE") if "row_number()" not in s]


def test_the_search_walk_of_whole_rows_is_not_prepared(client, village, township, monkeypatch):
    """A page past the counted matches walks again for whole rows (``SELECT *``): never prepared, as a
    prepared ``*`` fails once a migration adds a column to the table."""
    import portal.views
    from accounts.models import Membership
    from tests.factories import make_user
    from tests.roundtable_helpers import raise_issue

    for n in range(8):
        raise_issue(village, title=f"村道路灯损坏{n}")
    monkeypatch.setattr(portal.views, "SEARCH_PAGE_SIZE", 2)
    monkeypatch.setattr(portal.views, "SEARCH_COUNT_CAP", 3)
    client.force_login(make_user(Membership.Role.OFFICIAL, township=township))
    for _ in range(settings.DB_PREPARE_THRESHOLD + 2):
        response = client.get("/work/search/", {"q": "路灯", "page": "3"})
        assert len(response.context["page"]) == 2
        assert response.context["page"].paginator.object_list.walked is True  # walked again, whole rows
    assert _prepared("row_number()")  # the count's walk
    assert not _prepared("roundtable_issue.*")


def test_a_block_inside_a_block_leaves_the_outer_one_preparing():
    connection.ensure_connection()
    with prepared_statements():
        with prepared_statements():
            assert connection.connection.prepare_threshold == settings.DB_PREPARE_THRESHOLD
        assert connection.connection.prepare_threshold == settings.DB_PREPARE_THRESHOLD
    assert connection.connection.prepare_threshold is None
