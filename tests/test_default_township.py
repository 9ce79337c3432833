"""The served township every page's header names is read once a minute per process, not on every page
(issue 13), and a township saved or deleted in this process is read again at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from villages import selectors
from villages.models import Township

pytestmark = pytest.mark.django_db


def _queries_for_township(ctx):
    return [q for q in ctx.captured_queries if '"villages_township"' in q["sql"]]


def test_pages_read_the_served_township_once(client, village):
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(3):
            response = client.get("/")
            assert village.township.name in response.content.decode()
    assert len(_queries_for_township(ctx)) <= 1  # the home page reads the township's villages by its pk


def test_a_rename_is_read_again_at_once_in_this_process(client, village):
    township = village.township
    assert selectors.default_township() == township
    township.name = "新名字镇"
    township.save()
    assert selectors.default_township().name == "新名字镇"
    assert "新名字镇" in client.get("/").content.decode()


def test_a_township_renamed_elsewhere_is_read_again_after_the_minute(village, monkeypatch):
    township = village.township
    assert selectors.default_township().name == township.name
    Township.objects.filter(pk=township.pk).update(name="别处改名")  # another process: no signal here
    assert selectors.default_township().name == township.name
    now = selectors.time.monotonic()
    monkeypatch.setattr(selectors.time, "monotonic", lambda: now + selectors.DEFAULT_TOWNSHIP_SECONDS + 1)
    assert selectors.default_township().name == "别处改名"


def test_a_deleted_township_is_forgotten(township):
    assert selectors.default_township() == township
    township.delete()
    assert selectors.default_township() is None
