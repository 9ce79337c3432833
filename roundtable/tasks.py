"""Celery tasks of the roundtable app: thin, they call a service."""

from celery import shared_task

from roundtable import services


@shared_task(name="roundtable.purge_personal_data")
def purge_personal_data() -> int:
    """Beat: closed matters' personal details removed after the retention period."""
    return services.issues_purge_personal_data()
