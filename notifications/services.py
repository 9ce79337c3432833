"""Writes for notifications: outbox rows written with their cause, the sender that delivers each once,
and the sweeps that write overdue reminders, escalations and the weekly digest.

Exactly once: every logical message has a ``dedup_key`` (unique), so a hook or a sweep that runs twice
writes nothing new; the sender claims one due row at a time with ``select_for_update(skip_locked=True)``
and marks it sent in the same transaction as the delivery, so two workers, a task run twice or a worker
killed mid-run do not send it twice. No reminder waits in the broker: the rows carry their due time and
the sender, kicked after each commit and run by beat every minute, picks them up.
"""

import contextlib
import datetime
import functools
import logging
import threading
import time
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef

from accounts.models import Membership
from core.masking import mask_mobile
from notifications import clock
from notifications.channels import channel_for
from notifications.messages import render
from notifications.models import Notification
from notifications.selectors import (
    Recipient,
    digest_rows,
    liaison_users,
    meeting_recipients,
    recipient_for_raiser,
    responsible_users,
    township_officials,
    users_recipients,
    village_users,
)
from roundtable import workflow
from roundtable.models import STEPS, Issue, Meeting, Stage, TimelineEntry
from roundtable.selectors import recovery_codes

logger = logging.getLogger("notifications")

Kind = Notification.Kind
Status = Notification.Status

# (kind, how long before the meeting); ordered from the earliest to the latest.
REMINDERS = (
    (Kind.MEETING_REMINDER_DAY, datetime.timedelta(hours=24)),
    (Kind.MEETING_REMINDER_HOUR, datetime.timedelta(hours=1)),
)
REMINDER_KINDS = tuple(kind for kind, _ahead in REMINDERS)
# Messages that speak of one version of a meeting's time: stale once it moves again or is cancelled.
VERSIONED_KINDS = (*REMINDER_KINDS, Kind.MEETING_MOVED, Kind.ISSUE_MEETING_MOVED)
OVERDUE_KINDS = (Kind.ISSUE_OVERDUE, Kind.ISSUE_OVERDUE_ESCALATION)


def _setting(name: str, default):
    return getattr(settings, name, default)


# --- muting ------------------------------------------------------------------------------------

_mute = threading.local()


@contextlib.contextmanager
def muted():
    """No hook writes a message inside the block: for back-dated history such as the demo data."""
    before = getattr(_mute, "on", False)
    _mute.on = True
    try:
        yield
    finally:
        _mute.on = before


def _unless_muted(hook):
    @functools.wraps(hook)
    def wrapper(**kwargs):
        if getattr(_mute, "on", False):
            return 0
        return hook(**kwargs)

    return wrapper


# --- writing rows ------------------------------------------------------------------------------


def _rows(
    recipients: list[Recipient], *, kind: str, key: str, due_at: datetime.datetime, **fields
) -> list[Notification]:
    """One unsaved row per recipient and channel; the key names the logical message."""
    rows = []
    for r in recipients:
        for channel, address in r.addresses:
            rows.append(
                Notification(
                    kind=kind,
                    channel=channel,
                    user=r.user,
                    address=address,
                    recipient_label=r.label,
                    language=r.language,
                    dedup_key=f"{key}.{r.key}.{channel}"[:200],
                    due_at=due_at,
                    next_attempt_at=due_at,
                    **fields,
                )
            )
    return rows


def outbox_write(*, rows: list[Notification]) -> int:
    """Saves the rows whose key is new and returns how many; a repeated hook or sweep writes nothing."""
    unique = {}
    for row in rows:
        unique.setdefault(row.dedup_key, row)
    if not unique:
        return 0
    existing = set(
        Notification.objects.filter(dedup_key__in=list(unique)).values_list("dedup_key", flat=True)
    )
    new = [row for key, row in unique.items() if key not in existing]
    # ignore_conflicts: a concurrent writer of the same key wins quietly instead of failing the transaction.
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


# --- kicking the sender ------------------------------------------------------------------------

_kick_paused_until = 0.0


def _kick_now() -> None:
    """Publishes one ``send_due`` task; a dead broker is logged, never raised (beat catches up)."""
    global _kick_paused_until
    if time.monotonic() < _kick_paused_until:
        return
    from notifications.tasks import send_due

    try:
        send_due.apply_async(ignore_result=True, retry=False)
    except Exception as exc:  # kombu, redis or socket errors: the rows wait safely in the outbox
        if not send_due.app.conf.task_always_eager:
            # Spare the next requests the broker's timeout while it is down.
            _kick_paused_until = time.monotonic() + _setting("NOTIFICATIONS_KICK_PAUSE_SECONDS", 30)
        logger.warning("Could not kick the notification sender (%s); beat will send the outbox later.", exc)


def kick_pause_reset() -> None:
    """Lets the next kick try the broker again at once."""
    global _kick_paused_until
    _kick_paused_until = 0.0


def sender_kick() -> None:
    """Asks a worker to send what is due as soon as the current transaction commits (once per transaction)."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(entry[1] is _kick_now for entry in connection.run_on_commit):
        return
    transaction.on_commit(_kick_now, robust=True)


# --- meetings ----------------------------------------------------------------------------------


def _reminder_rows(meeting: Meeting, recipients, now) -> list[Notification]:
    rows = []
    for i, (kind, ahead) in enumerate(REMINDERS):
        # A reminder whose time has passed still goes, unless the next, closer one is also due already.
        closer = REMINDERS[i + 1][1] if i + 1 < len(REMINDERS) else datetime.timedelta(0)
        if now >= meeting.starts_at - closer:
            continue
        rows += _rows(
            recipients,
            kind=kind,
            key=f"m{meeting.pk}.v{meeting.schedule_version}.{kind}",
            due_at=meeting.starts_at - ahead,
            meeting=meeting,
            schedule_version=meeting.schedule_version,
            about_time=meeting.starts_at,
        )
    return rows


def _drop_pending(meeting: Meeting, *, kinds, reason: str, keep_version: int | None = None) -> int:
    pending = Notification.objects.filter(meeting=meeting, kind__in=kinds, status=Status.PENDING)
    if keep_version is not None:
        pending = pending.exclude(schedule_version=keep_version)
    return pending.update(status=Status.CANCELLED, last_error=reason)


@_unless_muted
def meeting_scheduled_notify(*, meeting: Meeting) -> int:
    """Writes the 24 h and 1 h reminders for every member with an address and the chair."""
    if meeting.state != Meeting.State.SCHEDULED:
        return 0
    written = outbox_write(rows=_reminder_rows(meeting, meeting_recipients(meeting), clock.now()))
    sender_kick()
    return written


def _raiser_rows(meeting: Meeting, issues, *, kind: str, key: str, now) -> list[Notification]:
    """One SMS per raiser (who left a mobile) of the issues on the meeting's agenda, about the first of
    their matters there: the key names the meeting's change and the raiser's number, not the matter, so a
    raiser with two matters on one agenda is told once (``outbox_write`` keeps the first row of a key)."""
    rows = []
    for issue in sorted(issues, key=lambda i: i.pk):
        recipient = recipient_for_raiser(issue)
        if recipient is None:
            continue
        rows += _rows(
            [recipient],
            kind=kind,
            key=f"{key}.raiser",
            due_at=now,
            meeting=meeting,
            issue=issue,
            schedule_version=meeting.schedule_version,
            about_time=meeting.starts_at,
        )
    return rows


def _pending_issues(meeting: Meeting) -> list[Issue]:
    return list(
        Issue.objects.filter(agenda_items__meeting=meeting, agenda_items__outcome="pending").distinct()
    )


@_unless_muted
def meeting_moved_notify(*, meeting: Meeting, issues=None) -> int:
    """Drops the reminders for the old time, writes them for the new one and tells everyone of the move:
    members, and the raisers of the issues on its agenda (``issues``; by default those still pending),
    one SMS each per move."""
    now = clock.now()
    old = (
        Notification.objects.filter(meeting=meeting, about_time__isnull=False)
        .exclude(schedule_version=meeting.schedule_version)
        .order_by("-schedule_version", "-pk")
        .values_list("about_time", flat=True)
        .first()
    )
    _drop_pending(
        meeting,
        kinds=VERSIONED_KINDS,
        reason="Dropped: the meeting moved.",
        keep_version=meeting.schedule_version,
    )
    recipients = meeting_recipients(meeting)
    rows = _reminder_rows(meeting, recipients, now)
    rows += _rows(
        recipients,
        kind=Kind.MEETING_MOVED,
        key=f"m{meeting.pk}.v{meeting.schedule_version}.moved",
        due_at=now,
        meeting=meeting,
        schedule_version=meeting.schedule_version,
        about_time=meeting.starts_at,
        payload={"old_starts_at": old.isoformat() if old else ""},
    )
    rows += _raiser_rows(
        meeting,
        _pending_issues(meeting) if issues is None else issues,
        kind=Kind.ISSUE_MEETING_MOVED,
        key=f"m{meeting.pk}.v{meeting.schedule_version}.moved",
        now=now,
    )
    written = outbox_write(rows=rows)
    sender_kick()
    return written


@_unless_muted
def meeting_cancelled_notify(*, meeting: Meeting, issues=()) -> int:
    """Drops every pending reminder of the meeting and tells everyone it is cancelled: members, and the
    raisers of the issues that were waiting on its agenda (``issues``), one SMS each."""
    _drop_pending(meeting, kinds=VERSIONED_KINDS, reason="Dropped: the meeting was cancelled.")
    rows = _raiser_rows(
        meeting, issues, kind=Kind.ISSUE_MEETING_CANCELLED, key=f"m{meeting.pk}.cancelled", now=clock.now()
    )
    rows += _rows(
        meeting_recipients(meeting),
        kind=Kind.MEETING_CANCELLED,
        key=f"m{meeting.pk}.cancelled",
        due_at=clock.now(),
        meeting=meeting,
        schedule_version=meeting.schedule_version,
        about_time=meeting.starts_at,
    )
    written = outbox_write(rows=rows)
    sender_kick()
    return written


# --- issues ------------------------------------------------------------------------------------


def _cadres(issue: Issue, *, exclude=None) -> list[Recipient]:
    return users_recipients(village_users(issue.village_id, Membership.Role.CADRE), exclude=exclude)


@_unless_muted
def timeline_entry_notify(*, entry: TimelineEntry) -> int:
    """Writes what a new timeline entry means for the raiser, the cadres, supervisors or the liaison."""
    issue = entry.issue
    K = TimelineEntry.Kind
    now = clock.now()
    base = f"t{entry.pk}"
    note = entry.note or ""
    rows: list[Notification] = []

    def add(recipients, kind, payload=None):
        rows.extend(
            _rows(recipients, kind=kind, key=f"{base}.{kind}", due_at=now, issue=issue, payload=payload or {})
        )

    raiser = [r for r in [recipient_for_raiser(issue)] if r]
    due = {"due_at": issue.stage_due_at.isoformat()} if issue.stage_due_at else {}
    if entry.kind == K.CREATED:
        add(_cadres(issue, exclude=entry.actor), Kind.ISSUE_RAISED, due)
        add(raiser, Kind.ISSUE_RECEIVED)
    elif entry.kind == K.STAGE:
        if entry.is_public:
            add(
                raiser,
                Kind.ISSUE_STAGE,
                # The raiser (e-mail or SMS) reads the public note only, never an internal one.
                {
                    "from_stage": entry.from_stage,
                    "to_stage": entry.to_stage,
                    "note": entry.public_note,
                    # The meeting's time is read when the message is sent: it may move meanwhile.
                    **({"meeting": entry.meeting_id} if entry.meeting_id else {}),
                },
            )
        if entry.to_stage == Stage.WITHDRAWN:
            add(_cadres(issue, exclude=entry.actor), Kind.ISSUE_WITHDRAWN, {"note": note})
        elif entry.to_stage == Stage.SUPERVISING:
            supervisors = village_users(issue.village_id, Membership.Role.SUPERVISOR)
            add(users_recipients(supervisors, exclude=entry.actor), Kind.ISSUE_DONE, {"note": note})
        elif entry.from_stage == Stage.SUPERVISING and entry.to_stage == Stage.EXECUTING:
            add(
                users_recipients(responsible_users(issue), exclude=entry.actor),
                Kind.ISSUE_SENT_BACK,
                {"note": note},
            )
    elif entry.kind == K.OPINION and entry.actor_id is None:
        # An opinion a cadre records needs no message; one a resident leaves does.
        opinion = issue.opinions.order_by("-pk").first()
        payload = {"stance": opinion.stance, "text": opinion.text[:500]} if opinion else {}
        add(_cadres(issue), Kind.ISSUE_OPINION, payload)
    elif entry.kind == K.RATING:
        rating = getattr(issue, "satisfaction", None)
        payload = {"score": rating.score, "comment": rating.comment[:500]} if rating else {}
        add(_cadres(issue), Kind.ISSUE_RATING, payload)
    elif entry.kind == K.ESCALATION and entry.actor_id is not None:
        # An automatic escalation (no actor) is told by the overdue sweep's own message to the liaison.
        told = users_recipients(
            [*liaison_users(issue), *village_users(issue.village_id, Membership.Role.CADRE)],
            exclude=entry.actor,
        )
        add(told, Kind.ISSUE_ESCALATED, {"note": note})
    written = outbox_write(rows=rows)
    if written:
        sender_kick()
    return written


@_unless_muted
def responsible_assigned_notify(*, issue: Issue, responsible) -> int:
    """Tells the person just made responsible for the issue."""
    entry_pk = (
        issue.timeline.filter(kind=TimelineEntry.Kind.ASSIGNED)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    rows = _rows(
        users_recipients([responsible]),
        kind=Kind.ISSUE_ASSIGNED,
        key=f"i{issue.pk}.assigned.t{entry_pk}",
        due_at=clock.now(),
        issue=issue,
        payload={"due_at": issue.stage_due_at.isoformat()} if issue.stage_due_at else {},
    )
    written = outbox_write(rows=rows)
    if written:
        sender_kick()
    return written


# --- sweeps ------------------------------------------------------------------------------------


def meeting_reminders_sweep(*, now: datetime.datetime | None = None) -> int:
    """Writes any missing reminder of the scheduled meetings ahead: a safety net for meetings written
    outside the services (the admin, the demo data) and for members who joined since. Idempotent."""
    now = now or clock.now()
    written = 0
    ahead = Meeting.objects.filter(state=Meeting.State.SCHEDULED, starts_at__gt=now).select_related(
        "roundtable", "chair__user"
    )
    for meeting in ahead.order_by("starts_at", "pk"):
        with transaction.atomic():
            written += outbox_write(rows=_reminder_rows(meeting, meeting_recipients(meeting), now))
    if written:
        sender_kick()
    return written


def _stamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%S")


def escalation_grace() -> datetime.timedelta:
    return datetime.timedelta(hours=_setting("NOTIFICATIONS_ESCALATION_GRACE_HOURS", 48))


def overdue_sweep(*, now: datetime.datetime | None = None) -> int:
    """Reminds the responsible person (or the village's cadres) of each overdue step once, and tells the
    township liaison (or the township's officials) once the step stays overdue past the grace period.

    Both are moves of the workflow that write the issue's timeline (``issue_flag_overdue``,
    ``issue_escalate``). Idempotent: one overdue entry per issue and deadline (an entry written after the
    deadline passed), one reminder per issue, deadline and recipient; escalation marks ``escalated_at``.
    """
    now = now or clock.now()
    written = 0
    # A deadline always lies after the flag of the one before it, so a flag newer than the deadline is
    # this deadline's.
    flagged = TimelineEntry.objects.filter(
        issue=OuterRef("pk"), kind=TimelineEntry.Kind.OVERDUE, created_at__gte=OuterRef("stage_due_at")
    )
    overdue = (
        Issue.objects.filter(stage__in=STEPS, stage_due_at__lte=now)
        .exclude(Exists(flagged))
        .select_related("village", "responsible")
        .order_by("stage_due_at", "pk")
    )
    for issue in overdue.iterator(chunk_size=200):
        with transaction.atomic():
            try:
                workflow.issue_flag_overdue(issue=issue, now=now)
            except workflow.WorkflowError:
                continue  # moved on meanwhile
            written += outbox_write(
                rows=_rows(
                    users_recipients(responsible_users(issue)),
                    kind=Kind.ISSUE_OVERDUE,
                    key=f"i{issue.pk}.overdue.{issue.stage}.{_stamp(issue.stage_due_at)}",
                    due_at=now,
                    issue=issue,
                    about_time=issue.stage_due_at,
                    payload={"stage": issue.stage, "due_at": issue.stage_due_at.isoformat()},
                )
            )
    stale = (
        Issue.objects.filter(
            stage__in=STEPS, stage_due_at__lte=now - escalation_grace(), escalated_at__isnull=True
        )
        .select_related("village__township", "responsible")
        .order_by("stage_due_at", "pk")
    )
    for issue in stale.iterator(chunk_size=200):
        with transaction.atomic():
            try:
                # Refused if a move happened meanwhile (new stage, new deadline) or it was escalated.
                workflow.issue_escalate(issue=issue, actor=None, overdue_due_at=issue.stage_due_at, now=now)
            except workflow.WorkflowError:
                continue
            written += outbox_write(
                rows=_rows(
                    users_recipients(liaison_users(issue)),
                    kind=Kind.ISSUE_OVERDUE_ESCALATION,
                    key=f"i{issue.pk}.escalation.{issue.stage}.{_stamp(issue.stage_due_at)}",
                    due_at=now,
                    issue=issue,
                    about_time=issue.stage_due_at,
                    payload={"stage": issue.stage, "due_at": issue.stage_due_at.isoformat()},
                )
            )
    if written:
        sender_kick()
    return written


def digest_period(now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime] | None:
    """The week the digest due now covers, [start, end), or None before this week's sending time.

    Weeks end on Monday 00:00 local time; the digest goes from Monday at NOTIFICATIONS_DIGEST_HOUR.
    """
    from django.utils import timezone

    local = timezone.localtime(now)
    monday = (local - datetime.timedelta(days=local.weekday())).date()
    end = timezone.make_aware(datetime.datetime.combine(monday, datetime.time.min))
    if local < end + datetime.timedelta(hours=_setting("NOTIFICATIONS_DIGEST_HOUR", 8)):
        return None
    return end - datetime.timedelta(days=7), end


def digest_sweep(*, now: datetime.datetime | None = None) -> int:
    """Writes the weekly digest for every township's officials once per week (per village: open issues by
    step, overdue, closed in the week)."""
    from villages.models import Township

    now = now or clock.now()
    period = digest_period(now)
    if period is None:
        return 0
    start, end = period
    written = 0
    for township in Township.objects.order_by("pk"):
        recipients = users_recipients(township_officials(township.pk))
        if not recipients:
            continue
        rows = digest_rows(township.pk, start=start, end=end, now=now)
        payload = {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "last_day": (end - datetime.timedelta(days=1)).isoformat(),
            "villages": [
                {
                    "name": r.name,
                    "open_by_stage": r.open_by_stage,
                    "open_total": r.open_total,
                    "overdue": r.overdue,
                    "closed": r.closed,
                }
                for r in rows
            ],
        }
        with transaction.atomic():
            written += outbox_write(
                rows=_rows(
                    recipients,
                    kind=Kind.WEEKLY_DIGEST,
                    key=f"d{township.pk}.{start.date().isoformat()}",
                    due_at=now,
                    township=township,
                    about_time=start,
                    payload=payload,
                )
            )
    if written:
        sender_kick()
    return written


# --- tracking codes asked for again ---------------------------------------------------------


@_unless_muted
def codes_recovery_notify(*, mobile: str, language: str) -> int:
    """One text with the tracking codes of this number's matters, written whether or not it has any.

    The request that asked must not learn (by what it sees or how long it takes) whether the number raised
    anything, so the row is written alike for every number and the sender decides: with no matter under
    the number it drops the row unsent and forgets the number (``_stale_reason``). In process (no worker,
    ``CELERY_TASK_ALWAYS_EAGER``) the sender is not run inside the request for the same reason; the
    notifications loop sends the row within a minute.
    """
    if not mobile:
        return 0
    now = clock.now()
    row = Notification(
        kind=Kind.CODES_RECOVERY,
        channel=Notification.Channel.SMS,
        address=mobile,
        language=language or settings.LANGUAGE_CODE,
        dedup_key=f"recover.{uuid.uuid4().hex}",
        due_at=now,
        next_attempt_at=now,
    )
    written = outbox_write(rows=[row])
    from notifications.tasks import send_due

    if written and not send_due.app.conf.task_always_eager:
        sender_kick()
    return written


# --- sending -----------------------------------------------------------------------------------


def _stale_reason(n: Notification, now) -> str:
    """Why a due message must not go any more, or "" when it still should."""
    if n.kind == Kind.CODES_RECOVERY and not recovery_codes(n.address):
        return "Dropped: no matter under this number."
    if n.kind in VERSIONED_KINDS:
        meeting = n.meeting
        if meeting.state != Meeting.State.SCHEDULED:
            return "Dropped: the meeting is no longer scheduled."
        if n.schedule_version != meeting.schedule_version:
            return "Dropped: the meeting moved."
        if n.kind in REMINDER_KINDS and meeting.starts_at <= now:
            return "Dropped: the meeting has already started."
        if n.kind == Kind.MEETING_REMINDER_DAY and now >= meeting.starts_at - REMINDERS[-1][1]:
            # Late (the sender was down): the hour-before reminder, due too, says the same.
            return "Dropped: the hour-before reminder is due as well."
    if n.kind in OVERDUE_KINDS:
        issue = n.issue
        if issue.stage != n.payload.get("stage") or issue.stage_due_at != n.about_time:
            return "Dropped: the issue moved on."
    return ""


def retry_delay(attempts: int) -> datetime.timedelta:
    """1, 2, 4, 8 … minutes after each failure, at most an hour."""
    return datetime.timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 3600))


def max_attempts() -> int:
    return _setting("NOTIFICATIONS_MAX_ATTEMPTS", 8)


def _send_next(now) -> str | None:
    """Claims one due row, delivers it and records the outcome in the same transaction."""
    with transaction.atomic():
        n = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status=Status.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .first()
        )
        if n is None:
            return None
        reason = _stale_reason(n, now)
        if reason:
            n.status = Status.CANCELLED
            n.last_error = reason
            fields = ["status", "last_error"]
            if n.kind == Kind.CODES_RECOVERY:
                # A number that raised nothing is not kept.
                n.address = ""
                fields.append("address")
            n.save(update_fields=fields)
            return Status.CANCELLED
        n.attempts += 1
        try:
            with (
                transaction.atomic()
            ):  # a savepoint: a database error while rendering still lets us record it
                message = render(n)
                channel_for(n.channel).send(
                    address=n.address, message=message, language=n.language, reference=str(n.pk)
                )
        except Exception as exc:  # any channel failure is recorded on the row and retried later
            n.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if n.attempts >= max_attempts():
                n.status = Status.FAILED
            else:
                n.next_attempt_at = now + retry_delay(n.attempts)
            n.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            logger.warning("Notification %s failed (attempt %s): %s", n.pk, n.attempts, n.last_error)
            return Status.FAILED
        n.status = Status.SENT
        n.sent_at = now
        n.subject, n.body, n.html = message.subject[:200], message.text, message.html
        if n.channel == Notification.Channel.SMS:
            n.body, n.html = message.sms, ""
        fields = ["attempts", "status", "sent_at", "subject", "body", "html"]
        if n.kind == Kind.CODES_RECOVERY:
            # Sent: the number is no longer needed here (the matters keep it as long as they may).
            n.recipient_label, n.address = mask_mobile(n.address), ""
            fields += ["recipient_label", "address"]
        n.save(update_fields=fields)
        return Status.SENT


def outbox_send_due(*, now: datetime.datetime | None = None, limit: int = 1000) -> int:
    """Sends every due message, one row per transaction, and returns how many went out."""
    now = now or clock.now()
    sent = 0
    for _i in range(limit):
        outcome = _send_next(now)
        if outcome is None:
            break
        sent += outcome == Status.SENT
    return sent


def notifications_resend(*, ids) -> int:
    """Puts failed messages back in the queue with fresh attempts; returns how many."""
    count = Notification.objects.filter(pk__in=list(ids), status=Status.FAILED).update(
        status=Status.PENDING, attempts=0, next_attempt_at=clock.now()
    )
    if count:
        sender_kick()
    return count


def raiser_forget(*, issue, mobile: str) -> int:
    """Cancels what is still to go to a raiser whose details were erased, and blanks their number everywhere.

    Returns the rows changed. (Addresses are encrypted, so they are compared here, not in SQL.)
    """
    changed = 0
    if not mobile:
        return changed
    for row in Notification.objects.filter(issue=issue, user__isnull=True, channel=Notification.Channel.SMS):
        if row.address != mobile:
            continue
        row.address = ""
        fields = ["address"]
        if row.status == Notification.Status.PENDING:
            row.status = Notification.Status.CANCELLED
            row.last_error = "personal data erased"
            fields += ["status", "last_error"]
        row.save(update_fields=fields)
        changed += 1
    return changed
