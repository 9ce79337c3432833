"""Thin Celery tasks of the core app."""

from celery import shared_task

from core import services

BEAT_HEARTBEAT = "beat"


@shared_task(name="core.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Run by beat every minute: /healthz reads it to tell that beat and the workers are alive."""
    services.heartbeat_record(name=BEAT_HEARTBEAT)


@shared_task(name="core.cache_sweep", ignore_result=True)
def cache_sweep() -> None:
    """Run by beat: the database cache's expired rows go here, never while a page is served."""
    services.cache_sweep()
