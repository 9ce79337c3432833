"""Reads about projects, funding, partners, cooperatives, resources and collective income."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Avg,
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from accounts.selectors import villages_for
from projects.models import (
    WEAK_INCOME_THRESHOLD,
    ZERO,
    CollectiveIncome,
    Cooperative,
    Funding,
    Milestone,
    Partner,
    Project,
    Resource,
)
from villages.models import Township, Village

MONEY = DecimalField(max_digits=16, decimal_places=2)


def _funding_sum(field: str, **filters):
    """A correlated subquery summing one funding column per project (so two sums never multiply rows)."""
    rows = (
        Funding.objects.filter(project=OuterRef("pk"), **filters)
        .order_by()
        .values("project")
        .annotate(total=Sum(field))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=MONEY), Value(ZERO), output_field=MONEY)


def _milestone_progress():
    rows = (
        Milestone.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(avg=Avg("progress"))
        .values("avg")
    )
    return Subquery(rows, output_field=DecimalField(max_digits=6, decimal_places=2))


def with_totals(projects: QuerySet) -> QuerySet:
    """Projects annotated with intended_total, landed_total, villager_land_mu and progress (or None)."""
    return projects.annotate(
        intended_total=_funding_sum("amount_intended"),
        landed_total=_funding_sum("amount_landed"),
        contributed_land_mu=_funding_sum("land_mu"),
        progress=_milestone_progress(),
    )


def landed_share(intended, landed) -> Decimal | None:
    """Landed as a percentage of intended, one decimal; None when nothing was intended."""
    intended = Decimal(intended or 0)
    if intended <= 0:
        return None
    return (Decimal(landed or 0) * 100 / intended).quantize(Decimal("0.1"))


def projects_visible_to(user) -> QuerySet:
    """Projects led by, or covering, any village the user may see."""
    villages = villages_for(user)
    return Project.objects.filter(Q(village__in=villages) | Q(other_villages__in=villages)).distinct()


def projects_of_village(village: Village) -> QuerySet:
    """Projects the village leads or takes part in."""
    return Project.objects.filter(Q(village=village) | Q(other_villages=village)).distinct()


def project_list(base: QuerySet) -> QuerySet:
    """A list-ready queryset: totals, lead village and planner loaded."""
    return with_totals(base.select_related("village", "planning_partner"))


@dataclass(frozen=True)
class FundingTotals:
    """Sums of a set of funding lines."""

    intended: Decimal
    landed: Decimal
    land_mu: Decimal
    lines: int

    @property
    def landed_share(self) -> Decimal | None:
        return landed_share(self.intended, self.landed)


def funding_totals(fundings: QuerySet) -> FundingTotals:
    """Totals of these funding lines in one query."""
    agg = fundings.aggregate(
        intended=Coalesce(Sum("amount_intended"), Value(ZERO), output_field=MONEY),
        landed=Coalesce(Sum("amount_landed"), Value(ZERO), output_field=MONEY),
        land_mu=Coalesce(Sum("land_mu"), Value(ZERO), output_field=MONEY),
        lines=Count("pk"),
    )
    return FundingTotals(agg["intended"], agg["landed"], agg["land_mu"], agg["lines"])


def funding_by_source(fundings: QuerySet) -> list[dict]:
    """Intended and landed per source, in the order of the source choices, sources without lines left out."""
    rows = {
        r["source"]: r
        for r in fundings.order_by()
        .values("source")
        .annotate(intended=Sum("amount_intended"), landed=Sum("amount_landed"), land_mu=Sum("land_mu"))
    }
    out = []
    for source in Funding.Source:
        if source.value in rows:
            r = rows[source.value]
            out.append(
                {
                    "source": source.value,
                    "label": source.label,
                    "intended": r["intended"] or ZERO,
                    "landed": r["landed"] or ZERO,
                    "land_mu": r["land_mu"],
                    "share": landed_share(r["intended"], r["landed"]),
                }
            )
    return out


def township_funding_totals(township: Township) -> FundingTotals:
    """All funding lines of the township's projects."""
    return funding_totals(Funding.objects.filter(project__village__township=township))


def partners_visible_to(user) -> QuerySet:
    """Partners of the townships where the user holds any role."""
    townships = villages_for(user).values("township_id")
    return Partner.objects.filter(township_id__in=townships)


# --- collective income ------------------------------------------------------------------------


class IncomeClass:
    SHELL = "shell"
    WEAK = "weak"
    SOUND = "sound"


def income_class(amount) -> str:
    """Shell (空壳村) at zero, weak (薄弱村) below 100,000 yuan, sound from 100,000 yuan on."""
    amount = Decimal(amount)
    if amount <= 0:
        return IncomeClass.SHELL
    if amount < WEAK_INCOME_THRESHOLD:
        return IncomeClass.WEAK
    return IncomeClass.SOUND


@dataclass(frozen=True)
class IncomeChanges:
    """How villages moved between two years: out of the shell, and from weak to 100,000 yuan or more."""

    base_year: int
    year: int
    lifted_from_shell: list[Village]
    weak_above_threshold: list[Village]
    shell_then: int
    weak_then: int
    shell_now: int
    weak_now: int


def income_changes(*, villages: QuerySet, base_year: int, year: int) -> IncomeChanges:
    """Compare the villages' collective income in base_year and year (villages missing a year are skipped)."""
    rows = CollectiveIncome.objects.filter(village__in=villages, year__in=[base_year, year]).select_related(
        "village"
    )
    by_village: dict[int, dict[int, Decimal]] = {}
    names: dict[int, Village] = {}
    for row in rows:
        by_village.setdefault(row.village_id, {})[row.year] = row.amount
        names[row.village_id] = row.village
    lifted, above = [], []
    counts = {"shell_then": 0, "weak_then": 0, "shell_now": 0, "weak_now": 0}
    for vid, years in by_village.items():
        then, now = years.get(base_year), years.get(year)
        if then is not None:
            counts["shell_then"] += income_class(then) == IncomeClass.SHELL
            counts["weak_then"] += income_class(then) == IncomeClass.WEAK
        if now is not None:
            counts["shell_now"] += income_class(now) == IncomeClass.SHELL
            counts["weak_now"] += income_class(now) == IncomeClass.WEAK
        if then is None or now is None:
            continue
        if income_class(then) == IncomeClass.SHELL and income_class(now) != IncomeClass.SHELL:
            lifted.append(names[vid])
        if income_class(then) == IncomeClass.WEAK and income_class(now) == IncomeClass.SOUND:
            above.append(names[vid])
    key = lambda v: v.code  # noqa: E731
    return IncomeChanges(base_year, year, sorted(lifted, key=key), sorted(above, key=key), **counts)


def income_years(villages: QuerySet) -> list[int]:
    """The years for which any of these villages has an income recorded, oldest first."""
    return sorted(
        CollectiveIncome.objects.filter(village__in=villages)
        .order_by()
        .values_list("year", flat=True)
        .distinct()
    )


def income_matrix(villages: QuerySet) -> tuple[list[int], list[dict]]:
    """Years and one row per village: [{village, cells: [{year, amount, cls}|None]}]; two queries."""
    villages = list(villages)
    incomes = CollectiveIncome.objects.filter(village__in=villages)
    years = sorted({i.year for i in incomes})
    by_key = {(i.village_id, i.year): i for i in incomes}
    rows = []
    for village in villages:
        cells = []
        for y in years:
            inc = by_key.get((village.pk, y))
            cells.append({"year": y, "amount": inc.amount, "cls": income_class(inc.amount)} if inc else None)
        rows.append({"village": village, "cells": cells})
    return years, rows


def income_trend(village: Village) -> list[dict]:
    """The village's incomes, oldest first, with their class and a bar height in percent of the highest."""
    incomes = list(CollectiveIncome.objects.filter(village=village).order_by("year"))
    top = max((i.amount for i in incomes), default=ZERO)
    return [
        {
            "pk": i.pk,
            "year": i.year,
            "amount": i.amount,
            "cls": income_class(i.amount),
            "height": int((i.amount * 100 / top).to_integral_value()) if top > 0 else 0,
            "note": i.note,
        }
        for i in incomes
    ]


# --- the public village page ------------------------------------------------------------------


def village_public_registry(village: Village) -> dict:
    """What residents see of the village's registries, in a constant number of queries (five)."""
    projects = list(
        project_list(projects_of_village(village).filter(is_public=True)).order_by("-start_date", "name")
    )
    intended = sum((p.intended_total for p in projects), ZERO)
    landed = sum((p.landed_total for p in projects), ZERO)
    return {
        "projects": projects,
        "project_totals": {"intended": intended, "landed": landed, "share": landed_share(intended, landed)},
        "cooperatives": list(Cooperative.objects.filter(village=village).order_by("-members", "name")),
        "resources": list(Resource.objects.filter(village=village)),
        "income_trend": income_trend(village),
        "partners": list(Partner.objects.filter(villages=village).order_by("name")),
    }


def _count(model, **filters):
    rows = model.objects.filter(**filters).order_by().values("village").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def registry_counts(village: Village) -> dict:
    """How many projects, cooperatives, resources and income years the village has recorded; one query."""
    return (
        Village.objects.filter(pk=village.pk)
        .annotate(
            n_projects=_count(Project, village=OuterRef("pk")),
            n_cooperatives=_count(Cooperative, village=OuterRef("pk")),
            n_resources=_count(Resource, village=OuterRef("pk")),
            n_incomes=_count(CollectiveIncome, village=OuterRef("pk")),
        )
        .values("n_projects", "n_cooperatives", "n_resources", "n_incomes")
        .get()
    )
