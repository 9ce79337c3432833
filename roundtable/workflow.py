"""The six-step workflow (圆桌六步), one function per move (DESIGN §3).

Every move: checks the stage and the step's evidence, locks the issue row, changes it, writes an
append-only timeline entry and queues notifications on commit. A move from any other stage raises
``WorkflowError`` with a translated message and changes nothing.
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from accounts.models import User
from core import clock
from roundtable import fragments, notify
from roundtable import permissions as perms
from roundtable.models import (
    OPEN_STAGES,
    STEP_HANZI,
    STEPS,
    TERMINAL_STAGES,
    AgendaItem,
    Attendance,
    Issue,
    IssueTally,
    Meeting,
    Opinion,
    ProgressUpdate,
    Resolution,
    Satisfaction,
    Stage,
    SupervisionVerdict,
    TimelineEntry,
)


class WorkflowError(Exception):
    """A move that is not allowed now; its message is translated and safe to show.

    ``field`` names the keyword argument of the move that was refused, when one was (forms show the
    message beside their field of that name, see ``roundtable.forms.WorkflowFormMixin``)."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.field = field


# stage -> the moves that leave it (the diagram in the README is generated from this table)
TRANSITIONS: dict[str, dict[str, str]] = {
    Stage.RAISED: {
        "accept": Stage.SOLICITING,
        "reject": Stage.REJECTED,
        "merge": Stage.MERGED,
        "withdraw": Stage.WITHDRAWN,
    },
    Stage.SOLICITING: {"put_on_agenda": Stage.DELIBERATING, "withdraw": Stage.WITHDRAWN},
    Stage.DELIBERATING: {
        "decide": Stage.DECIDED,
        "defer": Stage.DELIBERATING,
        "not_adopted": Stage.REJECTED,
        "withdraw": Stage.WITHDRAWN,
    },
    Stage.DECIDED: {"start": Stage.EXECUTING},
    Stage.EXECUTING: {"report_done": Stage.SUPERVISING},
    Stage.SUPERVISING: {"confirm": Stage.CLOSED, "send_back": Stage.EXECUTING},
}

MOVE_LABELS = {
    "accept": gettext_lazy("accept"),
    "reject": gettext_lazy("reject"),
    "merge": gettext_lazy("merge into another issue"),
    "withdraw": gettext_lazy("withdraw"),
    "put_on_agenda": gettext_lazy("put on a meeting's agenda"),
    "decide": gettext_lazy("record the resolution"),
    "defer": gettext_lazy("defer to a later meeting"),
    "not_adopted": gettext_lazy("record as not adopted"),
    "start": gettext_lazy("start the work"),
    "report_done": gettext_lazy("report the work done"),
    "confirm": gettext_lazy("confirm and close"),
    "send_back": gettext_lazy("send back"),
}


# What each move did, for the line that confirms it ("#101 accepted, now at: …"): move_done_message.
MOVE_DONE = {
    "accept": gettext_lazy("accepted"),
    "reject": gettext_lazy("rejected"),
    "merge": gettext_lazy("merged into another issue"),
    "withdraw": gettext_lazy("withdrawn"),
    "opinion": gettext_lazy("opinion recorded"),
    "open_consultation": gettext_lazy("open for public opinions"),
    "put_on_agenda": gettext_lazy("put on the meeting's agenda"),
    "decide": gettext_lazy("resolution recorded"),
    "defer": gettext_lazy("deferred to a later meeting"),
    "not_adopted": gettext_lazy("recorded as not adopted"),
    "start": gettext_lazy("work started"),
    "progress": gettext_lazy("progress recorded"),
    "report_done": gettext_lazy("work reported done"),
    "confirm": gettext_lazy("confirmed"),
    "send_back": gettext_lazy("sent back"),
    "rate": gettext_lazy("rating recorded"),
    "comment": gettext_lazy("note added"),
    "escalate": gettext_lazy("escalated to the township"),
    "assign": gettext_lazy("responsible person named"),
}


def stage_name(stage: str) -> str:
    """A stage's name in the active language: the practice's four characters in Chinese, else the label."""
    hanzi = STEP_HANZI.get(stage)
    if hanzi and (get_language() or settings.LANGUAGE_CODE).lower().startswith("zh"):
        return hanzi
    return str(Stage(stage).label)


def move_done_message(issue: Issue, move: str, *, before: str) -> str:
    """The one line that confirms a move, with the issue's number and where it stands now, e.g.
    "#101 已受理，进入征求论事。" / "#101 accepted, now at: Opinions are solicited." ``before`` is the stage
    the issue had before the move. Every page that makes a move says what happened with this."""
    stage = Issue.objects.filter(pk=issue.pk).values_list("stage", flat=True).first() or issue.stage
    facts = {"number": issue.pk, "done": MOVE_DONE.get(move, move), "stage": stage_name(stage)}
    if stage in TERMINAL_STAGES:
        return _("#%(number)s %(done)s.") % facts
    if stage != before:
        return _("#%(number)s %(done)s, now at: %(stage)s.") % facts
    return _("#%(number)s %(done)s; still at: %(stage)s.") % facts


# Moves that leave the stage as it is, and the stages they are made at. "put_on_agenda" at step 3 is a
# deferred issue going onto a later meeting.
ACTIVITIES: dict[str, frozenset[str]] = {
    "opinion": frozenset({Stage.SOLICITING, Stage.DELIBERATING}),
    "open_consultation": frozenset({Stage.SOLICITING}),
    "put_on_agenda": frozenset({Stage.DELIBERATING}),
    "progress": frozenset({Stage.EXECUTING}),
    "rate": frozenset({Stage.SUPERVISING, Stage.CLOSED}),
    "comment": frozenset(Stage.values),
    "escalate": OPEN_STAGES,
}

# Every move and activity, in the order pages offer them.
MOVES = (
    "accept",
    "reject",
    "merge",
    "withdraw",
    "opinion",
    "open_consultation",
    "put_on_agenda",
    "decide",
    "defer",
    "not_adopted",
    "start",
    "progress",
    "report_done",
    "confirm",
    "send_back",
    "rate",
    "comment",
    "escalate",
)


def allowed_moves(stage: str) -> list[str]:
    return list(TRANSITIONS.get(stage, {}))


def stages_of(move: str) -> frozenset[str]:
    """The stages at which a move or activity can be made at all, whoever makes it."""
    by_transition = frozenset(s for s, moves in TRANSITIONS.items() if move in moves)
    return by_transition | ACTIVITIES.get(move, frozenset())


def _has_pending_item(issue: Issue) -> bool:
    # .all() so that a page listing many issues can prefetch their agenda items.
    return any(item.outcome == AgendaItem.Outcome.PENDING for item in issue.agenda_items.all())


def _is_rated(issue: Issue) -> bool:
    if Issue.satisfaction.is_cached(issue):  # read with the issue (select_related("satisfaction"))
        return Issue.satisfaction.related.get_cached_value(issue) is not None
    return Satisfaction.objects.filter(issue=issue).exists()


# Who may make each move: (user, issue, holds_code) -> bool. ``holds_code`` is whoever opened the issue
# by its tracking code: the raiser, as far as the portal can tell (residents have no accounts).
_WHO = {
    "accept": lambda user, issue, code: perms.can_manage_issue(user, issue),
    "reject": lambda user, issue, code: perms.can_manage_issue(user, issue),
    "merge": lambda user, issue, code: perms.can_manage_issue(user, issue),
    "withdraw": lambda user, issue, code: code,
    # The raiser speaks while opinions are solicited (step 2); cadres and members record them in step 3 too.
    "opinion": lambda user, issue, code: (
        (code and issue.stage == Stage.SOLICITING) or perms.can_record_opinion(user, issue)
    ),
    "open_consultation": lambda user, issue, code: perms.can_manage_issue(user, issue),
    "put_on_agenda": lambda user, issue, code: perms.can_manage_issue(user, issue),
    "decide": lambda user, issue, code: perms.can_manage_issue(user, issue),
    "defer": lambda user, issue, code: perms.can_manage_issue(user, issue),
    "not_adopted": lambda user, issue, code: perms.can_manage_issue(user, issue),
    "start": lambda user, issue, code: perms.can_start_work(user, issue),
    "progress": lambda user, issue, code: perms.can_report_work(user, issue),
    "report_done": lambda user, issue, code: perms.can_report_work(user, issue),
    "confirm": lambda user, issue, code: perms.can_supervise_issue(user, issue),
    "send_back": lambda user, issue, code: perms.can_supervise_issue(user, issue),
    "rate": lambda user, issue, code: code,
    "comment": lambda user, issue, code: perms.can_comment_issue(user, issue),
    "escalate": lambda user, issue, code: perms.can_escalate_issue(user, issue),
}

# What else must hold, beyond stage and role (checked last: these may read the database).
_ALSO = {
    # In step 3 an issue waits on one agenda at a time: put on a later one only once deferred.
    "put_on_agenda": lambda issue: issue.stage == Stage.SOLICITING or not _has_pending_item(issue),
    "decide": _has_pending_item,
    "defer": _has_pending_item,
    "not_adopted": _has_pending_item,
    "rate": lambda issue: not _is_rated(issue),
}


def available_moves(user, issue: Issue, *, holds_code: bool = False) -> list[str]:
    """What this user may do with the issue now: the one answer every page, form and view relies on.

    Built from ``TRANSITIONS`` / ``ACTIVITIES`` (which moves the stage allows) and the permission
    functions (who may make them). ``holds_code``: the user opened the issue by its tracking code.
    The move functions still check the evidence each move needs, under the row lock."""
    moves = []
    for move in MOVES:
        if issue.stage not in stages_of(move) or not _WHO[move](user, issue, holds_code):
            continue
        if move in _ALSO and not _ALSO[move](issue):
            continue
        moves.append(move)
    return moves


def raiser_moves(issue: Issue) -> list[str]:
    """What the holder of the tracking code may do on the tracking page, as the raiser: whoever is signed
    in, their staff roles do not count there (the page acts for the resident)."""
    return available_moves(AnonymousUser(), issue, holds_code=True)


# --- helpers -----------------------------------------------------------------------------------


def _lock(issue: Issue) -> Issue:
    """The issue re-read under a row lock, so concurrent moves serialise and the loser sees the new stage."""
    return _lock_pk(issue.pk)


def _lock_pk(pk: int) -> Issue:
    return Issue.objects.select_for_update().select_related("village__township").get(pk=pk)


def _require_move(issue: Issue, move: str) -> str:
    target = TRANSITIONS.get(issue.stage, {}).get(move)
    if target is None:
        raise WorkflowError(
            _("“%(move)s” is not possible while the issue is at “%(stage)s”.")
            % {"move": MOVE_LABELS[move], "stage": issue.get_stage_display()}
        )
    return target


def stage_due_at(issue: Issue, stage: str, *, now=None, due_date: datetime.date | None = None):
    """When the stage's time limit ends (township settings; step 5 by the resolution's due date)."""
    now = now or clock.now()
    township = issue.village.township
    days = {
        Stage.RAISED: township.limit_raised_days,
        Stage.SOLICITING: township.limit_soliciting_days,
        Stage.DELIBERATING: township.limit_deliberating_days,
        Stage.SUPERVISING: township.limit_supervising_days,
    }.get(stage)
    if days is not None:
        return now + datetime.timedelta(days=days)
    if stage == Stage.EXECUTING and due_date:
        end_of_day = datetime.datetime.combine(due_date, datetime.time(23, 59, 59))
        return timezone.make_aware(end_of_day)
    return None


def tally_apply(village_id: int, changes: dict[str, int]) -> None:
    """Adds ``changes`` ({stage: +n or -n}) to the village's issue counts, inside the caller's transaction.

    One upsert per stage, in a fixed order (by stage name) so that two moves in the same village that
    cross the same two stages in opposite directions lock the rows in the same order, never deadlocking."""
    table = connection.ops.quote_name(IssueTally._meta.db_table)
    with connection.cursor() as cursor:
        for stage, delta in sorted(changes.items()):
            if not delta:
                continue
            cursor.execute(
                f"INSERT INTO {table} (village_id, stage, count) VALUES (%s, %s, %s) "  # noqa: S608 - quoted
                f"ON CONFLICT (village_id, stage) DO UPDATE SET count = {table}.count + EXCLUDED.count",
                [village_id, str(stage), delta],
            )


def tally_rating(village_id: int, *, rated: int, total: int) -> None:
    """Adds ``rated`` ratings summing ``total`` (negative to take them off) to the village's closed decided
    matters' ratings, kept on its closed stage's tally row, inside the caller's transaction."""
    table = connection.ops.quote_name(IssueTally._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (village_id, stage, count, rated, rating_total) "  # noqa: S608 - quoted
            f"VALUES (%s, %s, 0, %s, %s) ON CONFLICT (village_id, stage) DO UPDATE SET "
            f"rated = {table}.rated + EXCLUDED.rated, "
            f"rating_total = {table}.rating_total + EXCLUDED.rating_total",
            [village_id, str(Stage.CLOSED), rated, total],
        )


def _counted_rating(issue: Issue) -> int | None:
    """The issue's rating when it counts towards its village's mean (rated, with an adopted resolution)."""
    decided = Resolution.objects.filter(issue=OuterRef("issue_id"), adopted=True)
    return (
        Satisfaction.objects.filter(issue=issue)
        .filter(Exists(decided))
        .values_list("score", flat=True)
        .first()
    )


def _actor_label(actor) -> str:
    if actor is None:
        return _("resident")
    return actor.get_short_name()


def _log(
    issue,
    *,
    kind,
    actor=None,
    actor_label=None,
    from_stage="",
    to_stage="",
    note="",
    public=True,
    note_public=True,
    at=None,
    meeting=None,
):
    entry = TimelineEntry.objects.create(
        created_at=at or clock.now(),
        issue=issue,
        kind=kind,
        actor=actor,
        actor_label=actor_label if actor_label is not None else _actor_label(actor),
        from_stage=from_stage,
        to_stage=to_stage,
        note=note,
        is_public=public,
        note_is_public=note_public,
        meeting=meeting,
    )
    notify.timeline_entry_written(entry)
    fragments.issue_village_changed(issue)
    return entry


def _move(
    issue: Issue,
    *,
    target: str,
    actor=None,
    note="",
    actor_label=None,
    public=True,
    due_date=None,
    note_public=True,
    meeting=None,
) -> TimelineEntry:
    source = issue.stage
    now = clock.now()
    if source != target:
        tally_apply(issue.village_id, {source: -1, target: +1})
        # A rated matter entering (or ever leaving) "closed" carries its rating to (from) the closed row.
        if Stage.CLOSED in (source, target) and (score := _counted_rating(issue)) is not None:
            sign = 1 if target == Stage.CLOSED else -1
            tally_rating(issue.village_id, rated=sign, total=sign * score)
    issue.stage = target
    issue.stage_entered_at = now
    issue.stage_due_at = stage_due_at(issue, target, now=now, due_date=due_date)
    issue.escalated_at = None
    issue.save(
        update_fields=[
            "stage",
            "stage_entered_at",
            "stage_due_at",
            "escalated_at",
            "updated_at",
            "responsible",
            "merged_into",
        ]
    )
    return _log(
        issue,
        kind=TimelineEntry.Kind.STAGE,
        actor=actor,
        actor_label=actor_label,
        from_stage=source,
        to_stage=target,
        note=note,
        public=public,
        note_public=note_public,
        meeting=meeting,
    )


def _need(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise WorkflowError(message)
    return text


# --- step 1: 群众提事 ----------------------------------------------------------------------------


@transaction.atomic
def issue_accept(*, issue: Issue, actor, note: str = "", note_public: bool = False) -> Issue:
    """Step 1 → 2. The cadre's note is internal unless marked public.

    Side effects: timeline entry; the raiser is told (on commit)."""
    issue = _lock(issue)
    target = _require_move(issue, "accept")
    _move(issue, target=target, actor=actor, note=note, note_public=note_public)
    return issue


@transaction.atomic
def issue_reject(*, issue: Issue, actor, reason: str, note_public: bool = False) -> Issue:
    """Step 1 → REJECTED, with a reason; the raiser reads it only when the cadre marks it public.

    Side effects: timeline; the raiser is told."""
    issue = _lock(issue)
    target = _require_move(issue, "reject")
    reason = _need(reason, _("Give the reason for rejecting the issue."))
    _move(issue, target=target, actor=actor, note=reason, note_public=note_public)
    return issue


@transaction.atomic
def issue_merge(*, issue: Issue, actor, target_issue: Issue, note: str = "") -> Issue:
    """Step 1 → MERGED into an open issue of the same village. Side effects: timeline on both; raiser told."""
    if target_issue is None:
        raise WorkflowError(_("Choose the issue to merge into."), field="target_issue")
    if target_issue.pk == issue.pk:
        raise WorkflowError(
            _("An issue can only be merged into another issue of the same village."), field="target_issue"
        )
    # Both rows locked, the lower id first whichever way round the merge goes, so that two merges over
    # the same pair wait for each other instead of deadlocking, and the target cannot close meanwhile.
    locked = {pk: _lock_pk(pk) for pk in sorted((issue.pk, target_issue.pk))}
    issue, target_issue = locked[issue.pk], locked[target_issue.pk]
    target = _require_move(issue, "merge")
    if target_issue.village_id != issue.village_id:
        raise WorkflowError(
            _("An issue can only be merged into another issue of the same village."), field="target_issue"
        )
    if not target_issue.is_open:
        raise WorkflowError(
            _("The issue to merge into must still be open (not closed, merged, withdrawn or rejected)."),
            field="target_issue",
        )
    issue.merged_into = target_issue
    _move(
        issue,
        target=target,
        actor=actor,
        note=note or _("Merged into “%(title)s”.") % {"title": target_issue.title},
    )
    _log(
        target_issue,
        kind=TimelineEntry.Kind.COMMENT,
        actor=actor,
        public=False,
        # The number, not the tracking code: everyone who opens this issue reads the note, and the code
        # would let them act as the other issue's raiser.
        note=_("Issue “%(title)s” (#%(number)s) was merged into this one.")
        % {"title": issue.title, "number": issue.pk},
    )
    return issue


@transaction.atomic
def issue_withdraw(*, issue: Issue, note: str = "", actor=None) -> Issue:
    """Withdrawn by the raiser, allowed before the decision (steps 1–3).

    Side effects: pending agenda items dropped; timeline; cadres told."""
    issue = _lock(issue)
    target = _require_move(issue, "withdraw")
    _move(issue, target=target, actor=actor, note=note)
    # A withdrawn issue leaves any agenda it was waiting on, a held meeting's too: no outcome can be
    # recorded for it any more, and a pending item would keep that meeting from being signed off.
    AgendaItem.objects.filter(
        issue=issue, outcome=AgendaItem.Outcome.PENDING, meeting__signed_off_at__isnull=True
    ).delete()
    return issue


# --- step 2: 征求论事 ----------------------------------------------------------------------------


@transaction.atomic
def issue_add_opinion(
    *, issue: Issue, party: str, stance: str, text: str, source: str, actor=None
) -> Opinion:
    """Records an opinion while opinions are solicited (and during deliberation). Side effects: timeline."""
    issue = _lock(issue)
    if issue.stage not in ACTIVITIES["opinion"]:
        raise WorkflowError(_("Opinions are gathered in steps 2 and 3 only."))
    if stance not in Opinion.Stance.values:
        raise WorkflowError(_("Choose support, oppose or neutral."))
    text = _need(text, _("Write the opinion."))
    party = _need(party, _("Say whose opinion it is."))
    opinion = Opinion.objects.create(
        issue=issue, party=party, stance=stance, text=text, source=source, author=actor
    )
    _log(
        issue,
        kind=TimelineEntry.Kind.OPINION,
        actor=actor,
        note=_("An opinion was recorded (%(stance)s).") % {"stance": opinion.get_stance_display()},
    )
    return opinion


@transaction.atomic
def issue_open_consultation(*, issue: Issue, actor, summary: str, closes_on: datetime.date) -> Issue:
    """Opens a step-2 issue to public opinions until `closes_on`, showing only the public summary.

    Side effects: timeline entry (public)."""
    issue = _lock(issue)
    if issue.stage not in ACTIVITIES["open_consultation"]:
        raise WorkflowError(_("Only an issue in step 2 can be opened for public opinions."))
    summary = _need(summary, _("Write a public summary: what the matter is, without names or numbers."))
    if closes_on is None or closes_on < clock.localdate():
        raise WorkflowError(_("Give a closing date that is not in the past."))
    issue.consultation_summary = summary
    issue.consultation_closes_on = closes_on
    issue.consultation_opened_at = issue.consultation_opened_at or clock.now()
    issue.save(
        update_fields=[
            "consultation_summary",
            "consultation_closes_on",
            "consultation_opened_at",
            "updated_at",
        ]
    )
    _log(
        issue,
        kind=TimelineEntry.Kind.COMMENT,
        actor=actor,
        note=_("Open for public opinions until %(date)s.") % {"date": closes_on.isoformat()},
    )
    return issue


@transaction.atomic
def issue_add_public_opinion(*, issue: Issue, stance: str, text: str, name: str = "") -> Opinion:
    """A visitor's opinion on a matter open for public consultation; the name is for cadres only.

    Side effects: opinion (step-2 evidence, labelled public); timeline; the cadres are told."""
    issue = _lock(issue)
    if not issue.is_open_for_opinions:
        raise WorkflowError(_("This matter is not open for public opinions."))
    if stance not in Opinion.Stance.values:
        raise WorkflowError(_("Choose support, oppose or neutral."))
    text = _need(text, _("Write the opinion."))
    opinion = Opinion.objects.create(
        issue=issue,
        party=_("public consultation"),
        source=Opinion.Source.PUBLIC,
        stance=stance,
        text=text,
        visitor_name=(name or "").strip()[:50],
    )
    _log(
        issue,
        kind=TimelineEntry.Kind.OPINION,
        actor=None,
        actor_label=_("visitor"),
        note=_("A public opinion was given (%(stance)s).") % {"stance": opinion.get_stance_display()},
    )
    return opinion


@transaction.atomic
def issue_put_on_agenda(*, issue: Issue, actor, meeting: Meeting, note: str = "") -> AgendaItem:
    """Step 2 → 3, or a deferred issue (stays 3) onto a later meeting. Needs ≥1 opinion and a scheduled
    meeting of a roundtable covering the issue's group. Side effects: agenda item; timeline; raiser told."""
    issue = _lock(issue)
    deferred_again = (
        issue.stage == Stage.DELIBERATING
        and not issue.agenda_items.filter(outcome=AgendaItem.Outcome.PENDING).exists()
    )
    target = Stage.DELIBERATING if deferred_again else _require_move(issue, "put_on_agenda")
    if not issue.opinions.exists():
        raise WorkflowError(_("Record at least one opinion before putting the issue on an agenda."))
    meeting = Meeting.objects.select_for_update().select_related("roundtable").get(pk=meeting.pk)
    check_meeting_takes_agenda(meeting, field="meeting")
    if meeting.roundtable.village_id != issue.village_id or not meeting.roundtable.covers(issue.group_id):
        raise WorkflowError(
            _("This meeting's roundtable does not cover the issue's village group."), field="meeting"
        )
    if AgendaItem.objects.filter(meeting=meeting, issue=issue).exists():
        raise WorkflowError(_("The issue is already on this meeting's agenda."), field="meeting")
    order = (meeting.agenda.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    item = AgendaItem.objects.create(meeting=meeting, issue=issue, order=order)
    # No time in the note: the entry is linked to the meeting, and pages show the meeting's time as it is
    # now (a meeting moved later must never be shown at its old time).
    public_note = note or _("On the agenda of the %(roundtable)s meeting.") % {
        "roundtable": meeting.roundtable.name
    }
    if deferred_again:
        _log(issue, kind=TimelineEntry.Kind.AGENDA, actor=actor, note=public_note, meeting=meeting)
    else:
        _move(issue, target=target, actor=actor, note=public_note, meeting=meeting)
    return item


# --- meetings: what can be done with a meeting now ---------------------------------------------

# Attendance is taken when the meeting sits: from this long before its time (members arrive early).
ATTENDANCE_OPENS_BEFORE = datetime.timedelta(hours=2)
# A meeting held on paper is entered within this long after it was held.
ENTERED_AFTERWARDS_WITHIN = datetime.timedelta(days=366)


def check_meeting_time(starts_at, *, entered_afterwards: bool = False, hint: bool = False) -> None:
    """A meeting is scheduled, or moved, to a time still ahead; a meeting entered afterwards (held on paper,
    recorded later) was held before now, within the last year. The forms call this too. ``hint``: the
    form offers "entered afterwards", so say so when a past time is refused."""
    now = clock.now()
    if entered_afterwards:
        if starts_at > now:
            raise WorkflowError(
                _("A meeting entered afterwards has already been held: give the time it was held."),
                field="starts_at",
            )
        if starts_at < now - ENTERED_AFTERWARDS_WITHIN:
            raise WorkflowError(
                _("A meeting entered afterwards must have been held within the last year."), field="starts_at"
            )
    elif starts_at < now:
        if hint:
            raise WorkflowError(
                _(
                    "A meeting is scheduled in the future. To record a meeting already held, "
                    "tick “held already, entered afterwards”."
                ),
                field="starts_at",
            )
        raise WorkflowError(_("A meeting is scheduled in the future."), field="starts_at")


def meeting_takes_agenda(meeting: Meeting) -> bool:
    """Issues and topics go onto a scheduled meeting's agenda; a meeting entered afterwards takes them
    while its record is completed (until it is signed off), since its agenda is copied from paper."""
    if meeting.is_locked:
        return False
    if meeting.state == Meeting.State.SCHEDULED:
        return True
    return meeting.state == Meeting.State.HELD and meeting.entered_afterwards


def check_meeting_takes_agenda(meeting: Meeting, *, field: str | None = None) -> None:
    if not meeting_takes_agenda(meeting):
        raise WorkflowError(_("Only a scheduled meeting can take new agenda items."), field=field)


def attendance_opens_at(meeting: Meeting) -> datetime.datetime:
    return meeting.starts_at - ATTENDANCE_OPENS_BEFORE


def attendance_refusal(meeting: Meeting, *, now=None) -> str:
    """Why attendance cannot be recorded now ("" when it can): the one rule the page and the save share."""
    if meeting.state == Meeting.State.CANCELLED:
        return _("A cancelled meeting has no attendance.")
    if meeting.is_locked:
        return _("The meeting's minutes are signed off and locked.")
    if (now or clock.now()) < attendance_opens_at(meeting):
        return _("Attendance is recorded when the meeting sits, not in advance.")
    return ""


def attendance_open(meeting: Meeting, *, now=None) -> bool:
    """Attendance can be recorded (and saved) now."""
    return not attendance_refusal(meeting, now=now)


def check_attendance_open(meeting: Meeting) -> None:
    refusal = attendance_refusal(meeting)
    if refusal:
        raise WorkflowError(refusal)


def substitute_needed(meeting: Meeting, statuses: dict[int, str]) -> bool:
    """The chair is not marked present while someone is: another member present must chair instead."""
    if meeting.chair_id is None or statuses.get(meeting.chair_id) == Attendance.Status.PRESENT:
        return False
    return any(status == Attendance.Status.PRESENT for status in statuses.values())


def check_substitute_chair(meeting: Meeting, statuses: dict[int, str], substitute):
    """The substitute chair to record with this attendance: required when the chair is absent (chosen among
    the members present), none when the chair is present. Returns it."""
    if not substitute_needed(meeting, statuses):
        return None
    if substitute is None:
        raise WorkflowError(
            _(
                "The chair, %(name)s, is not marked present. Choose who chaired the meeting in their place, "
                "among the members present."
            )
            % {"name": meeting.chair.name},
            field="substitute_chair",
        )
    if (
        substitute.roundtable_id != meeting.roundtable_id
        or statuses.get(substitute.pk) != Attendance.Status.PRESENT
    ):
        raise WorkflowError(
            _("The substitute chair must be one of the members marked present."), field="substitute_chair"
        )
    return substitute


def confirm_open(meeting: Meeting, *, now=None) -> bool:
    """A member may confirm (or withdraw) their coming: a scheduled meeting still ahead, not one entered
    afterwards (it has been held)."""
    return (
        meeting.state == Meeting.State.SCHEDULED
        and not meeting.entered_afterwards
        and (now or clock.now()) < meeting.starts_at
    )


def meeting_actions(user, meeting: Meeting) -> set[str]:
    """What this user may do with the meeting now, for the meeting page: the same rules the services
    check when the change is saved, so the page offers only what can be saved."""
    if not perms.can_manage_meeting(user, meeting):
        return set()
    actions = set()
    scheduled = meeting.state == Meeting.State.SCHEDULED
    if meeting_takes_agenda(meeting):
        actions.add("agenda")
    if attendance_open(meeting):
        actions.add("attendance")
    if meeting.state == Meeting.State.HELD and not meeting.is_locked:
        actions |= {"minutes", "sign_off"}
    if scheduled and not meeting.entered_afterwards:
        actions |= {"move", "cancel"}
    return actions


# --- step 3 → 4: 圆桌议事 → 会议定事 ----------------------------------------------------------------


def _present_count(meeting: Meeting) -> int:
    # Only active members count, on both sides of the quorum and the majority.
    return meeting.attendance.filter(status=Attendance.Status.PRESENT, member__is_active=True).count()


def has_quorum(*, present: int, members: int) -> bool:
    """The quorum rule, the one place it is written: more than half of the active members present."""
    return members > 0 and present * 2 > members


def quorum_needed(members: int) -> int:
    """How many members must be present for a quorum."""
    return members // 2 + 1


def quorum_met(meeting: Meeting) -> bool:
    """More than half of the roundtable's active members present."""
    members = meeting.roundtable.members.filter(is_active=True).count()
    return has_quorum(present=_present_count(meeting), members=members)


def _check_meeting_for_decision(meeting: Meeting) -> int:
    if meeting.state != Meeting.State.HELD:
        raise WorkflowError(_("The meeting must be held, with its attendance recorded, before it decides."))
    if meeting.is_locked:
        raise WorkflowError(_("The meeting's minutes are signed off and locked."))
    if not meeting.attendance.exclude(status="").exists():
        raise WorkflowError(_("Record the meeting's attendance first."))
    if not quorum_met(meeting):
        raise WorkflowError(_("No quorum: more than half of the members must be present."))
    return _present_count(meeting)


def responsible_candidates(village):
    """Who can be made responsible for a village's issue: active users holding a role in the village."""
    return User.objects.filter(memberships__village=village, is_active=True).distinct()


def check_responsible(*, village, responsible) -> None:
    """The person responsible must be an active user with a role in the issue's village."""
    if responsible is None:
        raise WorkflowError(_("Name the person responsible for carrying it out."), field="responsible")
    if not responsible_candidates(village).filter(pk=responsible.pk).exists():
        raise WorkflowError(
            _("The person responsible must be an active member of the village's staff."), field="responsible"
        )


def check_due_date(due_date) -> None:
    if due_date is None or due_date < clock.localdate():
        raise WorkflowError(_("Give a due date that is not in the past."), field="due_date")


def _pending_item(issue: Issue, agenda_item: AgendaItem) -> AgendaItem:
    item = AgendaItem.objects.select_for_update().select_related("meeting__roundtable").get(pk=agenda_item.pk)
    if item.issue_id != issue.pk:
        raise WorkflowError(_("This agenda item is about another issue."))
    if item.outcome != AgendaItem.Outcome.PENDING:
        raise WorkflowError(_("This agenda item already has an outcome."))
    return item


def _check_votes(votes_for: int, votes_against: int, votes_abstain: int, present: int):
    if min(votes_for, votes_against, votes_abstain) < 0:
        raise WorkflowError(_("Votes cannot be negative."))
    if votes_for + votes_against + votes_abstain > present:
        raise WorkflowError(
            _("%(votes)s votes were cast but only %(present)s members are present.")
            % {"votes": votes_for + votes_against + votes_abstain, "present": present}
        )


@transaction.atomic
def issue_decide(
    *,
    issue: Issue,
    actor,
    agenda_item: AgendaItem,
    text: str,
    discussion: str,
    votes_for: int,
    votes_against: int,
    votes_abstain: int,
    responsible,
    due_date: datetime.date,
) -> Resolution:
    """Step 3 → 4. Needs a held meeting with quorum, discussion notes, a resolution text, *for* votes above
    half of those present, a responsible person and a due date. Side effects: resolution; timeline; the
    raiser and the responsible person are told."""
    issue = _lock(issue)
    target = _require_move(issue, "decide")
    item = _pending_item(issue, agenda_item)
    present = _check_meeting_for_decision(item.meeting)
    discussion = _need(discussion, _("Write down the discussion."))
    text = _need(text, _("Write the resolution."))
    _check_votes(votes_for, votes_against, votes_abstain, present)
    if votes_for * 2 <= present:
        raise WorkflowError(
            _("Not adopted: %(for)s votes for is not more than half of the %(present)s members present.")
            % {"for": votes_for, "present": present}
        )
    check_responsible(village=issue.village, responsible=responsible)
    check_due_date(due_date)
    resolution = Resolution.objects.create(
        meeting=item.meeting,
        issue=issue,
        village_id=issue.village_id,
        agenda_item=item,
        text=text,
        votes_for=votes_for,
        votes_against=votes_against,
        votes_abstain=votes_abstain,
        responsible=responsible,
        due_date=due_date,
        adopted=True,
    )
    item.discussion = discussion
    item.outcome = AgendaItem.Outcome.DECIDED
    item.save(update_fields=["discussion", "outcome"])
    issue.responsible = responsible
    _move(
        issue,
        target=target,
        actor=actor,
        note=_("Resolution (for %(f)s, against %(a)s, abstaining %(b)s): %(text)s")
        % {"f": votes_for, "a": votes_against, "b": votes_abstain, "text": text},
        meeting=item.meeting,
    )
    _log(
        issue,
        kind=TimelineEntry.Kind.ASSIGNED,
        actor=actor,
        public=False,
        note=_("Responsible: %(name)s, due %(date)s.")
        % {"name": responsible.get_short_name(), "date": due_date.isoformat()},
    )
    notify.responsible_assigned(issue=issue, responsible=responsible)
    return resolution


@transaction.atomic
def issue_defer(
    *, issue: Issue, actor, agenda_item: AgendaItem, discussion: str, next_meeting: Meeting | None = None
) -> AgendaItem:
    """Step 3 stays 3: the meeting defers the issue, optionally onto a later meeting.

    Side effects: timeline."""
    issue = _lock(issue)
    _require_move(issue, "defer")
    item = _pending_item(issue, agenda_item)
    if item.meeting.state != Meeting.State.HELD or item.meeting.is_locked:
        raise WorkflowError(_("Only a held meeting that is not signed off can defer an issue."))
    item.discussion = _need(discussion, _("Write down the discussion and why it is deferred."))
    item.outcome = AgendaItem.Outcome.DEFERRED
    item.save(update_fields=["discussion", "outcome"])
    _log(
        issue,
        kind=TimelineEntry.Kind.DEFERRED,
        actor=actor,
        note=_("Deferred to a later meeting: %(why)s") % {"why": item.discussion},
        meeting=item.meeting,
    )
    if next_meeting is not None:
        issue_put_on_agenda(issue=issue, actor=actor, meeting=next_meeting)
    # A fresh deliberation limit for the next meeting.
    issue.stage_due_at = stage_due_at(issue, Stage.DELIBERATING)
    issue.save(update_fields=["stage_due_at", "updated_at"])
    return item


@transaction.atomic
def issue_not_adopted(
    *,
    issue: Issue,
    actor,
    agenda_item: AgendaItem,
    discussion: str,
    votes_for: int,
    votes_against: int,
    votes_abstain: int,
) -> Issue:
    """Step 3 → REJECTED: the held, quorate meeting voted and the proposal did not pass. Side effects:
    timeline; the raiser is told."""
    issue = _lock(issue)
    target = _require_move(issue, "not_adopted")
    item = _pending_item(issue, agenda_item)
    present = _check_meeting_for_decision(item.meeting)
    discussion = _need(discussion, _("Write down the discussion."))
    _check_votes(votes_for, votes_against, votes_abstain, present)
    if votes_for * 2 > present:
        raise WorkflowError(_("More than half voted for it: record a resolution instead."))
    Resolution.objects.create(
        meeting=item.meeting,
        issue=issue,
        village_id=issue.village_id,
        agenda_item=item,
        text=discussion,
        votes_for=votes_for,
        votes_against=votes_against,
        votes_abstain=votes_abstain,
        adopted=False,
    )
    item.discussion = discussion
    item.outcome = AgendaItem.Outcome.NOT_ADOPTED
    item.save(update_fields=["discussion", "outcome"])
    _move(
        issue,
        target=target,
        actor=actor,
        note=_("Not adopted by the roundtable (for %(f)s, against %(a)s, abstaining %(b)s): %(why)s")
        % {"f": votes_for, "a": votes_against, "b": votes_abstain, "why": discussion},
        meeting=item.meeting,
    )
    return issue


# --- step 4 → 5 → 6: 会议定事 → 集中办事 → 制度监事 -----------------------------------------------


def _latest_resolution(issue: Issue) -> Resolution | None:
    return issue.resolutions.filter(adopted=True).order_by("-created_at", "-pk").first()


@transaction.atomic
def issue_start(*, issue: Issue, actor, note: str = "", note_public: bool = False) -> Issue:
    """Step 4 → 5, by the responsible person or a cadre. The step's limit is the resolution's due date.
    Side effects: timeline; the raiser is told."""
    issue = _lock(issue)
    target = _require_move(issue, "start")
    resolution = _latest_resolution(issue)
    _move(
        issue,
        target=target,
        actor=actor,
        note=note or _("Work has started."),
        due_date=resolution.due_date if resolution else None,
        note_public=note_public or not note,
    )
    return issue


@transaction.atomic
def issue_report_progress(
    *, issue: Issue, actor, percent: int, note: str, photo=None, note_public: bool = False
) -> ProgressUpdate:
    """A progress report during step 5; the note is internal unless marked public. Side effects: timeline."""
    issue = _lock(issue)
    if issue.stage not in ACTIVITIES["progress"]:
        raise WorkflowError(_("Progress is reported while the work is carried out (step 5)."))
    if not 0 <= percent <= 100:
        raise WorkflowError(_("Progress is a percentage from 0 to 100."))
    note = _need(note, _("Describe the progress."))
    update = ProgressUpdate.objects.create(
        issue=issue, percent=percent, note=note, photo=photo or "", author=actor, note_is_public=note_public
    )
    _log(
        issue,
        kind=TimelineEntry.Kind.PROGRESS,
        actor=actor,
        note=f"{percent}% · {note}",
        note_public=note_public,
    )
    return update


@transaction.atomic
def issue_report_done(
    *, issue: Issue, actor, note: str, photo=None, note_public: bool = False
) -> ProgressUpdate:
    """Step 5 → 6 with a completion note (and optional photo as evidence). Side effects: completion
    report; timeline; the raiser and the village's supervisors are told."""
    issue = _lock(issue)
    target = _require_move(issue, "report_done")
    note = _need(note, _("Write a completion note with the evidence of what was done."))
    update = ProgressUpdate.objects.create(
        issue=issue,
        percent=100,
        note=note,
        photo=photo or "",
        author=actor,
        is_completion=True,
        note_is_public=note_public,
    )
    _move(issue, target=target, actor=actor, note=note, note_public=note_public)
    return update


@transaction.atomic
def issue_confirm(*, issue: Issue, supervisor, note: str = "", note_public: bool = False) -> Issue:
    """Step 6 → CLOSED by a supervisor. Side effects: verdict; timeline; the raiser is told."""
    issue = _lock(issue)
    target = _require_move(issue, "confirm")
    SupervisionVerdict.objects.create(
        issue=issue, supervisor=supervisor, verdict=SupervisionVerdict.Verdict.CONFIRM, reason=note
    )
    _move(
        issue,
        target=target,
        actor=supervisor,
        note=note or _("The supervisor confirmed the work."),
        note_public=note_public or not note,
    )
    return issue


@transaction.atomic
def issue_send_back(*, issue: Issue, supervisor, reason: str, note_public: bool = False) -> Issue:
    """Step 6 → 5 with a reason. Side effects: verdict; timeline; the responsible person is told."""
    issue = _lock(issue)
    target = _require_move(issue, "send_back")
    reason = _need(reason, _("Say why the work is sent back."))
    SupervisionVerdict.objects.create(
        issue=issue, supervisor=supervisor, verdict=SupervisionVerdict.Verdict.SEND_BACK, reason=reason
    )
    resolution = _latest_resolution(issue)
    due = resolution.due_date if resolution and resolution.due_date >= clock.localdate() else None
    _move(issue, target=target, actor=supervisor, note=reason, due_date=due, note_public=note_public)
    if due is None:
        issue.stage_due_at = clock.now() + datetime.timedelta(
            days=issue.village.township.limit_supervising_days
        )
        issue.save(update_fields=["stage_due_at", "updated_at"])
    return issue


@transaction.atomic
def issue_rate(*, issue: Issue, score: int, comment: str = "") -> Satisfaction:
    """The raiser rates the outcome once, in step 6 or after closing. Side effects: timeline; cadres told."""
    issue = _lock(issue)
    if issue.stage not in ACTIVITIES["rate"]:
        raise WorkflowError(_("The outcome can be rated once the work is reported done."))
    if not 1 <= int(score) <= 5:
        raise WorkflowError(_("Choose a rating from 1 to 5."))
    if Satisfaction.objects.filter(issue=issue).exists():
        raise WorkflowError(_("This issue has already been rated."))
    rating = Satisfaction.objects.create(issue=issue, score=score, comment=comment.strip())
    if issue.stage == Stage.CLOSED and _counted_rating(issue) is not None:
        tally_rating(issue.village_id, rated=1, total=int(score))
    _log(
        issue,
        kind=TimelineEntry.Kind.RATING,
        actor=None,
        note=_("The raiser rated the outcome %(score)s of 5.") % {"score": score},
    )
    return rating


# --- any stage: comments, escalation, assignment ----------------------------------------------


@transaction.atomic
def issue_comment(*, issue: Issue, actor, note: str, public: bool = False) -> TimelineEntry:
    """A comment on the timeline, internal unless marked public. Side effects: timeline."""
    issue = _lock(issue)
    note = _need(note, _("Write the comment."))
    return _log(issue, kind=TimelineEntry.Kind.COMMENT, actor=actor, note=note, public=public)


@transaction.atomic
def issue_escalate(*, issue: Issue, actor, note: str = "", overdue_due_at=None, now=None) -> Issue:
    """Escalates an open issue to the township: by an official (``actor``, with a note), or automatically
    by the overdue sweep (no actor; ``overdue_due_at`` is the deadline the sweep saw pass, and the move
    is refused if the issue has moved on or was escalated since).

    Side effects: ``escalated_at``; timeline (internal); an official's escalation tells the liaison and
    the cadres (the sweep writes its own overdue message to the liaison)."""
    issue = _lock(issue)
    now = now or clock.now()
    if issue.stage not in ACTIVITIES["escalate"]:
        raise WorkflowError(_("Only an open issue can be escalated."))
    if actor is None:
        if overdue_due_at is None or issue.stage_due_at != overdue_due_at or issue.escalated_at is not None:
            raise WorkflowError(_("The issue has moved on or was escalated since the step fell overdue."))
        note = _("Still overdue since %(due)s (step “%(stage)s”): escalated to the township.") % {
            "due": timezone.localtime(overdue_due_at).strftime("%Y-%m-%d %H:%M"),
            "stage": issue.get_stage_display(),
        }
        label = _("system")
    else:
        note = _need(note, _("Say why the issue is escalated."))
        label = None
    issue.escalated_at = now
    issue.save(update_fields=["escalated_at", "updated_at"])
    _log(
        issue,
        kind=TimelineEntry.Kind.ESCALATION,
        actor=actor,
        actor_label=label,
        note=note,
        public=False,
        at=now,
    )
    return issue


@transaction.atomic
def issue_flag_overdue(*, issue: Issue, now=None) -> TimelineEntry:
    """Marks on the timeline (internally) that the issue's step ran past its time limit; the overdue
    sweep calls it once per deadline, beside the reminder it writes. Side effects: timeline."""
    issue = _lock(issue)
    now = now or clock.now()
    if issue.stage not in STEPS or issue.stage_due_at is None or issue.stage_due_at > now:
        raise WorkflowError(_("The issue's step is not overdue."))
    return _log(
        issue,
        kind=TimelineEntry.Kind.OVERDUE,
        actor_label=_("system"),
        from_stage=issue.stage,
        note=_("Step “%(stage)s” is overdue: it was due by %(due)s.")
        % {
            "stage": issue.get_stage_display(),
            "due": timezone.localtime(issue.stage_due_at).strftime("%Y-%m-%d %H:%M"),
        },
        public=False,
        at=now,
    )


@transaction.atomic
def issue_assign(*, issue: Issue, actor, responsible) -> Issue:
    """Names the responsible person of an open issue. Side effects: timeline; the person is told."""
    issue = _lock(issue)
    if not issue.is_open:
        raise WorkflowError(_("Only an open issue can be assigned."))
    check_responsible(village=issue.village, responsible=responsible)
    issue.responsible = responsible
    issue.save(update_fields=["responsible", "updated_at"])
    _log(
        issue,
        kind=TimelineEntry.Kind.ASSIGNED,
        actor=actor,
        public=False,
        note=_("Responsible: %(name)s.") % {"name": responsible.get_short_name()},
    )
    notify.responsible_assigned(issue=issue, responsible=responsible)
    return issue


def moves_for_diagram() -> Iterable[tuple[str, str, str]]:
    for source, moves in TRANSITIONS.items():
        for move, target in moves.items():
            yield str(source), move, str(target)
