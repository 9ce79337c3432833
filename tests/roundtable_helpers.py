"""Builders for the roundtable tests: a roundtable with members, and issues carried to any stage."""

import datetime

from django.utils import timezone

from roundtable import services, workflow
from roundtable.models import Attendance, Issue, Meeting, Opinion, Roundtable, RoundtableMember, Stage


def make_roundtable(village, *, members=5, group=None, name=None) -> Roundtable:
    roundtable = Roundtable.objects.create(village=village, group=group, name=name or f"{village.name}圆桌会")
    for i in range(members):
        RoundtableMember.objects.create(
            roundtable=roundtable,
            name=f"成员{i}",
            is_party_member=i % 2 == 0,
            role=RoundtableMember.Role.PARTY_MEMBER if i % 2 == 0 else RoundtableMember.Role.REPRESENTATIVE,
        )
    return roundtable


def raise_issue(village, **kwargs) -> Issue:
    defaults = {
        "title": "村道路灯损坏",
        "description": "六盏路灯坏了两个月。",
        "category": Issue.Category.PUBLIC_SERVICE,
    }
    defaults.update(kwargs)
    return services.issue_create(village=village, **defaults)


def schedule(roundtable, *, hours_ago=1) -> Meeting:
    return services.meeting_schedule(
        roundtable=roundtable,
        starts_at=timezone.now() - datetime.timedelta(hours=hours_ago),
        place="村委会会议室",
    )


def hold(meeting, *, present: int) -> Meeting:
    members = list(meeting.roundtable.members.filter(is_active=True).order_by("pk"))
    statuses = {
        m.pk: Attendance.Status.PRESENT if i < present else Attendance.Status.ABSENT
        for i, m in enumerate(members)
    }
    return services.meeting_record_attendance(
        meeting=meeting, statuses=statuses, substitute_chair=substitute_for(meeting, statuses)
    )


def substitute_for(meeting, statuses):
    """The first member present, when the chair is absent and a substitute must be recorded."""
    if not workflow.substitute_needed(meeting, statuses):
        return None
    present = sorted(pk for pk, status in statuses.items() if status == Attendance.Status.PRESENT)
    return RoundtableMember.objects.get(pk=present[0])


def advance(issue: Issue, target: str, *, cadre, supervisor=None, roundtable=None) -> Issue:
    """Carries an issue from step 1 to `target` with all the evidence each move needs."""
    order = [
        Stage.RAISED,
        Stage.SOLICITING,
        Stage.DELIBERATING,
        Stage.DECIDED,
        Stage.EXECUTING,
        Stage.SUPERVISING,
        Stage.CLOSED,
    ]
    if target in (Stage.REJECTED, Stage.MERGED, Stage.WITHDRAWN):
        if target == Stage.REJECTED:
            return workflow.issue_reject(issue=issue, actor=cadre, reason="不属于议事范围")
        if target == Stage.WITHDRAWN:
            return workflow.issue_withdraw(issue=issue)
        other = raise_issue(issue.village, title="另一件事")
        return workflow.issue_merge(issue=issue, actor=cadre, target_issue=other)
    steps = order[: order.index(target) + 1]
    roundtable = (
        roundtable
        or Roundtable.objects.filter(village=issue.village).first()
        or make_roundtable(issue.village)
    )
    item = None
    if Stage.SOLICITING in steps:
        issue = workflow.issue_accept(issue=issue, actor=cadre)
    if Stage.DELIBERATING in steps:
        workflow.issue_add_opinion(
            issue=issue,
            actor=cadre,
            party="村民代表",
            source=Opinion.Source.MEMBER,
            stance="support",
            text="同意",
        )
        meeting = schedule(roundtable)
        item = workflow.issue_put_on_agenda(issue=issue, actor=cadre, meeting=meeting)
        issue.refresh_from_db()
    if Stage.DECIDED in steps:
        hold(item.meeting, present=roundtable.members.count())
        workflow.issue_decide(
            issue=issue,
            actor=cadre,
            agenda_item=item,
            text="同意修复",
            discussion="讨论记录",
            votes_for=roundtable.members.count(),
            votes_against=0,
            votes_abstain=0,
            responsible=cadre,
            due_date=timezone.localdate() + datetime.timedelta(days=30),
        )
    if Stage.EXECUTING in steps:
        workflow.issue_start(issue=issue, actor=cadre)
    if Stage.SUPERVISING in steps:
        workflow.issue_report_done(issue=issue, actor=cadre, note="已修复六盏路灯")
    if Stage.CLOSED in steps:
        workflow.issue_confirm(issue=issue, supervisor=supervisor or cadre)
    issue.refresh_from_db()
    assert issue.stage == target, (issue.stage, target)
    return issue


def pages_seen(client, url, params) -> list[int]:
    """The matters' numbers on every page of a paged list, following "next" from the first page."""
    seen, number = [], 1
    while True:
        page = client.get(url, {**params, "page": number}).context["page"]
        seen += [issue.pk for issue in page]
        if not page.has_next():
            return seen
        number += 1
