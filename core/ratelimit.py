"""Rate limits that fit a village: django-ratelimit's counters, keyed on who really sends the request.

The counters are django-ratelimit's fixed windows on the default cache: Redis (atomic INCR) when
``REDIS_URL`` is set, else the database cache with an atomic increment (``core.dbcache``), so concurrent
requests cannot slip past a limit. The client's address is REMOTE_ADDR, which behind nginx
``core.middleware.ProxiedClientMiddleware`` has set from ``X-Forwarded-For``, believed only from
``TRUSTED_PROXIES`` (``DJANGO_TRUSTED_PROXIES``) and read from the right.

Several residents often share one address (the village Wi-Fi at a roundtable meeting, a carrier's NAT),
so limits per address are generous and the tight ones follow a browser (its CSRF cookie, which every
form needs), a tracking code or a village. ``settings.RATE_LIMITS`` holds the rates.
"""

import functools
import hashlib
import ipaddress
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils.translation import ngettext
from django_ratelimit import ALL
from django_ratelimit.core import EXPIRATION_FUDGE, _get_window, _make_cache_key, _split_rate, get_usage

from core.cache import redis_count_many

logger = logging.getLogger(__name__)


def client_ip(request) -> str:
    # Behind nginx, core.middleware.ProxiedClientMiddleware has put the client's address here
    # (from X-Forwarded-For, believed only from DJANGO_TRUSTED_PROXIES).
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _address_key(request) -> str:
    address = client_ip(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:  # one household or phone gets a /64
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return address


def by_address(group, request) -> str:
    return "a:" + _address_key(request)


def by_browser(group, request) -> str:
    """The browser, by its CSRF secret (hashed), which every form of the portal needs anyway.

    A first request without the cookie gets its secret here, and the response sets the cookie, so the
    browser's next request counts in the same bucket. A client that drops cookies gets a fresh bucket each
    time and meets the limit per address instead.
    """
    get_token(request)
    secret = request.META.get("CSRF_COOKIE", "")
    if secret:
        return "b:" + hashlib.sha256(secret.encode()).hexdigest()[:32]
    return "a:" + _address_key(request)


@dataclass(frozen=True)
class Limit:
    """One limit: a group name, the name of its rate in settings.RATE_LIMITS, and what it is keyed on."""

    group: str
    rate_name: str
    key: Callable

    def usage(self, request, *, increment: bool):
        rate = settings.RATE_LIMITS[self.rate_name]
        return get_usage(request, group=self.group, key=self.key, rate=rate, increment=increment)


def keyed(value: str) -> Callable:
    """A key function for a fixed value (a tracking code, a village's code)."""
    return lambda group, request: value


def _counters():
    """The cache's one-round-trip counters (Redis, or the database cache), or None for another cache."""
    cache = caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]
    if hasattr(cache, "count_many"):
        return cache.count_many
    if isinstance(cache, RedisCache):
        return functools.partial(redis_count_many, cache)
    return None


def _check(request, limits, *, increment: bool, then=()) -> int | None:
    """The seconds to wait when a limit is used up, else None: ``limits`` counted (``increment``) or only
    read, and the limits of ``then`` counted as well, in one round trip to the cache (Redis or the
    database cache; another cache goes limit by limit, counting ``then`` only when nothing is used up)."""
    count_many = _counters()
    if count_many is None:
        wait = _check_one_by_one(request, limits, increment=increment)
        return wait or (_check_one_by_one(request, then, increment=True) if then else None)
    # django-ratelimit's windows and keys (so counters carry over), all counted in one round trip.
    now = int(time.time())
    plans = []
    for limit, counted in [*((limit, increment) for limit in limits), *((limit, True) for limit in then)]:
        rate = settings.RATE_LIMITS[limit.rate_name]
        allowed, period = _split_rate(rate)
        value = limit.key(limit.group, request)
        window = _get_window(value, period)
        key = _make_cache_key(limit.group, window, rate, value, ALL)
        plans.append((key, allowed, window, period, counted))
    try:
        counts = count_many(
            [(key, period + EXPIRATION_FUDGE, counted) for key, _a, _w, period, counted in plans]
        )
    except Exception:  # the cache is unreachable: serve the request rather than fail it
        groups = [limit.group for limit in [*limits, *then]]
        logger.warning("Rate limits %s not counted: cache unavailable", groups, exc_info=True)
        return None
    wait = None
    for key, allowed, window, _period, counted in plans:
        count = counts.get(key, 0)
        # Counting, the request that goes over the limit is refused; peeking, a limit already used up is.
        used_up = count > allowed if counted else count >= allowed
        if used_up:
            # The window's last second still belongs to it: the lockout ends one second after time_left.
            wait = max(wait or 1, window - now + 1)
    return wait


def _check_one_by_one(request, limits, *, increment: bool) -> int | None:
    """Any other cache: django-ratelimit's own reads and writes, limit by limit."""
    wait = None
    for limit in limits:
        try:
            usage = limit.usage(request, increment=increment)
        except Exception:  # the cache is unreachable: serve the request rather than fail it
            logger.warning("Rate limit %s not counted: cache unavailable", limit.group, exc_info=True)
            continue
        if not usage:
            continue
        used_up = usage["should_limit"] if increment else usage["count"] >= usage["limit"]
        if used_up:
            wait = max(wait or 1, usage["time_left"] + 1)
    return wait


def hit(request, *limits: Limit) -> int | None:
    """Counts the request against every limit; the seconds to wait when one is used up, else None."""
    return _check(request, limits, increment=True)


def peek(request, *limits: Limit) -> int | None:
    """Like hit, without counting (e.g. look-up misses are counted only when a code is not found)."""
    return _check(request, limits, increment=False)


def peek_and_hit(request, peeked: tuple[Limit, ...], counted: tuple[Limit, ...]) -> int | None:
    """``peek(peeked)`` and ``hit(counted)`` in one round trip to the cache: the seconds to wait when any
    limit is used up. (The counted limits count even when a peeked one is used up: the client waits all
    the same.)"""
    return _check(request, peeked, increment=False, then=counted)


def too_many_requests(request, wait: int):
    """The 429 page saying when to try again; Retry-After is the real remaining lockout."""
    minutes = (wait + 59) // 60
    when = (
        ngettext("in %(n)d second", "in %(n)d seconds", wait) % {"n": wait}
        if wait < 90
        else ngettext("in %(n)d minute", "in %(n)d minutes", minutes) % {"n": minutes}
    )
    response = render(request, "429.html", {"retry_after": wait, "retry_when": when}, status=429)
    response["Retry-After"] = str(wait)
    response["Cache-Control"] = "no-store"
    return response


def throttle_login(view):
    """Wraps a login view (the admin's): every attempt counts, per address and per account name.

    Counted before the password is checked, atomically, so parallel guesses cannot slip past; the rates
    mirror allauth's limits on the portal's own login (ACCOUNT_RATE_LIMITS).
    """

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "POST":
            account = request.POST.get("username", "").strip().lower()
            digest = hashlib.sha256(account.encode()).hexdigest()[:32]
            wait = hit(
                request,
                Limit("admin-login-address", "admin_login_address", by_address),
                Limit("admin-login-account", "admin_login_account", keyed(digest)),
            )
            if wait:
                return too_many_requests(request, wait)
        return view(request, *args, **kwargs)

    return wrapped
