"""PostgreSQL binds the parameters and prepares what a connection runs again and again (issue 13): the
planning of a page's queries is done once per connection, not on every page."""

import pytest
from django.conf import settings
from django.db import connection

from roundtable.models import Issue

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="PostgreSQL prepared statements"),
]


def _prepared(fragment: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall() if fragment in row[0]]


def test_a_query_run_again_is_prepared_with_its_parameters_bound_by_the_server(village):
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    assert isinstance(connection.connection.cursor(), ServerBindingCursor)
    assert (
        connection.connection.prepare_threshold
        == settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"]
    )
    issue = Issue.objects.create(village=village, title="路灯不亮", description="d", category="other")
    query = Issue.objects.filter(village_id=village.pk, pk=issue.pk).only("title")
    for _ in range(connection.connection.prepare_threshold - 1):
        assert query.get().title == "路灯不亮"
    assert not _prepared('"roundtable_issue"."title"')
    for _ in range(2):
        assert query.get().title == "路灯不亮"
    [statement] = _prepared('"roundtable_issue"."title"')
    assert "$1" in statement and str(village.pk) not in statement.split("WHERE")[1]


def test_prepared_statements_can_be_turned_off_for_a_pooler(monkeypatch):
    """DJANGO_DB_PREPARE=0 (pgbouncer in transaction mode): client-side binding, nothing prepared."""
    import importlib

    import config.settings as portal_settings

    monkeypatch.setenv("DJANGO_DB_PREPARE", "0")
    try:
        off = importlib.reload(portal_settings).DATABASES["default"]["OPTIONS"]
    finally:
        monkeypatch.delenv("DJANGO_DB_PREPARE")
        on = importlib.reload(portal_settings).DATABASES["default"]["OPTIONS"]
    assert "server_side_binding" not in off and "prepare_threshold" not in off
    assert on["server_side_binding"] is True and on["prepare_threshold"] == 5
    # The trigram threshold of the likely duplicates is set either way
    assert "pg_trgm.similarity_threshold=0.15" in off["options"] == on["options"]
