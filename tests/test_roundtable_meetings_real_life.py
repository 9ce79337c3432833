"""Meetings as they really happen (issue 12, points 3 and 4): a meeting held on paper and entered
afterwards, attendance offered exactly when it can be saved, a substitute for an absent chair, and a moved
or cancelled meeting shown to residents at its time now, with one SMS to each raiser."""

import datetime
import importlib
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from notifications import services as outbox
from notifications.channels import MemorySMSBackend
from notifications.models import Notification
from roundtable import services, workflow
from roundtable.models import (
    AgendaItem,
    Attendance,
    Issue,
    Meeting,
    Opinion,
    Stage,
    TimelineEntry,
)
from roundtable.workflow import WorkflowError
from tests.roundtable_helpers import make_roundtable, raise_issue, schedule

Kind = Notification.Kind


@pytest.fixture(autouse=True)
def _english_messages():
    """Refusals are matched in English, whatever language an earlier request left active."""
    with translation.override("en"):
        yield


@pytest.fixture
def roundtable(village):
    return make_roundtable(village, members=5)


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def _url(name, village, **kwargs):
    return reverse(f"roundtable:{name}", kwargs={"code": village.code, **kwargs})


def _act(village, meeting, action):
    return _url("meeting_act", village, pk=meeting.pk, action=action)


def _local(moment, fmt="%Y-%m-%d %H:%M"):
    return timezone.localtime(moment).strftime(fmt)


def _ready_issue(village, cadre, **kwargs) -> Issue:
    """An issue in step 2 with an opinion: ready for an agenda."""
    issue = raise_issue(village, **kwargs)
    workflow.issue_accept(issue=issue, actor=cadre)
    workflow.issue_add_opinion(
        issue=issue,
        actor=cadre,
        party="村民代表",
        source=Opinion.Source.MEMBER,
        stance="support",
        text="同意",
    )
    issue.refresh_from_db()
    return issue


def _statuses(meeting, *, absent=()):
    return {
        a.member_id: Attendance.Status.ABSENT if a.member_id in absent else Attendance.Status.PRESENT
        for a in meeting.attendance.all()
    }


def _attendance_post(meeting, statuses, substitute=None):
    data = {f"m{pk}": status for pk, status in statuses.items()}
    if substitute is not None:
        data["substitute_chair"] = str(substitute.pk)
    return data


# --- 3. a meeting held on paper, entered afterwards ----------------------------------------------


def test_a_past_meeting_is_refused_unless_entered_afterwards(en, village, cadre, roundtable):
    en.force_login(cadre)
    held = timezone.localtime(timezone.now() - datetime.timedelta(days=1)).replace(hour=19, minute=30)
    data = {
        "starts_at": held.strftime("%Y-%m-%dT%H:%M"),
        "place": "村委会",
        "chair": roundtable.members.first().pk,
    }
    refused = en.post(_url("meeting_new", village, pk=roundtable.pk), data)
    assert refused.status_code == 200
    assert "tick “held already, entered afterwards”" in refused.content.decode()
    assert 'value="村委会"' in refused.content.decode()  # nothing typed is lost
    assert not Meeting.objects.exists()

    ahead = en.post(
        _url("meeting_new", village, pk=roundtable.pk),
        {
            **data,
            "starts_at": (held + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "entered_afterwards": "on",
        },
    )
    assert "A meeting entered afterwards has already been held" in ahead.content.decode()
    assert not Meeting.objects.exists()

    entered = en.post(_url("meeting_new", village, pk=roundtable.pk), {**data, "entered_afterwards": "on"})
    meeting = Meeting.objects.get()
    assert entered.status_code == 302
    assert meeting.entered_afterwards and meeting.state == Meeting.State.SCHEDULED
    assert _local(meeting.starts_at) == held.strftime("%Y-%m-%d %H:%M")
    # Nobody is reminded of a meeting that has already been held.
    assert not Notification.objects.filter(meeting=meeting).exists()


def test_the_service_refuses_a_future_meeting_entered_afterwards(roundtable):
    with pytest.raises(WorkflowError, match="has already been held") as refused:
        services.meeting_schedule(
            roundtable=roundtable,
            starts_at=timezone.now() + datetime.timedelta(hours=3),
            place="村委会",
            entered_afterwards=True,
        )
    assert refused.value.field == "starts_at"
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("outcome", ["decide", "defer", "not_adopted"])
def test_a_past_meeting_entered_with_attendance_and_outcome_moves_the_matter(
    en, village, cadre, roundtable, outcome
):
    """Held on paper yesterday: entered today with its agenda, attendance and each kind of outcome; the
    matter moves as at any meeting, and both timelines say the meeting was entered afterwards."""
    issue = _ready_issue(village, cadre, raiser_mobile="13900001111", raiser_name="张三", consent=True)
    en.force_login(cadre)
    held = timezone.now().replace(second=0, microsecond=0) - datetime.timedelta(days=1)
    en.post(
        _url("meeting_new", village, pk=roundtable.pk),
        {
            "starts_at": _local(held, "%Y-%m-%dT%H:%M"),
            "place": "村委会",
            "chair": roundtable.members.order_by("pk").first().pk,
            "entered_afterwards": "on",
        },
    )
    meeting = Meeting.objects.get(entered_afterwards=True)
    page = en.get(_url("meeting", village, pk=meeting.pk)).content.decode()
    assert "entered afterwards" in page
    assert _act(village, meeting, "attendance") in page  # held already: attendance is offered at once
    # Attendance first, as the paper sign-in sheet comes first; the agenda is still open to enter.
    en.post(_act(village, meeting, "attendance"), _attendance_post(meeting, _statuses(meeting)))
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.HELD
    assert (
        _act(village, meeting, "add_issue")
        in en.get(_url("meeting", village, pk=meeting.pk)).content.decode()
    )
    en.post(_act(village, meeting, "add_issue"), {"issue": issue.pk})
    item = AgendaItem.objects.get(meeting=meeting, issue=issue)
    issue.refresh_from_db()
    assert issue.stage == Stage.DELIBERATING

    prefix = f"i{item.pk}-{outcome}"
    votes = {"votes_for": 5, "votes_against": 0, "votes_abstain": 0}
    if outcome == "not_adopted":
        votes = {"votes_for": 1, "votes_against": 4, "votes_abstain": 0}
    data = {f"{prefix}-discussion": "逐一发言", **{f"{prefix}-{k}": v for k, v in votes.items()}}
    if outcome == "decide":
        data |= {
            f"{prefix}-text": "同意修复",
            f"{prefix}-responsible": cadre.pk,
            f"{prefix}-due_date": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        }
    elif outcome == "defer":
        data = {f"{prefix}-discussion": "需要再听听意见"}
    answer = en.post(_url("agenda_item_act", village, pk=issue.pk, item_pk=item.pk, move=outcome), data)
    assert answer.status_code == 302
    issue.refresh_from_db()
    item.refresh_from_db()
    expected = {
        "decide": (Stage.DECIDED, AgendaItem.Outcome.DECIDED),
        "defer": (Stage.DELIBERATING, AgendaItem.Outcome.DEFERRED),
        "not_adopted": (Stage.REJECTED, AgendaItem.Outcome.NOT_ADOPTED),
    }[outcome]
    assert (issue.stage, item.outcome) == expected

    linked = issue.timeline.filter(meeting=meeting)
    assert linked.count() == 2  # put on the agenda, and the outcome
    assert all(e.created_at > meeting.starts_at for e in linked)
    held_text = f"held {_local(meeting.starts_at)}, recorded"
    staff = en.get(_url("issue", village, pk=issue.pk)).content.decode()
    assert staff.count(held_text) == 2
    public = en.get(reverse("roundtable:track", kwargs={"code": issue.tracking_code})).content.decode()
    assert public.count(held_text) == 2
    assert public.count("entered afterwards") >= 2
    zh = en.get(
        reverse("roundtable:track", kwargs={"code": issue.tracking_code}),
        HTTP_COOKIE="django_language=zh-hans",
    )
    assert "事后补录" in zh.content.decode()


def test_a_meeting_entered_afterwards_takes_agenda_items_only_until_it_is_signed_off(
    village, cadre, roundtable
):
    meeting = services.meeting_schedule(
        roundtable=roundtable,
        starts_at=timezone.now() - datetime.timedelta(days=2),
        place="村委会",
        entered_afterwards=True,
    )
    services.meeting_record_attendance(meeting=meeting, statuses=_statuses(meeting))
    services.meeting_add_topic(meeting=meeting, topic="环境卫生")
    services.meeting_save_minutes(meeting=meeting, minutes="纸质记录")
    services.meeting_sign_off(meeting=meeting, actor=cadre)
    with pytest.raises(WorkflowError, match="Only a scheduled meeting can take new agenda items"):
        services.meeting_add_topic(meeting=meeting, topic="再议")
    # An ordinary held meeting takes nothing new either.
    ordinary = schedule(roundtable)
    services.meeting_record_attendance(meeting=ordinary, statuses=_statuses(ordinary))
    with pytest.raises(WorkflowError, match="Only a scheduled meeting can take new agenda items"):
        workflow.issue_put_on_agenda(issue=_ready_issue(village, cadre), actor=cadre, meeting=ordinary)


# --- attendance: offered exactly when it can be saved ---------------------------------------------


@pytest.mark.parametrize(
    ("hours_ahead", "state"),
    [
        (5, "scheduled"),
        (1.5, "scheduled"),
        (-1, "scheduled"),
        (-1, "cancelled"),
        (-1, "signed_off"),
        (-1, "held"),
    ],
)
def test_attendance_is_offered_if_and_only_if_it_can_be_saved(
    en, village, cadre, roundtable, hours_ahead, state
):
    meeting = schedule(roundtable, hours_ago=-hours_ahead)
    if state == "cancelled":
        services.meeting_cancel(meeting=meeting, reason="下雨")
    elif state in ("held", "signed_off"):
        services.meeting_record_attendance(meeting=meeting, statuses=_statuses(meeting))
        if state == "signed_off":
            services.meeting_save_minutes(meeting=meeting, minutes="记录")
            services.meeting_sign_off(meeting=meeting, actor=cadre)
    meeting.refresh_from_db()
    en.force_login(cadre)
    page = en.get(_url("meeting", village, pk=meeting.pk)).content.decode()
    offered = _act(village, meeting, "attendance") in page
    assert offered == workflow.attendance_open(meeting)
    assert offered == (hours_ahead <= 2 and state in ("scheduled", "held"))
    if hours_ahead == 5:
        opens = _local(meeting.starts_at - datetime.timedelta(hours=2))
        assert f"Attendance is taken when the meeting sits: from {opens}." in page

    answer = en.post(_act(village, meeting, "attendance"), _attendance_post(meeting, _statuses(meeting)))
    meeting.refresh_from_db()
    saved = meeting.attendance.filter(status=Attendance.Status.PRESENT).count() == 5
    if offered:
        assert saved and meeting.state == Meeting.State.HELD
    else:
        assert answer.status_code == 400
        if state != "signed_off":
            assert not saved


# --- the chair absent: a warning and a substitute ---------------------------------------------------


def test_chair_absent_needs_a_substitute_among_those_present(en, village, cadre, roundtable):
    meeting = schedule(roundtable)
    chair = meeting.chair
    others = list(roundtable.members.exclude(pk=chair.pk).order_by("pk"))
    en.force_login(cadre)

    statuses = _statuses(meeting, absent={chair.pk, others[0].pk})
    refused = en.post(_act(village, meeting, "attendance"), _attendance_post(meeting, statuses))
    page = refused.content.decode()
    assert refused.status_code == 400
    assert f"The chair, {chair.name}, is not marked present." in page
    assert re.search(r'id="id_substitute_chair_error"', page)
    # The ticks are kept: the chair's "absent" is still checked.
    assert re.search(rf'name="m{chair.pk}" value="absent"[^>]*checked', page)
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.SCHEDULED
    assert not meeting.attendance.exclude(status="").exists()

    absent_one = en.post(_act(village, meeting, "attendance"), _attendance_post(meeting, statuses, others[0]))
    assert absent_one.status_code == 400
    assert "The substitute chair must be one of the members marked present." in absent_one.content.decode()
    meeting.refresh_from_db()
    assert meeting.substitute_chair is None and meeting.state == Meeting.State.SCHEDULED

    saved = en.post(_act(village, meeting, "attendance"), _attendance_post(meeting, statuses, others[1]))
    assert saved.status_code == 302
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.HELD
    assert meeting.substitute_chair == others[1] and meeting.presiding == others[1]
    detail = en.get(_url("meeting", village, pk=meeting.pk)).content.decode()
    assert f"The chair, {chair.name}, was not present; {others[1].name} chaired in their place." in detail
    assert f"absent; {others[1].name} chaired in their place" in detail
    printed = en.get(_url("meeting_print", village, pk=meeting.pk)).content.decode()
    assert f"absent; {others[1].name} chaired in their place" in printed
    listed = en.get(_url("meetings", village)).content.decode()
    assert f"absent; {others[1].name} chaired in their place" in listed

    # The chair was there after all: the substitute is cleared.
    services.meeting_record_attendance(meeting=meeting, statuses=_statuses(meeting))
    meeting.refresh_from_db()
    assert meeting.substitute_chair is None


def test_the_service_refuses_an_absent_chair_without_substitute(roundtable):
    meeting = schedule(roundtable)
    statuses = _statuses(meeting, absent={meeting.chair_id})
    with pytest.raises(WorkflowError, match="is not marked present") as refused:
        services.meeting_record_attendance(meeting=meeting, statuses=statuses)
    assert refused.value.field == "substitute_chair"
    stranger = make_roundtable(roundtable.village, name="别的圆桌会").members.first()
    with pytest.raises(WorkflowError, match="must be one of the members marked present"):
        services.meeting_record_attendance(meeting=meeting, statuses=statuses, substitute_chair=stranger)
    assert Meeting.objects.get(pk=meeting.pk).state == Meeting.State.SCHEDULED
    # Nobody present at all: no one can chair, so no substitute is asked for.
    nobody = dict.fromkeys(statuses, Attendance.Status.ABSENT)
    services.meeting_record_attendance(meeting=meeting, statuses=nobody)
    assert Meeting.objects.get(pk=meeting.pk).substitute_chair is None


# --- 4. a moved or cancelled meeting: residents see the truth, raisers get one SMS -------------------


@pytest.fixture
def sms(settings):
    settings.NOTIFICATIONS_SMS_BACKEND = "notifications.channels.MemorySMSBackend"
    MemorySMSBackend.outbox.clear()
    yield MemorySMSBackend.outbox
    MemorySMSBackend.outbox.clear()


MOBILE = "13911112222"


def _on_agenda_at(village, cadre, roundtable, when, **kwargs):
    issue = _ready_issue(village, cadre, raiser_mobile=MOBILE, raiser_name="李四", consent=True, **kwargs)
    meeting = services.meeting_schedule(roundtable=roundtable, starts_at=when, place="村委会")
    workflow.issue_put_on_agenda(issue=issue, actor=cadre, meeting=meeting)
    return issue, meeting


def _evening(days=2, hour=19, minute=30):
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _raiser_texts(sms):
    return [text for mobile, text in sms if mobile == MOBILE]


def test_a_moved_meeting_changes_the_tracking_page_and_texts_the_raiser_once(
    en, village, cadre, roundtable, sms
):
    old = _evening()
    issue, meeting = _on_agenda_at(village, cadre, roundtable, old)
    track = reverse("roundtable:track", kwargs={"code": issue.tracking_code})
    before = en.get(track).content.decode()
    assert _local(old) in before
    outbox.outbox_send_due()
    sms.clear()  # the texts about the matter's earlier steps

    en.force_login(cadre)
    new = _evening(hour=9)
    answer = en.post(
        _act(village, meeting, "move"), {"starts_at": _local(new, "%Y-%m-%dT%H:%M"), "place": ""}
    )
    assert answer.status_code == 302
    en.logout()
    en.cookies["django_language"] = "en"
    page = en.get(track).content.decode()
    assert f"To be discussed at the {roundtable.name} meeting on {_local(new)}, at 村委会." in page
    assert _local(old) not in page
    staff_entry = issue.timeline.filter(meeting=meeting, kind=TimelineEntry.Kind.AGENDA).get()
    assert staff_entry.is_public

    # The hook run again writes nothing new.
    meeting.refresh_from_db()
    assert outbox.meeting_moved_notify(meeting=meeting) == 0
    rows = Notification.objects.filter(issue=issue, kind=Kind.ISSUE_MEETING_MOVED)
    assert rows.count() == 1 and rows.get().channel == Notification.Channel.SMS
    outbox.outbox_send_due()
    outbox.outbox_send_due()
    texts = _raiser_texts(sms)
    assert len(texts) == 1
    assert _local(new, "%H:%M") in texts[0] and _local(old, "%H:%M") not in texts[0]
    assert issue.tracking_code in texts[0]

    # Moved again: one more text, about the newest time.
    newer = _evening(days=3, hour=15)
    services.meeting_move(meeting=meeting, starts_at=newer, actor=cadre)
    outbox.outbox_send_due()
    texts = _raiser_texts(sms)
    assert len(texts) == 2 and _local(newer, "%H:%M") in texts[1]
    page = en.get(track).content.decode()
    assert _local(newer) in page
    assert _local(new) not in page and _local(old) not in page


def test_moving_twice_before_the_sender_runs_sends_only_the_newest_time(village, cadre, roundtable, sms):
    _issue, meeting = _on_agenda_at(village, cadre, roundtable, _evening())
    outbox.outbox_send_due()
    sms.clear()
    services.meeting_move(meeting=meeting, starts_at=_evening(hour=9), actor=cadre)
    services.meeting_move(meeting=meeting, starts_at=_evening(hour=10), actor=cadre)
    outbox.outbox_send_due()
    texts = _raiser_texts(sms)
    assert len(texts) == 1 and _local(_evening(hour=10), "%H:%M") in texts[0]


def test_a_cancelled_meeting_shows_on_the_tracking_page_and_texts_the_raiser_once(
    en, village, cadre, roundtable, sms
):
    old = _evening()
    issue, meeting = _on_agenda_at(village, cadre, roundtable, old)
    quiet = _ready_issue(village, cadre, title="没有留手机的事项")
    workflow.issue_put_on_agenda(issue=quiet, actor=cadre, meeting=meeting)
    outbox.outbox_send_due()
    sms.clear()
    en.force_login(cadre)
    en.post(_act(village, meeting, "cancel"), {"reason": "台风预警"})
    en.logout()
    en.cookies["django_language"] = "en"
    meeting.refresh_from_db()
    assert meeting.is_cancelled
    page = en.get(reverse("roundtable:track", kwargs={"code": issue.tracking_code})).content.decode()
    assert f"The {roundtable.name} meeting that was to discuss this matter is cancelled." in page
    assert f"{roundtable.name} meeting: cancelled" in page
    assert _local(old) not in page
    assert outbox.meeting_cancelled_notify(meeting=meeting, issues=[issue, quiet]) == 0
    outbox.outbox_send_due()
    texts = _raiser_texts(sms)
    assert len(texts) == 1
    assert "cancelled" in texts[0] or "取消" in texts[0]
    assert Notification.objects.filter(kind=Kind.ISSUE_MEETING_CANCELLED).count() == 1


def test_a_raiser_with_two_matters_on_the_agenda_gets_one_text_per_change(village, cadre, roundtable, sms):
    _issue, meeting = _on_agenda_at(village, cadre, roundtable, _evening())
    second = _ready_issue(village, cadre, title="水渠堵塞", raiser_mobile=MOBILE, consent=True)
    workflow.issue_put_on_agenda(issue=second, actor=cadre, meeting=meeting)
    outbox.outbox_send_due()
    sms.clear()
    services.meeting_move(meeting=meeting, starts_at=_evening(hour=9), actor=cadre)
    outbox.outbox_send_due()
    assert len(_raiser_texts(sms)) == 1


def test_a_move_pending_when_the_meeting_is_cancelled_is_not_sent(village, cadre, roundtable, sms):
    _issue, meeting = _on_agenda_at(village, cadre, roundtable, _evening())
    outbox.outbox_send_due()
    sms.clear()
    services.meeting_move(meeting=meeting, starts_at=_evening(hour=9), actor=cadre)
    services.meeting_cancel(meeting=meeting, reason="台风预警", actor=cadre)
    outbox.outbox_send_due()
    texts = _raiser_texts(sms)
    assert len(texts) == 1 and ("cancelled" in texts[0] or "取消" in texts[0])


def test_a_text_written_before_a_move_and_sent_after_it_gives_the_new_time(village, cadre, roundtable, sms):
    """The text about the matter going onto the agenda reads the meeting's time when it is sent."""
    old = _evening()
    _issue, meeting = _on_agenda_at(village, cadre, roundtable, old)
    new = _evening(hour=9)
    services.meeting_move(meeting=meeting, starts_at=new, actor=cadre)
    outbox.outbox_send_due()
    texts = _raiser_texts(sms)
    staged = [t for t in texts if "圆桌议事" in t]
    assert len(staged) == 1
    assert _local(new, "%H:%M") in staged[0] and _local(old, "%H:%M") not in staged[0]
    assert all(_local(old, "%H:%M") not in t for t in texts)


def test_agenda_entries_written_before_the_link_are_linked_and_lose_their_old_time(
    village, cadre, roundtable
):
    """Migration 0008: an agenda entry from before entries named their meeting (its note holding the time
    then) is linked to its meeting, moved since, and its note no longer gives a time."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.db.models import QuerySet

    name = "0008_link_agenda_entries_to_meetings"
    link = importlib.import_module(f"roundtable.migrations.{name}").link
    state = MigrationExecutor(connection).loader.project_state(("roundtable", name))
    old = _evening()
    issue, meeting = _on_agenda_at(village, cadre, roundtable, old)
    custom = _ready_issue(village, cadre, title="另一件事")
    workflow.issue_put_on_agenda(issue=custom, actor=cadre, meeting=meeting, note="请带上图纸")
    entry = issue.timeline.get(meeting=meeting)
    # As the portal wrote them before: no meeting, the time in the note (the model refuses updates).
    rows = QuerySet(model=TimelineEntry)
    rows.filter(pk=entry.pk).update(meeting=None, note=f"已列入{roundtable.name} {_local(old)} 的会议议程。")
    rows.filter(issue=custom).update(meeting=None)
    services.meeting_move(meeting=meeting, starts_at=_evening(hour=9), actor=cadre)
    link(state.apps, None)
    entry.refresh_from_db()
    assert entry.meeting == meeting
    assert entry.note == f"已列入{roundtable.name}会议议程。"
    assert custom.timeline.get(note="请带上图纸").meeting is None


@pytest.mark.parametrize("which", ["entered_afterwards", "started", "ahead"])
def test_a_member_confirms_coming_only_to_a_meeting_still_ahead(client, village, member, roundtable, which):
    seat = roundtable.members.order_by("pk").first()
    seat.user = member
    seat.save(update_fields=["user"])
    if which == "entered_afterwards":
        meeting = services.meeting_schedule(
            roundtable=roundtable,
            starts_at=timezone.now() - datetime.timedelta(days=1),
            place="村委会",
            entered_afterwards=True,
        )
    else:
        meeting = schedule(roundtable, hours_ago=1 if which == "started" else -24)
    client.force_login(member)
    page = client.get(_url("meeting", village, pk=meeting.pk)).content.decode()
    offered = _act(village, meeting, "confirm") in page
    assert offered == (which == "ahead") == workflow.confirm_open(meeting)
    client.post(_act(village, meeting, "confirm"), {"coming": "1"})
    assert (meeting.attendance.get(member=seat).confirmed_at is not None) == offered
