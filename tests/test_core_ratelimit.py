"""Rate limits that fit a village: trusted proxies only, generous per address, tight per browser, atomic."""

import datetime
import os
import threading
import uuid

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from core.middleware import ProxiedClientMiddleware
from core.ratelimit import client_ip
from roundtable.models import Issue

REDIS_URL = os.environ.get("REDIS_URL", "")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def form(**extra):
    data = {"title": "路灯坏了", "description": "村口路灯坏了两个月", "category": "public_service"}
    data.update(extra)
    return data


def submit_url(village):
    return reverse("roundtable:submit", kwargs={"code": village.code})


# --- the client's address ------------------------------------------------------------------------


def through_the_middleware(request):
    """The request as the views see it: core.middleware.ProxiedClientMiddleware has run."""
    return ProxiedClientMiddleware(lambda r: r)(request)


def test_forged_forwarded_for_from_an_untrusted_client_is_ignored(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(through_the_middleware(request)) == "203.0.113.5"


def test_forwarded_for_from_the_trusted_proxy_is_honoured_from_the_right(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    # The client wrote "1.1.1.1" itself; nginx appended the address it saw, 198.51.100.7.
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.7, 10.0.0.2"
    )
    assert client_ip(through_the_middleware(request)) == "198.51.100.7"
    garbage = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, not-an-ip")
    assert client_ip(through_the_middleware(garbage)) == "10.0.0.1"


def test_rotating_forged_headers_do_not_escape_the_limit_per_address(client, village, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "submit_address": "3/10m"}
    statuses = [
        Client()
        .post(submit_url(village), form(), REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
        .status_code
        for i in range(5)
    ]
    assert statuses == [302, 302, 302, 429, 429]
    assert Issue.objects.count() == 3


def test_residents_behind_the_trusted_proxy_are_counted_apart(village, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "submit_address": "2/10m"}
    for resident in ("198.51.100.7", "198.51.100.8", "198.51.100.9"):
        for _ in range(2):
            response = Client().post(
                submit_url(village), form(), REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=resident
            )
            assert response.status_code == 302
    assert Issue.objects.count() == 6


# --- a village's limits --------------------------------------------------------------------------


def test_twenty_residents_from_one_address_at_a_meeting_are_all_stored(village):
    phones = [Client(REMOTE_ADDR="100.64.0.9") for _ in range(20)]
    for n, phone in enumerate(phones):
        phone.get(submit_url(village))  # scanning the poster opens the form
        assert phone.post(submit_url(village), form(title=f"第{n}件事")).status_code == 302
    assert Issue.objects.count() == 20


@pytest.mark.usefixtures("one_rate_window")
def test_one_client_hammering_is_stopped(village):
    hammer = Client(REMOTE_ADDR="100.64.0.9")
    statuses = [hammer.post(submit_url(village), form(title=f"刷{n}")).status_code for n in range(100)]
    limit = int(django_settings.RATE_LIMITS["submit_browser"].split("/")[0])
    assert statuses.count(302) == limit and statuses.count(429) == 100 - limit
    assert Issue.objects.count() == limit


@pytest.mark.usefixtures("one_rate_window")
def test_invalid_posts_count_towards_the_limit(client, village):
    for _ in range(5):
        assert client.post(submit_url(village), form(title="")).status_code == 200
    assert client.post(submit_url(village), form()).status_code == 429
    assert Issue.objects.count() == 0


@pytest.mark.usefixtures("one_rate_window")
def test_limit_per_village(village, other_village, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "submit_village": "3/h"}
    for n in range(3):
        assert Client(REMOTE_ADDR=f"198.51.100.{n}").post(submit_url(village), form()).status_code == 302
    assert Client(REMOTE_ADDR="198.51.100.9").post(submit_url(village), form()).status_code == 429
    assert Client(REMOTE_ADDR="198.51.100.9").post(submit_url(other_village), form()).status_code == 302


@pytest.mark.usefixtures("one_rate_window")
def test_actions_on_one_matter_are_limited_per_matter(village, settings):
    from tests.roundtable_helpers import raise_issue

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "matter_action": "2/10m"}
    issue = raise_issue(village)
    url = reverse("roundtable:track_withdraw", kwargs={"code": issue.tracking_code})
    statuses = [Client(REMOTE_ADDR=f"198.51.100.{n}").post(url, {"note": ""}).status_code for n in range(3)]
    assert statuses[-1] == 429


# --- the 429 page --------------------------------------------------------------------------------


def test_retry_after_equals_the_real_lockout(village, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "submit_browser": "2/10m"}
    start = timezone.now()
    hammer = Client()
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(2):
            assert hammer.post(submit_url(village), form()).status_code == 302
        refused = hammer.post(submit_url(village), form(), headers={"accept-language": "en"})
        assert refused.status_code == 429
        wait = int(refused["Retry-After"])
        assert 1 <= wait <= 600
        assert "Please try again in" in refused.content.decode()
        traveller.shift(datetime.timedelta(seconds=wait - 1))
        assert hammer.post(submit_url(village), form()).status_code == 429
        traveller.shift(datetime.timedelta(seconds=1))
        assert hammer.post(submit_url(village), form()).status_code == 302


# --- the admin's login ---------------------------------------------------------------------------


@pytest.mark.usefixtures("one_rate_window")
def test_admin_login_locks_after_five_wrong_passwords(db):
    User = get_user_model()
    User.objects.create_superuser(email="admin@example.test", password="right-password-1")
    browser = Client()
    url = reverse("admin:login")
    for _ in range(5):
        response = browser.post(url, {"username": "admin@example.test", "password": "wrong"})
        assert response.status_code == 200
    response = browser.post(url, {"username": "admin@example.test", "password": "right-password-1"})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "_auth_user_id" not in browser.session


@pytest.mark.usefixtures("one_rate_window")
def test_admin_login_lock_follows_the_account_across_addresses(db):
    url = reverse("admin:login")
    for n in range(5):
        Client(REMOTE_ADDR=f"198.51.100.{n}").post(url, {"username": "Admin@Example.test", "password": "x"})
    response = Client(REMOTE_ADDR="198.51.100.99").post(
        url, {"username": "admin@example.test", "password": "x"}
    )
    assert response.status_code == 429


# --- atomic counters under concurrency (PostgreSQL; Redis too when REDIS_URL is set) ---------------

DB_CACHE = {"BACKEND": "core.dbcache.AtomicDatabaseCache", "LOCATION": "tongxin_cache"}
BACKENDS = [pytest.param(DB_CACHE, id="db")]
if REDIS_URL:
    BACKENDS.append(
        pytest.param(
            {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}, id="redis"
        )
    )


def _together(n, work):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run(i):
        try:
            barrier.wait(timeout=30)
            results.append(work(i))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


@pytest.mark.skipif(not django_settings.IS_POSTGRES, reason="concurrency is tested on PostgreSQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("cache", BACKENDS)
def test_thirty_concurrent_submissions_store_at_most_the_limit(settings, cache):
    from tests.factories import VillageFactory

    # A namespace of its own: clearing Redis would reset other test workers' counters too.
    settings.CACHES = {"default": {**cache, "KEY_PREFIX": f"t{uuid.uuid4().hex}"}}
    call_command("createcachetable")
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "submit_address": "5/10m"}
    village = VillageFactory(code="concurrent")
    statuses = _together(30, lambda i: Client().post(submit_url(village), form(title=f"同时{i}")).status_code)
    assert Issue.objects.count() <= 5
    assert statuses.count(302) == Issue.objects.count() and statuses.count(429) == 30 - statuses.count(302)


@pytest.mark.skipif(not django_settings.IS_POSTGRES, reason="concurrency is tested on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_database_cache_increment_is_atomic(settings):
    settings.CACHES = {"default": {**DB_CACHE, "KEY_PREFIX": f"t{uuid.uuid4().hex}"}}
    call_command("createcachetable")
    cache = caches["default"]
    cache.set("counter", 0, 60)
    _together(30, lambda i: cache.incr("counter"))
    assert cache.get("counter") == 30


# --- honeypot and time trap ----------------------------------------------------------------------


def shown_stamp(client, village) -> str:
    page = client.get(submit_url(village)).content.decode()
    return page.split('name="shown" value="')[1].split('"')[0]


def test_form_sent_back_at_once_is_shown_again_and_nothing_stored(client, village, settings):
    settings.SUBMIT_MIN_SECONDS = 3
    stamp = shown_stamp(client, village)
    response = client.post(submit_url(village), form(shown=stamp), headers={"accept-language": "en"})
    assert response.status_code == 200 and Issue.objects.count() == 0
    page = response.content.decode()
    assert "send it again" in page and "路灯坏了" in page  # what was typed is kept


def test_form_sent_after_a_person_could_fill_it_is_stored(client, village, settings):
    settings.SUBMIT_MIN_SECONDS = 3
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        stamp = shown_stamp(client, village)
        traveller.shift(datetime.timedelta(seconds=4))
        assert client.post(submit_url(village), form(shown=stamp)).status_code == 302
    assert Issue.objects.count() == 1


def test_forged_time_stamp_is_treated_as_too_fast(client, village, settings):
    settings.SUBMIT_MIN_SECONDS = 3
    assert client.post(submit_url(village), form(shown="1700000000.0")).status_code == 200
    assert Issue.objects.count() == 0


def test_honeypot_filled_pretends_success_and_stores_nothing(client, village):
    response = client.post(submit_url(village), form(website="http://spam.example"))
    assert response.status_code == 302 and Issue.objects.count() == 0
