"""Reads for the notice board: briefings, suggestions and their counts, the decisions board."""

import datetime

from django.db.models import Case, Count, Exists, OuterRef, Q, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Membership
from noticeboard.models import Briefing, Suggestion
from roundtable.models import IssueTally, Meeting, ProgressUpdate, Resolution, Satisfaction, Stage
from roundtable.selectors import public_consultations, stage_tallies


def public_briefings(*, township, village=None):
    """Published briefings, newest first: a village's own, or (no village) all of the township's."""
    qs = Briefing.objects.filter(township=township, status=Briefing.Status.PUBLISHED).select_related(
        "village"
    )
    if village is not None:
        qs = qs.filter(village=village)
    return qs.order_by("-date", "-pk")


def staff_briefings(*, township, village=None):
    """Every briefing a staff page lists, drafts and withdrawn ones included."""
    qs = Briefing.objects.filter(township=township).select_related("village", "author")
    qs = qs.filter(village=village) if village is not None else qs.filter(village__isnull=True)
    return qs.annotate(attachment_count=Count("attachments")).order_by("-date", "-pk")


def public_suggestions(*, village, briefing=None):
    """Approved suggestions of the village (or of one briefing), newest first, without names."""
    qs = Suggestion.objects.filter(village=village, status=Suggestion.Status.APPROVED)
    if briefing is not None:
        qs = qs.filter(briefing=briefing)
    return qs.defer("name").order_by("-created_at", "-pk")


def moderation_queue(*, village, status=None):
    qs = Suggestion.objects.filter(village=village).select_related("briefing")
    if status in Suggestion.Status.values:
        qs = qs.filter(status=status)
    # Those awaiting moderation first, then the newest.
    waiting = Case(When(status=Suggestion.Status.PENDING, then=Value(0)), default=Value(1))
    return qs.order_by(waiting, "-created_at", "-pk")


def suggestion_counts(*, villages) -> dict[int, dict[str, int]]:
    """Per village id: suggestions received, approved (public) and replied."""
    rows = (
        Suggestion.objects.filter(village__in=villages)
        .values("village_id")
        .annotate(
            received=Count("pk"),
            approved=Count("pk", filter=Q(status=Suggestion.Status.APPROVED)),
            replied=Count("pk", filter=Q(replied_at__isnull=False)),
        )
        .order_by()
    )
    return {row.pop("village_id"): row for row in rows}


# --- the decisions board ------------------------------------------------------------------------

BOARD_STATUSES = {
    "to_start": (pgettext_lazy("decision", "to be started"), [Stage.DECIDED]),
    "in_progress": (pgettext_lazy("decision", "in progress"), [Stage.EXECUTING]),
    "supervising": (pgettext_lazy("decision", "under supervision"), [Stage.SUPERVISING]),
    "done": (pgettext_lazy("decision", "done"), [Stage.CLOSED]),
}
# The board's stages that are still open: where a decision can be overdue.
OPEN_DECIDED = [Stage.DECIDED, Stage.EXECUTING, Stage.SUPERVISING]
BOARD_FILTERS = [*BOARD_STATUSES, "overdue"]
BOARD_LABELS = {**{key: label for key, (label, _stages) in BOARD_STATUSES.items()}, "overdue": _("overdue")}
ROLE_ORDER = [
    Membership.Role.CADRE,
    Membership.Role.SUPERVISOR,
    Membership.Role.MEMBER,
    Membership.Role.OFFICIAL,
]


def _board_base(village, stages=None):
    last_percent = Subquery(
        ProgressUpdate.objects.filter(issue=OuterRef("issue_id"))
        .order_by("-created_at", "-pk")
        .values("percent")[:1]
    )
    # The latest adopted resolution per issue: an issue carries one decision on the board.
    later = Resolution.objects.filter(issue=OuterRef("issue_id"), adopted=True, pk__gt=OuterRef("pk"))
    if stages is None:
        stages = [s for _label, group in BOARD_STATUSES.values() for s in group]
    # By the village kept on each resolution (index resolution_village_recent): a page of the board walks
    # the village's decisions newest first, never the district's.
    return (
        Resolution.objects.filter(village=village, adopted=True, issue__stage__in=stages)
        .exclude(Exists(later))
        .select_related("issue", "meeting__roundtable")
        .annotate(
            last_percent=last_percent,
            rating=Subquery(Satisfaction.objects.filter(issue=OuterRef("issue_id")).values("score")[:1]),
        )
    )


def _filter(qs, status: str | None):
    today = timezone.localdate()
    if status in BOARD_STATUSES:
        return qs.filter(issue__stage__in=BOARD_STATUSES[status][1])
    if status == "overdue":
        return qs.filter(due_date__lt=today).exclude(issue__stage=Stage.CLOSED)
    return qs


def decisions_board(*, village, status: str | None = None):
    """The village's decisions, newest first, filtered by board status ("overdue" included)."""
    return _filter(_board_base(village), status).order_by("-created_at", "-pk")


def decision_counts(*, village) -> dict:
    """How many decisions each filter of the board lists, without reading the village's history.

    The board lists an issue (by its latest adopted resolution) while it stands at step 4, 5, 6 or closed.
    The only way into step 4 is ``workflow.issue_decide``, which records an adopted resolution, and no move
    leads from those stages anywhere else; so each status counts exactly the issues at its stages, which the
    workflow's tallies (``IssueTally``) keep in the same transaction as every move. Overdue changes with
    the clock: it is counted live over the open decided issues only (index ``issue_village_stage``), never
    the closed ones. ``tests/test_decision_tallies.py`` proves these equal the lists after every move."""
    tally = stage_tallies(villages=[village]).get(village.pk, {})
    counts = {
        key: sum(tally.get(stage, 0) for stage in stages) for key, (_label, stages) in BOARD_STATUSES.items()
    }
    # The issue's village too (the same as the resolution's): the count starts from the village's open
    # issues (index issue_village_stage) rather than from all its decisions.
    counts["overdue"] = (
        _board_base(village, stages=OPEN_DECIDED)
        .filter(issue__village=village, due_date__lt=timezone.localdate())
        .count()
    )
    counts["all"] = sum(counts[key] for key in BOARD_STATUSES)
    return counts


def decision_rows(resolutions, *, village) -> list[dict]:
    """Board rows for a page of resolutions: the responsible person's ROLE (never their name), the
    evidence of completion if it was made public, and the overdue mark."""
    resolutions = list(resolutions)
    user_ids = {r.responsible_id for r in resolutions if r.responsible_id}
    roles: dict[int, set[str]] = {}
    for user_id, role in (
        Membership.objects.filter(user_id__in=user_ids)
        .filter(Q(village=village) | Q(township_id=village.township_id))
        .values_list("user_id", "role")
    ):
        roles.setdefault(user_id, set()).add(role)
    evidence = {
        u.issue_id: u
        for u in ProgressUpdate.objects.filter(
            issue_id__in=[r.issue_id for r in resolutions], is_completion=True, note_is_public=True
        ).order_by("created_at", "pk")
    }
    labels = dict(Membership.Role.choices)
    today = timezone.localdate()
    status_of = {stage: key for key, (_label, group) in BOARD_STATUSES.items() for stage in group}
    rows = []
    for r in resolutions:
        held = roles.get(r.responsible_id, set())
        role = next((labels[x] for x in ROLE_ORDER if x in held), None)
        key = status_of.get(r.issue.stage, "")
        rows.append(
            {
                "resolution": r,
                "issue": r.issue,
                "status": key,
                "status_label": BOARD_STATUSES[key][0] if key else "",
                "role": role,
                "percent": 100 if r.issue.stage == Stage.CLOSED else (r.last_percent or 0),
                "evidence": evidence.get(r.issue_id),
                "rating": r.rating if r.issue.stage == Stage.CLOSED else None,
                "overdue": bool(r.due_date and r.due_date < today and r.issue.stage != Stage.CLOSED),
            }
        )
    return rows


def mean_rating(*, village) -> float | None:
    """The residents' mean rating of the village's closed decisions: the count and sum of their ratings
    that the workflow keeps on the village's closed tally row (``workflow.tally_rating``), one row read
    whatever the history holds. ``tests/test_roundtable_tallies.py`` proves them equal to the ratings."""
    rated, total = (
        IssueTally.objects.filter(village=village, stage=Stage.CLOSED)
        .values_list("rated", "rating_total")
        .first()
    ) or (0, 0)
    return round(total / rated, 1) if rated else None


def briefings_since(*, township, days: int = 365) -> int:
    since = timezone.localdate() - datetime.timedelta(days=days)
    return public_briefings(township=township).filter(date__gte=since).count()


def village_noticeboard(*, village) -> dict:
    """The village page's notice-board sections; every count is the length of the list it links to."""
    consultations = list(public_consultations(village=village))
    briefings = public_briefings(township=village.township, village=village)
    counts = decision_counts(village=village)
    return {
        "consultations": consultations,
        "consultation_count": len(consultations),
        "latest_briefings": list(briefings[:3]),
        "upcoming_meetings": list(
            Meeting.objects.filter(
                roundtable__village=village, state=Meeting.State.SCHEDULED, starts_at__gte=timezone.now()
            )
            .select_related("roundtable")
            .order_by("starts_at")[:5]
        ),
        "briefing_count": briefings.count(),
        "decision_counts": counts,
        "decision_filters": [(key, BOARD_LABELS[key], counts[key]) for key in BOARD_FILTERS],
        "suggestion_counts": suggestion_counts(villages=[village]).get(
            village.pk, {"received": 0, "approved": 0, "replied": 0}
        ),
    }
