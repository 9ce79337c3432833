"""Workspace home: meetings of my roundtables, only in villages where I hold a role."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from roundtable import services
from roundtable.models import RoundtableMember
from tests.factories import make_user
from tests.roundtable_helpers import make_roundtable

pytestmark = pytest.mark.django_db


def test_workspace_home_hides_meetings_of_villages_without_a_role(client, village, other_village):
    user = make_user(Membership.Role.MEMBER, village=other_village)
    roundtable = make_roundtable(village)
    RoundtableMember.objects.create(roundtable=roundtable, name="老成员", role="other", user=user)
    meeting = services.meeting_schedule(
        roundtable=roundtable, starts_at=timezone.now() + datetime.timedelta(days=1), place="村委会"
    )
    services.meeting_add_topic(meeting=meeting, topic="征地补偿方案")
    client.force_login(user)
    html = client.get(reverse("workspace:home")).content.decode()
    assert "征地补偿方案" not in html
    assert reverse("roundtable:meeting", kwargs={"code": village.code, "pk": meeting.pk}) not in html


def test_workspace_home_lists_meetings_of_the_members_own_roundtable(client, village, member):
    roundtable = make_roundtable(village)
    RoundtableMember.objects.create(roundtable=roundtable, name="成员", role="other", user=member)
    meeting = services.meeting_schedule(
        roundtable=roundtable, starts_at=timezone.now() + datetime.timedelta(days=1), place="村委会"
    )
    services.meeting_add_topic(meeting=meeting, topic="征地补偿方案")
    client.force_login(member)
    assert "征地补偿方案" in client.get(reverse("workspace:home")).content.decode()
