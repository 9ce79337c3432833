"""Rate limits cost one round trip to the cache per request (issue 13): one statement on the database
cache (never a count of its table), one script on Redis; the counts are the same as before."""

import os
import uuid

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import services as core_services
from core.ratelimit import Limit, by_address, hit, keyed, peek, peek_and_hit
from tests.roundtable_helpers import raise_issue

REDIS_URL = os.environ.get("REDIS_URL", "")


def _cache_queries(ctx):
    return [q["sql"] for q in ctx.captured_queries if "tongxin_cache" in q["sql"]]


@pytest.mark.django_db
def test_tracking_page_counts_its_limits_in_one_statement(client, village):
    issue = raise_issue(village)
    url = reverse("roundtable:track", kwargs={"code": issue.tracking_code})
    client.get(url)  # the browser's CSRF cookie, as a resident's phone has it
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    statements = _cache_queries(ctx)
    # PostgreSQL: the look-up counted and the misses read in one WITH; SQLite cannot put an INSERT in a WITH.
    assert len(statements) == (1 if connection.vendor == "postgresql" else 2), statements
    assert not any("COUNT(" in sql.upper() for sql in statements)


@pytest.mark.django_db
def test_counts_go_up_by_one_and_peek_does_not_count(rf, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "lookup_code": "3/m", "miss_address": "2/m"}
    request = rf.get("/")
    counted = Limit("t-code", "lookup_code", keyed(uuid.uuid4().hex))
    peeked = Limit("t-miss", "miss_address", by_address)
    assert [hit(request, counted) for _ in range(3)] == [None, None, None]
    assert hit(request, counted) is not None  # the fourth is over 3 a minute
    assert peek(request, peeked) is None
    assert peek(request, peeked) is None  # reading twice counts nothing
    hit(request, peeked)
    hit(request, peeked)
    assert peek(request, peeked) is not None
    other = Limit("t-code", "lookup_code", keyed(uuid.uuid4().hex))
    wait = peek_and_hit(request, (peeked,), (other,))
    assert wait is not None and 1 <= wait <= 61


@pytest.mark.django_db
def test_expired_counters_start_again_and_are_swept_off_the_request_path(rf, settings, time_machine):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "lookup_code": "1/m"}
    time_machine.move_to(timezone.now(), tick=False)
    request = rf.get("/")
    limit = Limit("t-sweep", "lookup_code", keyed(uuid.uuid4().hex))
    assert hit(request, limit) is None
    assert hit(request, limit) is not None
    time_machine.shift(600)
    assert hit(request, limit) is None  # a new window
    time_machine.shift(600)
    cache = caches["default"]
    swept = core_services.cache_sweep()
    assert swept >= 1
    with connection.cursor() as cursor:
        now = connection.ops.adapt_datetimefield_value(timezone.now().replace(microsecond=0))
        cursor.execute("SELECT COUNT(*) FROM tongxin_cache WHERE expires < %s", [now])
        assert cursor.fetchone()[0] == 0
    assert hasattr(cache, "sweep_expired")
    assert "core.cache_sweep" in {e["task"] for e in django_settings.CELERY_BEAT_SCHEDULE.values()}


@pytest.mark.skipif(not REDIS_URL, reason="Redis is not configured (REDIS_URL)")
@pytest.mark.django_db
@pytest.mark.parametrize(
    "backend", ["core.cache.ResilientRedisCache", "django.core.cache.backends.redis.RedisCache"]
)
def test_tracking_page_counts_its_limits_in_one_redis_command(
    client, village, settings, monkeypatch, backend
):
    import redis

    settings.CACHES = {
        "default": {"BACKEND": backend, "LOCATION": REDIS_URL, "KEY_PREFIX": f"t{uuid.uuid4().hex}"}
    }
    call_command("createcachetable")
    issue = raise_issue(village)
    url = reverse("roundtable:track", kwargs={"code": issue.tracking_code})
    client.get(url)
    calls = {"pipelines": 0, "commands": 0}
    real_execute, real_command = redis.client.Pipeline.execute, redis.Redis.execute_command

    def execute(self, *args, **kwargs):
        calls["pipelines"] += 1
        return real_execute(self, *args, **kwargs)

    def command(self, *args, **kwargs):
        calls["commands"] += 1
        return real_command(self, *args, **kwargs)

    monkeypatch.setattr(redis.client.Pipeline, "execute", execute)
    monkeypatch.setattr(redis.Redis, "execute_command", command)
    assert client.get(url).status_code == 200
    assert calls == {"pipelines": 0, "commands": 1}  # the counting script (EVALSHA), one round trip
    # And the counts are Django's own integers: the cache reads them.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "lookup_code": "2/m"}
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 429


@pytest.mark.skipif(not REDIS_URL, reason="Redis is not configured (REDIS_URL)")
def test_the_redis_cache_keeps_one_client_per_pool(settings):
    """Django's Redis cache makes a ``redis.Redis`` for every operation, which costs as much as the round
    trip itself; ours keeps one per connection pool, and it still reads and writes."""
    import redis

    from core.cache import ResilientRedisCache

    cache = ResilientRedisCache(REDIS_URL, {"KEY_PREFIX": f"t{uuid.uuid4().hex}"})
    made = []
    real_init = redis.Redis.__init__

    def counting_init(self, *args, **kwargs):
        made.append(self)
        real_init(self, *args, **kwargs)

    redis.Redis.__init__ = counting_init
    try:
        for n in range(5):
            cache.set(f"k{n}", n)
            assert cache.get(f"k{n}") == n
        assert cache.get_many(["k1", "k2"]) == {"k1": 1, "k2": 2}
    finally:
        redis.Redis.__init__ = real_init
    assert len(made) == 1
    assert cache._cache.get_client() is cache._cache.get_client(write=True)


@pytest.mark.skipif(not REDIS_URL, reason="Redis is not configured (REDIS_URL)")
def test_the_counting_script_counts_reads_expires_and_survives_a_script_flush():
    from core.cache import ResilientRedisCache, redis_count_many

    cache = ResilientRedisCache(REDIS_URL, {"KEY_PREFIX": f"t{uuid.uuid4().hex}"})
    assert redis_count_many(cache, [("a", 60, True), ("b", 60, False)]) == {"a": 1, "b": 0}
    assert redis_count_many(cache, [("a", 60, True), ("b", 60, True)]) == {"a": 2, "b": 1}
    assert redis_count_many(cache, [("a", 60, False)]) == {"a": 2}  # read, not counted
    assert cache.get("a") == 2  # Django's cache reads the same integer
    client = cache._cache.get_client()
    assert 0 < client.ttl(cache.make_and_validate_key("a")) <= 60  # the window's expiry, set once
    client.script_flush()  # Redis restarted without its scripts: loaded again
    assert redis_count_many(cache, [("a", 60, True)]) == {"a": 3}
    assert redis_count_many(cache, []) == {}
