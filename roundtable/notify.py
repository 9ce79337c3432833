"""Where the workflow hands events to the notification outbox (issue 4 fills these in).

Called inside the workflow's transaction: whatever is written here commits or rolls back with the
change that caused it.
"""


def timeline_entry_written(entry) -> None:
    """An issue's timeline grew: tell the raiser, cadres or supervisors as the entry's kind requires."""


def responsible_assigned(*, issue, responsible) -> None:
    """A person was made responsible for an issue."""


def meeting_scheduled(*, meeting) -> None:
    """A meeting was scheduled: reminders 24 h and 1 h before are due."""


def meeting_moved(*, meeting) -> None:
    """A meeting moved: pending reminders are replaced, members are told."""


def meeting_cancelled(*, meeting) -> None:
    """A meeting was cancelled: pending reminders are dropped, members are told."""
