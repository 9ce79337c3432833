"""Reads about the talent pool, red advisory councils and committee terms, and their statistics."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.selectors import villages_for
from talent.models import (
    DEGREE_LEVELS,
    GRADUATE_LEVELS,
    AdvisoryCouncil,
    CommitteeMember,
    CommitteeTerm,
    CouncilMember,
    Skill,
    Talent,
)
from talent.permissions import TALENT_ROLES
from villages.models import Village

YOUNG_AGE = 30  # "30周歲以下": under thirty at the election


def _one_decimal(value: Fraction) -> Decimal:
    """A fraction rounded half-up to one decimal (how the source reports its percentages)."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def talent_villages(user) -> QuerySet:
    """Villages whose talent registries the user may read."""
    return villages_for(user, roles=TALENT_ROLES)


def talents_visible_to(user) -> QuerySet:
    return Talent.objects.filter(village__in=talent_villages(user))


def talent_list(base: QuerySet) -> QuerySet:
    """A list-ready queryset: village, roundtable and skills loaded."""
    return base.select_related("village", "roundtable").prefetch_related("skills")


def talent_counts(talents: QuerySet) -> dict:
    """Headline counts of a set of talents: total, Party members, returned, reserve cadres, by skill."""
    agg = talents.aggregate(
        total=Count("pk"),
        party=Count("pk", filter=Q(is_party_member=True)),
        returned=Count("pk", filter=Q(is_returned=True)),
        reserve=Count("pk", filter=Q(is_reserve_cadre=True)),
    )
    by_skill = Counter(
        dict(
            talents.order_by()
            .values_list("skills__skill")
            .annotate(n=Count("pk"))
            .exclude(skills__skill=None)
            .values_list("skills__skill", "n")
        )
    )
    agg["by_skill"] = [(Skill(code).label, by_skill[code]) for code in Skill.values if by_skill[code]]
    return agg


# --- committee statistics --------------------------------------------------------------------


@dataclass(frozen=True)
class TermStats:
    """Statistics of one committee term (or of all terms of one year in a township)."""

    year: int
    members: int
    age_sum: int
    degree_holders: int
    graduates: int
    under_30: int
    graduates_under_30: int

    @property
    def average_age(self) -> Decimal | None:
        return _one_decimal(Fraction(self.age_sum, self.members)) if self.members else None

    @property
    def degree_share(self) -> Decimal | None:
        """Percentage of members with a bachelor's degree or above."""
        return _one_decimal(Fraction(100 * self.degree_holders, self.members)) if self.members else None


def term_stats(year: int, members: Iterable) -> TermStats:
    """Statistics of committee members elected in `year` (objects with birth_year and education)."""
    members = list(members)
    ages = [year - m.birth_year for m in members]
    young = [m for m, age in zip(members, ages, strict=True) if age < YOUNG_AGE]
    return TermStats(
        year=year,
        members=len(members),
        age_sum=sum(ages),
        degree_holders=sum(1 for m in members if m.education in DEGREE_LEVELS),
        graduates=sum(1 for m in members if m.education in GRADUATE_LEVELS),
        under_30=len(young),
        graduates_under_30=sum(1 for m in young if m.education in GRADUATE_LEVELS),
    )


@dataclass(frozen=True)
class TermChange:
    """How a term compares with the previous one, in the source's terms."""

    previous: TermStats
    current: TermStats

    @property
    def average_age_change(self) -> Decimal | None:
        """Average age, percent change (negative: younger), one decimal."""
        p, c = self.previous, self.current
        if not p.members or not c.members or not p.age_sum:
            return None
        before, after = Fraction(p.age_sum, p.members), Fraction(c.age_sum, c.members)
        return _one_decimal((after - before) * 100 / before)

    @property
    def degree_holders_change(self) -> Decimal | None:
        """Members with a degree, percent change in their number; None when the previous term had none."""
        p, c = self.previous, self.current
        if not p.degree_holders:
            return None
        return _one_decimal(Fraction((c.degree_holders - p.degree_holders) * 100, p.degree_holders))

    @property
    def under_30_change(self) -> int:
        return self.current.under_30 - self.previous.under_30

    @property
    def graduates_under_30_change(self) -> int:
        return self.current.graduates_under_30 - self.previous.graduates_under_30


def compare_terms(previous: TermStats | None, current: TermStats) -> TermChange | None:
    return TermChange(previous, current) if previous is not None else None


def _members_by_year(terms: QuerySet) -> dict[int, list[CommitteeMember]]:
    members = (
        CommitteeMember.objects.filter(term__in=terms)
        .select_related("term")
        .only("birth_year", "education", "term__year")
    )
    out: dict[int, list[CommitteeMember]] = {}
    for m in members:
        out.setdefault(m.term.year, []).append(m)
    return out


def village_term_history(village: Village) -> list[dict]:
    """The village's terms, newest first, each with its statistics and the change from the one before."""
    terms = list(
        CommitteeTerm.objects.filter(village=village)
        .prefetch_related(Prefetch("members", queryset=CommitteeMember.objects.order_by("pk")))
        .order_by("year")
    )
    rows, previous = [], None
    for term in terms:
        stats = term_stats(term.year, term.members.all())
        rows.append({"term": term, "stats": stats, "change": compare_terms(previous, stats)})
        previous = stats
    return list(reversed(rows))


def township_term_history(villages: QuerySet) -> list[dict]:
    """Per election year across these villages: pooled statistics and the change from the year before."""
    by_year = _members_by_year(CommitteeTerm.objects.filter(village__in=villages))
    terms_per_year = Counter(
        CommitteeTerm.objects.filter(village__in=villages).values_list("year", flat=True).order_by()
    )
    petitions = Counter()
    for year, n in CommitteeTerm.objects.filter(village__in=villages).values_list("year", "petitions"):
        petitions[year] += n
    rows, previous = [], None
    for year in sorted(by_year):
        stats = term_stats(year, by_year[year])
        rows.append(
            {
                "year": year,
                "villages": terms_per_year[year],
                "petitions": petitions[year],
                "stats": stats,
                "change": compare_terms(previous, stats),
            }
        )
        previous = stats
    return list(reversed(rows))


# --- councils ---------------------------------------------------------------------------------

ROLE_ORDER = {role: n for n, role in enumerate(CouncilMember.Role.values)}
COMMITTEE_ROLE_ORDER = {role: n for n, role in enumerate(CommitteeMember.Role.values)}


def sorted_council_members(members: Iterable[CouncilMember]) -> list[CouncilMember]:
    return sorted(members, key=lambda m: (ROLE_ORDER.get(m.role, 99), m.pk or 0))


def sorted_committee_members(members: Iterable[CommitteeMember]) -> list[CommitteeMember]:
    return sorted(members, key=lambda m: (COMMITTEE_ROLE_ORDER.get(m.role, 99), m.pk or 0))


def council_overview(villages: QuerySet) -> list[dict]:
    """Each village with its council (or None) and the council's size; two queries."""
    villages = list(villages)
    councils = {
        c.village_id: c
        for c in AdvisoryCouncil.objects.filter(village__in=villages).annotate(size=Count("members"))
    }
    return [{"village": v, "council": councils.get(v.pk)} for v in villages]
