"""Builders for the notification tests: roundtables with reachable members, issues, a frozen clock."""

import contextlib
import datetime
import os
import time
from pathlib import Path

import factory
from django.utils import timezone
from kombu import pools

from config.celery import app as celery_app
from notifications import clock
from notifications.models import Notification
from roundtable import services
from roundtable.models import Issue, Roundtable, RoundtableMember


class RoundtableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Roundtable

    name = factory.Sequence(lambda n: f"第{n}圆桌会")


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoundtableMember

    name = factory.Sequence(lambda n: f"成员{n}")
    role = RoundtableMember.Role.REPRESENTATIVE
    email = factory.Sequence(lambda n: f"member{n}@example.test")
    mobile = ""


def roundtable_with_members(village, *, emails=3, mobiles=0, silent=0, **kwargs) -> Roundtable:
    """A roundtable whose members have an e-mail (``emails``), only a mobile, or no address at all."""
    roundtable = RoundtableFactory(village=village, **kwargs)
    for _ in range(emails):
        MemberFactory(roundtable=roundtable)
    for i in range(mobiles):
        MemberFactory(roundtable=roundtable, email="", mobile=f"1390000{i:04d}")
    for _ in range(silent):
        MemberFactory(roundtable=roundtable, email="", mobile="")
    return roundtable


def raise_issue(village, **kwargs) -> Issue:
    defaults = {
        "title": "村道路灯损坏",
        "description": "六盏路灯坏了两个月。",
        "category": Issue.Category.PUBLIC_SERVICE,
    }
    defaults.update(kwargs)
    return services.issue_create(village=village, **defaults)


def schedule_in(roundtable, delta: datetime.timedelta, **kwargs):
    starts_at = clock.now() + delta
    return services.meeting_schedule(
        roundtable=roundtable, starts_at=starts_at, place="村委会会议室", **kwargs
    )


def freeze_now() -> datetime.datetime:
    """Freezes the notification clock at the current second and returns it."""
    moment = timezone.now().replace(microsecond=0)
    clock.freeze(moment)
    return moment


def rows(**filters):
    return Notification.objects.filter(**filters)


@contextlib.contextmanager
def celery_broker(url: str, *, eager: bool = False, queue: str | None = None):
    """Points the Celery app of this process at another broker (eager or not, and a default queue)."""
    conf = celery_app.conf
    before = (conf.broker_url, conf.task_always_eager, conf.task_default_queue)

    def point(broker_url, always_eager, default_queue):
        pools.reset()  # closes and forgets every pooled broker connection, keyed by URL
        conf.broker_url = broker_url
        conf.task_always_eager = always_eager
        conf.task_default_queue = default_queue
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    point(url, eager, queue or before[2])
    try:
        yield
    finally:
        point(*before)


class BlockingSMSBackend:
    """For a worker that is killed mid-send: marks ``entered`` in NOTIFICATIONS_TEST_BLOCK_DIR, then hangs."""

    def send(self, *, mobile: str, text: str) -> None:
        folder = Path(os.environ["NOTIFICATIONS_TEST_BLOCK_DIR"])
        (folder / "entered").write_text(mobile)
        while True:  # until the test kills this process
            time.sleep(0.05)
