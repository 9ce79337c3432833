"""Celery tasks of the roundtable app: thin, they call a service."""

from celery import shared_task

from core.pending import pending_purge
from roundtable import services


@shared_task(name="roundtable.purge_personal_data")
def purge_personal_data() -> int:
    """Beat: closed matters' personal details removed after the retention period; stale pending photos."""
    pending_purge()
    return services.issues_purge_personal_data()
