"""With a real Redis and real Celery workers started by the test session: reminders once, two workers at
once, and a dead Redis that neither slows nor loses a resident's submission.

The workers run ``celery -A config worker`` in subprocesses against this session's test database (so the
tests commit: ``transaction=True``); they share the test's clock through NOTIFICATIONS_CLOCK_FILE and write
their e-mail into files that the tests read.
"""

import datetime
import email
import email.policy
import os
import re
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from notifications import clock, services
from notifications.models import Notification
from notifications.tasks import send_due
from roundtable.models import Issue
from tests.factories_notifications import celery_broker, roundtable_with_members, rows, schedule_in

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("REDIS_URL", "")
IS_POSTGRES = settings.DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")
# A Redis of our own for the outage test, so the shared one on 6379 keeps running.
OUTAGE_PORT = int(os.environ.get("NOTIFICATIONS_TEST_REDIS_PORT", "6391"))
# A queue of this session's own: parallel sessions (or xdist processes) on one Redis keep to their workers.
QUEUE = f"tx-notify-test-{uuid.uuid4().hex[:10]}"

pytestmark = [
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not REDIS_URL, reason="needs a real Redis: set REDIS_URL (CI does)"),
    pytest.mark.skipif(
        not IS_POSTGRES,
        reason="the Celery worker runs in another process and must see the test database: use PostgreSQL",
    ),
]

Kind = Notification.Kind
Status = Notification.Status
HOUR = datetime.timedelta(hours=1)
SEPARATOR = "\n" + "-" * 79 + "\n"


def wait_for(predicate, *, timeout=30.0, what="the condition"):
    """Waits for the workers' asynchronous work (never to move time: the clock does that)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Worker:
    """One ``celery worker`` subprocess with its own log."""

    def __init__(self, name: str, env: dict, log: Path, queues: str = QUEUE):
        self.name, self.log = name, log
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/celery"),
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "-n",
                f"{name}@%h",
                "--without-heartbeat",
                "--without-mingle",
                "--without-gossip",
                "--loglevel=INFO",
                f"--queues={queues}",
            ],
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self):
        wait_for(lambda: " ready." in self.text() or self.process.poll() is not None, what=f"{self.name}")
        assert self.process.poll() is None, self.text()[-3000:]

    def finished(self, task_id: str) -> bool:
        return f"[{task_id}] succeeded" in self.text()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Mailbox:
    """The e-mail the workers wrote with Django's file backend."""

    def __init__(self, path: Path):
        self.path = path

    def messages(self):
        found = []
        for file in sorted(self.path.glob("*.log")):
            for chunk in file.read_text().split(SEPARATOR):
                if chunk.strip():
                    found.append(email.message_from_string(chunk, policy=email.policy.default))
        return found

    def subjects(self) -> list[str]:
        return [" ".join(str(m["Subject"]).split()) for m in self.messages()]

    def recipients(self) -> list[str]:
        return sorted(str(m["To"]) for m in self.messages())

    def clear(self):
        for file in self.path.glob("*.log"):
            file.unlink()


@pytest.fixture(scope="module")
def work_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("notify-workers")


@pytest.fixture(scope="module")
def worker_env(django_db_setup, work_dir):
    """The environment of a worker process: this session's test database, the shared clock, file e-mail."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    database_url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    (work_dir / "mail").mkdir(exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "1",
        "DJANGO_HTTPS": "0",
        "DATABASE_URL": database_url,
        "DJANGO_CONN_MAX_AGE": "0",
        "REDIS_URL": REDIS_URL,
        "EMAIL_URL": f"filemail:///{work_dir / 'mail'}",
        "NOTIFICATIONS_CLOCK_FILE": str(work_dir / "clock"),
        "PYTHONPATH": str(ROOT),
    }
    return env


@pytest.fixture(scope="module")
def workers(worker_env, work_dir):
    """Two workers on the session's Redis, started once for this module."""
    started = [
        Worker(f"notify{i}-{uuid.uuid4().hex[:6]}", worker_env, work_dir / f"w{i}.log") for i in (1, 2)
    ]
    try:
        for w in started:
            w.wait_ready()
        yield started
    finally:
        for w in started:
            w.stop()


@pytest.fixture
def shared_clock(settings, work_dir):
    settings.NOTIFICATIONS_CLOCK_FILE = str(work_dir / "clock")
    moment = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    clock.freeze(moment)
    yield moment
    clock.freeze(None)


@pytest.fixture
def mailbox(work_dir):
    box = Mailbox(work_dir / "mail")
    box.clear()
    return box


@pytest.fixture
def broker(workers):
    """This process publishes to the workers' Redis (not eagerly), whatever the settings said."""
    services.kick_pause_reset()
    with celery_broker(REDIS_URL, eager=False, queue=QUEUE):
        yield
    services.kick_pause_reset()


def _all_finished(workers, task_ids):
    return all(any(w.finished(t) for w in workers) for t in task_ids)


def beat(workers, times=1):
    """What beat does every minute: publish send_due; waits until the workers ran each one."""
    ids = [send_due.apply_async(retry=True).id for _ in range(times)]
    wait_for(lambda: _all_finished(workers, ids), what="the workers to run send_due")


# --- tests -------------------------------------------------------------------------------------


def test_meeting_soon_gets_exactly_one_reminder_per_member_per_kind(
    village, workers, broker, shared_clock, mailbox
):
    roundtable = roundtable_with_members(village, emails=4)
    addresses = sorted(roundtable.members.values_list("email", flat=True))
    meeting = schedule_in(roundtable, 2 * HOUR)
    # The commit kicked a worker: the day-before reminder is already due, and goes.
    day = rows(meeting=meeting, kind=Kind.MEETING_REMINDER_DAY)
    wait_for(lambda: day.filter(status=Status.SENT).count() == 4, what="the day-before reminders")
    assert mailbox.recipients() == addresses
    # Not the hour-before one: it is not due yet, even when beat runs twice.
    beat(workers, times=2)
    assert rows(meeting=meeting, kind=Kind.MEETING_REMINDER_HOUR, status=Status.PENDING).count() == 4

    clock.freeze(meeting.starts_at - HOUR)
    beat(workers, times=3)
    hour = rows(meeting=meeting, kind=Kind.MEETING_REMINDER_HOUR)
    assert hour.filter(status=Status.SENT, attempts=1).count() == 4
    assert day.filter(status=Status.SENT, attempts=1).count() == 4
    assert mailbox.recipients() == sorted(addresses * 2)
    subjects = set(mailbox.subjects())
    assert subjects == set(rows(meeting=meeting).values_list("subject", flat=True))
    assert len(subjects) == 1  # both reminders say the same: the meeting's time and place


def test_two_workers_at_once_send_each_email_once(village, workers, broker, shared_clock, mailbox):
    roundtable = roundtable_with_members(village, emails=40)
    meeting = schedule_in(roundtable, 2 * HOUR)
    beat(workers, times=6)  # six tasks at once on two workers, besides the kick on commit
    due = rows(meeting=meeting, kind=Kind.MEETING_REMINDER_DAY)
    wait_for(lambda: due.filter(status=Status.SENT).count() == 40, what="all forty reminders")
    assert due.filter(status=Status.SENT, attempts=1).count() == 40
    recipients = mailbox.recipients()
    assert len(recipients) == 40
    assert len(set(recipients)) == 40
    counts = [
        int(n)
        for w in workers
        for n in re.findall(r"notifications\.send_due\[[^\]]+\] succeeded in [\d.e-]+s: (\d+)", w.text())
    ]
    assert sum(counts) >= 40  # every message was sent by some task run, and none twice (above)


def test_moved_and_cancelled_meetings_send_no_stale_reminder(village, workers, broker, shared_clock, mailbox):
    roundtable = roundtable_with_members(village, emails=3)
    from roundtable import services as rt_services

    moved = schedule_in(roundtable, 30 * HOUR)
    cancelled = schedule_in(roundtable, 30 * HOUR)
    old_start = moved.starts_at
    moved = rt_services.meeting_move(meeting=moved, starts_at=old_start + 48 * HOUR)
    rt_services.meeting_cancel(meeting=cancelled, reason="村里停电")
    wait_for(
        lambda: rows(kind__in=[Kind.MEETING_MOVED, Kind.MEETING_CANCELLED], status=Status.SENT).count() == 6,
        what="the notices of the move and the cancellation",
    )
    mailbox.clear()
    for moment in (old_start - 24 * HOUR, old_start - HOUR, old_start):
        clock.freeze(moment)
        beat(workers)
    assert mailbox.recipients() == []
    clock.freeze(moved.starts_at - 24 * HOUR)
    beat(workers)
    assert len(mailbox.recipients()) == 3
    assert (
        rows(meeting=cancelled, kind__in=[Kind.MEETING_REMINDER_DAY, Kind.MEETING_REMINDER_HOUR])
        .filter(status=Status.SENT)
        .count()
        == 0
    )
    assert rows(meeting=moved, schedule_version=1, status=Status.SENT).count() == 0


def test_worker_killed_mid_send_loses_nothing_and_sends_once(
    village, workers, broker, worker_env, work_dir, shared_clock
):
    roundtable = roundtable_with_members(village, emails=0, mobiles=1)
    meeting = schedule_in(roundtable, 48 * HOUR)  # nothing due yet: the kick on commit finds nothing
    reminder = rows(meeting=meeting, kind=Kind.MEETING_REMINDER_DAY).get()
    block_dir = work_dir / f"block-{uuid.uuid4().hex[:6]}"
    block_dir.mkdir()
    queue = f"doomed-{uuid.uuid4().hex[:6]}"
    doomed = Worker(
        queue,
        {
            **worker_env,
            "NOTIFICATIONS_SMS_BACKEND": "tests.factories_notifications.BlockingSMSBackend",
            "NOTIFICATIONS_TEST_BLOCK_DIR": str(block_dir),
        },
        work_dir / f"{queue}.log",
        queues=queue,
    )
    try:
        doomed.wait_ready()
        clock.freeze(meeting.starts_at - 24 * HOUR)
        send_due.apply_async(queue=queue, retry=True)
        wait_for(lambda: (block_dir / "entered").exists(), what="the doomed worker to start sending")
        doomed.process.kill()  # SIGKILL mid-send: no cleanup, no commit
        doomed.process.wait()
    finally:
        doomed.stop()
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts, reminder.sent_at) == (Status.PENDING, 0, None)
    beat(workers)  # the next minute: another worker finds the row unlocked and due
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == (Status.SENT, 1)
    masked = f"{reminder.address[:3]}****{reminder.address[-4:]}"
    assert sum(w.text().count(f"SMS to {masked}") for w in workers) == 1


# --- Redis goes down ------------------------------------------------------------------------------


class RedisServer:
    """A throw-away redis-server on its own port (the shared one on 6379 is never touched)."""

    def __init__(self, port: int, work_dir: Path):
        self.port, self.work_dir, self.process = port, work_dir, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            cwd=self.work_dir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.answers, timeout=10, what=f"redis-server on port {self.port}")

    def answers(self) -> bool:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        try:  # no retries: redis-py's default backs off for seconds on a refused connection
            return redis.Redis(port=self.port, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0)).ping()
        except redis.RedisError:
            return False

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()  # SIGKILL ends it even while SIGSTOPped
            self.process.wait()


@pytest.fixture
def own_redis(work_dir):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    server = RedisServer(OUTAGE_PORT, work_dir)
    if server.answers():
        pytest.skip(f"port {OUTAGE_PORT} is taken: set NOTIFICATIONS_TEST_REDIS_PORT to a free one")
    server.start()
    yield server
    server.kill()


def _submit(client, title):
    started = time.monotonic()
    response = client.post(
        "/v/xindong/submit/",
        {"title": title, "description": "河道里堆了很多垃圾。", "category": "environment", "group": ""},
        REMOTE_ADDR=f"10.44.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}",
    )
    return response, time.monotonic() - started


def test_redis_down_submission_is_fast_and_its_message_goes_once_redis_is_back(
    client, village, cadre, own_redis, worker_env, work_dir, shared_clock, mailbox, caplog
):
    worker = Worker(
        f"outage-{uuid.uuid4().hex[:6]}", {**worker_env, "REDIS_URL": own_redis.url}, work_dir / "o.log"
    )
    services.kick_pause_reset()
    try:
        worker.wait_ready()
        with celery_broker(own_redis.url, eager=False, queue=QUEUE):
            response, _ = _submit(client, "第一件：Redis 正常时")
            assert response.status_code == 302
            first = Issue.objects.get(title="第一件：Redis 正常时")
            wait_for(
                lambda: rows(issue=first, kind=Kind.ISSUE_RAISED, status=Status.SENT).exists(),
                what="the first submission's message, sent on the kick",
            )

            titles = ["第二件：Redis 挂起", "第三件：Redis 停了", "第四件：Redis 还停着"]
            # Hung: the server takes the connection but never answers (the socket timeout ends the wait).
            own_redis.process.send_signal(signal.SIGSTOP)
            response, hung = _submit(client, titles[0])
            assert response.status_code == 302, response.content[:500]
            # Stopped: connections are refused.
            own_redis.kill()
            services.kick_pause_reset()
            response, refused = _submit(client, titles[1])
            assert response.status_code == 302
            # Still stopped: the process does not even try for a while.
            response, paused = _submit(client, titles[2])
            assert response.status_code == 302
            assert (hung < 2.0, refused < 2.0, paused < 2.0) == (True, True, True), (hung, refused, paused)
            waiting = rows(issue__title__in=titles, kind=Kind.ISSUE_RAISED)
            assert waiting.count() == 3
            assert set(waiting.values_list("status", flat=True)) == {Status.PENDING}
            assert caplog.text.count("Could not kick the notification sender") == 2

            own_redis.start()
            ids = [send_due.apply_async(retry=True).id for _ in range(2)]  # beat's next minute, and one more
            wait_for(lambda: all(worker.finished(t) for t in ids), what="the worker back on Redis")
        assert waiting.filter(status=Status.SENT, attempts=1).count() == 3
        subjects = mailbox.subjects()
        assert len(subjects) == 4
        for title in titles:
            assert sum(title in subject for subject in subjects) == 1
        assert all(str(m["To"]) == cadre.email for m in mailbox.messages())
    finally:
        worker.stop()
        services.kick_pause_reset()
