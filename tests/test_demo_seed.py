"""seed_demo: 洛江区 with 罗溪镇 (17 villages) and two more townships, the demo accounts; seeding twice
changes nothing."""

import os

from django.core.management import call_command
from django.urls import reverse

from accounts.models import Membership, User
from villages.models import Township, Village, VillageGroup


def test_seed_demo_is_idempotent(demo):
    def counts():
        return (
            Township.objects.count(),
            Village.objects.count(),
            VillageGroup.objects.count(),
            User.objects.count(),
            Membership.objects.count(),
        )

    first = counts()  # the session's demo, seeded once
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert counts() == first
    assert Village.objects.filter(township__code="luoxi").count() == 17
    # 洛江区: 罗溪镇 and two more townships, village codes unique across the district
    assert set(Township.objects.values_list("district__code", flat=True)) == {"luojiang"}
    assert first[0] >= 3
    assert first[1] > 17
    assert set(Village.objects.filter(is_pilot=True).values_list("code", flat=True)) == {
        "xindong",
        "hongsi",
        "jianxing",
        "guangqiao",
    }
    assert all(v.groups.exists() for v in Village.objects.all())


def test_demo_accounts_log_in(client, demo):
    for email in [
        "official@luoxi.demo",
        "district@luojiang.demo",
        "cadre@xindong.demo",
        "cadre@hongsi.demo",
        "supervisor@xindong.demo",
        "member@xindong.demo",
    ]:
        client.logout()
        response = client.post(reverse("account_login"), {"login": email, "password": "tongxin-demo-2026"})
        assert response.status_code == 302, email
    official = User.objects.get(email="official@luoxi.demo")
    assert official.memberships.get().role == Membership.Role.OFFICIAL
