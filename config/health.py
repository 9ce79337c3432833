"""/healthz: the database, the broker, the outbox backlog and beat's heartbeat, for monitoring.

200 when the database answers and (with Celery, i.e. REDIS_URL set) beat has run its heartbeat within
``HEALTHZ_BEAT_MAX_SILENCE`` seconds (0 turns that check off); 503 otherwise. A broken broker or a
backlog is reported, not failed: pages are still served, and the outbox catches up when the broker is back.
"""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from core.metrics import register_gauges
from core.selectors import heartbeat_last
from core.tasks import BEAT_HEARTBEAT
from notifications.selectors import outbox_backlog


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure means the database does not answer
        return "error"
    return "ok"


def broker_state() -> str:
    if not settings.REDIS_URL:
        return "in-process"
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5)
        client.ping()
    except Exception:  # the broker is optional for serving pages: report, do not fail
        return "error"
    return "ok"


def outbox_state(now) -> dict:
    """The due messages still waiting and the age of the oldest (0 when none)."""
    count, oldest = outbox_backlog(now=now)
    return {
        "due": count,
        "oldest_due_at": oldest.isoformat() if oldest else None,
        "oldest_age_seconds": int((now - oldest).total_seconds()) if oldest else 0,
    }


def beat_state(now) -> dict:
    """When beat's heartbeat last ran; "silent" past the allowed silence, "in-process" without Celery."""
    last = heartbeat_last(BEAT_HEARTBEAT)
    age = int((now - last).total_seconds()) if last else None
    if not settings.REDIS_URL:
        state = "in-process"
    elif last is None:
        state = "never"
    elif age > settings.HEALTHZ_BEAT_MAX_SILENCE:
        state = "silent"
    else:
        state = "ok"
    return {"state": state, "last_run": last.isoformat() if last else None, "age_seconds": age}


@never_cache
def healthz(request):
    db = database_state()
    body = {"status": "ok", "database": db, "broker": broker_state()}
    if db == "ok":
        now = timezone.now()
        body["outbox"] = outbox_state(now)
        body["beat"] = beat_state(now)
        if settings.HEALTHZ_BEAT_MAX_SILENCE > 0 and body["beat"]["state"] in ("never", "silent"):
            body["status"] = "error"
    else:
        body["status"] = "error"
    return JsonResponse(body, status=200 if body["status"] == "ok" else 503)


@register_gauges
def _gauges() -> dict:
    """The same figures for Prometheus, computed when scraped."""
    now = timezone.now()
    count, oldest = outbox_backlog(now=now)
    last = heartbeat_last(BEAT_HEARTBEAT)
    return {
        "tongxin_outbox_due": ("Pending messages due now.", count),
        "tongxin_outbox_oldest_due_age_seconds": (
            "Age of the oldest due pending message.",
            (now - oldest).total_seconds() if oldest else 0,
        ),
        "tongxin_beat_heartbeat_age_seconds": (
            "Seconds since beat's heartbeat task last ran.",
            (now - last).total_seconds() if last else None,
        ),
    }
