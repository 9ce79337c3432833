"""Where the workflow announces its events, for the notification outbox to pick up.

Layers: roundtable and notifications stand on the same floor, and the dependency goes one way only —
notifications imports roundtable (its models), roundtable never imports notifications. The workflow
therefore announces each event as a Django signal defined here; ``notifications.receivers`` (connected
in ``NotificationsConfig.ready``) turns it into outbox rows. tests/test_architecture_layers.py keeps
the direction true.

Signals are sent synchronously inside the workflow's transaction: whatever a receiver writes commits or
rolls back with the change that caused it, and an error in a receiver reaches the caller as before.
"""

from django.dispatch import Signal

# Each signal's keyword arguments are named in its comment.
timeline_entry_written_signal = Signal()  # entry
responsible_assigned_signal = Signal()  # issue, responsible
meeting_scheduled_signal = Signal()  # meeting
meeting_moved_signal = Signal()  # meeting, issues (those waiting on its agenda)
meeting_cancelled_signal = Signal()  # meeting, issues (those that were waiting on its agenda)
raiser_erased_signal = Signal()  # issue, mobile (the number just erased)
codes_recovery_requested_signal = Signal()  # mobile, language


def timeline_entry_written(entry) -> None:
    """An issue's timeline grew: tell the raiser, cadres or supervisors as the entry's kind requires."""
    timeline_entry_written_signal.send(sender=type(entry), entry=entry)


def responsible_assigned(*, issue, responsible) -> None:
    """A person was made responsible for an issue."""
    responsible_assigned_signal.send(sender=type(issue), issue=issue, responsible=responsible)


def meeting_scheduled(*, meeting) -> None:
    """A meeting was scheduled: reminders 24 h and 1 h before are due."""
    meeting_scheduled_signal.send(sender=type(meeting), meeting=meeting)


def meeting_moved(*, meeting, issues=()) -> None:
    """A meeting moved: pending reminders are replaced, members and the raisers of ``issues`` are told."""
    meeting_moved_signal.send(sender=type(meeting), meeting=meeting, issues=list(issues))


def meeting_cancelled(*, meeting, issues=()) -> None:
    """A meeting was cancelled: pending reminders are dropped, members and the raisers of ``issues``
    (the issues that were waiting on its agenda) are told."""
    meeting_cancelled_signal.send(sender=type(meeting), meeting=meeting, issues=list(issues))


def raiser_erased(*, issue, mobile: str) -> None:
    """The raiser's details were erased: nothing more goes to them, and the outbox forgets their number."""
    raiser_erased_signal.send(sender=type(issue), issue=issue, mobile=mobile)


def codes_recovery_requested(*, mobile: str, language: str) -> None:
    """Someone asked for the tracking codes given with this mobile number: one text goes out if it has any.

    Sent alike for every number, known or not; whether there is anything to send is decided later, by
    the sender, so the request that asked does the same work either way.
    """
    codes_recovery_requested_signal.send(sender=None, mobile=mobile, language=language)
