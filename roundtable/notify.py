"""Where the workflow hands events to the notification outbox.

Called inside the workflow's transaction: whatever is written here commits or rolls back with the
change that caused it. The sender is kicked on commit; if the broker is down the rows wait for beat.
"""

from notifications import services


def timeline_entry_written(entry) -> None:
    """An issue's timeline grew: tell the raiser, cadres or supervisors as the entry's kind requires."""
    services.timeline_entry_notify(entry=entry)


def responsible_assigned(*, issue, responsible) -> None:
    """A person was made responsible for an issue."""
    services.responsible_assigned_notify(issue=issue, responsible=responsible)


def meeting_scheduled(*, meeting) -> None:
    """A meeting was scheduled: reminders 24 h and 1 h before are due."""
    services.meeting_scheduled_notify(meeting=meeting)


def meeting_moved(*, meeting) -> None:
    """A meeting moved: pending reminders are replaced, members are told."""
    services.meeting_moved_notify(meeting=meeting)


def meeting_cancelled(*, meeting) -> None:
    """A meeting was cancelled: pending reminders are dropped, members are told."""
    services.meeting_cancelled_notify(meeting=meeting)


def raiser_erased(*, issue, mobile: str) -> None:
    """The raiser's details were erased: nothing more goes to them, and the outbox forgets their number."""
    services.raiser_forget(issue=issue, mobile=mobile)
