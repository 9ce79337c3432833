"""A small sliding-window rate limit on the shared (database) cache, keyed by client address."""

import time

from django.core.cache import cache
from django.shortcuts import render


def client_ip(request) -> str:
    # Behind nginx, core.middleware.ProxiedClientMiddleware has put the client's address here
    # (from X-Forwarded-For, believed only from DJANGO_TRUSTED_PROXIES).
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(scope: str, request) -> str:
    return f"ratelimit:{scope}:{client_ip(request)}"


def is_limited(request, scope: str, *, limit: int, period: int) -> bool:
    """True when the address already used up `limit` hits of `scope` in the last `period` seconds."""
    now = time.time()
    hits = [t for t in cache.get(_key(scope, request), []) if t > now - period]
    return len(hits) >= limit


def record_hit(request, scope: str, *, period: int) -> None:
    """Counts one hit of `scope` for the address."""
    now = time.time()
    key = _key(scope, request)
    hits = [t for t in cache.get(key, []) if t > now - period]
    hits.append(now)
    cache.set(key, hits[-100:], period)


def too_many_requests(request):
    """The friendly 429 page."""
    response = render(request, "429.html", status=429)
    response["Retry-After"] = "60"
    return response
