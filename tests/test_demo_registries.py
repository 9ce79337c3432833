"""The demo registries hold the source report's figures, and seeding twice changes nothing."""

from decimal import Decimal

import pytest

from projects import demo as project_demo
from projects.models import CollectiveIncome, Cooperative, Funding, Milestone, Partner, Project, Resource
from projects.selectors import income_changes, township_funding_totals
from talent import demo as talent_demo
from talent.models import AdvisoryCouncil, CommitteeMember, CommitteeTerm, CouncilMember, Talent, TalentSkill
from talent.selectors import township_term_history

pytestmark = pytest.mark.django_db

MODELS = [
    Partner,
    Project,
    Funding,
    Milestone,
    Cooperative,
    Resource,
    CollectiveIncome,
    Talent,
    TalentSkill,
    AdvisoryCouncil,
    CouncilMember,
    CommitteeTerm,
    CommitteeMember,
]


@pytest.fixture
def seeded(demo):
    return demo


def check_thirteen_projects_with_the_source_funds(seeded):
    assert Project.objects.filter(village__township=seeded).count() == 13
    totals = township_funding_totals(seeded)
    # 2.1亿 intended, 1.13亿 landed
    assert totals.intended == Decimal("210000000")
    assert totals.landed == Decimal("113000000")
    assert (totals.intended / Decimal("1e8")).quantize(Decimal("0.01")) == Decimal("2.10")
    assert (totals.landed / Decimal("1e8")).quantize(Decimal("0.01")) == Decimal("1.13")


def check_yihua_wuye_of_xindong(seeded):
    project = Project.objects.get(village__code="xindong", name__contains="一花五叶")
    assert project.land_area_mu > 5000
    assert project.planning_partner.name == "浙江大学旅游研究所"
    assert project.planning_partner.kind == Partner.Kind.UNIVERSITY
    fiscal = project.fundings.get(source=Funding.Source.FISCAL)
    assert fiscal.amount_intended > 6_000_000 and fiscal.amount_landed > 6_000_000
    sources = set(project.fundings.values_list("source", flat=True))
    # villagers contribute money and land
    assert {Funding.Source.VILLAGER_CASH, Funding.Source.VILLAGER_LAND} <= sources
    assert project.fundings.get(source=Funding.Source.VILLAGER_LAND).land_mu > 0


def check_partners_are_the_social_forces_of_the_source(seeded):
    names = set(Partner.objects.values_list("name", flat=True))
    assert {"新华网", "浙江大学旅游研究所", "罗溪外地商会同乡会", "新媒体人才之家", "大济公益协会"} <= names
    kinds = set(Partner.objects.values_list("kind", flat=True))
    assert {"media", "university", "chamber", "internet", "charity"} <= kinds


def check_cooperatives_cover_the_source_kinds(seeded):
    kinds = set(Cooperative.objects.values_list("kind", flat=True))
    assert {"herbs", "food", "flowers", "seedlings", "livestock"} <= kinds


def check_talent_pool_and_councils(seeded):
    assert Talent.objects.filter(village__township=seeded).count() == 461
    assert AdvisoryCouncil.objects.filter(village__township=seeded).count() == 12
    assert seeded.villages.count() == 17
    # every person with numbers has a consent date; every ID number checks out
    assert not Talent.objects.exclude(mobile="").filter(consent_date=None).exists()
    for talent in Talent.objects.exclude(id_number="")[:50]:
        talent.full_clean(exclude=["roundtable"])


def check_collective_income_five_shells_lifted_and_five_weak_above_100000(seeded):
    changes = income_changes(villages=seeded.villages.all(), base_year=2016, year=2019)
    assert len(changes.lifted_from_shell) == 5
    assert len(changes.weak_above_threshold) == 5
    assert changes.shell_now == 0
    assert all(v.collective_incomes.get(year=2019).amount > 100000 for v in changes.weak_above_threshold)


def check_committee_elections_match_the_source(seeded):
    latest, previous = township_term_history(seeded.villages.all())
    assert (latest["year"], previous["year"]) == (2018, 2015)
    assert latest["villages"] == previous["villages"] == 17
    # two graduates under 30 elected, average age down 2.8%, degree holders up 50%, no petition
    assert latest["stats"].graduates_under_30 == 2
    assert latest["stats"].under_30 == 2 and previous["stats"].under_30 == 0
    assert latest["change"].average_age_change == Decimal("-2.8")
    assert latest["change"].degree_holders_change == Decimal("50.0")
    assert latest["petitions"] == 0


def test_seeded_projects_hold_the_source_figures(seeded):
    check_thirteen_projects_with_the_source_funds(seeded)
    check_yihua_wuye_of_xindong(seeded)
    check_partners_are_the_social_forces_of_the_source(seeded)
    check_cooperatives_cover_the_source_kinds(seeded)
    check_collective_income_five_shells_lifted_and_five_weak_above_100000(seeded)


def test_seeded_talent_holds_the_source_figures(seeded):
    check_talent_pool_and_councils(seeded)
    check_committee_elections_match_the_source(seeded)


def test_seeding_again_changes_no_counts(seeded):
    before = {m.__name__: m.objects.count() for m in MODELS}
    project_demo.seed(seeded)
    talent_demo.seed(seeded)
    after = {m.__name__: m.objects.count() for m in MODELS}
    assert before == after
    assert township_funding_totals(seeded).intended == Decimal("210000000")
