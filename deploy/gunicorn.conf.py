"""gunicorn settings for a Tongxin web node: gunicorn -c deploy/gunicorn.conf.py (see tongxin-web.service).

Every value can be overridden from the environment file. The application is not preloaded, so a HUP
(systemctl reload tongxin-web, deploy/upgrade.sh) starts workers on the new code and lets the old ones
finish their requests: a graceful reload with no refused connection.
"""

import multiprocessing
import os
import shutil
from pathlib import Path

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
# Sync workers: 2 per core + 1 suits pages that wait on PostgreSQL for a few milliseconds.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = 5
# Recycle workers now and then, so that a slow leak never grows; the jitter keeps them from all
# restarting at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 1000))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", 100))
# Only nginx (on this machine by default) may say the request came over HTTPS.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
pidfile = os.environ.get("GUNICORN_PIDFILE") or None
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms id=%({x-request-id}i)s'
errorlog = "-"
proc_name = os.environ.get("GUNICORN_PROC_NAME", "tongxin-web")


def on_starting(server):
    """Start with an empty Prometheus folder: counts of workers from a previous run would add up."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        Path(folder).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    """A worker that exits leaves its counters behind but not its live gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker):
    """Load what every first request would load (the URLconf imports every view), then freeze what is
    loaded: Python's garbage collector no longer walks the application's hundreds of thousands of
    long-lived objects, so its full collections, which paused a request for 100–250 ms now and then, cost
    what a request allocates (issue 13)."""
    import gc

    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the views
    gc.collect()
    gc.freeze()
