"""Writes for roundtables, meetings and issues outside the six moves themselves."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext as _

from core import clock, pagecache
from core.images import image_reencode
from roundtable import consent as wording
from roundtable import fragments, notify
from roundtable.models import (
    TERMINAL_STAGES,
    AgendaItem,
    Attendance,
    Issue,
    IssueTally,
    Meeting,
    Opinion,
    Resolution,
    Roundtable,
    RoundtableMember,
    Satisfaction,
    Stage,
    TimelineEntry,
)
from roundtable.workflow import (
    WorkflowError,
    _log,
    check_attendance_open,
    check_meeting_takes_agenda,
    check_meeting_time,
    check_substitute_chair,
    confirm_open,
    stage_due_at,
    tally_apply,
)


def photo_clean(upload):
    """Accepts a phone photo of at most 20 MB and re-encodes it small, so EXIF and GPS data are dropped.

    Raises ValidationError with a translated message for anything else (core/images.py says what).
    """
    if upload is None:
        return None
    return image_reencode(upload)


@transaction.atomic
def issue_create(
    *,
    village,
    title: str,
    description: str,
    category: str,
    group=None,
    channel: str = Issue.Channel.WEB,
    raiser_name: str = "",
    raiser_mobile: str = "",
    is_anonymous: bool = False,
    consent: bool = False,
    photo=None,
    created_by=None,
) -> Issue:
    """Raises an issue (step 1), from the resident form or logged by a cadre for a resident.

    Side effects: timeline entry; the village's cadres are told (on commit).
    """
    if is_anonymous:
        raiser_name = ""
    has_personal = bool(raiser_name or raiser_mobile)
    if has_personal and not consent and created_by is None:
        raise ValidationError(_("Agree to the use of your name and number, or leave them out."))
    if group is not None and group.village_id != village.pk:
        raise ValidationError(_("The group is not in this village."))
    issue = Issue(
        village=village,
        group=group,
        title=title.strip(),
        description=description.strip(),
        category=category,
        channel=channel,
        raiser_name=raiser_name.strip(),
        raiser_mobile=raiser_mobile,
        is_anonymous=is_anonymous,
        consent_at=clock.now() if has_personal else None,
        consent_version=wording.CURRENT if has_personal else "",
        created_by=created_by,
    )
    issue.stage_due_at = stage_due_at(issue, issue.stage)
    if photo is not None:
        issue.photo = photo
    for _attempt in range(5):
        if not Issue.objects.filter(tracking_code=issue.tracking_code).exists():
            break
        issue.tracking_code = Issue._meta.get_field("tracking_code").default()
    issue.full_clean(exclude=["photo"])
    issue.save()
    tally_apply(village.pk, {issue.stage: +1})
    _log(
        issue,
        kind=TimelineEntry.Kind.CREATED,
        actor=created_by,
        actor_label=_("resident"),
        to_stage=issue.stage,
        note=_("Raised by %(channel)s.") % {"channel": issue.get_channel_display()},
    )
    return issue


# --- roundtables and meetings -----------------------------------------------------------------


def roundtable_create(*, village, name: str, group=None, liaison=None, founded=None) -> Roundtable:
    """Creates a roundtable for a village, a group or an area."""
    roundtable = Roundtable(village=village, name=name, group=group, liaison=liaison, founded=founded)
    roundtable.full_clean()
    roundtable.save()
    fragments.village_changed(village.pk, village.code)
    return roundtable


@transaction.atomic
def member_add(
    *,
    roundtable,
    name: str,
    role: str,
    is_party_member: bool = False,
    user=None,
    mobile: str = "",
    email: str = "",
) -> RoundtableMember:
    """Adds a member to a roundtable. Side effects: a seat on the attendance of its scheduled meetings."""
    if role == RoundtableMember.Role.PARTY_MEMBER:
        is_party_member = True
    member = RoundtableMember(
        roundtable=roundtable,
        name=name,
        role=role,
        is_party_member=is_party_member,
        user=user,
        mobile=mobile,
        email=email,
        joined=clock.localdate(),
    )
    member.full_clean()
    member.save()
    # The quorum counts every active member, so a meeting still to come needs a row to mark them present.
    Attendance.objects.bulk_create(
        [
            Attendance(meeting=meeting, member=member)
            # Not a meeting entered afterwards: it was held before this member joined.
            for meeting in roundtable.meetings.filter(state=Meeting.State.SCHEDULED, entered_afterwards=False)
        ]
    )
    fragments.village_changed(roundtable.village_id)
    return member


def propose_next_chair(roundtable: Roundtable) -> RoundtableMember | None:
    """The next chair by rotation: the other side (Party member / non-member) from the last chair, and
    within that side the active member who chaired least recently."""
    members = list(roundtable.members.filter(is_active=True))
    if not members:
        return None
    last = (
        Meeting.objects.filter(roundtable=roundtable, chair__isnull=False)
        .exclude(state=Meeting.State.CANCELLED)
        .order_by("-starts_at")
        .select_related("chair")
        .first()
    )
    want_party = not last.chair.is_party_member if last else True
    side = [m for m in members if m.is_party_member == want_party] or members
    last_chaired = {}
    for chair_id, starts_at in (
        Meeting.objects.filter(roundtable=roundtable, chair__in=side)
        .exclude(state=Meeting.State.CANCELLED)
        .values_list("chair_id", "starts_at")
    ):
        last_chaired[chair_id] = max(starts_at, last_chaired.get(chair_id, starts_at))
    epoch = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    return min(side, key=lambda m: (last_chaired.get(m.pk, epoch), m.pk))


@transaction.atomic
def meeting_schedule(
    *, roundtable, starts_at, place: str, chair=None, actor=None, entered_afterwards: bool = False
) -> Meeting:
    """Schedules a meeting; the chair defaults to the rotation's proposal. ``entered_afterwards``: the
    meeting was held on paper and is recorded now (its time must lie in the past); its attendance and
    outcomes are then entered as for any meeting, and the timelines say it was entered afterwards.
    Side effects: attendance rows for every active member; reminders queued (issue 4; none for a past
    meeting)."""
    if entered_afterwards:
        check_meeting_time(starts_at, entered_afterwards=True)
    if chair is None:
        chair = propose_next_chair(roundtable)
    if chair is not None and chair.roundtable_id != roundtable.pk:
        raise ValidationError(_("The chair must be a member of this roundtable."))
    meeting = Meeting.objects.create(
        roundtable=roundtable,
        starts_at=starts_at,
        place=place.strip(),
        chair=chair,
        created_by=actor,
        entered_afterwards=entered_afterwards,
    )
    Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, member=m) for m in roundtable.members.filter(is_active=True)]
    )
    notify.meeting_scheduled(meeting=meeting)
    fragments.village_changed(roundtable.village_id)  # the village page lists the meetings to come
    return meeting


def _lock_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("roundtable__village").get(pk=meeting.pk)


@transaction.atomic
def meeting_move(*, meeting, starts_at, place: str | None = None, actor=None) -> Meeting:
    """Moves a scheduled meeting to a time ahead. Side effects: ``schedule_version`` bumped; a public
    timeline entry on each issue waiting on its agenda (pages show the new time); pending reminders
    replaced; members and those issues' raisers told (issue 4)."""
    meeting = _lock_meeting(meeting)
    if meeting.state != Meeting.State.SCHEDULED or meeting.entered_afterwards:
        raise WorkflowError(_("Only a scheduled meeting can be moved."))
    check_meeting_time(starts_at)
    meeting.starts_at = starts_at
    if place:
        meeting.place = place.strip()
    meeting.schedule_version += 1
    meeting.save(update_fields=["starts_at", "place", "schedule_version"])
    issues = _lock_pending_issues(meeting)
    for issue in issues:
        _log(
            issue,
            kind=TimelineEntry.Kind.AGENDA,
            actor=actor,
            note=_("The meeting was moved."),
            meeting=meeting,
        )
    notify.meeting_moved(meeting=meeting, issues=issues)
    fragments.village_changed(meeting.roundtable.village_id, meeting.roundtable.village.code)
    return meeting


def _lock_pending_issues(meeting: Meeting) -> list[Issue]:
    """The issues waiting on the meeting's agenda, their rows locked in id order (as every move locks
    them), so that a move on one of them waits for the meeting's change instead of writing beside it."""
    pending = meeting.agenda.filter(issue__isnull=False, outcome=AgendaItem.Outcome.PENDING)
    return list(
        Issue.objects.select_for_update()
        .filter(pk__in=pending.values("issue_id"))
        .select_related("village__township")
        .order_by("pk")
    )


@transaction.atomic
def meeting_cancel(*, meeting, reason: str, actor=None) -> Meeting:
    """Cancels a scheduled meeting; its pending issues go back to waiting for an agenda. The meeting and
    those issues are locked. Side effects: timeline of each issue; reminders dropped; everyone told."""
    meeting = _lock_meeting(meeting)
    if meeting.state != Meeting.State.SCHEDULED:
        raise WorkflowError(_("Only a scheduled meeting can be cancelled."))
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("Give the reason for cancelling."))
    meeting.state = Meeting.State.CANCELLED
    meeting.cancel_reason = reason
    meeting.save(update_fields=["state", "cancel_reason"])
    items = meeting.agenda.filter(issue__isnull=False, outcome=AgendaItem.Outcome.PENDING)
    issues = _lock_pending_issues(meeting)
    locked = {issue.pk: issue for issue in issues}
    for item in items.select_for_update().order_by("issue_id"):
        item.outcome = AgendaItem.Outcome.DEFERRED
        item.save(update_fields=["outcome"])
        _log(
            locked[item.issue_id],
            kind=TimelineEntry.Kind.DEFERRED,
            actor=actor,
            note=_("The meeting was cancelled; the issue waits for the next meeting."),
            meeting=meeting,
        )
    notify.meeting_cancelled(meeting=meeting, issues=issues)
    fragments.village_changed(meeting.roundtable.village_id, meeting.roundtable.village.code)
    return meeting


@transaction.atomic
def meeting_add_topic(*, meeting, topic: str) -> AgendaItem:
    """Adds a free topic (not an issue) to a scheduled meeting's agenda."""
    meeting = _lock_meeting(meeting)
    check_meeting_takes_agenda(meeting)
    topic = (topic or "").strip()
    if not topic:
        raise WorkflowError(_("Write the topic."))
    order = (meeting.agenda.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    return AgendaItem.objects.create(meeting=meeting, topic=topic, order=order)


@transaction.atomic
def meeting_record_attendance(*, meeting, statuses: dict[int, str], substitute_chair=None) -> Meeting:
    """Records present / absent / excused per member id and marks the meeting held. When the chair is not
    present, ``substitute_chair`` (a member marked present) is required and recorded; when the chair is
    present, any substitute recorded before is cleared. The rules live in the workflow
    (``attendance_refusal``, ``check_substitute_chair``), which the meeting page asks too.

    Side effects: the meeting's state becomes held (attendance is taken when it sits).
    """
    meeting = _lock_meeting(meeting)
    check_attendance_open(meeting)
    valid = set(Attendance.Status.values)
    rows = {a.member_id: a for a in meeting.attendance.all()}
    missing = [pk for pk in rows if statuses.get(pk) not in valid]
    if missing:
        raise WorkflowError(_("Record present, absent or excused for every member."))
    statuses = {pk: statuses[pk] for pk in rows}
    substitute = check_substitute_chair(meeting, statuses, substitute_chair)
    for member_id, row in rows.items():
        if row.status != statuses[member_id]:
            row.status = statuses[member_id]
            row.save(update_fields=["status"])
    fields = []
    if meeting.substitute_chair_id != getattr(substitute, "pk", None):
        meeting.substitute_chair = substitute
        fields.append("substitute_chair")
    if meeting.state == Meeting.State.SCHEDULED:
        meeting.state = Meeting.State.HELD
        meeting.held_at = clock.now()
        fields += ["state", "held_at"]
    if fields:
        meeting.save(update_fields=fields)
        fragments.village_changed(meeting.roundtable.village_id, meeting.roundtable.village.code)
    return meeting


@transaction.atomic
def attendance_confirm(*, meeting, member, coming: bool = True) -> Attendance:
    """A member confirms (or withdraws) their coming to a scheduled meeting."""
    meeting = _lock_meeting(meeting)
    if not confirm_open(meeting):
        raise WorkflowError(_("Attendance can be confirmed only before the meeting."))
    row, _created = Attendance.objects.get_or_create(meeting=meeting, member=member)
    row.confirmed_at = clock.now() if coming else None
    row.save(update_fields=["confirmed_at"])
    return row


@transaction.atomic
def meeting_save_minutes(*, meeting, minutes: str, topic_notes: dict[int, str] | None = None) -> Meeting:
    """Saves the minutes (and notes on free topics) of a held meeting that is not yet signed off."""
    meeting = _lock_meeting(meeting)
    if meeting.is_locked:
        raise WorkflowError(_("The minutes are signed off and locked."))
    if meeting.state != Meeting.State.HELD:
        raise WorkflowError(_("Minutes are kept for a held meeting."))
    meeting.minutes = minutes.strip()
    meeting.save(update_fields=["minutes"])
    for item in meeting.agenda.filter(issue__isnull=True):
        note = (topic_notes or {}).get(item.pk)
        if note is not None:
            item.discussion = note.strip()
            item.outcome = AgendaItem.Outcome.DISCUSSED if item.discussion else AgendaItem.Outcome.PENDING
            item.save(update_fields=["discussion", "outcome"])
    return meeting


@transaction.atomic
def meeting_sign_off(*, meeting, actor) -> Meeting:
    """Signs off a held meeting: minutes written, every issue on the agenda given an outcome; afterwards
    the minutes are locked."""
    meeting = _lock_meeting(meeting)
    if meeting.is_locked:
        raise WorkflowError(_("The meeting is already signed off."))
    if meeting.state != Meeting.State.HELD:
        raise WorkflowError(_("Only a held meeting can be signed off."))
    if not meeting.minutes.strip():
        raise WorkflowError(_("Write the minutes before signing off."))
    if meeting.agenda.filter(issue__isnull=False, outcome=AgendaItem.Outcome.PENDING).exists():
        raise WorkflowError(
            _("Every issue on the agenda needs an outcome (resolution, deferral or not adopted).")
        )
    meeting.signed_off_at = clock.now()
    meeting.signed_off_by = actor
    meeting.save(update_fields=["signed_off_at", "signed_off_by"])
    return meeting


@transaction.atomic
def public_opinion_publish(*, opinion, actor, reply: str = "", publish: bool = True):
    """Publishes a visitor's opinion on the consultation page (never the visitor's name) with the
    cadre's reply, or takes it down again."""
    opinion = Opinion.objects.select_for_update().get(pk=opinion.pk)
    if opinion.source != Opinion.Source.PUBLIC:
        raise ValidationError(_("Only opinions from the public consultation are published."))
    opinion.published_at = (opinion.published_at or clock.now()) if publish else None
    opinion.reply = (reply or "").strip()
    opinion.save(update_fields=["published_at", "reply"])
    fragments.village_changed(opinion.issue.village_id)
    return opinion


# --- personal data ----------------------------------------------------------------------------


@transaction.atomic
def issue_erase_personal_data(*, issue, actor=None, reason: str) -> Issue:
    """Replaces the raiser's details on a matter (name, number, their photo); the matter itself stays.

    Side effects: an internal timeline entry saying so (who, why); pending texts to the raiser are cancelled
    and their address blanked in the outbox.
    """
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if issue.personal_data_erased_at is not None and not (issue.raiser_name or issue.raiser_mobile):
        return issue
    mobile = issue.raiser_mobile
    issue.raiser_name = ""
    issue.raiser_mobile = ""
    issue.personal_data_erased_at = clock.now()
    if issue.photo:
        issue.photo.delete(save=False)
    issue.save(
        update_fields=[
            "raiser_name",
            "raiser_mobile",
            "raiser_mobile_hash",
            "photo",
            "personal_data_erased_at",
            "updated_at",
        ]
    )
    _log(
        issue,
        kind=TimelineEntry.Kind.ERASED,
        actor=actor,
        actor_label=actor.get_short_name() if actor else _("the portal"),
        note=reason,
        public=False,
    )
    notify.raiser_erased(issue=issue, mobile=mobile)
    return issue


def issues_purge_personal_data(*, now=None) -> int:
    """Erases the raiser's details of matters closed more than PERSONAL_DATA_RETENTION_DAYS ago.

    Run by Celery beat (roundtable.purge_personal_data); returns how many matters were cleaned.
    """
    now = now or clock.now()
    cutoff = now - datetime.timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)
    due = (
        Issue.objects.filter(stage__in=TERMINAL_STAGES, stage_entered_at__lt=cutoff)
        .filter(~Q(raiser_name="") | ~Q(raiser_mobile="") | ~Q(photo=""))
        .values_list("pk", flat=True)
    )
    reason = _("Removed %(days)d days after the matter was closed (retention rule).") % {
        "days": settings.PERSONAL_DATA_RETENTION_DAYS
    }
    count = 0
    for pk in list(due):
        issue_erase_personal_data(issue=Issue(pk=pk), reason=reason)
        count += 1
    return count


def member_erase_personal_data(*, member: RoundtableMember) -> RoundtableMember:
    """Removes a roundtable member's number and e-mail on request; the seat and its history stay."""
    member.mobile = ""
    member.email = ""
    member.save(update_fields=["mobile", "email"])
    return member


def tracking_codes_recover(*, mobile: str, language: str = "") -> None:
    """Asks for a text with the tracking codes of the matters raised with this mobile number.

    Does the same for a number that raised nothing (the page must not tell the two apart): one row in
    the notification outbox, which the sender drops without sending when the number has no matter
    (``roundtable.selectors.recovery_codes``).
    """
    notify.codes_recovery_requested(mobile=mobile, language=language or settings.LANGUAGE_CODE)


# --- issue counts ------------------------------------------------------------------------------


@transaction.atomic
def tallies_rebuild(*, village_ids=None) -> int:
    """Counts the issues again and replaces the villages' tallies (all villages when none are named), and
    gives the resolutions written without their village that village (``resolution_villages_fill``).

    For data written around the workflow (bulk loads, restores); the workflow keeps them right otherwise.
    The tally rows are locked first, so a move made meanwhile waits and lands on the rebuilt count.
    Returns how many tally rows were written."""
    issues = Issue.objects.all()
    tallies = IssueTally.objects.all()
    if village_ids is not None:
        issues = issues.filter(village_id__in=village_ids)
        tallies = tallies.filter(village_id__in=village_ids)
    list(tallies.select_for_update().values_list("pk", flat=True))
    rows = {
        (row["village_id"], row["stage"]): IssueTally(
            village_id=row["village_id"], stage=row["stage"], count=row["n"]
        )
        for row in issues.values("village_id", "stage").annotate(n=Count("pk")).order_by()
    }
    # The closed decided matters' ratings, on the closed row (what the decisions board's mean is made of).
    decided = Resolution.objects.filter(issue=OuterRef("issue_id"), adopted=True)
    ratings = (
        Satisfaction.objects.filter(issue__in=issues.filter(stage=Stage.CLOSED))
        .filter(Exists(decided))
        .values("issue__village_id")
        .annotate(n=Count("pk"), total=Sum("score"))
        .order_by()
    )
    for row in ratings:
        tally = rows[(row["issue__village_id"], Stage.CLOSED)]
        tally.rated, tally.rating_total = row["n"], row["total"]
    rows = list(rows.values())
    tallies.delete()
    IssueTally.objects.bulk_create(rows, batch_size=1000)
    resolution_villages_fill()
    if village_ids is None:
        pagecache.township_changed()  # every village's figures
    else:
        for village_id in village_ids:
            fragments.village_changed(village_id)
    return len(rows)


def resolution_villages_fill() -> int:
    """Sets the issue's village on the resolutions written without it (bulk loads, restores; the workflow
    sets it itself), which the village page's recent decisions are read by. Returns how many were set."""
    village = Issue.objects.filter(pk=OuterRef("issue_id")).values("village_id")[:1]
    return Resolution.objects.filter(village__isnull=True).update(village_id=Subquery(village))
