"""Thin Celery tasks of the dashboards. Beat runs them (CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from dashboards import services


@shared_task(name="dashboards.refresh_snapshots", ignore_result=True)
def refresh_snapshots() -> int:
    """Recomputes the snapshots of the default dashboard views."""
    return services.snapshots_refresh()
