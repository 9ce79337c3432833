"""Thin Celery tasks: each calls one service and returns quietly. Beat runs them (CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from notifications import services


@shared_task(name="notifications.send_due", ignore_result=True)
def send_due() -> int:
    """Sends every due message in the outbox."""
    return services.outbox_send_due()


@shared_task(name="notifications.sweep_meetings", ignore_result=True)
def sweep_meetings() -> int:
    """Writes any missing reminder of the scheduled meetings ahead."""
    return services.meeting_reminders_sweep()


@shared_task(name="notifications.sweep_overdue", ignore_result=True)
def sweep_overdue() -> int:
    """Writes overdue reminders and escalations, then lets the sender go."""
    return services.overdue_sweep()


@shared_task(name="notifications.sweep_digest", ignore_result=True)
def sweep_digest() -> int:
    """Writes this week's digest for the township officials once it is due."""
    return services.digest_sweep()
