"""/healthz: the database's and the broker's state for load balancers and monitoring."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


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


@never_cache
def healthz(request):
    db = database_state()
    body = {"status": "ok" if db == "ok" else "error", "database": db, "broker": broker_state()}
    return JsonResponse(body, status=200 if db == "ok" else 503)
