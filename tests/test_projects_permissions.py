"""Who may open which registry screen: 404 across villages, read-only officials, cadres keep their own."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from projects import services
from projects.models import Partner, Project
from tests.factories import TownshipFactory, VillageFactory, make_user
from tests.factories_registries import (
    CooperativeFactory,
    IncomeFactory,
    PartnerFactory,
    ProjectFactory,
    ResourceFactory,
    TalentFactory,
    TermFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "other_cadre", "member", "supervisor", "official", "cadre"]


@pytest.fixture
def registry(village):
    project = ProjectFactory(village=village)
    return {
        "project": project,
        "cooperative": CooperativeFactory(village=village),
        "resource": ResourceFactory(village=village),
        "income": IncomeFactory(village=village),
        "talent": TalentFactory(village=village),
        "term": TermFactory(village=village, year=2018),
    }


def project_view_urls(v, r):
    code, pk = v.code, r["project"].pk
    return [
        reverse("projects:village_list", kwargs={"code": code}),
        reverse("projects:village_export", kwargs={"code": code, "fmt": "csv"}),
        reverse("projects:detail", kwargs={"code": code, "pk": pk}),
        reverse("projects:entry_village_list", kwargs={"code": code, "kind": "cooperatives"}),
        reverse("projects:entry_village_list", kwargs={"code": code, "kind": "resources"}),
        reverse("projects:entry_village_export", kwargs={"code": code, "kind": "resources", "fmt": "xlsx"}),
        reverse("projects:income_village", kwargs={"code": code}),
    ]


def project_edit_urls(v, r):
    code, pk = v.code, r["project"].pk
    return [
        reverse("projects:new", kwargs={"code": code}),
        reverse("projects:edit", kwargs={"code": code, "pk": pk}),
        reverse("projects:milestones", kwargs={"code": code, "pk": pk}),
        reverse("projects:delete", kwargs={"code": code, "pk": pk}),
        reverse("projects:import", kwargs={"code": code}),
        reverse("projects:entry_new", kwargs={"code": code, "kind": "cooperatives"}),
        reverse(
            "projects:entry_edit", kwargs={"code": code, "kind": "cooperatives", "pk": r["cooperative"].pk}
        ),
        reverse("projects:entry_delete", kwargs={"code": code, "kind": "resources", "pk": r["resource"].pk}),
    ]


def talent_view_urls(v, r):
    code = v.code
    return [
        reverse("talent:village_list", kwargs={"code": code}),
        reverse("talent:village_export", kwargs={"code": code, "fmt": "csv"}),
        reverse("talent:detail", kwargs={"code": code, "pk": r["talent"].pk}),
        reverse("talent:council", kwargs={"code": code}),
        reverse("talent:committee", kwargs={"code": code}),
    ]


def talent_edit_urls(v, r):
    code = v.code
    return [
        reverse("talent:new", kwargs={"code": code}),
        reverse("talent:edit", kwargs={"code": code, "pk": r["talent"].pk}),
        reverse("talent:delete", kwargs={"code": code, "pk": r["talent"].pk}),
        reverse("talent:import", kwargs={"code": code}),
        reverse("talent:council_edit", kwargs={"code": code}),
        reverse("talent:term_new", kwargs={"code": code}),
        reverse("talent:term_edit", kwargs={"code": code, "year": 2018}),
    ]


EXPECTED = {
    "project_view": {
        "anonymous": 302,
        "other_cadre": 404,
        "member": 200,
        "supervisor": 200,
        "official": 200,
        "cadre": 200,
    },
    "project_edit": {
        "anonymous": 302,
        "other_cadre": 404,
        "member": 404,
        "supervisor": 404,
        "official": 404,
        "cadre": 200,
    },
    "talent_view": {
        "anonymous": 302,
        "other_cadre": 404,
        "member": 404,
        "supervisor": 404,
        "official": 200,
        "cadre": 200,
    },
    "talent_edit": {
        "anonymous": 302,
        "other_cadre": 404,
        "member": 404,
        "supervisor": 404,
        "official": 404,
        "cadre": 200,
    },
}
URLS = {
    "project_view": project_view_urls,
    "project_edit": project_edit_urls,
    "talent_view": talent_view_urls,
    "talent_edit": talent_edit_urls,
}


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("group", list(EXPECTED))
def test_registry_screens_by_role(client, request, village, other_village, registry, group, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    expected = EXPECTED[group][who]
    for url in URLS[group](village, registry):
        response = client.get(url)
        assert response.status_code == expected, (url, who, response.status_code)
        if expected == 302:
            assert reverse("account_login") in response["Location"]


def test_posts_from_readers_change_nothing(client, official, member, village, registry):
    project = registry["project"]
    for user in (official, member):
        client.force_login(user)
        client.post(reverse("projects:delete", kwargs={"code": village.code, "pk": project.pk}))
        client.post(
            reverse("projects:income_village", kwargs={"code": village.code}), {"year": 2017, "amount": 1}
        )
        client.post(reverse("talent:delete", kwargs={"code": village.code, "pk": registry["talent"].pk}))
    assert Project.objects.filter(pk=project.pk).exists()
    assert village.collective_incomes.count() == 1
    assert village.talents.count() == 1


def test_project_of_another_village_answers_like_a_missing_one(client, cadre, village, other_village):
    theirs = ProjectFactory(village=other_village)
    client.force_login(cadre)

    def main(response):
        html = response.content.decode()
        return html[html.index("<main") : html.index("</main>")]

    forbidden = client.get(reverse("projects:detail", kwargs={"code": other_village.code, "pk": theirs.pk}))
    # the other village's project under my village's address is missing too
    crossed = client.get(reverse("projects:detail", kwargs={"code": village.code, "pk": theirs.pk}))
    missing = client.get(reverse("projects:detail", kwargs={"code": village.code, "pk": 999999}))
    assert forbidden.status_code == crossed.status_code == missing.status_code == 404
    assert main(forbidden) == main(missing)


def test_joint_project_visible_to_the_other_village_but_kept_by_the_lead(
    client, other_cadre, village, other_village
):
    project = ProjectFactory(village=village, name="联建项目")
    project.other_villages.add(other_village)
    client.force_login(other_cadre)
    listing = client.get(
        reverse("projects:village_list", kwargs={"code": other_village.code})
    ).content.decode()
    assert "联建项目" in listing
    assert (
        client.get(reverse("projects:detail", kwargs={"code": village.code, "pk": project.pk})).status_code
        == 200
    )
    edit = reverse("projects:edit", kwargs={"code": village.code, "pk": project.pk})
    assert client.get(edit).status_code == 404


def test_township_lists_show_only_what_the_user_may_see(client, cadre, official, village, other_village):
    ProjectFactory(village=village, name="新东的项目")
    ProjectFactory(village=other_village, name="洪四的项目")
    TalentFactory(village=village, name="新东的人才")
    TalentFactory(village=other_village, name="洪四的人才")
    client.force_login(cadre)
    projects = client.get(reverse("projects:list")).content.decode()
    talents = client.get(reverse("talent:list")).content.decode()
    assert "新东的项目" in projects and "洪四的项目" not in projects
    assert "新东的人才" in talents and "洪四的人才" not in talents
    client.force_login(official)
    projects = client.get(reverse("projects:list")).content.decode()
    assert "新东的项目" in projects and "洪四的项目" in projects


def test_township_lists_need_a_role(client, village):
    nobody = make_user(None)
    client.force_login(nobody)
    for name in (
        "projects:list",
        "talent:list",
        "projects:income",
        "talent:committees",
        "talent:councils",
        "projects:partners",
    ):
        assert client.get(reverse(name)).status_code == 404, name
    assert client.get(reverse("projects:export", kwargs={"fmt": "csv"})).status_code == 404


def test_members_and_supervisors_do_not_get_township_talent(client, member):
    client.force_login(member)
    assert client.get(reverse("talent:list")).status_code == 404
    assert client.get(reverse("projects:list")).status_code == 200


def test_unknown_export_format_is_missing(client, cadre, village):
    client.force_login(cadre)
    assert (
        client.get(
            reverse("projects:village_export", kwargs={"code": village.code, "fmt": "pdf"})
        ).status_code
        == 404
    )


# --- partners ----------------------------------------------------------------------------------


def test_partner_edit_by_cadres_of_linked_villages_only(
    client, cadre, other_cadre, official, village, township
):
    partner = PartnerFactory(township=township)
    partner.villages.add(village)
    edit = reverse("projects:partner_edit", kwargs={"pk": partner.pk})
    view = reverse("projects:partner", kwargs={"pk": partner.pk})
    client.force_login(cadre)
    assert client.get(edit).status_code == 200
    client.force_login(other_cadre)
    assert client.get(view).status_code == 200
    assert client.get(edit).status_code == 404
    client.force_login(official)
    assert client.get(view).status_code == 200
    assert client.get(edit).status_code == 404
    assert client.get(reverse("projects:partner_new")).status_code == 404


def test_partner_of_another_township_is_missing(client, cadre):
    elsewhere = TownshipFactory(code="elsewhere", name="别的镇")
    partner = PartnerFactory(township=elsewhere)
    client.force_login(cadre)
    assert client.get(reverse("projects:partner", kwargs={"pk": partner.pk})).status_code == 404


def test_partner_update_keeps_links_of_other_villages(township, village, other_village, other_cadre):
    partner = PartnerFactory(township=township)
    partner.villages.add(village)
    third = VillageFactory(township=township, code="jianxing", name="建兴村")
    # a cadre of 洪四村 and 建兴村 links their villages; 新东村's link stays
    Membership.objects.create(user=other_cadre, role=Membership.Role.CADRE, village=third)
    services.partner_update(
        partner=partner,
        actor=other_cadre,
        villages=[other_village, third],
        name=partner.name,
        kind=partner.kind,
    )
    assert set(partner.villages.all()) == {village, other_village, third}
    services.partner_update(
        partner=partner, actor=other_cadre, villages=[third], name=partner.name, kind=partner.kind
    )
    assert set(partner.villages.all()) == {village, third}


def test_partner_created_by_a_cadre_through_the_form(client, cadre, village):
    client.force_login(cadre)
    response = client.post(
        reverse("projects:partner_new"),
        {
            "name": "新华网",
            "kind": "media",
            "villages": [village.pk],
            "website": "https://www.xinhuanet.com/",
        },
    )
    assert response.status_code == 302
    partner = Partner.objects.get(name="新华网")
    assert list(partner.villages.all()) == [village]
    assert partner.township == village.township
