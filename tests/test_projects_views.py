"""Project registry screens: create and edit with funding lines, milestones, entries, the public page."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import Cooperative, Funding, Milestone, Project
from tests.factories_registries import (
    CooperativeFactory,
    FundingFactory,
    IncomeFactory,
    MilestoneFactory,
    PartnerFactory,
    ProjectFactory,
    ResourceFactory,
)

pytestmark = pytest.mark.django_db


def formset(prefix, lines, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(lines)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, line in enumerate(lines):
        for key, value in line.items():
            data[f"{prefix}-{i}-{key}"] = value
    return data


def test_cadre_creates_a_project_with_two_funding_lines(client, cadre, village, other_village, township):
    planner = PartnerFactory(township=township, name="浙江大学旅游研究所")
    client.force_login(cadre)
    response = client.post(
        reverse("projects:new", kwargs={"code": village.code}),
        {
            "name": "一花五叶",
            "category": "tourism",
            "status": "in_progress",
            "planning_partner": planner.pk,
            "other_villages": [other_village.pk],
            "land_area_mu": "5200",
            "start_date": "2017-03-01",
            "end_date": "2021-12-31",
            "is_public": "on",
            **formset(
                "funding",
                [
                    {"source": "fiscal", "amount_intended": "6500000", "amount_landed": "6200000"},
                    {
                        "source": "villager_land",
                        "amount_intended": "3000000",
                        "amount_landed": "2600000",
                        "land_mu": "320",
                    },
                    {"source": "", "amount_intended": "0", "amount_landed": "0"},  # an untouched spare line
                ],
            ),
        },
    )
    project = Project.objects.get(name="一花五叶")
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:detail", kwargs={"code": village.code, "pk": project.pk})
    assert (project.village, project.planning_partner, project.created_by) == (village, planner, cadre)
    assert list(project.other_villages.all()) == [other_village]
    assert project.fundings.count() == 2
    detail = client.get(response["Location"])
    assert detail.context["totals"].intended == Decimal("9500000")
    assert detail.context["totals"].landed == Decimal("8800000")
    html = detail.content.decode()
    assert "950万元" in html and "880万元" in html and "9,500,000.00" in html


def test_cadre_edits_updates_and_deletes_funding_lines(client, cadre, village):
    project = ProjectFactory(village=village, status="planning")
    keep = FundingFactory(project=project, amount_intended=Decimal("100"), amount_landed=Decimal("10"))
    drop = FundingFactory(project=project, source="other")
    client.force_login(cadre)
    response = client.post(
        reverse("projects:edit", kwargs={"code": village.code, "pk": project.pk}),
        {
            "name": project.name,
            "category": project.category,
            "status": "approved",
            **formset(
                "funding",
                [
                    {"id": keep.pk, "source": "fiscal", "amount_intended": "100", "amount_landed": "90"},
                    {
                        "id": drop.pk,
                        "source": "other",
                        "amount_intended": "1",
                        "amount_landed": "0",
                        "DELETE": "on",
                    },
                    {"source": "social_capital", "amount_intended": "500", "amount_landed": "0"},
                ],
                initial=2,
            ),
        },
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == "approved"
    assert not Funding.objects.filter(pk=drop.pk).exists()
    assert Funding.objects.get(pk=keep.pk).amount_landed == Decimal("90")
    assert project.fundings.filter(source="social_capital").exists()


def test_edit_offers_only_allowed_statuses(client, cadre, village):
    project = ProjectFactory(village=village, status="approved")
    client.force_login(cadre)
    form = client.get(reverse("projects:edit", kwargs={"code": village.code, "pk": project.pk})).context[
        "form"
    ]
    assert [v for v, _label in form.fields["status"].choices] == ["approved", "in_progress", "suspended"]


def test_milestones_saved_together(client, cadre, village):
    project = ProjectFactory(village=village)
    old = MilestoneFactory(project=project, title="旧节点")
    client.force_login(cadre)
    response = client.post(
        reverse("projects:milestones", kwargs={"code": village.code, "pk": project.pk}),
        formset(
            "milestone",
            [
                {"id": old.pk, "title": "旧节点", "progress": "100", "done_date": "2019-06-01", "order": "1"},
                {"title": "新节点", "progress": "20", "due_date": "2020-06-01", "order": "2"},
            ],
            initial=1,
        ),
    )
    assert response.status_code == 302
    assert list(project.milestones.values_list("title", "progress")) == [("旧节点", 100), ("新节点", 20)]
    assert Milestone.objects.get(pk=old.pk).done_date.isoformat() == "2019-06-01"


def test_cooperative_added_edited_and_deleted(client, cadre, village):
    client.force_login(cadre)
    new = reverse("projects:entry_new", kwargs={"code": village.code, "kind": "cooperatives"})
    assert client.post(new, {"name": "花卉合作社", "kind": "flowers", "members": "40"}).status_code == 302
    coop = Cooperative.objects.get(name="花卉合作社")
    edit = reverse(
        "projects:entry_edit", kwargs={"code": village.code, "kind": "cooperatives", "pk": coop.pk}
    )
    assert client.post(edit, {"name": "花卉合作社", "kind": "flowers", "members": "55"}).status_code == 302
    coop.refresh_from_db()
    assert coop.members == 55
    response = client.post(edit, {"name": "花卉合作社", "kind": "flowers", "members": "-1"})
    assert response.status_code == 200
    coop.refresh_from_db()
    assert coop.members == 55
    client.post(
        reverse("projects:entry_delete", kwargs={"code": village.code, "kind": "cooperatives", "pk": coop.pk})
    )
    assert not Cooperative.objects.exists()


def test_cooperative_of_another_village_cannot_be_edited(client, cadre, village, other_village):
    theirs = CooperativeFactory(village=other_village)
    client.force_login(cadre)
    url = reverse(
        "projects:entry_edit", kwargs={"code": village.code, "kind": "cooperatives", "pk": theirs.pk}
    )
    assert client.post(url, {"name": "改名", "kind": "food", "members": "1"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name != "改名"


def test_list_filters_search_and_sort(client, official, village, other_village):
    ProjectFactory(village=village, name="甲项目", category="tourism")
    b = ProjectFactory(village=other_village, name="乙项目", category="culture")
    FundingFactory(project=b, amount_intended=Decimal("9000000"), amount_landed=Decimal("1"))
    client.force_login(official)
    url = reverse("projects:list")
    names = lambda r: [p.name for p in r.context["page"]]  # noqa: E731
    assert names(client.get(url, {"o": "-intended"})) == ["乙项目", "甲项目"]
    assert names(client.get(url, {"category": "tourism"})) == ["甲项目"]
    assert names(client.get(url, {"q": "乙"})) == ["乙项目"]
    assert names(client.get(url, {"village": other_village.pk})) == ["乙项目"]
    assert client.get(url, {"category": "culture"}).context["totals"].intended == Decimal("9000000")


def _public_queries(client, village):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("villages:detail", kwargs={"code": village.code})).status_code == 200
    return len(ctx.captured_queries)


def test_public_village_page_shows_public_registries_in_constant_queries(client, village, township):
    partner = PartnerFactory(township=township, name="浙江大学旅游研究所")
    partner.villages.add(village)
    project = ProjectFactory(village=village, name="公开项目", planning_partner=partner)
    FundingFactory(project=project, amount_intended=Decimal("6500000"), amount_landed=Decimal("6200000"))
    MilestoneFactory(project=project, progress=60)
    ProjectFactory(village=village, name="洽谈中的项目", is_public=False)
    CooperativeFactory(village=village, name="药材合作社")
    ResourceFactory(village=village, name="古厝群")
    IncomeFactory(village=village, year=2018, amount=Decimal("0"))
    IncomeFactory(village=village, year=2019, amount=Decimal("120000"))
    html = client.get(reverse("villages:detail", kwargs={"code": village.code})).content.decode()
    for text in (
        "公开项目",
        "650万元",
        "620万元",
        "浙江大学旅游研究所",
        "药材合作社",
        "古厝群",
        "12万元",
        "60%",
    ):
        assert text in html, text
    assert "洽谈中的项目" not in html
    few = _public_queries(client, village)
    for n in range(5):
        p = ProjectFactory(village=village, name=f"更多项目{n}", planning_partner=partner)
        FundingFactory(project=p)
        MilestoneFactory(project=p)
        CooperativeFactory(village=village)
        ResourceFactory(village=village)
        IncomeFactory(village=village, year=2010 + n)
    assert _public_queries(client, village) == few


def test_workspace_village_page_links_the_registries(client, cadre, member, village):
    client.force_login(cadre)
    html = client.get(reverse("workspace:village", kwargs={"code": village.code})).content.decode()
    assert reverse("projects:village_list", kwargs={"code": village.code}) in html
    assert reverse("talent:village_list", kwargs={"code": village.code}) in html
    client.force_login(member)
    html = client.get(reverse("workspace:village", kwargs={"code": village.code})).content.decode()
    assert reverse("projects:village_list", kwargs={"code": village.code}) in html
    assert reverse("talent:village_list", kwargs={"code": village.code}) not in html


def test_workspace_home_links_township_registries_for_officials(client, official, cadre):
    client.force_login(official)
    assert reverse("talent:list") in client.get(reverse("workspace:home")).content.decode()
    client.force_login(cadre)
    assert reverse("talent:list") not in client.get(reverse("workspace:home")).content.decode()


def test_every_screen_renders_for_the_cadre_and_the_official(client, cadre, official, village, township):
    partner = PartnerFactory(township=township)
    partner.villages.add(village)
    project = ProjectFactory(village=village, planning_partner=partner)
    FundingFactory(project=project)
    code = village.code
    urls = [
        reverse("projects:list"),
        reverse("projects:partners"),
        reverse("projects:partner", kwargs={"pk": partner.pk}),
        reverse("projects:income"),
        reverse("projects:entry_list", kwargs={"kind": "cooperatives"}),
        reverse("projects:entry_list", kwargs={"kind": "resources"}),
        reverse("projects:income_export", kwargs={"fmt": "xlsx"}),
        reverse("projects:partners_export", kwargs={"fmt": "csv"}),
        reverse("projects:village_list", kwargs={"code": code}),
        reverse("projects:detail", kwargs={"code": code, "pk": project.pk}),
    ]
    for user in (cadre, official):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 200, (user, url)
    client.force_login(cadre)
    for url in (
        reverse("projects:new", kwargs={"code": code}),
        reverse("projects:partner_edit", kwargs={"pk": partner.pk}),
        reverse("projects:partner_new"),
        reverse("projects:entry_new", kwargs={"code": code, "kind": "resources"}),
    ):
        assert client.get(url).status_code == 200, url
