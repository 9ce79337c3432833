"""Reads for notifications: who is told, on which channels, and what the weekly digest counts."""

import datetime
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q

from accounts.models import Membership, User
from notifications.models import Notification
from roundtable.models import STEPS, Issue, Meeting, Roundtable, Stage

EMAIL = Notification.Channel.EMAIL
SMS = Notification.Channel.SMS


@dataclass(frozen=True)
class Recipient:
    """Someone to tell: an account (with its channel choices) or a bare address of a member or resident."""

    key: str
    label: str
    language: str
    addresses: tuple[tuple[str, str], ...]  # (channel, address) pairs to write a row for
    user: User | None = None


def _address_key(address: str) -> str:
    return "a" + hashlib.sha256(address.lower().encode()).hexdigest()[:20]


def recipient_for_user(user: User) -> Recipient | None:
    """The user on the channels they chose, where they have an address for it; None if none is left."""
    if user is None or not user.is_active:
        return None
    addresses = []
    if user.notify_by_email and user.email:
        addresses.append((EMAIL, user.email))
    if user.notify_by_sms and user.mobile:
        addresses.append((SMS, user.mobile))
    if not addresses:
        return None
    return Recipient(
        key=f"u{user.pk}",
        label=user.get_short_name(),
        language=user.language or settings.LANGUAGE_CODE,
        addresses=tuple(addresses),
        user=user,
    )


def recipient_for_member(member) -> Recipient | None:
    """A roundtable member: through their account if they have one, else by the e-mail and mobile on file."""
    if member.user_id:
        return recipient_for_user(member.user)
    addresses = []
    if member.email:
        addresses.append((EMAIL, member.email))
    if member.mobile:
        addresses.append((SMS, member.mobile))
    if not addresses:
        return None
    return Recipient(
        key=_address_key(member.email or member.mobile),
        label=member.name,
        language=settings.LANGUAGE_CODE,
        addresses=tuple(addresses),
    )


def recipient_for_raiser(issue: Issue) -> Recipient | None:
    """The resident who raised the issue, by SMS, when they left a mobile number."""
    if not issue.raiser_mobile:
        return None
    return Recipient(
        key=_address_key(issue.raiser_mobile),
        # Never the resident's name: the outbox is read by staff of other villages too.
        label="",
        language=settings.LANGUAGE_CODE,
        addresses=((SMS, issue.raiser_mobile),),
    )


def _unique(recipients) -> list[Recipient]:
    seen, result = set(), []
    for r in recipients:
        if r is not None and r.key not in seen:
            seen.add(r.key)
            result.append(r)
    return result


def users_recipients(users, *, exclude=None) -> list[Recipient]:
    exclude_id = getattr(exclude, "pk", None)
    return _unique(recipient_for_user(u) for u in users if u.pk != exclude_id)


def village_users(village_id: int, role: str):
    return (
        User.objects.filter(is_active=True, memberships__role=role, memberships__village_id=village_id)
        .distinct()
        .order_by("pk")
    )


def township_officials(township_id: int):
    return (
        User.objects.filter(
            is_active=True, memberships__role=Membership.Role.OFFICIAL, memberships__township_id=township_id
        )
        .distinct()
        .order_by("pk")
    )


def meeting_recipients(meeting: Meeting) -> list[Recipient]:
    """Every active member of the meeting's roundtable with an address, and the chair."""
    members = list(meeting.roundtable.members.filter(is_active=True).select_related("user").order_by("pk"))
    if meeting.chair_id and all(m.pk != meeting.chair_id for m in members):
        members.append(meeting.chair)
    return _unique(recipient_for_member(m) for m in members)


def covering_roundtable(issue: Issue) -> Roundtable | None:
    """The active roundtable covering the issue's group: the group's own first, else the whole village's."""
    tables = Roundtable.objects.filter(village_id=issue.village_id, is_active=True).filter(
        Q(group__isnull=True) | Q(group_id=issue.group_id)
    )
    by_own_group = sorted(tables.select_related("liaison"), key=lambda t: (t.group_id is None, t.pk))
    return by_own_group[0] if by_own_group else None


def liaison_users(issue: Issue) -> list[User]:
    """The township liaison of the covering roundtable; the township's officials when there is none."""
    table = covering_roundtable(issue)
    if table is not None and table.liaison_id and table.liaison.is_active:
        return [table.liaison]
    return list(township_officials(issue.village.township_id))


def responsible_users(issue: Issue) -> list[User]:
    """The person responsible for the issue; the village's cadres while nobody is."""
    if issue.responsible_id and issue.responsible.is_active:
        return [issue.responsible]
    return list(village_users(issue.village_id, Membership.Role.CADRE))


# --- the weekly digest ------------------------------------------------------------------------


@dataclass(frozen=True)
class VillageDigest:
    """One village's line in the weekly digest."""

    village_id: int
    name: str
    open_by_stage: dict[str, int]
    open_total: int
    overdue: int
    closed: int


def digest_rows(
    township_id: int, *, start: datetime.datetime, end: datetime.datetime, now: datetime.datetime
) -> list[VillageDigest]:
    """Per village of the township: open issues by step and overdue ones now; closed in [start, end)."""
    from villages.models import Village

    open_filter = Q(issues__stage__in=STEPS)
    aggregates = {f"s_{stage}": Count("issues", filter=Q(issues__stage=stage)) for stage in STEPS}
    villages = (
        Village.objects.filter(township_id=township_id)
        .annotate(
            **aggregates,
            overdue=Count("issues", filter=open_filter & Q(issues__stage_due_at__lt=now)),
            closed=Count(
                "issues",
                filter=Q(
                    issues__stage=Stage.CLOSED,
                    issues__stage_entered_at__gte=start,
                    issues__stage_entered_at__lt=end,
                ),
            ),
        )
        .order_by("-is_pilot", "code")
    )
    rows = []
    for v in villages:
        by_stage = {str(stage): getattr(v, f"s_{stage}") for stage in STEPS}
        rows.append(
            VillageDigest(
                village_id=v.pk,
                name=v.name,
                open_by_stage=by_stage,
                open_total=sum(by_stage.values()),
                overdue=v.overdue,
                closed=v.closed,
            )
        )
    return rows


def outbox_backlog(*, now: datetime.datetime) -> tuple[int, datetime.datetime | None]:
    """How many pending messages are due by ``now``, and when the oldest of them fell due."""
    due = Notification.objects.filter(status=Notification.Status.PENDING, next_attempt_at__lte=now)
    oldest = due.order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()
    return due.count(), oldest
