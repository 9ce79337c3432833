"""The time the notification sweeps and the sender run at, settable in tests.

``now()`` is the portal's clock (``core.clock.now()``: ``timezone.now()`` unless the demo travels) in
production. Tests freeze or advance it with ``freeze()`` / ``advance()``; when
``NOTIFICATIONS_CLOCK_FILE`` names a file, the time is kept there so that a Celery worker in another
process sees the same clock as the test driving it (no sleeping to move time).
"""

import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from core import clock

_frozen: datetime.datetime | None = None


def _file() -> Path | None:
    path = getattr(settings, "NOTIFICATIONS_CLOCK_FILE", "")
    return Path(path) if path else None


def now() -> datetime.datetime:
    """The current time, or the frozen one."""
    path = _file()
    if path is not None:
        try:
            text = path.read_text().strip()
        except FileNotFoundError:
            text = ""
        if text:
            return datetime.datetime.fromisoformat(text)
    if _frozen is not None:
        return _frozen
    return clock.now()


def freeze(moment: datetime.datetime | None) -> None:
    """Freezes the clock at ``moment`` (an aware datetime); ``None`` lets it run again."""
    global _frozen
    if moment is not None and timezone.is_naive(moment):
        raise ValueError("The clock takes aware datetimes only.")
    _frozen = moment
    path = _file()
    if path is not None:
        path.write_text(moment.isoformat() if moment is not None else "")


def advance(delta: datetime.timedelta) -> datetime.datetime:
    """Moves the (frozen) clock forward and returns the new time."""
    moment = now() + delta
    freeze(moment)
    return moment
