"""Writes of the core app: operational records only (no domain)."""

from django.utils import timezone

from core.models import Heartbeat


def heartbeat_record(*, name: str) -> Heartbeat:
    """Stores that the periodic job ``name`` ran now."""
    heartbeat, _created = Heartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now()})
    return heartbeat


def cache_sweep() -> int:
    """Removes the database cache's expired rows (rate-limit counters of past windows), off the request
    path; nothing to do on Redis, which expires keys itself. Returns how many rows went."""
    from django.core.cache import caches

    cache = caches["default"]
    return cache.sweep_expired() if hasattr(cache, "sweep_expired") else 0
