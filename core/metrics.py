"""Prometheus metrics: request counts and durations per view, read at /metrics by configured addresses only.

Under gunicorn with several workers, set ``PROMETHEUS_MULTIPROC_DIR`` (deploy/ does) so that every
worker's counts are added up; the gauges that describe the system (outbox backlog, beat's silence) are
computed when scraped. Who may scrape is ``METRICS_ALLOWED_ADDRESSES``; anyone else gets a 404.
"""

import os
import time

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import REGISTRY as DEFAULT_REGISTRY
from prometheus_client.core import GaugeMetricFamily

from core.middleware import address_in

REQUESTS = Counter(
    "tongxin_http_requests_total",
    "HTTP requests answered, by view, method and status.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "tongxin_http_request_duration_seconds",
    "Time to answer an HTTP request, by view.",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

# Functions returning {name: (help, value)}, added by apps that know the system's state (config.health).
_gauges = []


def register_gauges(func):
    """Adds a function computing gauges at scrape time; returns it, so it can decorate."""
    _gauges.append(func)
    return func


class _ScrapeTimeCollector:
    def collect(self):
        for func in _gauges:
            for name, (help_text, value) in func().items():
                if value is None:
                    continue
                family = GaugeMetricFamily(name, help_text)
                family.add_metric([], float(value))
                yield family


class MetricsMiddleware:
    """Counts each request under its URL name (never the raw path, which would grow without bound)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name if match else "") or "unmatched"
        REQUESTS.labels(view=view, method=request.method, status=str(response.status_code)).inc()
        LATENCY.labels(view=view).observe(time.perf_counter() - start)
        return response


def _registry():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return DEFAULT_REGISTRY


@never_cache
def metrics(request):
    """/metrics in Prometheus's text format, for the allowed addresses only."""
    if not address_in(request.META.get("REMOTE_ADDR", ""), settings.METRICS_ALLOWED_ADDRESSES):
        raise Http404
    registry = _registry()
    body = generate_latest(registry)
    extra = CollectorRegistry(auto_describe=False)
    extra.register(_ScrapeTimeCollector())
    body += generate_latest(extra)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
