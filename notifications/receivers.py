"""The workflow's events (signals of ``roundtable.notify``) turned into outbox rows by the services.

Connected once in ``NotificationsConfig.ready``. Notifications imports roundtable, never the reverse.
"""

from django.dispatch import receiver

from notifications import services
from roundtable import notify


@receiver(notify.timeline_entry_written_signal, dispatch_uid="notifications.timeline_entry")
def on_timeline_entry_written(sender, *, entry, **kwargs) -> None:
    services.timeline_entry_notify(entry=entry)


@receiver(notify.responsible_assigned_signal, dispatch_uid="notifications.responsible_assigned")
def on_responsible_assigned(sender, *, issue, responsible, **kwargs) -> None:
    services.responsible_assigned_notify(issue=issue, responsible=responsible)


@receiver(notify.meeting_scheduled_signal, dispatch_uid="notifications.meeting_scheduled")
def on_meeting_scheduled(sender, *, meeting, **kwargs) -> None:
    services.meeting_scheduled_notify(meeting=meeting)


@receiver(notify.meeting_moved_signal, dispatch_uid="notifications.meeting_moved")
def on_meeting_moved(sender, *, meeting, issues=(), **kwargs) -> None:
    services.meeting_moved_notify(meeting=meeting, issues=issues)


@receiver(notify.meeting_cancelled_signal, dispatch_uid="notifications.meeting_cancelled")
def on_meeting_cancelled(sender, *, meeting, issues=(), **kwargs) -> None:
    services.meeting_cancelled_notify(meeting=meeting, issues=issues)


@receiver(notify.raiser_erased_signal, dispatch_uid="notifications.raiser_erased")
def on_raiser_erased(sender, *, issue, mobile, **kwargs) -> None:
    services.raiser_forget(issue=issue, mobile=mobile)


@receiver(notify.codes_recovery_requested_signal, dispatch_uid="notifications.codes_recovery")
def on_codes_recovery_requested(sender, *, mobile, language, **kwargs) -> None:
    services.codes_recovery_notify(mobile=mobile, language=language)
