"""Whole public pages kept for anonymous visitors (core.pagecache): what is served from the copy, what never
is (signed-in users, messages, queries, htmx), the per-response parts (CSRF token, the form's time trap),
and the services that mark the copies stale at once."""

import datetime
import os
import re
import uuid
from decimal import Decimal

import pytest
import time_machine
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpRequest
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import cache as core_cache
from core import pagecache
from noticeboard import services as board
from projects import services as registry
from roundtable.models import Issue, Stage
from tests.factories import make_user
from tests.factories_noticeboard import BriefingFactory
from tests.roundtable_helpers import advance, raise_issue

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("REDIS_URL", "")
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SHOWN = re.compile(r'name="shown" value="([^"]+)"')
VILLAGE = "/v/xindong/"
SUBMIT = "/v/xindong/submit/"


def _redis(settings, location):
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": f"t{uuid.uuid4().hex}",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.fixture(params=["db", "redis"])
def kept(request, settings):
    """The page cache on the test suite's database cache, and on Redis when REDIS_URL is set (as in CI)."""
    if request.param == "redis":
        if not REDIS_URL:
            pytest.skip("REDIS_URL is not set")
        _redis(settings, REDIS_URL)
    return request.param


@pytest.fixture
def redis_cache(settings):
    if not REDIS_URL:
        pytest.skip("REDIS_URL is not set")
    _redis(settings, REDIS_URL)


def tokens(html: str) -> set[str]:
    return set(TOKEN.findall(html))


def masked(html: str) -> str:
    """The page with its per-response parts blanked."""
    return SHOWN.sub('name="shown" value=""', TOKEN.sub('name="csrfmiddlewaretoken" value=""', html))


def queries(client, path, **kwargs):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **kwargs)
    return response, len(captured)


# --- served from the copy -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", VILLAGE, SUBMIT, "/submit/", "/briefings/", "/v/xindong/consult/"])
def test_second_visit_is_served_from_the_copy_without_queries(client, village, redis_cache, path):
    first, first_queries = queries(client, path)
    second, second_queries = queries(client, path)
    assert first.status_code == second.status_code == 200
    assert first_queries > 0
    assert second_queries == 0
    assert masked(second.content.decode()) == masked(first.content.decode())


def test_copy_is_the_page_a_render_gives_headers_included(client, village, kept):
    client.get(VILLAGE)  # the first visit gets its CSRF cookie: its page is not one a phone may keep
    hit = client.get(VILLAGE)
    pagecache.village_changed(village.code)
    miss = client.get(VILLAGE)
    assert masked(hit.content.decode()) == masked(miss.content.decode())
    for header in ("Content-Type", "Vary", "Content-Language", "Cache-Control", "Content-Security-Policy"):
        assert hit[header] == miss[header], header
    assert set(hit["Cache-Control"].split(", ")) == {"private", "max-age=60"}


def test_head_is_answered_from_the_copy(client, village, redis_cache):
    client.get(VILLAGE)
    response, n = queries(client, VILLAGE, REQUEST_METHOD="HEAD")
    assert response.status_code == 200 and n == 0


# --- the per-response parts ---------------------------------------------------------------------------


def test_token_on_a_copy_is_fresh_and_sets_the_cookie(village, kept):
    Client().get(VILLAGE)  # another visitor fills the cache
    visitor = Client(enforce_csrf_checks=True)
    response = visitor.get(VILLAGE)
    found = tokens(response.content.decode())
    assert len(found) == 1
    cookie = response.cookies["csrftoken"].value
    assert _unmask_cipher_token(found.pop()) == cookie


def test_two_visitors_get_different_tokens_from_one_copy(village, kept):
    first, second = Client(), Client()
    page1 = first.get(VILLAGE).content.decode()
    page2 = second.get(VILLAGE).content.decode()
    secret1 = _unmask_cipher_token(tokens(page1).pop())
    secret2 = _unmask_cipher_token(tokens(page2).pop())
    assert secret1 != secret2
    assert first.cookies["csrftoken"].value == secret1 and second.cookies["csrftoken"].value == secret2


def test_language_switch_posts_with_the_token_of_a_copy(village, kept):
    Client().get("/")
    visitor = Client(enforce_csrf_checks=True)
    token = tokens(visitor.get("/").content.decode()).pop()
    response = visitor.post("/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert '<html lang="en"' in visitor.get("/").content.decode()


def test_text_size_switch_posts_with_the_token_of_a_copy(village, kept):
    Client().get(VILLAGE)
    visitor = Client(enforce_csrf_checks=True)
    token = tokens(visitor.get(VILLAGE).content.decode()).pop()
    response = visitor.post("/text-size/", {"size": "large", "next": VILLAGE, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert 'class="text-large"' in visitor.get(VILLAGE).content.decode()


def test_resident_form_from_a_copy_is_accepted(village, kept):
    Client().get(SUBMIT)
    visitor = Client(enforce_csrf_checks=True)
    html = visitor.get(SUBMIT).content.decode()
    data = {
        "title": "路灯坏了",
        "description": "村口路灯坏了两个月",
        "category": "public_service",
        "csrfmiddlewaretoken": tokens(html).pop(),
        "shown": SHOWN.search(html).group(1),
    }
    assert visitor.post(SUBMIT, data).status_code == 302
    assert Issue.objects.count() == 1


def test_time_trap_of_a_copy_is_fresh(client, village, settings, kept):
    settings.SUBMIT_MIN_SECONDS = 3
    data = {"title": "路灯坏了", "description": "村口路灯坏了两个月", "category": "public_service"}
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        first = SHOWN.search(Client().get(SUBMIT).content.decode()).group(1)  # kept now
        traveller.shift(datetime.timedelta(seconds=30))
        html = client.get(SUBMIT).content.decode()  # served from the copy 30 s later
        stamp = SHOWN.search(html).group(1)
        assert stamp != first
        response = client.post(SUBMIT, {**data, "shown": stamp})  # at once: no person is that fast
        assert response.status_code == 200 and Issue.objects.count() == 0
        traveller.shift(datetime.timedelta(seconds=4))
        assert client.post(SUBMIT, {**data, "shown": stamp}).status_code == 302
    assert Issue.objects.count() == 1


def test_placeholders_differ_between_renderings(village, kept):
    """A placeholder is drawn for each rendering: text stored earlier cannot contain the next one."""
    seen = set()
    for _ in range(2):
        token = pagecache._rendering.set({})
        try:
            pagecache.fresh("roundtable.submit.shown")
            seen.add(pagecache._rendering.get()["roundtable.submit.shown"])
        finally:
            pagecache._rendering.reset(token)
    assert len(seen) == 2


# --- never served from a copy, never kept ---------------------------------------------------------


def test_signed_in_user_never_gets_a_copy_nor_fills_one(client, village, redis_cache):
    cadre = make_user("cadre", village=village)
    Client().get(VILLAGE)
    client.force_login(cadre)
    assert "工作台" in client.get(VILLAGE).content.decode()  # the workspace link: not the anonymous copy
    pagecache.village_changed(village.code)
    client.get(VILLAGE)
    client.logout()
    _page, n = queries(client, VILLAGE)
    assert n > 0  # the signed-in visit left no copy behind


def _with_message(client, text):
    request = HttpRequest()
    storage = CookieStorage(request)
    client.cookies["messages"] = storage._encode([Message(constants.SUCCESS, text)])


def test_page_with_a_message_waiting_is_not_served_from_a_copy(client, village, kept):
    Client().get(VILLAGE)  # a copy, without the message
    _with_message(client, "谢谢您的意见")
    assert "谢谢您的意见" in client.get(VILLAGE).content.decode()
    assert "谢谢您的意见" not in Client().get(VILLAGE).content.decode()


def test_page_with_a_message_is_not_kept(client, village, redis_cache):
    _with_message(client, "谢谢您的意见")
    client.get(VILLAGE)
    other = Client()
    response, n = queries(other, VILLAGE)
    assert n > 0 and "谢谢您的意见" not in response.content.decode()


@pytest.mark.parametrize("query", ["?x=1", "?page=1&page=2", "?status=open", "?page=" + "9" * 20])
def test_query_string_is_not_kept(client, village, redis_cache, query):
    client.get(VILLAGE + query)
    _page, n = queries(client, VILLAGE + query)
    assert n > 0


def test_listed_query_parameter_is_kept_per_value(client, village, redis_cache):
    client.get("/briefings/?page=2")
    _page, n = queries(client, "/briefings/?page=2")
    assert n == 0
    _page, n = queries(client, "/briefings/?page=3")
    assert n > 0


def test_htmx_request_is_not_served_from_a_copy(client, village, redis_cache):
    client.get(VILLAGE)
    _page, n = queries(client, VILLAGE, HTTP_HX_REQUEST="true")
    assert n > 0


def test_language_and_text_size_have_copies_of_their_own(client, village, kept):
    assert '<html lang="zh-CN"' in client.get(VILLAGE).content.decode()
    assert '<html lang="en"' in client.get(VILLAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="zh-CN"' in client.get(VILLAGE).content.decode()
    client.cookies["tongxin_text"] = "large"
    assert 'class="text-large"' in client.get(VILLAGE).content.decode()
    client.cookies["tongxin_text"] = "normal"
    assert "text-large" not in client.get(VILLAGE).content.decode()


def test_page_is_served_while_the_cache_is_unreachable(client, village, settings, monkeypatch):
    monkeypatch.setattr(core_cache._ResilientClient, "_down_until", 0.0)
    _redis(settings, "redis://127.0.0.1:1/0")
    for path in ("/", VILLAGE, SUBMIT):
        first, second = client.get(path), client.get(path)
        assert first.status_code == second.status_code == 200
        assert len(tokens(second.content.decode())) >= 1


def test_page_is_served_when_the_cache_fails(client, village, monkeypatch):
    class Broken:
        def __getattr__(self, name):
            raise ConnectionError("cache down")

    monkeypatch.setattr(pagecache, "cache", Broken())  # the page cache's only: the fragment's still works
    response = client.get(VILLAGE)
    assert response.status_code == 200 and "新东村" in response.content.decode()


# --- changes show at once ---------------------------------------------------------------------------


def test_workflow_moves_show_on_the_village_page_at_once(
    client, village, kept, django_capture_on_commit_callbacks
):
    cadre = make_user("cadre", village=village)
    open_count = "<strong>{}</strong> <span>matters open"
    assert open_count.format(0) in client.get(VILLAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        issue = raise_issue(village)
    assert open_count.format(1) in client.get(VILLAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "同意修复" not in client.get(VILLAGE).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        advance(issue, Stage.DECIDED, cadre=cadre)
    assert "同意修复" in client.get(VILLAGE).content.decode()  # among the recent decisions


def test_stamp_renewed_at_commit_drops_a_copy_made_before_the_commit(client, village, kept, monkeypatch):
    """A page rendered by another process between a change and its commit shows the old state under the
    stamp renewed at the change; the stamp renewed again at the commit drops that copy."""
    callbacks = []
    monkeypatch.setattr(pagecache.stamped.transaction, "on_commit", callbacks.append)
    pagecache.village_changed(village.code)  # the change, not committed yet
    client.get(VILLAGE)  # rendered meanwhile: the old state
    BriefingFactory(township=village.township, village=village, published=True, title="会前通报")  # committed
    assert "会前通报" not in client.get(VILLAGE).content.decode()  # still the copy
    for callback in callbacks:
        callback()
    assert "会前通报" in client.get(VILLAGE).content.decode()


def test_briefing_published_shows_at_once(client, village, kept):
    cadre = make_user("cadre", village=village)
    briefing = board.briefing_create(
        author=cadre, township=village.township, village=village, title="五月工作通报", body="正文"
    )
    assert "五月工作通报" not in client.get(VILLAGE).content.decode()
    assert "五月工作通报" not in client.get("/v/xindong/briefings/").content.decode()
    board.briefing_publish(briefing=briefing, actor=cadre)
    assert "五月工作通报" in client.get(VILLAGE).content.decode()
    assert "五月工作通报" in client.get("/v/xindong/briefings/").content.decode()
    board.briefing_withdraw(briefing=briefing, actor=cadre)
    assert "五月工作通报" not in client.get(VILLAGE).content.decode()


def test_briefings_show_on_the_township_list_at_once(client, village, kept):
    official = make_user("official", township=village.township)
    cadre = make_user("cadre", village=village)
    own = board.briefing_create(author=official, township=village.township, title="全镇通报", body="正文")
    theirs = board.briefing_create(
        author=cadre, township=village.township, village=village, title="村务通报", body="正文"
    )
    assert "全镇通报" not in client.get("/briefings/").content.decode()
    board.briefing_publish(briefing=own, actor=official)
    assert "全镇通报" in client.get("/briefings/").content.decode()
    board.briefing_publish(briefing=theirs, actor=cadre)
    assert "村务通报" in client.get("/briefings/").content.decode()


def test_suggestion_counts_show_at_once(client, village, kept):
    client.get(VILLAGE)
    board.suggestion_submit(village=village, text="建议修路")
    assert "1 received" in client.get(VILLAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_project_added_shows_at_once(client, village, kept):
    assert "茶园观光" not in client.get(VILLAGE).content.decode()
    registry.project_create(
        village=village,
        name="茶园观光",
        category="tourism",
        status="planning",
        is_public=True,
        fundings=[{"source": "fiscal", "amount_intended": Decimal("10"), "amount_landed": Decimal("0")}],
    )
    assert "茶园观光" in client.get(VILLAGE).content.decode()


def test_group_added_in_the_admin_shows_on_the_home_at_once(client, village, kept):
    admin = make_user(is_staff=True, is_superuser=True)
    assert "第三村民小组" not in client.get(VILLAGE).content.decode()
    home = client.get("/").content.decode()
    staff = Client()
    staff.force_login(admin)
    response = staff.post(
        "/admin/villages/villagegroup/add/",
        {"village": village.pk, "name": "第三村民小组", "kind": "group", "households": "30", "order": "3"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "第三村民小组" in client.get(VILLAGE).content.decode()
    assert client.get("/").content.decode() != home  # three groups now


def test_registry_entries_show_and_go_at_once(client, village, kept):
    client.get(VILLAGE)
    cooperative = registry.cooperative_save(village=village, name="金溪茶叶合作社", kind="food", members=12)
    assert "金溪茶叶合作社" in client.get(VILLAGE).content.decode()
    registry.resource_save(village=village, name="古樟树群", kind="natural")
    assert "古樟树群" in client.get(VILLAGE).content.decode()
    registry.registry_entry_delete(village=village, entry=cooperative)
    assert "金溪茶叶合作社" not in client.get(VILLAGE).content.decode()


def test_roundtable_and_meeting_changes_show_at_once(client, village, kept):
    from roundtable import services as roundtable_services

    client.get(VILLAGE)
    roundtable = roundtable_services.roundtable_create(village=village, name="第一组圆桌会")
    assert "第一组圆桌会" in client.get(VILLAGE).content.decode()
    meeting = roundtable_services.meeting_schedule(
        roundtable=roundtable, starts_at=timezone.now() + datetime.timedelta(days=3), place="祠堂议事厅"
    )
    assert "祠堂议事厅" in client.get(VILLAGE).content.decode()
    roundtable_services.meeting_move(
        meeting=meeting, starts_at=timezone.now() + datetime.timedelta(days=4), place="文化礼堂"
    )
    assert "文化礼堂" in client.get(VILLAGE).content.decode()
    roundtable_services.meeting_cancel(meeting=meeting, reason="台风")
    assert "文化礼堂" not in client.get(VILLAGE).content.decode()


def test_suggestion_moderation_shows_at_once(client, village, kept):
    cadre = make_user("cadre", village=village)
    suggestion = board.suggestion_submit(village=village, text="建议修路")
    assert "1 received · 0 published" in client.get(VILLAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    board.suggestion_approve(suggestion=suggestion, actor=cadre)
    assert "1 received · 1 published" in client.get(VILLAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
