"""Every dashboard figure against an independent computation: Python over the objects built by hand,
never the same query twice."""

import datetime
import itertools
import statistics
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards import selectors as s
from roundtable.models import (
    OPEN_STAGES,
    STEPS,
    AgendaItem,
    Attendance,
    Issue,
    Meeting,
    Satisfaction,
    Stage,
    TimelineEntry,
)
from tests.dashboards_helpers import NOW, SHANGHAI, at, build_world, carry, small_world, when

pytestmark = pytest.mark.django_db

YEAR = s.period_of("year", today=NOW.date())


@pytest.fixture
def world():
    return build_world()


def frame(world, *, unit=s.UNIT_VILLAGE, townships=("luoxi",), period=YEAR, category=""):
    ids = tuple(v.pk for v in world["villages"] if v.township.code in townships)
    return s.Frame(village_ids=ids, unit=unit, period=period, category=category)


def in_period(moment, period=YEAR):
    return period.since <= moment < period.until


def key_of(village, unit):
    return village.pk if unit == s.UNIT_VILLAGE else village.township_id


# --- independent computations ----------------------------------------------------------------


def issues_by_hand(villages, unit, period=YEAR, category=""):
    out = defaultdict(Counter)
    with at(NOW):
        for issue in Issue.objects.filter(village__in=villages).select_related("village"):
            if not in_period(issue.created_at, period) or (category and issue.category != category):
                continue
            row = out[key_of(issue.village, unit)]
            row["raised"] += 1
            if issue.stage in OPEN_STAGES:
                row["open"] += 1
                row[f"open:{issue.stage}"] += 1
                if issue.is_overdue:
                    row["overdue"] += 1
                    row[f"overdue:{issue.stage}"] += 1
                row["escalated"] += issue.escalated_at is not None
            else:
                row[issue.stage] += 1
            if issue.stage == Stage.CLOSED and Satisfaction.objects.filter(issue=issue).exists():
                row["rated"] += 1
    return out


def spans_by_hand(villages, unit, period=YEAR):
    """(key, stage, days, limit) for every step left in the period, from the timeline entries."""
    out = []
    for issue in Issue.objects.filter(village__in=villages).select_related("village__township"):
        entries = sorted(
            (
                e
                for e in issue.timeline.all()
                if e.kind in (TimelineEntry.Kind.CREATED, TimelineEntry.Kind.STAGE)
            ),
            key=lambda e: (e.created_at, e.pk),
        )
        township = issue.village.township
        limits = {
            Stage.RAISED: township.limit_raised_days,
            Stage.SOLICITING: township.limit_soliciting_days,
            Stage.DELIBERATING: township.limit_deliberating_days,
            Stage.SUPERVISING: township.limit_supervising_days,
        }
        for entered, left in itertools.pairwise(entries):
            if entered.to_stage in STEPS and in_period(left.created_at, period):
                days = (left.created_at - entered.created_at).total_seconds() / 86400
                out.append(
                    (key_of(issue.village, unit), entered.to_stage, days, limits.get(entered.to_stage))
                )
    return out


def p90(values):
    values = sorted(values)
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=10, method="inclusive")[8]


def one(value):
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"))


# --- tests ------------------------------------------------------------------------------------


def test_issue_figures_match_a_count_by_hand(world):
    f = frame(world)
    with at(NOW):
        figures = s.issue_figures(f)
    villages = [v for v in world["villages"] if v.township.code == "luoxi"]
    expected = issues_by_hand(villages, s.UNIT_VILLAGE)
    assert expected  # the world has matters in the period
    for village in villages:
        got, want = figures[village.pk], expected[village.pk]
        for key in ("raised", "open", "overdue", "escalated", "rated", *s.TERMINAL):
            assert got[key] == want[key], (village.code, key)
        for stage in STEPS:
            assert got["by_stage"][stage] == want[f"open:{stage}"]
            assert got["overdue_by_stage"][stage] == want[f"overdue:{stage}"]
        assert got["raised"] == got["open"] + sum(got[t] for t in s.TERMINAL)
    assert figures[s.TOTAL]["raised"] == sum(expected[v.pk]["raised"] for v in villages) == 7


def test_issue_figures_follow_the_category_and_period_filters(world):
    month = s.period_of("month", today=NOW.date())
    f = frame(world, period=month)
    with at(NOW):
        by_month = s.issue_figures(f)[s.TOTAL]
        by_category = s.issue_figures(frame(world, category=Issue.Category.LAND_DISPUTE))[s.TOTAL]
    villages = [v for v in world["villages"] if v.township.code == "luoxi"]
    assert by_month["raised"] == sum(
        c["raised"] for c in issues_by_hand(villages, s.UNIT_VILLAGE, month).values()
    )
    assert by_month["raised"] == 2
    land = issues_by_hand(villages, s.UNIT_VILLAGE, category=Issue.Category.LAND_DISPUTE)
    assert by_category["raised"] == sum(c["raised"] for c in land.values()) == 1


@pytest.mark.parametrize("unit", [s.UNIT_VILLAGE, s.UNIT_TOWNSHIP])
def test_step_figures_match_the_timeline_by_hand(world, unit):
    f = frame(world, unit=unit, townships=("luoxi", "heshi"))
    figures = s.step_figures(f)
    spans = spans_by_hand(world["villages"], unit)
    assert len(spans) > 10
    groups = defaultdict(list)
    for key, stage, days, limit in spans:
        for k in ((key, stage), (s.TOTAL, stage), (key, s.ALL_STEPS), (s.TOTAL, s.ALL_STEPS)):
            groups[k].append((days, limit))
    for (key, stage), items in groups.items():
        got = figures[key][stage]
        days = [d for d, _ in items]
        limited = [(d, lim) for d, lim in items if lim is not None]
        assert got["n"] == len(items)
        assert got["median"] == one(statistics.median(days)), (key, stage)
        assert got["p90"] == one(p90(days)), (key, stage)
        assert got["limited"] == len(limited)
        assert got["within"] == sum(1 for d, lim in limited if d <= lim)
    # the 2025 issue left step 6 in January after ten days: over the seven-day limit
    assert figures[s.TOTAL][Stage.SUPERVISING]["within"] < figures[s.TOTAL][Stage.SUPERVISING]["n"]


def test_meeting_figures_match_the_meetings_by_hand(world):
    f = frame(world)
    figures = s.meeting_figures(f)
    villages = [v for v in world["villages"] if v.township.code == "luoxi"]
    for village in villages:
        meetings = [m for m in Meeting.objects.filter(roundtable__village=village) if in_period(m.starts_at)]
        held = [m for m in meetings if m.state == Meeting.State.HELD]
        rates, quorums = [], 0
        for m in held:
            rows = list(Attendance.objects.filter(meeting=m))
            present = sum(1 for r in rows if r.status == Attendance.Status.PRESENT)
            if rows:
                rates.append(present / len(rows))
                quorums += present * 2 > len(rows)
        got = figures[village.pk]
        assert got["held"] == len(held)
        assert got["cancelled"] == sum(1 for m in meetings if m.state == Meeting.State.CANCELLED)
        assert got["attendance_rate"] == (one(sum(rates) / len(rates) * 100) if rates else None)
        assert got["quorum_share"] == (one(quorums * 100 / len(rates)) if rates else None)
        assert got["chairs_party"] == sum(1 for m in held if m.chair and m.chair.is_party_member)
        assert got["chairs_other"] == sum(1 for m in held if m.chair and not m.chair.is_party_member)
        items = list(AgendaItem.objects.filter(meeting__in=meetings))
        assert got["adopted"] == sum(1 for i in items if i.outcome == AgendaItem.Outcome.DECIDED)
        assert got["deferred"] == sum(1 for i in items if i.outcome == AgendaItem.Outcome.DEFERRED)
    a = world["villages"][0]
    assert figures[a.pk]["cancelled"] == 1
    assert figures[a.pk]["quorum_share"] < 100  # the May meeting had one of four present


def test_satisfaction_figures_match_the_ratings_by_hand(world):
    f = frame(world, townships=("luoxi", "heshi"))
    figures = s.satisfaction_figures(f)
    ratings = [r for r in Satisfaction.objects.select_related("issue") if in_period(r.issue.created_at)]
    assert figures[s.TOTAL]["ratings"] == len(ratings) == 3
    assert figures[s.TOTAL]["mean"] == one(statistics.mean(r.score for r in ratings))
    assert figures[s.TOTAL]["distribution"] == {
        n: sum(1 for r in ratings if r.score == n) for n in range(1, 6)
    }


def test_disputes_by_month_match_the_closings_by_hand(world):
    f = frame(world, townships=("luoxi", "heshi"))
    rows = {r["month"]: r for r in s.disputes_by_month(f)}
    assert list(rows) == [datetime.date(2026, m, 1) for m in range(1, 7)]
    expected = Counter()
    for entry in TimelineEntry.objects.filter(to_stage=Stage.CLOSED).select_related("issue"):
        if in_period(entry.created_at) and entry.issue.category in s.DISPUTE_KINDS:
            month = entry.created_at.astimezone(SHANGHAI).date().replace(day=1)
            expected[(month, s.DISPUTE_KINDS[entry.issue.category])] += 1
    assert sum(expected.values()) == 4
    for (month, kind), n in expected.items():
        assert rows[month][kind] == n


def test_district_totals_equal_the_sum_of_its_townships(world):
    with at(NOW):
        district = s.dashboard(frame(world, unit=s.UNIT_TOWNSHIP, townships=("luoxi", "heshi")))
        luoxi = s.dashboard(frame(world, townships=("luoxi",)))
        heshi = s.dashboard(frame(world, townships=("heshi",)))
    rows = {r["unit"].code: r for r in district["rows"]}
    for key in ("raised", "open", "overdue", "closed", "held", "ratings"):
        assert rows["luoxi"][key] == luoxi["total"][key]
        assert rows["heshi"][key] == heshi["total"][key]
        assert district["total"][key] == luoxi["total"][key] + heshi["total"][key]


def test_dashboard_queries_do_not_grow_with_villages_or_issues(db):
    def count(world):
        ids = tuple(v.pk for v in world["villages"])
        f = s.Frame(village_ids=ids, unit=s.UNIT_VILLAGE, period=YEAR)
        with CaptureQueriesContext(connection) as ctx:
            s.dashboard(f)
        return len(ctx)

    small = small_world(villages_per_township=1)
    for v in small["villages"]:
        carry(v, Stage.CLOSED, raised=when(2, 1), days=[1] * 6, cadre=small["cadres"][v.pk], rating=3)
    first = count(small)
    big = small_world(villages_per_township=4, prefix="big")
    for v in big["villages"]:
        for n in range(3):
            carry(v, Stage.CLOSED, raised=when(2, 1 + n), days=[1] * 6, cadre=big["cadres"][v.pk], rating=4)
    assert count(big) == first
