"""Writes of the core app: operational records only (no domain)."""

from django.utils import timezone

from core.models import Heartbeat


def heartbeat_record(*, name: str) -> Heartbeat:
    """Stores that the periodic job ``name`` ran now."""
    heartbeat, _created = Heartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now()})
    return heartbeat
