"""Builders for the dashboard tests: issues carried through the steps at chosen moments, and a small
township-and-district world whose figures the tests recompute by hand."""

import datetime
import zoneinfo

import time_machine
from django.utils import timezone

from accounts.models import Membership
from roundtable import services, workflow
from roundtable.models import Attendance, Issue, Meeting, Opinion, Stage
from tests.factories import TownshipFactory, VillageFactory, VillageGroupFactory, make_user
from tests.roundtable_helpers import make_roundtable, substitute_for

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# "Today" in these tests: a fixed day, so that periods and ages are known.
NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=SHANGHAI)

ORDER = [
    Stage.RAISED,
    Stage.SOLICITING,
    Stage.DELIBERATING,
    Stage.DECIDED,
    Stage.EXECUTING,
    Stage.SUPERVISING,
    Stage.CLOSED,
]


def at(moment):
    return time_machine.travel(moment, tick=False)


def carry(village, target, *, raised, days, cadre, category=Issue.Category.PUBLIC_SERVICE, rating=None):
    """An issue raised at `raised` and moved one step after another, `days[k]` days after the previous
    move (days has one number per move). Terminal targets: rejected from step 1, withdrawn from step 2."""
    roundtable = village.roundtables.first() or make_roundtable(village)
    moment = raised
    with at(moment):
        issue = services.issue_create(
            village=village, title=f"事项{Issue.objects.count() + 1}", description="说明", category=category
        )
    steps = iter(days)

    def later():
        nonlocal moment
        moment = moment + datetime.timedelta(days=next(steps))
        return at(moment)

    if target == Stage.RAISED:
        return issue
    if target == Stage.REJECTED:
        with later():
            workflow.issue_reject(issue=issue, actor=cadre, reason="不属于议事范围")
        return issue
    with later():
        workflow.issue_accept(issue=issue, actor=cadre)
    if target == Stage.SOLICITING:
        return issue
    if target == Stage.WITHDRAWN:
        with later():
            workflow.issue_withdraw(issue=issue)
        return issue
    with later():
        workflow.issue_add_opinion(
            issue=issue,
            actor=cadre,
            party="代表",
            source=Opinion.Source.MEMBER,
            stance="support",
            text="同意",
        )
        meeting = services.meeting_schedule(
            roundtable=roundtable, starts_at=timezone.now() + datetime.timedelta(hours=1), place="村委会"
        )
        item = workflow.issue_put_on_agenda(issue=issue, actor=cadre, meeting=meeting)
    if target == Stage.DELIBERATING:
        return issue
    with later():
        members = list(roundtable.members.filter(is_active=True).order_by("pk"))
        services.meeting_record_attendance(
            meeting=meeting, statuses={m.pk: Attendance.Status.PRESENT for m in members}
        )
        workflow.issue_decide(
            issue=issue,
            actor=cadre,
            agenda_item=item,
            text="同意",
            discussion="讨论",
            votes_for=len(members),
            votes_against=0,
            votes_abstain=0,
            responsible=cadre,
            due_date=(timezone.localdate() + datetime.timedelta(days=30)),
        )
    if target == Stage.DECIDED:
        return issue
    with later():
        workflow.issue_start(issue=issue, actor=cadre)
    if target == Stage.EXECUTING:
        return issue
    with later():
        workflow.issue_report_done(issue=issue, actor=cadre, note="办完")
    if target == Stage.SUPERVISING:
        return issue
    with later():
        workflow.issue_confirm(issue=issue, supervisor=cadre)
        if rating:
            workflow.issue_rate(issue=issue, score=rating)
    issue.refresh_from_db()
    assert issue.stage == target
    return issue


def meeting_with(roundtable, *, when, present, absent, state=Meeting.State.HELD):
    """A meeting at `when`: held with this many present and absent, or cancelled."""
    with at(when - datetime.timedelta(days=2)):
        meeting = services.meeting_schedule(roundtable=roundtable, starts_at=when, place="村委会")
    with at(when + datetime.timedelta(minutes=5)):
        if state == Meeting.State.CANCELLED:
            return services.meeting_cancel(meeting=meeting, reason="天气")
        members = list(roundtable.members.filter(is_active=True).order_by("pk"))
        statuses = {}
        for i, m in enumerate(members):
            if i < present:
                statuses[m.pk] = Attendance.Status.PRESENT
            elif i < present + absent:
                statuses[m.pk] = Attendance.Status.ABSENT
        services.meeting_record_attendance(
            meeting=meeting, statuses=statuses, substitute_chair=substitute_for(meeting, statuses)
        )
    meeting.refresh_from_db()
    return meeting


def small_world(villages_per_township=2, prefix=""):
    """罗溪镇 and 河市镇 of 洛江区, with villages, cadres and issues at every kind of stage."""
    luoxi = TownshipFactory()
    heshi = TownshipFactory(code="heshi", name="河市镇", district=luoxi.district)
    world = {"luoxi": luoxi, "heshi": heshi, "villages": [], "cadres": {}}
    for township in (luoxi, heshi):
        for n in range(villages_per_township):
            village = VillageFactory(
                township=township, code=f"{prefix}{township.code}{n}", name=f"{prefix}{township.name}{n}村"
            )
            VillageGroupFactory(village=village)
            make_roundtable(village, members=4)
            cadre = make_user(Membership.Role.CADRE, village=village)
            world["villages"].append(village)
            world["cadres"][village.pk] = cadre
    return world


def when(month, day, year=2026):
    return datetime.datetime(year, month, day, 10, 0, tzinfo=SHANGHAI)


def build_world():
    """Seven matters of 2026 and one of 2025 in 罗溪镇, one in 河市镇; meetings held and cancelled."""
    w = small_world()
    a, b, c, _d = w["villages"]
    ca, cb, cc = (w["cadres"][v.pk] for v in (a, b, c))
    carry(a, Stage.CLOSED, raised=when(2, 1), days=[1, 2, 3, 1, 5, 2], cadre=ca, rating=4,
          category=Issue.Category.LAND_DISPUTE)  # fmt: skip
    carry(a, Stage.CLOSED, raised=when(3, 1), days=[2, 4, 1, 2, 10, 1], cadre=ca, rating=2,
          category=Issue.Category.NEIGHBOUR_DISPUTE)  # fmt: skip
    carry(a, Stage.SOLICITING, raised=when(6, 1), days=[5], cadre=ca)
    carry(a, Stage.REJECTED, raised=when(5, 1), days=[1], cadre=ca)
    carry(a, Stage.CLOSED, raised=when(11, 1, 2025), days=[1, 1, 1, 1, 50, 10], cadre=ca,
          category=Issue.Category.PETITION)  # fmt: skip
    carry(b, Stage.WITHDRAWN, raised=when(4, 1), days=[1, 1], cadre=cb)
    carry(b, Stage.RAISED, raised=when(6, 14), days=[], cadre=cb)
    executing = carry(b, Stage.EXECUTING, raised=when(5, 10), days=[1, 1, 1, 1], cadre=cb)
    with at(when(6, 14)):
        workflow.issue_escalate(issue=executing, actor=cb, note="拖太久")
    carry(c, Stage.CLOSED, raised=when(4, 10), days=[3, 3, 3, 3, 3, 3], cadre=cc, rating=5,
          category=Issue.Category.PETITION)  # fmt: skip
    meeting_with(a.roundtables.first(), when=when(5, 20), present=1, absent=3)
    meeting_with(a.roundtables.first(), when=when(5, 25), present=0, absent=0, state=Meeting.State.CANCELLED)
    meeting_with(b.roundtables.first(), when=when(12, 1, 2025), present=4, absent=0)
    return w


def forget_snapshots(village_ids):
    """Drops the kept snapshots of these villages' own month, quarter and year (the village dashboard
    keeps its figures from its first view), so that the next view computes them again."""
    from django.core.cache import cache

    from dashboards import selectors as s

    for kind in s.SNAPSHOT_PERIODS:
        for pk in village_ids:
            frame = s.Frame(village_ids=(pk,), unit=s.UNIT_VILLAGE, period=s.period_of(kind))
            cache.delete_many([s.snapshot_key(frame), s.stamp_key(frame)])
