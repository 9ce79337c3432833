"""Role × scope: who may open which workspace page. Forbidden answers 404, like missing."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from accounts.selectors import villages_for
from tests.factories import make_user
from tests.matching import constraint


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("other_cadre", 404),
        ("cadre", 200),
        ("supervisor", 200),
        ("member", 200),
        ("official", 200),
    ],
)
def test_village_workspace_scope(client, request, village, other_village, who, expected):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("workspace:village", kwargs={"code": village.code}))
    assert response.status_code == expected
    if expected == 302:
        assert reverse("account_login") in response["Location"]


def test_village_workspace_missing_and_forbidden_look_the_same(client, other_cadre, village):
    client.force_login(other_cadre)
    forbidden = client.get(reverse("workspace:village", kwargs={"code": village.code}))
    missing = client.get(reverse("workspace:village", kwargs={"code": "no-such-village"}))
    assert forbidden.status_code == missing.status_code == 404

    # Same page apart from the per-request CSRF token and the address itself.
    def main(response):
        html = response.content.decode()
        return html[html.index("<main") : html.index("</main>")]

    assert main(forbidden) == main(missing)


def test_official_of_another_township_sees_nothing(client, village):
    from tests.factories import TownshipFactory

    elsewhere = TownshipFactory(code="elsewhere", name="别的镇")
    stranger = make_user(Membership.Role.OFFICIAL, township=elsewhere)
    client.force_login(stranger)
    assert client.get(reverse("workspace:village", kwargs={"code": village.code})).status_code == 404


def test_workspace_home_lists_only_own_villages(client, cadre, village, other_village):
    client.force_login(cadre)
    html = client.get(reverse("workspace:home")).content.decode()
    assert village.name in html
    assert other_village.name not in html


def test_official_workspace_lists_all_township_villages(client, official, village, other_village):
    client.force_login(official)
    html = client.get(reverse("workspace:home")).content.decode()
    assert village.name in html and other_village.name in html


def test_user_with_several_roles(village, other_village):
    user = make_user(Membership.Role.CADRE, village=village)
    Membership.objects.create(user=user, role=Membership.Role.SUPERVISOR, village=other_village)
    assert set(villages_for(user)) == {village, other_village}
    assert set(villages_for(user, roles=[Membership.Role.CADRE])) == {village}


def test_membership_scope_must_match_role(village, township):
    from django.db import IntegrityError, transaction

    user = make_user()
    with (
        pytest.raises(IntegrityError, match=constraint("membership_scope_matches_role")),
        transaction.atomic(),
    ):
        Membership.objects.create(user=user, role=Membership.Role.OFFICIAL, village=village)
    with (
        pytest.raises(IntegrityError, match=constraint("membership_scope_matches_role")),
        transaction.atomic(),
    ):
        Membership.objects.create(user=user, role=Membership.Role.CADRE, township=township)


def test_inactive_user_has_no_scope(client, cadre, village):
    cadre.is_active = False
    cadre.save()
    assert list(villages_for(cadre)) == []
