"""Each user chooses in their profile whether they are told by e-mail, by text message, or both."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import Membership
from notifications import clock
from notifications.models import Notification
from tests.factories import make_user
from tests.factories_notifications import (
    MemberFactory,
    freeze_now,
    roundtable_with_members,
    rows,
    schedule_in,
)


@pytest.fixture(autouse=True)
def frozen():
    yield freeze_now()
    clock.freeze(None)


def test_profile_shows_the_channel_choices(client, member):
    client.force_login(member)
    page = client.get(reverse("profile")).content.decode()
    assert 'name="notify_by_email"' in page and "checked" in page.split('name="notify_by_email"')[1][:80]
    assert 'name="notify_by_sms"' in page


def test_text_messages_need_a_mobile_number(client, member):
    client.force_login(member)
    response = client.post(
        reverse("profile"),
        {
            "display_name": "王",
            "mobile": "",
            "language": "zh-hans",
            "notify_by_email": "on",
            "notify_by_sms": "on",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["mobile"]
    member.refresh_from_db()
    assert (member.notify_by_email, member.notify_by_sms) == (True, False)


def test_chosen_channels_are_saved_and_honoured(client, village, member):
    client.force_login(member)
    response = client.post(
        reverse("profile"),
        {"display_name": "王", "mobile": "13812345678", "language": "en", "notify_by_sms": "on"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.notify_by_email, member.notify_by_sms, member.mobile) == (False, True, "13812345678")

    roundtable = roundtable_with_members(village, emails=0)
    MemberFactory(roundtable=roundtable, user=member, email="seat@example.test")
    nobody = make_user(Membership.Role.MEMBER, village=village)
    nobody.notify_by_email = False
    nobody.save()
    MemberFactory(roundtable=roundtable, user=nobody)
    meeting = schedule_in(roundtable, datetime.timedelta(days=2))
    reminders = rows(meeting=meeting, kind=Notification.Kind.MEETING_REMINDER_DAY)
    assert list(reminders.values_list("user", "channel", "address", "language")) == [
        (member.pk, "sms", "13812345678", "en")
    ]
