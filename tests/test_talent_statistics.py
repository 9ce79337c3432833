"""The statistics functions against values computed by hand: elections, income classes, funding totals."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import translation

from projects.models import Funding
from projects.selectors import (
    IncomeClass,
    funding_by_source,
    funding_totals,
    income_changes,
    income_class,
    landed_share,
    project_list,
)
from projects.templatetags.registry import money, mu
from talent.models import Education
from talent.selectors import compare_terms, term_stats, township_term_history, village_term_history
from tests.factories import VillageFactory
from tests.factories_registries import (
    CommitteeMemberFactory,
    FundingFactory,
    IncomeFactory,
    MilestoneFactory,
    ProjectFactory,
    TermFactory,
)


@dataclass
class M:
    birth_year: int
    education: str


TERM_2015 = [
    M(1965, Education.SENIOR),  # 50
    M(1970, Education.BACHELOR),  # 45
    M(1975, Education.COLLEGE),  # 40
    M(1960, Education.JUNIOR),  # 55
]
TERM_2018 = [
    M(1965, Education.SENIOR),  # 53
    M(1970, Education.BACHELOR),  # 48
    M(1990, Education.BACHELOR),  # 28
    M(1992, Education.POSTGRADUATE),  # 26
    M(1975, Education.COLLEGE),  # 43
]


def test_term_stats_by_hand():
    s = term_stats(2015, TERM_2015)
    # ages 50+45+40+55 = 190 over 4 = 47.5; one bachelor of four = 25%
    assert (s.members, s.age_sum, s.average_age) == (4, 190, Decimal("47.5"))
    assert (s.degree_holders, s.degree_share) == (1, Decimal("25.0"))
    assert (s.graduates, s.under_30, s.graduates_under_30) == (2, 0, 0)

    t = term_stats(2018, TERM_2018)
    # ages 53+48+28+26+43 = 198 over 5 = 39.6; degrees: bachelor, bachelor, postgraduate = 3 of 5 = 60%
    assert (t.members, t.age_sum, t.average_age) == (5, 198, Decimal("39.6"))
    assert (t.degree_holders, t.degree_share) == (3, Decimal("60.0"))
    assert (t.under_30, t.graduates_under_30) == (2, 2)


def test_term_change_by_hand():
    change = compare_terms(term_stats(2015, TERM_2015), term_stats(2018, TERM_2018))
    # (39.6 − 47.5) / 47.5 = −16.63…%; degree holders 1 → 3 = +200%
    assert change.average_age_change == Decimal("-16.6")
    assert change.degree_holders_change == Decimal("200.0")
    assert change.under_30_change == 2
    assert change.graduates_under_30_change == 2


def test_term_stats_age_thirty_is_not_under_thirty():
    s = term_stats(2018, [M(1988, Education.BACHELOR), M(1989, Education.COLLEGE), M(1989, Education.SENIOR)])
    # 30 is not under 30; a senior-school 29-year-old is young but no graduate
    assert (s.under_30, s.graduates_under_30) == (2, 1)


def test_term_change_rounds_half_up_and_handles_no_previous_degree():
    previous = term_stats(2015, [M(1960, Education.BACHELOR)] * 3 + [M(1960, Education.SENIOR)])
    current = term_stats(2018, [M(1960, Education.BACHELOR)] * 4)
    assert compare_terms(previous, current).degree_holders_change == Decimal("33.3")  # 1/3
    none_before = term_stats(2015, [M(1960, Education.SENIOR)])
    assert compare_terms(none_before, current).degree_holders_change is None
    assert compare_terms(None, current) is None
    assert term_stats(2018, []).average_age is None


def test_source_figures_round_to_minus_two_point_eight():
    # 102 members: age sums 4925 (2015) and 4785 (2018): −2.8426…% → −2.8%; degrees 8 → 12: +50%
    before = term_stats(2015, [M(2015 - 48, Education.SENIOR)] * 101 + [M(2015 - 77, Education.SENIOR)])
    after = term_stats(2018, [M(2018 - 47, Education.SENIOR)] * 101 + [M(2018 - 38, Education.SENIOR)])
    assert (before.age_sum, after.age_sum) == (4925, 4785)
    assert compare_terms(before, after).average_age_change == Decimal("-2.8")


@pytest.mark.django_db
def test_village_and_township_term_history_from_the_database(village, other_village):
    t15 = TermFactory(village=village, year=2015, petitions=2)
    t18 = TermFactory(village=village, year=2018)
    for m in TERM_2015:
        CommitteeMemberFactory(term=t15, birth_year=m.birth_year, education=m.education)
    for m in TERM_2018:
        CommitteeMemberFactory(term=t18, birth_year=m.birth_year, education=m.education)
    o18 = TermFactory(village=other_village, year=2018)
    CommitteeMemberFactory(term=o18, birth_year=1980, education=Education.BACHELOR)  # 38

    history = village_term_history(village)
    assert [r["term"].year for r in history] == [2018, 2015]
    assert history[0]["change"].average_age_change == Decimal("-16.6")
    assert history[1]["change"] is None

    pooled = township_term_history(village.township.villages.all())
    y2018 = pooled[0]
    assert (y2018["year"], y2018["villages"]) == (2018, 2)
    # 2018 pooled: ages 198 + 38 = 236 over 6 = 39.33…; degrees 3 + 1 = 4
    assert (y2018["stats"].age_sum, y2018["stats"].members, y2018["stats"].degree_holders) == (236, 6, 4)
    assert y2018["stats"].average_age == Decimal("39.3")
    # (236/6 − 47.5) / 47.5 = −17.19…%; degrees 1 → 4 = +300%
    assert y2018["change"].average_age_change == Decimal("-17.2")
    assert y2018["change"].degree_holders_change == Decimal("300.0")
    assert pooled[1]["petitions"] == 2


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0", IncomeClass.SHELL),
        ("0.01", IncomeClass.WEAK),
        ("99999.99", IncomeClass.WEAK),
        ("100000", IncomeClass.SOUND),
        ("560000", IncomeClass.SOUND),
    ],
)
def test_income_class_edges(amount, expected):
    assert income_class(Decimal(amount)) == expected


@pytest.mark.django_db
def test_income_changes_by_hand(township):
    def village(code, base, now):
        v = VillageFactory(township=township, code=code, name=f"{code}村")
        if base is not None:
            IncomeFactory(village=v, year=2016, amount=Decimal(base))
        if now is not None:
            IncomeFactory(village=v, year=2019, amount=Decimal(now))
        return v

    a = village("a", "0", "5000")  # shell → weak: lifted out
    village("b", "0", "0")  # still a shell
    c = village("c", "50000", "120000")  # weak → sound
    village("d", "50000", "99999")  # still weak
    village("e", "150000", "0")  # fell into the shell
    village("f", None, "0")  # no base year: not compared
    changes = income_changes(villages=township.villages.all(), base_year=2016, year=2019)
    assert changes.lifted_from_shell == [a]
    assert changes.weak_above_threshold == [c]
    assert (changes.shell_then, changes.weak_then) == (2, 2)
    # now: shells b, e, f; weak a (5,000) and d
    assert (changes.shell_now, changes.weak_now) == (3, 2)


@pytest.mark.django_db
def test_funding_totals_and_project_annotations_by_hand(village):
    project = ProjectFactory(village=village)
    FundingFactory(project=project, amount_intended=Decimal("1000000"), amount_landed=Decimal("600000"))
    FundingFactory(
        project=project,
        source=Funding.Source.VILLAGER_LAND,
        amount_intended=Decimal("250000.50"),
        amount_landed=Decimal("250000.50"),
        land_mu=Decimal("12.5"),
    )
    MilestoneFactory(project=project, progress=40)
    MilestoneFactory(project=project, progress=80)
    totals = funding_totals(project.fundings.all())
    assert (totals.intended, totals.landed, totals.land_mu) == (
        Decimal("1250000.50"),
        Decimal("850000.50"),
        Decimal("12.5"),
    )
    # 850000.5 / 1250000.5 = 68.0000…%
    assert totals.landed_share == Decimal("68.0")
    annotated = project_list(type(project).objects.filter(pk=project.pk)).get()
    # two funding lines and two milestones must not multiply each other's sums
    assert annotated.intended_total == Decimal("1250000.50")
    assert annotated.landed_total == Decimal("850000.50")
    assert Decimal(annotated.progress) == Decimal("60")
    by_source = funding_by_source(project.fundings.all())
    assert [r["source"] for r in by_source] == ["fiscal", "villager_land"]
    assert by_source[0]["share"] == Decimal("60.0")
    assert landed_share(0, 5) is None


def test_money_shows_wan_and_yi_in_chinese_and_yuan_in_english():
    with translation.override("zh-hans"):
        assert money(Decimal("210000000")) == "2.1亿元"
        assert money(Decimal("113000000")) == "1.13亿元"
        assert money(Decimal("6200000")) == "620万元"
        assert money(Decimal("12345.60")) == "1.23万元"
        assert money(Decimal("8000")) == "8,000元"
        assert mu(Decimal("5200")) == "5,200亩"
    with translation.override("en"):
        assert money(Decimal("6200000")) == "¥6,200,000"
        assert money(Decimal("12345.6")) == "¥12,345.60"
        assert mu(Decimal("5200")) == "5,200 mu"
    assert money(None) == "—"
