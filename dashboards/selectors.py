"""The dashboards' figures: every number the township, district and village dashboards show.

Each figure is computed in SQL per *unit* (a village on a township's dashboard, a township on a district's)
and for the whole, in a fixed number of queries whatever the number of villages or issues. Definitions
(the page says them too):

- matters: the issues *raised in the period* (a cohort), by where they stand now, so that
  raised = open + closed + rejected + merged + withdrawn;
- steps: the time spent in each of the six steps, for every step *left in the period*, from the timeline
  (one span from entering a stage to the next move); within the limit when no longer than the township's
  limit for that step (steps 1, 2, 3 and 6: step 4 has no limit, step 5 runs to each resolution's date);
- meetings: meetings *starting in the period*; attendance rate of a held meeting is present / recorded,
  quorum when more than half of those recorded were present; decisions are the agenda outcomes of those
  meetings;
- satisfaction: the ratings of the period's matters; disputes: matters of the dispute and petition
  categories *closed in the period*, by month of closing;
- registries (funds, projects, talent, councils, income, elections) are as recorded now.
"""

import datetime
import hashlib
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import clock
from projects.models import ZERO, CollectiveIncome, Funding, Project
from projects.selectors import IncomeClass, funding_by_source, income_class
from roundtable.models import (
    OPEN_STAGES,
    STEPS,
    AgendaItem,
    Attendance,
    Issue,
    Meeting,
    RoundtableMember,
    Satisfaction,
    Stage,
    TimelineEntry,
)
from talent.models import AdvisoryCouncil, Talent
from talent.selectors import talent_counts, township_term_history
from villages.models import Township, Village

UNIT_VILLAGE = "village"
UNIT_TOWNSHIP = "township"
TOTAL = "total"

# Categories counted as disputes and petitions, and the kind each is shown as.
DISPUTE_KINDS = {
    Issue.Category.LAND_DISPUTE: "land",
    Issue.Category.NEIGHBOUR_DISPUTE: "neighbour",
    Issue.Category.PETITION: "petition",
    Issue.Category.OTHER: "other",
}
DISPUTE_LABELS = {
    "land": _("land"),
    "neighbour": _("neighbour"),
    "petition": _("petition"),
    "other": _("other"),
}
TERMINAL = [Stage.CLOSED, Stage.REJECTED, Stage.MERGED, Stage.WITHDRAWN]
LIMIT_FIELDS = {
    Stage.RAISED: "limit_raised_days",
    Stage.SOLICITING: "limit_soliciting_days",
    Stage.DELIBERATING: "limit_deliberating_days",
    Stage.SUPERVISING: "limit_supervising_days",
}


# --- periods and frames -----------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A range of calendar days, both ends included, in the portal's time zone."""

    kind: str
    start: datetime.date
    end: datetime.date

    @property
    def since(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.start, datetime.time.min))

    @property
    def until(self) -> datetime.datetime:
        """The first moment after the period."""
        return timezone.make_aware(
            datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min)
        )

    @property
    def months(self) -> list[datetime.date]:
        out, month = [], self.start.replace(day=1)
        while month <= self.end:
            out.append(month)
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        return out


def period_of(kind: str, *, today: datetime.date | None = None, start=None, end=None) -> Period:
    """This month, this quarter, this year, or a custom range (start and end given)."""
    today = today or clock.localdate()
    if kind == "custom" and start and end:
        return Period("custom", min(start, end), max(start, end))
    if kind == "month":
        return Period("month", today.replace(day=1), today)
    if kind == "quarter":
        first = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
        return Period("quarter", first, today)
    return Period("year", today.replace(month=1, day=1), today)


def month_period(month: datetime.date) -> Period:
    """A whole calendar month (for the monthly report)."""
    first = month.replace(day=1)
    last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    return Period("custom", first, last)


@dataclass(frozen=True)
class Frame:
    """What a dashboard looks at: which villages, grouped by village or by township, when, which category."""

    village_ids: tuple[int, ...]
    unit: str
    period: Period
    category: str = ""

    @property
    def issue_unit(self) -> str:
        return "village_id" if self.unit == UNIT_VILLAGE else "village__township_id"

    def issues(self):
        qs = Issue.objects.filter(village_id__in=self.village_ids)
        return qs.filter(category=self.category) if self.category else qs

    def cohort(self):
        return self.issues().filter(created_at__gte=self.period.since, created_at__lt=self.period.until)

    def meetings(self):
        return Meeting.objects.filter(
            roundtable__village_id__in=self.village_ids,
            starts_at__gte=self.period.since,
            starts_at__lt=self.period.until,
        )

    @property
    def meeting_unit(self) -> str:
        return "roundtable__village_id" if self.unit == UNIT_VILLAGE else "roundtable__village__township_id"


def _add(into: dict, unit, key, n):
    into[unit][key] = into[unit].get(key, 0) + n
    into[TOTAL][key] = into[TOTAL].get(key, 0) + n


# --- matters ----------------------------------------------------------------------------------


def issue_figures(frame: Frame) -> dict:
    """Per unit and TOTAL: raised, open, closed, rejected, merged, withdrawn, overdue, escalated, rated
    (closed and rated), and by_stage / overdue_by_stage for the six steps. One query."""
    now = clock.now()
    rows = (
        frame.cohort()
        .values(frame.issue_unit, "stage")
        .annotate(
            n=Count("pk"),
            overdue=Count("pk", filter=Q(stage_due_at__lt=now)),
            escalated=Count("pk", filter=Q(escalated_at__isnull=False)),
            rated=Count("pk", filter=Q(satisfaction__isnull=False)),
        )
        .order_by()
    )
    out = defaultdict(_empty_issue_row)
    out[TOTAL] = _empty_issue_row()
    for row in rows:
        unit, stage, n = row[frame.issue_unit], row["stage"], row["n"]
        _add(out, unit, "raised", n)
        if stage in OPEN_STAGES:
            _add(out, unit, "open", n)
            _add(out, unit, "overdue", row["overdue"])
            _add(out, unit, "escalated", row["escalated"])
            for target in (out[unit], out[TOTAL]):
                target["by_stage"][stage] += n
                target["overdue_by_stage"][stage] += row["overdue"]
        else:
            _add(out, unit, stage, n)
        if stage == Stage.CLOSED:
            _add(out, unit, "rated", row["rated"])
    return out


def _empty_issue_row() -> dict:
    row = dict.fromkeys(("raised", "open", "overdue", "escalated", "rated", *TERMINAL), 0)
    row["by_stage"] = dict.fromkeys(STEPS, 0)
    row["overdue_by_stage"] = dict.fromkeys(STEPS, 0)
    return row


# --- time in each step ------------------------------------------------------------------------


def _percentile(values: list[float], p: float) -> float | None:
    """Linear interpolation between closest ranks, as PostgreSQL's percentile_cont."""
    if not values:
        return None
    values = sorted(values)
    pos = p * (len(values) - 1)
    low = int(pos)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (pos - low)


def _span_sql(frame: Frame) -> tuple[str, list]:
    """Spans of the frame's issues in each stage: unit, stage, days, left at, the township's limit."""
    postgres = connection.vendor == "postgresql"
    days = (
        "EXTRACT(EPOCH FROM (s.ended - s.started)) / 86400.0"
        if postgres
        else "(julianday(s.ended) - julianday(s.started))"
    )
    unit = "i.village_id" if frame.unit == UNIT_VILLAGE else "v.township_id"
    limit = "CASE s.stage " + " ".join(f"WHEN '{stage}' THEN tw.{col}" for stage, col in LIMIT_FIELDS.items())
    limit += " END"
    placeholders = ", ".join(["%s"] * len(frame.village_ids)) or "NULL"
    category = "AND i.category = %s" if frame.category else ""
    steps = ", ".join(f"'{st}'" for st in STEPS)
    # Only fixed names and placeholders are formatted in; every value is a parameter.
    if postgres:
        # Each move in the period ends a span; the entry before it (by time, then id) began it. Reading
        # that one entry through the (issue, time) index beats a window over every issue's timeline.
        sql = f"""
            SELECT {unit.replace("i.", "s.")} AS unit, s.stage, {days} AS days, {limit} AS limit_days
            FROM (
                SELECT ei.village_id, p.to_stage AS stage, p.created_at AS started, e.created_at AS ended
                FROM roundtable_timelineentry e
                JOIN roundtable_issue ei ON ei.id = e.issue_id
                CROSS JOIN LATERAL (
                    SELECT b.to_stage, b.created_at FROM roundtable_timelineentry b
                    WHERE b.issue_id = e.issue_id AND b.kind IN ('created', 'stage')
                      AND (b.created_at, b.id) < (e.created_at, e.id)
                    ORDER BY b.created_at DESC, b.id DESC LIMIT 1
                ) p
                WHERE e.kind = 'stage' AND e.created_at >= %s AND e.created_at < %s
                  AND ei.village_id IN ({placeholders}) {category.replace("i.", "ei.")}
            ) s
            JOIN villages_village v ON v.id = s.village_id
            JOIN villages_township tw ON tw.id = v.township_id
            WHERE s.stage IN ({steps})
        """  # noqa: S608
        params = [frame.period.since, frame.period.until, *frame.village_ids]
        return sql, params + ([frame.category] if frame.category else [])
    # Elsewhere (SQLite, development): a window over the timelines of the issues that moved in the period.
    sql = f"""
        WITH moved AS (
            SELECT DISTINCT t.issue_id FROM roundtable_timelineentry t
            JOIN roundtable_issue i ON i.id = t.issue_id
            WHERE t.kind = 'stage' AND t.created_at >= %s AND t.created_at < %s
              AND i.village_id IN ({placeholders}) {category}
        ),
        s AS (
            SELECT t.issue_id, t.to_stage AS stage, t.created_at AS started,
                   LEAD(t.created_at) OVER (PARTITION BY t.issue_id ORDER BY t.created_at, t.id) AS ended
            FROM roundtable_timelineentry t
            JOIN moved m ON m.issue_id = t.issue_id
            WHERE t.kind IN ('created', 'stage')
        )
        SELECT {unit} AS unit, s.stage, {days} AS days, {limit} AS limit_days
        FROM s
        JOIN roundtable_issue i ON i.id = s.issue_id
        JOIN villages_village v ON v.id = i.village_id
        JOIN villages_township tw ON tw.id = v.township_id
        WHERE s.ended >= %s AND s.ended < %s AND s.stage IN ({steps})
    """  # noqa: S608
    params = [frame.period.since, frame.period.until, *frame.village_ids]
    if frame.category:
        params.append(frame.category)
    params += [frame.period.since, frame.period.until]
    return sql, params


ALL_STEPS = "all"


def step_figures(frame: Frame) -> dict:
    """Per unit and TOTAL, for each of the six steps and for ALL_STEPS together: n (steps left in the
    period), median and p90 days, within (left within the limit) and limited (steps that have one).
    One query."""
    sql, params = _span_sql(frame)
    out: dict = defaultdict(dict)
    if connection.vendor == "postgresql":
        query = f"""
            SELECT GROUPING(unit), unit, GROUPING(stage), stage, COUNT(*),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY days),
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY days),
                   COUNT(*) FILTER (WHERE limit_days IS NOT NULL AND days <= limit_days),
                   COUNT(*) FILTER (WHERE limit_days IS NOT NULL)
            FROM ({sql}) spans
            GROUP BY GROUPING SETS ((unit, stage), (stage), (unit), ())
        """  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            for all_units, unit, all_stages, stage, n, median, p90, within, limited in cursor.fetchall():
                key = TOTAL if all_units else unit
                out[key][ALL_STEPS if all_stages else stage] = _step(n, median, p90, within, limited)
        return out
    spans: dict = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for unit, stage, days, limit_days in cursor.fetchall():
            for key in ((unit, stage), (TOTAL, stage), (unit, ALL_STEPS), (TOTAL, ALL_STEPS)):
                spans[key].append((days, limit_days))
    for (unit, stage), items in spans.items():
        days = [d for d, _l in items]
        limited = [(d, lim) for d, lim in items if lim is not None]
        out[unit][stage] = _step(
            len(items),
            _percentile(days, 0.5),
            _percentile(days, 0.9),
            sum(1 for d, lim in limited if d <= lim),
            len(limited),
        )
    return out


def _step(n, median, p90, within, limited) -> dict:
    return {
        "n": n,
        "median": _days(median),
        "p90": _days(p90),
        "within": within,
        "limited": limited,
        "within_share": _share(within, limited),
    }


def _days(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"))


def _share(part, whole) -> Decimal | None:
    """part / whole in percent, one decimal; None when whole is zero."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


# --- meetings ---------------------------------------------------------------------------------


def meeting_figures(frame: Frame) -> dict:
    """Per unit and TOTAL: held, cancelled, scheduled, attendance_rate (mean over held meetings, %),
    quorum_share (%), chairs_party / chairs_other / chairs_none of held meetings, and the decisions
    adopted / not_adopted / deferred. Three queries."""
    out = defaultdict(_empty_meeting_row)
    out[TOTAL] = _empty_meeting_row()
    unit_path = frame.meeting_unit
    for row in (
        frame.meetings()
        .values(unit_path, "state", "chair__is_party_member")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        unit, state, n = row[unit_path], row["state"], row["n"]
        _add(out, unit, state, n)
        if state == Meeting.State.HELD:
            party = row["chair__is_party_member"]
            chair = "chairs_none" if party is None else "chairs_party" if party else "chairs_other"
            _add(out, unit, chair, n)
    rates: dict = defaultdict(list)
    attendance = (
        Attendance.objects.filter(meeting__in=frame.meetings().filter(state=Meeting.State.HELD))
        .values("meeting_id", f"meeting__{unit_path}")
        .annotate(
            present=Count("pk", filter=Q(status=Attendance.Status.PRESENT)),
            recorded=Count("pk"),
        )
        .order_by()
    )
    for row in attendance:
        if row["recorded"]:
            rate = (row["present"] / row["recorded"], row["present"] * 2 > row["recorded"])
            rates[row[f"meeting__{unit_path}"]].append(rate)
            rates[TOTAL].append(rate)
    for unit, items in rates.items():
        out[unit]["attendance_rate"] = _mean_percent([r for r, _q in items])
        out[unit]["quorum_share"] = _share(sum(1 for _r, q in items if q), len(items))
        out[unit]["with_attendance"] = len(items)
    outcomes = {
        AgendaItem.Outcome.DECIDED: "adopted",
        AgendaItem.Outcome.NOT_ADOPTED: "not_adopted",
        AgendaItem.Outcome.DEFERRED: "deferred",
    }
    for row in (
        AgendaItem.objects.filter(meeting__in=frame.meetings(), outcome__in=list(outcomes))
        .values(f"meeting__{unit_path}", "outcome")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        _add(out, row[f"meeting__{unit_path}"], outcomes[row["outcome"]], row["n"])
    return out


def _empty_meeting_row() -> dict:
    keys = ("held", "cancelled", "scheduled", "chairs_party", "chairs_other", "chairs_none")
    row = dict.fromkeys(keys, 0)
    row.update(adopted=0, not_adopted=0, deferred=0, with_attendance=0)
    row.update(attendance_rate=None, quorum_share=None)
    return row


def _mean_percent(values: list[float]) -> Decimal | None:
    if not values:
        return None
    return (Decimal(str(statistics.fmean(values))) * 100).quantize(Decimal("0.1"))


# --- satisfaction and disputes -----------------------------------------------------------------


def satisfaction_figures(frame: Frame) -> dict:
    """Per unit and TOTAL: ratings, mean (one decimal) and distribution {1..5} of the period's matters.
    One query."""
    out = defaultdict(_empty_rating_row)
    out[TOTAL] = _empty_rating_row()
    unit_path = f"issue__{frame.issue_unit}"
    for row in (
        Satisfaction.objects.filter(issue__in=frame.cohort())
        .values(unit_path, "score")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        for target in (out[row[unit_path]], out[TOTAL]):
            target["ratings"] += row["n"]
            target["sum"] += row["score"] * row["n"]
            target["distribution"][row["score"]] += row["n"]
    for row in out.values():
        if row["ratings"]:
            row["mean"] = (Decimal(row["sum"]) / row["ratings"]).quantize(Decimal("0.1"))
    return out


def _empty_rating_row() -> dict:
    return {"ratings": 0, "sum": 0, "mean": None, "distribution": dict.fromkeys(range(1, 6), 0)}


def disputes_by_month(frame: Frame) -> list[dict]:
    """For each month of the period: matters of each dispute kind closed that month. One query."""
    closed = (
        TimelineEntry.objects.filter(
            kind=TimelineEntry.Kind.STAGE,
            to_stage=Stage.CLOSED,
            created_at__gte=frame.period.since,
            created_at__lt=frame.period.until,
            issue__village_id__in=frame.village_ids,
            issue__category__in=list(DISPUTE_KINDS),
        )
        .annotate(month=TruncMonth("created_at"))
        .values("month", "issue__category")
        .annotate(n=Count("issue_id", distinct=True))
        .order_by()
    )
    if frame.category:
        closed = closed.filter(issue__category=frame.category)
    counts = defaultdict(int)
    for row in closed:
        month = row["month"]
        month = timezone.localtime(month).date() if isinstance(month, datetime.datetime) else month
        counts[(month.replace(day=1), DISPUTE_KINDS[row["issue__category"]])] += row["n"]
    rows = []
    for month in frame.period.months:
        row = {"month": month, **{kind: counts[(month, kind)] for kind in DISPUTE_LABELS}}
        row["total"] = sum(row[kind] for kind in DISPUTE_LABELS)
        rows.append(row)
    return rows


# --- lists ------------------------------------------------------------------------------------


def overdue_issues(*, village_ids, stage: str = "", min_age_days: int | None = None, escalated=False):
    """Open issues past their step's time limit (or, with escalated, every escalated open issue), oldest
    deadline first, with their age in the step."""
    qs = Issue.objects.filter(village_id__in=village_ids, stage__in=OPEN_STAGES)
    qs = qs.filter(escalated_at__isnull=False) if escalated else qs.filter(stage_due_at__lt=clock.now())
    if stage:
        qs = qs.filter(stage=stage)
    if min_age_days:
        qs = qs.filter(stage_entered_at__lte=clock.now() - datetime.timedelta(days=min_age_days))
    return qs.select_related("village__township", "group").order_by("stage_due_at", "pk")


def age_days(issue: Issue, now=None) -> int:
    """Whole days the issue has been in its step."""
    return ((now or clock.now()) - issue.stage_entered_at).days


# --- registries -------------------------------------------------------------------------------


@dataclass
class Registry:
    """Funds, projects, talent, councils, income and elections of the frame's villages."""

    funds_by_source: list = field(default_factory=list)
    funds_by_unit: dict = field(default_factory=dict)
    projects_by_status: list = field(default_factory=list)
    talent: dict = field(default_factory=dict)
    talent_by_unit: dict = field(default_factory=dict)
    councils_by_unit: dict = field(default_factory=dict)
    income_year: int | None = None
    income_by_unit: dict = field(default_factory=dict)
    shell_villages: list = field(default_factory=list)
    weak_villages: list = field(default_factory=list)
    election: dict | None = None


def registry_figures(frame: Frame) -> Registry:
    """The registries' figures for the frame (as recorded now). A fixed number of queries."""
    villages = Village.objects.filter(pk__in=frame.village_ids)
    fundings = Funding.objects.filter(project__village_id__in=frame.village_ids)
    unit = "village_id" if frame.unit == UNIT_VILLAGE else "village__township_id"
    funds_by_unit = {
        row[f"project__{unit}"]: {"intended": row["intended"] or ZERO, "landed": row["landed"] or ZERO}
        for row in fundings.values(f"project__{unit}")
        .annotate(intended=Sum("amount_intended"), landed=Sum("amount_landed"))
        .order_by()
    }
    status_counts = dict(
        Project.objects.filter(village_id__in=frame.village_ids)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    talents = Talent.objects.filter(village_id__in=frame.village_ids)
    talent_by_unit = {
        row[unit]: row
        for row in talents.values(unit)
        .annotate(
            total=Count("pk"),
            party=Count("pk", filter=Q(is_party_member=True)),
            returned=Count("pk", filter=Q(is_returned=True)),
            reserve=Count("pk", filter=Q(is_reserve_cadre=True)),
        )
        .order_by()
    }
    councils_by_unit = dict(
        AdvisoryCouncil.objects.filter(village_id__in=frame.village_ids)
        .values_list(unit)
        .annotate(n=Count("village_id", distinct=True))
        .order_by()
    )
    registry = Registry(
        funds_by_source=funding_by_source(fundings),
        funds_by_unit=funds_by_unit,
        projects_by_status=[
            {"status": s.value, "label": s.label, "n": status_counts[s.value]}
            for s in Project.Status
            if status_counts.get(s.value)
        ],
        talent=talent_counts(talents),
        talent_by_unit=talent_by_unit,
        councils_by_unit=councils_by_unit,
    )
    _income(registry, frame, villages)
    history = township_term_history(villages)
    registry.election = history[0] if history else None
    return registry


def _income(registry: Registry, frame: Frame, villages) -> None:
    """Each village's collective income in the latest year recorded: shell and weak villages, per unit."""
    year = (
        CollectiveIncome.objects.filter(village_id__in=frame.village_ids)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    registry.income_year = year
    if year is None:
        return
    incomes = (
        CollectiveIncome.objects.filter(village_id__in=frame.village_ids, year=year)
        .select_related("village")
        .order_by("village__code")
    )
    by_unit: dict = defaultdict(lambda: {"shell": 0, "weak": 0, "sound": 0, "amount": ZERO})
    for income in incomes:
        cls = income_class(income.amount)
        key = income.village_id if frame.unit == UNIT_VILLAGE else income.village.township_id
        by_unit[key][cls] += 1
        by_unit[key]["amount"] += income.amount
        if cls == IncomeClass.SHELL:
            registry.shell_villages.append(income.village)
        elif cls == IncomeClass.WEAK:
            registry.weak_villages.append(income.village)
    registry.income_by_unit = dict(by_unit)


# --- the whole dashboard ----------------------------------------------------------------------


def units_of(frame: Frame) -> list:
    """The frame's villages (or townships), in the order the ranking table starts with."""
    if frame.unit == UNIT_VILLAGE:
        return list(
            Village.objects.filter(pk__in=frame.village_ids)
            .select_related("township")
            .order_by("township__name", "-is_pilot", "code")
        )
    return list(Township.objects.filter(villages__pk__in=frame.village_ids).distinct().order_by("name"))


RANK_COLUMNS = [
    ("raised", _("raised")),
    ("open", _("open")),
    ("overdue", _("overdue")),
    ("closed", _("closed")),
    ("closed_share", _("closed %")),
    ("escalated", _("escalated")),
    ("median_days", _("median days per step")),
    ("within_share", _("steps in time %")),
    ("held", _("meetings held")),
    ("attendance_rate", _("attendance %")),
    ("quorum_share", _("quorum %")),
    ("rating", _("satisfaction")),
    ("landed", _("funds landed (yuan)")),
    ("talents", _("talents")),
]
RANK_KEYS = [key for key, _label in RANK_COLUMNS]


def dashboard(frame: Frame) -> dict:
    """Everything a dashboard page shows, in a fixed number of queries."""
    units = units_of(frame)
    issues = issue_figures(frame)
    steps = step_figures(frame)
    meetings = meeting_figures(frame)
    ratings = satisfaction_figures(frame)
    registry = registry_figures(frame)
    rows = [_rank_row(unit, unit.pk, issues, steps, meetings, ratings, registry) for unit in units]
    total = _rank_row(None, TOTAL, issues, steps, meetings, ratings, registry)
    total["landed"] = sum((r["landed"] for r in rows), ZERO)
    total["talents"] = sum(r["talents"] for r in rows)
    return {
        "frame": frame,
        "rows": rows,
        "total": total,
        "issues": issues[TOTAL],
        "steps": [{"stage": s, **(steps[TOTAL].get(s) or _step(0, None, None, 0, 0))} for s in STEPS],
        "meetings": meetings[TOTAL],
        "ratings": ratings[TOTAL],
        "disputes": disputes_by_month(frame),
        "registry": registry,
        "overdue_list": list(overdue_issues(village_ids=frame.village_ids)[:10]),
        "escalated_list": list(overdue_issues(village_ids=frame.village_ids, escalated=True)[:10]),
        "computed_at": clock.now(),
    }


def _rank_row(unit, key, issues, steps, meetings, ratings, registry) -> dict:
    i = issues.get(key) or _empty_issue_row()
    m = meetings.get(key) or _empty_meeting_row()
    r = ratings.get(key) or _empty_rating_row()
    s = steps.get(key, {}).get(ALL_STEPS) or _step(0, None, None, 0, 0)
    funds = registry.funds_by_unit.get(key, {})
    return {
        "unit": unit,
        "raised": i["raised"],
        "open": i["open"],
        "overdue": i["overdue"],
        "closed": i[Stage.CLOSED],
        "rejected": i[Stage.REJECTED],
        "merged": i[Stage.MERGED],
        "withdrawn": i[Stage.WITHDRAWN],
        "closed_share": _share(i[Stage.CLOSED], i["raised"]),
        "escalated": i["escalated"],
        "rated": i["rated"],
        "rated_share": _share(i["rated"], i[Stage.CLOSED]),
        "by_stage": i["by_stage"],
        "overdue_by_stage": i["overdue_by_stage"],
        "median_days": s["median"],
        "within_share": s["within_share"],
        "held": m["held"],
        "cancelled": m["cancelled"],
        "attendance_rate": m["attendance_rate"],
        "quorum_share": m["quorum_share"],
        "rating": r["mean"],
        "ratings": r["ratings"],
        "landed": funds.get("landed", ZERO),
        "intended": funds.get("intended", ZERO),
        "talents": registry.talent_by_unit.get(key, {}).get("total", 0),
        "councils": registry.councils_by_unit.get(key, 0),
    }


def sort_rows(rows: list[dict], key: str, descending: bool) -> list[dict]:
    """The ranking table sorted by one column; empty figures always last."""
    if key not in RANK_KEYS:
        return rows
    filled = [r for r in rows if r[key] is not None]
    empty = [r for r in rows if r[key] is None]
    return sorted(filled, key=lambda r: r[key], reverse=descending) + empty


# --- the cross-village lists ------------------------------------------------------------------


def issue_rows(
    *,
    village_ids,
    stage: str = "",
    category: str = "",
    raised_from: datetime.date | None = None,
    raised_to: datetime.date | None = None,
    min_age: int | None = None,
    open_only: bool = False,
    overdue: bool = False,
    escalated: bool = False,
):
    """Issues of these villages with the list's filters; the same rules as the dashboard's counts (the
    raised dates are whole local days, overdue means open and past the step's limit)."""
    now = clock.now()
    qs = Issue.objects.filter(village_id__any=village_ids)
    if stage:
        qs = qs.filter(stage=stage)
    if category:
        qs = qs.filter(category=category)
    if raised_from:
        qs = qs.filter(created_at__gte=period_of("custom", start=raised_from, end=raised_from).since)
    if raised_to:
        qs = qs.filter(created_at__lt=period_of("custom", start=raised_to, end=raised_to).until)
    if open_only or overdue or escalated or min_age:
        qs = qs.filter(stage__in=OPEN_STAGES)
    if overdue:
        qs = qs.filter(stage_due_at__lt=now)
    if escalated:
        qs = qs.filter(escalated_at__isnull=False)
    if min_age:
        qs = qs.filter(stage_entered_at__lte=now - datetime.timedelta(days=min_age))
    # Only the columns the list shows (the exports choose their own with values_list). The village is not
    # read: the list names it from the villages of its filter (dashboard_tables.issue_table); joined,
    # PostgreSQL would join every match before the sort and the limit (issue 13).
    return qs.only(*ISSUE_ROW_COLUMNS).order_by("-created_at", "-pk")


ISSUE_ROW_COLUMNS = (
    "village_id",
    "title",
    "stage",
    "category",
    "created_at",
    "stage_entered_at",
    "stage_due_at",
    "escalated_at",
)


# What a row of the meeting list shows (dashboard_tables.meeting_table), as named rows; the exports read
# every column of the meetings themselves.
MEETING_ROW_FIELDS = (
    "pk",
    "starts_at",
    "state",
    "roundtable_name",
    "village_id",
    "chair_name",
    "present",
    "recorded",
    "items",
)


def meeting_rows(*, village_ids, state: str = "", start=None, end=None, page=False):
    """Meetings of these villages' roundtables, newest first, with present and recorded attendance and
    their agenda items counted; with ``page``, as named rows of ``MEETING_ROW_FIELDS`` (a page of the
    list, which names each row's village from its filter's places), else as meetings with their
    roundtable, village and chair (the exports)."""
    qs = Meeting.objects.filter(roundtable__village_id__any=village_ids)
    if state:
        qs = qs.filter(state=state)
    if start:
        qs = qs.filter(starts_at__gte=period_of("custom", start=start, end=start).since)
    if end:
        qs = qs.filter(starts_at__lt=period_of("custom", start=end, end=end).until)
    # The counts are subqueries per meeting, not a join grouped over every meeting of the villages: PostgreSQL
    # works them out only for the rows a page shows (after the sort and the limit). The chair's name too:
    # joined, every member of the roundtables was read before the sort and the limit.
    attendance = Attendance.objects.filter(meeting=OuterRef("pk"))
    qs = qs.annotate(
        present=_count_of(attendance.filter(status=Attendance.Status.PRESENT)),
        recorded=_count_of(attendance.exclude(status="")),
        items=_count_of(AgendaItem.objects.filter(meeting=OuterRef("pk"))),
    ).order_by("-starts_at", "-pk")
    if not page:
        return qs.select_related("roundtable__village", "chair")
    # Named rows, not meetings: 50 meetings, roundtables and villages made as model instances, and the
    # chairs fetched by a second query, were half of the page's time (issue 13).
    return qs.annotate(
        roundtable_name=F("roundtable__name"),
        village_id=F("roundtable__village_id"),
        chair_name=Subquery(
            RoundtableMember.objects.filter(pk=OuterRef("chair_id")).order_by().values("name")
        ),
    ).values_list(*MEETING_ROW_FIELDS, named=True)


def _count_of(rows):
    counted = rows.order_by().values("meeting").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


# --- snapshots of the default views ------------------------------------------------------------

SNAPSHOT_PERIODS = ("month", "quarter", "year")
SNAPSHOT_TIMEOUT = 6 * 3600


def snapshot_key(frame: Frame) -> str:
    ids = ",".join(str(pk) for pk in sorted(frame.village_ids))
    return (
        f"dashboards:snapshot:v1:{frame.unit}:{frame.period.kind}:{hashlib.sha256(ids.encode()).hexdigest()}"
    )


def snapshot_frames() -> list[Frame]:
    """The frames kept as snapshots: every township's and every district's month, quarter and year."""
    from villages.models import District

    frames = []
    villages = list(Village.objects.values_list("pk", "township_id", "township__district_id"))
    by_township, by_district = defaultdict(list), defaultdict(list)
    for pk, township_id, district_id in villages:
        by_township[township_id].append(pk)
        if district_id:
            by_district[district_id].append(pk)
    for kind in SNAPSHOT_PERIODS:
        period = period_of(kind)
        for ids in by_township.values():
            frames.append(Frame(village_ids=tuple(sorted(ids)), unit=UNIT_VILLAGE, period=period))
        for district_id in District.objects.filter(pk__in=by_district).values_list("pk", flat=True):
            frames.append(
                Frame(village_ids=tuple(sorted(by_district[district_id])), unit=UNIT_TOWNSHIP, period=period)
            )
    return frames


# A village's own default views are kept when first asked for, for as long as beat's interval: computing
# every village's month, quarter and year in the refresh would multiply its cost by twenty (400 villages
# against 21 townships and the district), for pages that most villages open a few times a day.
VILLAGE_SNAPSHOT_TIMEOUT = 15 * 60


def has_snapshot(frame: Frame) -> bool:
    """Whether the frame is a default view, kept as a snapshot: a month, quarter or year, all categories."""
    return not frame.category and frame.period.kind in SNAPSHOT_PERIODS


def stamp_key(frame: Frame) -> str:
    """Where the frame's snapshot says which it is (its frame and when it was computed), small enough to
    read without unpacking the snapshot."""
    return f"{snapshot_key(frame)}:stamp"


def stamp_of(data: dict) -> dict:
    return {"frame": sorted_frame(data["frame"]), "computed_at": data["computed_at"]}


def page_key(frame: Frame, *, address: str, language: str) -> str:
    """Where the page rendered from the frame's snapshot is kept, for one address (with its query) and one
    language."""
    page = hashlib.sha256(address.encode()).hexdigest()
    return f"dashboards:page:v1:{snapshot_key(frame)}:{language}:{page}"


def kept_page(frame: Frame, *, address: str, language: str) -> dict | None:
    """The page rendered from the frame's current snapshot, when kept: {frame, computed_at, html}. None
    when the stamp is missing or of another frame (yesterday's), or the page was rendered from another
    snapshot than the one the stamp names (beat has refreshed it since)."""
    keys = {"stamp": stamp_key(frame), "page": page_key(frame, address=address, language=language)}
    found = cache.get_many(keys.values())
    stamp, page = found.get(keys["stamp"]), found.get(keys["page"])
    if stamp is None or page is None or stamp["frame"] != sorted_frame(frame):
        return None
    return page if page["computed_at"] == stamp["computed_at"] else None


def dashboard_or_snapshot(frame: Frame) -> dict:
    """The frame's figures from the snapshot that Celery beat keeps, when it holds this very frame (the
    same villages and the same days: yesterday's snapshot never answers today), else computed live. The
    result's computed_at says which."""
    if has_snapshot(frame):
        cached = cache.get(snapshot_key(frame))
        if cached is not None and cached["frame"] == sorted_frame(frame):
            return {**cached, "frame": frame, "from_snapshot": True}
    return {**dashboard(frame), "from_snapshot": False}


def sorted_frame(frame: Frame) -> Frame:
    return Frame(
        village_ids=tuple(sorted(frame.village_ids)),
        unit=frame.unit,
        period=frame.period,
        category=frame.category,
    )
