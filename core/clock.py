"""The portal's clock: ``timezone.now()``, unless a block of code is travelling to another moment.

The demo (``seed_demo``) carries its issues through the real workflow months back in time with
``with clock.travel(moment):`` so that timelines read like real use; every timestamp the workflow writes
comes from ``clock.now()`` (model defaults included). It is a context variable: a request or task running
beside the demo keeps the real time. Only a block that asked for it travels; nothing else changes.
"""

import contextvars
import datetime
from contextlib import contextmanager

from django.utils import timezone

_moment: contextvars.ContextVar[datetime.datetime | None] = contextvars.ContextVar(
    "tongxin_clock", default=None
)


def now() -> datetime.datetime:
    """The current time, or the moment this block travelled to."""
    moment = _moment.get()
    return moment if moment is not None else timezone.now()


def localdate() -> datetime.date:
    """Today in the portal's time zone, at ``now()``."""
    return timezone.localdate(now())


@contextmanager
def travel(moment: datetime.datetime):
    """Runs the block as if it were ``moment`` (an aware datetime); the clock stands still meanwhile."""
    if timezone.is_naive(moment):
        raise ValueError("The clock travels to aware datetimes only.")
    token = _moment.set(moment)
    try:
        yield moment
    finally:
        _moment.reset(token)
