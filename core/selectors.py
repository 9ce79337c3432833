"""Reads of the core app."""

import datetime

from core.models import Heartbeat


def heartbeat_last(name: str) -> datetime.datetime | None:
    """When the periodic job ``name`` last ran, or None if never."""
    return Heartbeat.objects.filter(name=name).values_list("at", flat=True).first()
