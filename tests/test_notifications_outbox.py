"""The outbox: rows written with their cause, reminders replaced or dropped, each message sent once."""

import datetime
import threading
import time

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction

from accounts.models import Membership
from notifications import clock, services
from notifications.channels import MemorySMSBackend
from notifications.models import Notification
from roundtable import services as rt_services
from roundtable import workflow
from roundtable.models import Issue, Opinion, Stage
from tests.factories import make_user
from tests.factories_notifications import (
    MemberFactory,
    celery_broker,
    freeze_now,
    raise_issue,
    roundtable_with_members,
    rows,
    schedule_in,
)

Kind = Notification.Kind
Status = Notification.Status
HOUR = datetime.timedelta(hours=1)
REMINDERS = [Kind.MEETING_REMINDER_DAY, Kind.MEETING_REMINDER_HOUR]


@pytest.fixture(autouse=True)
def frozen():
    moment = freeze_now()
    MemorySMSBackend.outbox.clear()
    yield moment
    clock.freeze(None)
    services.kick_pause_reset()


@pytest.fixture(autouse=True)
def sms_in_memory(settings):
    settings.NOTIFICATIONS_SMS_BACKEND = "notifications.channels.MemorySMSBackend"


@pytest.fixture
def eager():
    """Tasks run in process, as on the embedded default, whatever REDIS_URL says."""
    with celery_broker("memory://", eager=True):
        yield


@pytest.fixture
def roundtable(village):
    return roundtable_with_members(village, emails=3, mobiles=1, silent=1)


def _send(**kwargs) -> int:
    return services.outbox_send_due(**kwargs)


# --- meeting reminders -----------------------------------------------------------------------------


def test_meeting_schedule_writes_one_reminder_per_member_per_kind(roundtable):
    meeting = schedule_in(roundtable, 3 * 24 * HOUR)
    reminders = rows(meeting=meeting, kind__in=REMINDERS)
    # 3 e-mail members and 1 SMS member; the member with no address gets nothing.
    assert reminders.count() == 2 * 4
    for kind in REMINDERS:
        assert set(reminders.filter(kind=kind).values_list("address", flat=True)) == {
            *roundtable.members.exclude(email="").values_list("email", flat=True),
            "13900000000",
        }
    day = reminders.get(kind=Kind.MEETING_REMINDER_DAY, channel="sms")
    assert day.due_at == meeting.starts_at - 24 * HOUR
    assert reminders.get(kind=Kind.MEETING_REMINDER_HOUR, channel="sms").due_at == meeting.starts_at - HOUR
    assert set(reminders.values_list("status", flat=True)) == {Status.PENDING}


def test_meeting_hook_run_twice_writes_nothing_new(roundtable):
    meeting = schedule_in(roundtable, 3 * 24 * HOUR)
    before = Notification.objects.count()
    assert services.meeting_scheduled_notify(meeting=meeting) == 0
    assert Notification.objects.count() == before


def test_meeting_schedule_soon_keeps_only_reminders_still_useful(roundtable):
    in_three_hours = schedule_in(roundtable, 3 * HOUR)
    in_half_an_hour = schedule_in(roundtable, HOUR / 2)
    assert rows(meeting=in_three_hours, kind=Kind.MEETING_REMINDER_DAY).count() == 4
    assert rows(meeting=in_three_hours, kind=Kind.MEETING_REMINDER_HOUR).count() == 4
    # Both reminder times have passed: only the closer one goes, at once.
    assert rows(meeting=in_half_an_hour, kind=Kind.MEETING_REMINDER_DAY).count() == 0
    assert rows(meeting=in_half_an_hour, kind=Kind.MEETING_REMINDER_HOUR).count() == 4


def test_meeting_chair_who_left_is_still_reminded(village):
    roundtable = roundtable_with_members(village, emails=2)
    chair = MemberFactory(roundtable=roundtable, is_active=False, email="chair@example.test")
    meeting = schedule_in(roundtable, 48 * HOUR, chair=chair)
    addresses = set(rows(meeting=meeting, kind=Kind.MEETING_REMINDER_DAY).values_list("address", flat=True))
    assert "chair@example.test" in addresses
    assert len(addresses) == 3


def test_meeting_reminders_go_when_due_and_once_when_sender_runs_twice(roundtable, frozen):
    meeting = schedule_in(roundtable, 48 * HOUR)
    assert _send() == 0
    clock.freeze(meeting.starts_at - 24 * HOUR)
    assert _send() == 4
    assert _send() == 0
    assert len(mail.outbox) == 3
    assert len(MemorySMSBackend.outbox) == 1
    clock.freeze(meeting.starts_at - HOUR + datetime.timedelta(minutes=1))
    assert _send() == 4
    assert _send() == 0
    assert len(mail.outbox) == 6
    sent = rows(meeting=meeting, kind__in=REMINDERS)
    assert sent.filter(status=Status.SENT, attempts=1).count() == 8
    assert sorted(m.to[0] for m in mail.outbox).count(mail.outbox[0].to[0]) == 2
    assert "村委会会议室" in mail.outbox[0].body
    assert mail.outbox[0].alternatives[0][1] == "text/html"


def test_meeting_moved_sends_no_stale_reminder(roundtable, frozen):
    meeting = schedule_in(roundtable, 48 * HOUR)
    old_start = meeting.starts_at
    meeting = rt_services.meeting_move(meeting=meeting, starts_at=old_start + 72 * HOUR)
    assert meeting.schedule_version == 2
    assert rows(meeting=meeting, kind__in=REMINDERS, schedule_version=1, status=Status.CANCELLED).count() == 8
    assert rows(meeting=meeting, kind__in=REMINDERS, schedule_version=2, status=Status.PENDING).count() == 8
    # Everyone is told of the move at once.
    assert _send() == 4
    moved = rows(meeting=meeting, kind=Kind.MEETING_MOVED)
    assert moved.filter(status=Status.SENT).count() == 4
    assert {m.subject for m in mail.outbox} == {moved.filter(channel="email").first().subject}
    mail.outbox.clear()
    # At the old reminder times nothing goes.
    clock.freeze(old_start - HOUR)
    assert _send() == 0
    clock.freeze(old_start + HOUR)
    assert _send() == 0
    assert mail.outbox == []
    # At the new ones the new reminders go, once each.
    clock.freeze(meeting.starts_at - 24 * HOUR)
    assert _send() == 4
    clock.freeze(meeting.starts_at - HOUR)
    assert _send() == 4
    assert len(mail.outbox) == 6
    assert rows(meeting=meeting, kind__in=REMINDERS, status=Status.SENT, schedule_version=1).count() == 0


def test_meeting_moved_twice_drops_the_first_move_notice(roundtable, frozen):
    meeting = schedule_in(roundtable, 48 * HOUR)
    meeting = rt_services.meeting_move(meeting=meeting, starts_at=meeting.starts_at + HOUR)
    meeting = rt_services.meeting_move(meeting=meeting, starts_at=meeting.starts_at + HOUR)
    assert rows(meeting=meeting, kind=Kind.MEETING_MOVED, status=Status.PENDING).count() == 4
    assert (
        rows(meeting=meeting, kind=Kind.MEETING_MOVED, schedule_version=2, status=Status.CANCELLED).count()
        == 4
    )
    _send()
    assert len(mail.outbox) == 3


def test_stale_reminder_left_pending_is_dropped_by_the_sender(roundtable, frozen):
    meeting = schedule_in(roundtable, 48 * HOUR)
    stale = list(rows(meeting=meeting, kind=Kind.MEETING_REMINDER_DAY))
    meeting = rt_services.meeting_move(meeting=meeting, starts_at=meeting.starts_at + 24 * HOUR)
    # Even if a row of the old version were still pending (say, written by a racing process) …
    Notification.objects.filter(pk__in=[n.pk for n in stale]).update(status=Status.PENDING, last_error="")
    clock.freeze(meeting.starts_at - 24 * HOUR)
    _send()
    # … it is dropped, not sent: only the move notices and the new day-before reminders go.
    assert rows(pk__in=[n.pk for n in stale], status=Status.CANCELLED).count() == 4
    sent = rows(meeting=meeting, status=Status.SENT, channel="email")
    assert set(sent.values_list("kind", "schedule_version")) == {
        (Kind.MEETING_MOVED, 2),
        (Kind.MEETING_REMINDER_DAY, 2),
    }
    assert sorted(m.subject for m in mail.outbox) == sorted(sent.values_list("subject", flat=True))
    assert len(mail.outbox) == 6


def test_meeting_cancelled_sends_no_reminder_and_tells_everyone(roundtable, frozen):
    meeting = schedule_in(roundtable, 48 * HOUR)
    rt_services.meeting_cancel(meeting=meeting, reason="台风预警")
    assert rows(meeting=meeting, kind__in=REMINDERS, status=Status.PENDING).count() == 0
    assert rows(meeting=meeting, kind__in=REMINDERS, status=Status.CANCELLED).count() == 8
    assert _send() == 4
    assert all("台风预警" in m.body for m in mail.outbox)
    assert "台风预警" in MemorySMSBackend.outbox[0][1]
    clock.freeze(meeting.starts_at - HOUR)
    assert _send() == 0
    assert len(mail.outbox) == 3


def test_late_sender_sends_only_the_closer_reminder(roundtable, frozen):
    meeting = schedule_in(roundtable, 48 * HOUR)
    clock.freeze(meeting.starts_at - HOUR / 2)  # the sender was down through both reminder times
    assert _send() == 4
    assert rows(meeting=meeting, kind=Kind.MEETING_REMINDER_DAY, status=Status.CANCELLED).count() == 4
    assert rows(meeting=meeting, kind=Kind.MEETING_REMINDER_HOUR, status=Status.SENT).count() == 4
    assert len(mail.outbox) == 3


def test_reminder_after_the_meeting_started_is_dropped(roundtable, frozen):
    meeting = schedule_in(roundtable, 48 * HOUR)
    clock.freeze(meeting.starts_at + HOUR)  # the sender was down all along
    assert _send() == 0
    assert rows(meeting=meeting, status=Status.CANCELLED).count() == 8
    assert mail.outbox == []


# --- channel choices -------------------------------------------------------------------------------


def test_member_with_account_is_told_on_the_channels_they_chose(village):
    roundtable = roundtable_with_members(village, emails=0)
    user = make_user(Membership.Role.MEMBER, village=village, mobile="13812345678")
    user.notify_by_email, user.notify_by_sms = False, True
    user.save()
    MemberFactory(roundtable=roundtable, user=user, email="seat@example.test")
    quiet = make_user(Membership.Role.MEMBER, village=village)
    quiet.notify_by_email = False
    quiet.save()
    MemberFactory(roundtable=roundtable, user=quiet)
    meeting = schedule_in(roundtable, 48 * HOUR)
    day = rows(meeting=meeting, kind=Kind.MEETING_REMINDER_DAY)
    assert list(day.values_list("channel", "address", "user")) == [("sms", "13812345678", user.pk)]


# --- failures --------------------------------------------------------------------------------------


class BrokenEmailBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server unreachable")


def test_failed_message_backs_off_stays_visible_and_gives_up(village, settings, frozen):
    settings.EMAIL_BACKEND = "tests.test_notifications_outbox.BrokenEmailBackend"
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    roundtable = roundtable_with_members(village, emails=1)
    meeting = rt_services.meeting_schedule(roundtable=roundtable, starts_at=frozen + 2 * HOUR, place="祠堂")
    row = rows(meeting=meeting, kind=Kind.MEETING_REMINDER_DAY).get()
    assert _send() == 0
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.PENDING, 1)
    assert "SMTP server unreachable" in row.last_error
    assert row.next_attempt_at == frozen + datetime.timedelta(minutes=1)
    _send()
    row.refresh_from_db()
    assert row.attempts == 1  # not due again yet
    clock.freeze(frozen + datetime.timedelta(minutes=1))
    _send()
    row.refresh_from_db()
    assert (row.attempts, row.next_attempt_at) == (2, frozen + datetime.timedelta(minutes=3))
    clock.freeze(frozen + datetime.timedelta(minutes=3))
    _send()
    row.refresh_from_db()
    assert (row.status, row.attempts, row.sent_at) == (Status.FAILED, 3, None)
    clock.freeze(frozen + datetime.timedelta(minutes=30))
    _send()
    row.refresh_from_db()
    assert row.attempts == 3

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.notifications_resend(ids=[row.pk]) == 1
    assert services.notifications_resend(ids=[row.pk]) == 0  # no longer failed
    assert _send() == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 1)
    assert len(mail.outbox) == 1


def test_admin_resend_action_requeues_failed_messages(admin_client, village, frozen):
    roundtable = roundtable_with_members(village, emails=2)
    meeting = schedule_in(roundtable, 2 * HOUR)
    failed = rows(meeting=meeting, kind=Kind.MEETING_REMINDER_DAY)
    failed.update(status=Status.FAILED, attempts=8, last_error="SMTPException: 550")
    sent = rows(meeting=meeting, kind=Kind.MEETING_REMINDER_HOUR).first()
    listing = admin_client.get("/admin/notifications/notification/?status__exact=failed")
    assert listing.status_code == 200
    assert "SMTPException: 550" in listing.content.decode()
    response = admin_client.post(
        "/admin/notifications/notification/",
        {"action": "resend", "_selected_action": [*failed.values_list("pk", flat=True), sent.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert (
        rows(meeting=meeting, kind=Kind.MEETING_REMINDER_DAY, status=Status.PENDING, attempts=0).count() == 2
    )
    assert rows(pk=sent.pk, status=Status.PENDING, attempts=0).count() == 1  # untouched: it was not failed
    assert admin_client.get(f"/admin/notifications/notification/{sent.pk}/change/").status_code == 200


# --- issues ----------------------------------------------------------------------------------------


def test_resident_submission_tells_cadres_and_raiser(village, cadre):
    issue = raise_issue(village, raiser_mobile="13700001111", raiser_name="王", consent=True)
    assert list(rows(issue=issue, kind=Kind.ISSUE_RAISED).values_list("channel", "address")) == [
        ("email", cadre.email)
    ]
    received = rows(issue=issue, kind=Kind.ISSUE_RECEIVED).get()
    assert (received.channel, received.address, received.recipient_label) == ("sms", "13700001111", "")
    _send()
    assert MemorySMSBackend.outbox == [("13700001111", MemorySMSBackend.outbox[0][1])]
    assert issue.tracking_code in MemorySMSBackend.outbox[0][1]
    assert "王" not in Notification.objects.get(pk=received.pk).body


def test_raiser_is_texted_at_each_public_stage_change(village, cadre, frozen):
    issue = raise_issue(village, raiser_mobile="13700001111", consent=True)
    workflow.issue_accept(issue=issue, actor=cadre, note="已受理", note_public=True)
    workflow.issue_comment(issue=issue, actor=cadre, note="内部备注")
    workflow.issue_add_opinion(
        issue=issue,
        actor=cadre,
        party="村民代表",
        source=Opinion.Source.MEMBER,
        stance="support",
        text="同意",
    )
    stage = rows(issue=issue, kind=Kind.ISSUE_STAGE)
    assert stage.count() == 1
    assert stage.get().payload["to_stage"] == Stage.SOLICITING
    _send()
    texts = [text for _mobile, text in MemorySMSBackend.outbox]
    assert len(texts) == 2  # received + accepted; the internal comment and the opinion say nothing
    assert "征求论事" in texts[1] and "已受理" in texts[1]


def test_raiser_without_mobile_gets_nothing(village, cadre):
    issue = raise_issue(village)
    workflow.issue_accept(issue=issue, actor=cadre)
    assert rows(issue=issue, kind__in=[Kind.ISSUE_STAGE, Kind.ISSUE_RECEIVED]).count() == 0


def test_responsible_person_is_told_when_assigned(village, cadre):
    other = make_user(Membership.Role.CADRE, village=village)
    issue = raise_issue(village)
    workflow.issue_accept(issue=issue, actor=cadre)
    workflow.issue_assign(issue=issue, actor=cadre, responsible=other)
    workflow.issue_assign(issue=issue, actor=cadre, responsible=other)
    assigned = rows(issue=issue, kind=Kind.ISSUE_ASSIGNED)
    assert assigned.count() == 2  # two assignments, two messages
    assert set(assigned.values_list("address", flat=True)) == {other.email}
    _send()
    assert {m.to[0] for m in mail.outbox} >= {other.email}


def test_resident_opinion_and_rating_tell_the_cadres(village, cadre):
    issue = raise_issue(village)
    workflow.issue_accept(issue=issue, actor=cadre)
    workflow.issue_add_opinion(
        issue=issue, party="村民", source=Opinion.Source.RESIDENT, stance="oppose", text="太吵"
    )
    workflow.issue_add_opinion(
        issue=issue,
        actor=cadre,
        party="村民代表",
        source=Opinion.Source.MEMBER,
        stance="support",
        text="同意",
    )
    opinion = rows(issue=issue, kind=Kind.ISSUE_OPINION).get()
    assert (opinion.address, opinion.payload["text"]) == (cadre.email, "太吵")


def test_issue_notifications_roll_back_with_the_move(village, cadre):
    """The rows are written inside the move's transaction: when it rolls back after the move wrote its
    message (not a move refused before writing anything), the message goes with it."""
    issue = raise_issue(village, raiser_mobile="13700001111", consent=True)
    before = Notification.objects.count()
    with pytest.raises(RuntimeError, match="after the move"), transaction.atomic():
        workflow.issue_reject(issue=issue, actor=cadre, reason="不属于村级事务")
        assert Notification.objects.filter(issue=issue, kind=Kind.ISSUE_STAGE).exists()
        raise RuntimeError("a failure after the move, in the same transaction")
    assert Notification.objects.count() == before
    assert Issue.objects.get(pk=issue.pk).stage == Stage.RAISED


# --- kicking the sender ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_commit_kicks_the_sender_in_process_on_the_embedded_default(village, cadre, eager):
    raise_issue(village)
    assert [m.to[0] for m in mail.outbox] == [cadre.email]
    assert rows(kind=Kind.ISSUE_RAISED, status=Status.SENT).count() == 1


@pytest.mark.django_db(transaction=True)
def test_dead_broker_neither_fails_nor_slows_the_change(village, cadre):
    """The broker refuses connections: the change commits, the kick gives up at once, rows wait."""
    with celery_broker("redis://127.0.0.1:9/0"):  # the discard port: nothing listens
        started = time.monotonic()
        issue = raise_issue(village)
        first = time.monotonic() - started
        started = time.monotonic()
        raise_issue(village, title="第二件")
        second = time.monotonic() - started
    assert first < 2 and second < 0.5
    assert rows(issue=issue, kind=Kind.ISSUE_RAISED, status=Status.PENDING).count() == 1
    assert mail.outbox == []
    # Beat's sweep sends them later.
    assert _send() == 2


class GateEmailBackend(BaseEmailBackend):
    """Holds the first message until released, so a second sender runs while the first keeps its row."""

    entered = threading.Event()
    release = threading.Event()
    sent: list[str] = []

    def send_messages(self, messages):
        for message in messages:
            if not GateEmailBackend.entered.is_set():
                GateEmailBackend.entered.set()
                GateEmailBackend.release.wait(10)
            GateEmailBackend.sent.append(message.to[0])
        return len(messages)


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_skip_each_others_rows(village, settings, frozen):
    if connection.vendor != "postgresql":
        pytest.skip(
            "row locks with SKIP LOCKED are tested on PostgreSQL (SQLite serialises whole-database writes)"
        )
    settings.EMAIL_BACKEND = "tests.test_notifications_outbox.GateEmailBackend"
    GateEmailBackend.entered.clear()
    GateEmailBackend.release.clear()
    GateEmailBackend.sent.clear()
    roundtable = roundtable_with_members(village, emails=5)
    schedule_in(roundtable, 2 * HOUR)
    results = {}

    def run(name):
        try:
            results[name] = _send()
        finally:
            connection.close()

    first = threading.Thread(target=run, args=("first",))
    first.start()
    assert GateEmailBackend.entered.wait(10)  # the first sender holds one row, mid-send
    second = threading.Thread(target=run, args=("second",))
    second.start()
    second.join(10)
    assert not second.is_alive(), "the second sender waited on the first one's row instead of skipping it"
    assert results["second"] == 4
    GateEmailBackend.release.set()
    first.join(10)
    assert results["first"] == 1
    assert sorted(GateEmailBackend.sent) == sorted(roundtable.members.values_list("email", flat=True))
    assert rows(kind=Kind.MEETING_REMINDER_DAY, status=Status.SENT, attempts=1).count() == 5


# --- muting and the meeting safety net --------------------------------------------------------------


def test_muted_block_writes_nothing_and_the_sweep_writes_missing_reminders(roundtable, frozen):
    with services.muted():
        meeting = schedule_in(roundtable, 48 * HOUR)
        past = schedule_in(roundtable, -HOUR)
        raise_issue(roundtable.village)
    assert Notification.objects.count() == 0
    assert services.meeting_reminders_sweep() == 8
    assert services.meeting_reminders_sweep() == 0
    assert set(rows().values_list("meeting", flat=True)) == {meeting.pk}
    assert rows(meeting=past).count() == 0
    late = MemberFactory(roundtable=roundtable)  # joins after the meeting was called
    assert services.meeting_reminders_sweep() == 2
    assert len([n for n in rows() if n.address == late.email]) == 2  # addresses are encrypted at rest


def test_demo_seed_sends_no_message_for_its_history(demo):
    # the session's demo, seeded once inside a transaction that is never committed: no sender ran
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert kinds == {Kind.MEETING_REMINDER_DAY, Kind.MEETING_REMINDER_HOUR}  # for the meetings ahead only
    assert not Notification.objects.filter(meeting__starts_at__lte=clock.now()).exists()
