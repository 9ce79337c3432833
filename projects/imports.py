"""Importing projects from a spreadsheet (the preview/confirm plumbing is in core.imports)."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.imports import RowResult, errors_of, form_errors
from core.tabular import (
    Column,
    LooseBooleanField,
    LooseChoiceField,
    LooseDateField,
    LooseDecimalField,
    one_of,
)
from projects import services
from projects.models import Funding, Partner, Project

# --- projects -------------------------------------------------------------------------------------

SOURCE_COLUMNS = []
for _source in Funding.Source:
    SOURCE_COLUMNS.append(
        Column(
            f"{_source.value}_intended",
            format_lazy(gettext_lazy("{source} intended (yuan)"), source=_source.label),
            help=gettext_lazy("Amount in yuan; leave empty when there is none."),
        )
    )
    SOURCE_COLUMNS.append(
        Column(
            f"{_source.value}_landed",
            format_lazy(gettext_lazy("{source} landed (yuan)"), source=_source.label),
            help=gettext_lazy("Amount in yuan that has actually arrived."),
        )
    )

PROJECT_COLUMNS = [
    Column(
        "name", gettext_lazy("project name"), required=True, help=gettext_lazy("Unique within the village.")
    ),
    Column(
        "category",
        gettext_lazy("category"),
        required=True,
        help=one_of(Project.Category.choices),
    ),
    Column(
        "status",
        gettext_lazy("status"),
        help=one_of(Project.Status.choices, gettext_lazy("Empty means proposed.")),
    ),
    Column("land_area_mu", gettext_lazy("land area (mu)"), help=gettext_lazy("A number, e.g. 5200.")),
    Column("start_date", gettext_lazy("start date"), help=gettext_lazy("A date such as 2019-03-01.")),
    Column(
        "end_date", gettext_lazy("planned completion"), help=gettext_lazy("A date, not before the start.")
    ),
    Column(
        "planning_partner",
        gettext_lazy("planned by"),
        help=gettext_lazy("The name of a partner already in the register."),
    ),
    Column("description", gettext_lazy("description")),
    *SOURCE_COLUMNS,
    Column(
        "villager_land_mu",
        gettext_lazy("villagers' land contributed (mu)"),
        help=gettext_lazy("A number of mu."),
    ),
    Column(
        "over_confirmed",
        gettext_lazy("landed above intended confirmed"),
        help=gettext_lazy("是 when a landed amount above its intended amount is right."),
    ),
]


class ProjectRowForm(forms.Form):
    """One spreadsheet row of the project import."""

    name = forms.CharField(max_length=120)
    category = LooseChoiceField(choices=Project.Category.choices)
    status = LooseChoiceField(choices=Project.Status.choices, required=False)
    land_area_mu = LooseDecimalField(required=False, min_value=0, max_digits=12, decimal_places=2)
    start_date = LooseDateField(required=False)
    end_date = LooseDateField(required=False)
    planning_partner = forms.CharField(required=False, max_length=120)
    description = forms.CharField(required=False)
    villager_land_mu = LooseDecimalField(required=False, min_value=0, max_digits=12, decimal_places=2)
    over_confirmed = LooseBooleanField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for source in Funding.Source:
            for kind in ("intended", "landed"):
                self.fields[f"{source.value}_{kind}"] = LooseDecimalField(
                    required=False, min_value=0, max_digits=14, decimal_places=2
                )


def validate_project_rows(rows: list[dict], *, village) -> list[RowResult]:
    """The dry run: every row's errors, and for valid rows what project_create will receive."""
    labels = {c.key: str(c.label) for c in PROJECT_COLUMNS}
    partners = {p.name: p for p in Partner.objects.filter(township_id=village.township_id)}
    existing = set(Project.objects.filter(village=village).values_list("name", flat=True))
    seen: dict[str, int] = {}
    results = []
    for index, values in enumerate(rows, start=2):
        result = RowResult(line=index, values=values)
        results.append(result)
        form = ProjectRowForm(data=values)
        valid = form.is_valid()
        result.errors = form_errors(form, labels)
        name = (values.get("name") or "").strip()
        if name and name in existing:
            result.errors.append(_("A project of this name is already in the village's register."))
        if name and name in seen:
            result.errors.append(_("Same project name as line %(line)s.") % {"line": seen[name]})
        seen.setdefault(name, index)
        partner = None
        partner_name = (values.get("planning_partner") or "").strip()
        if partner_name:
            partner = partners.get(partner_name)
            if partner is None:
                result.errors.append(
                    _("%(label)s: no partner named “%(name)s”; add the partner first.")
                    % {"label": labels["planning_partner"], "name": partner_name}
                )
        if not valid:
            continue
        data = form.cleaned_data
        fields = {
            "name": name,
            "category": data["category"],
            "status": data["status"] or Project.Status.PROPOSED,
            "land_area_mu": data["land_area_mu"],
            "start_date": data["start_date"],
            "end_date": data["end_date"],
            "description": data["description"],
        }
        project = Project(village=village, planning_partner=partner, **fields)
        try:
            project.full_clean(exclude=["village"], validate_unique=False)
        except ValidationError as exc:
            result.errors.extend(errors_of(exc, labels))
        fundings = []
        for source in Funding.Source:
            intended = data[f"{source.value}_intended"]
            landed = data[f"{source.value}_landed"]
            if intended is None and landed is None:
                continue
            line = {
                "source": source.value,
                "amount_intended": intended or Decimal("0"),
                "amount_landed": landed or Decimal("0"),
                "land_mu": data["villager_land_mu"] if source == Funding.Source.VILLAGER_LAND else None,
                "over_intended_confirmed": data["over_confirmed"],
            }
            funding = Funding(**line)
            if funding.is_over_intended and not data["over_confirmed"]:
                result.errors.append(
                    _("%(source)s: landed is above intended; put 是 in “%(column)s” if that is right.")
                    % {"source": source.label, "column": labels["over_confirmed"]}
                )
            fundings.append(line)
        if data["villager_land_mu"] and not any(
            f["source"] == Funding.Source.VILLAGER_LAND for f in fundings
        ):
            fundings.append({"source": Funding.Source.VILLAGER_LAND, "land_mu": data["villager_land_mu"]})
        if result.ok:
            result.payload = {**fields, "planning_partner": partner, "fundings": fundings}
    return results


@transaction.atomic
def import_projects(results: list[RowResult], *, village, actor) -> int:
    """Saves every row's project with its funding lines; all or nothing."""
    if any(not r.ok for r in results):
        raise ValidationError(_("Some rows have errors; nothing was saved."))
    for result in results:
        services.project_create(village=village, actor=actor, **result.payload)
    return len(results)


def project_row_summary(result: RowResult) -> list[str]:
    v = result.values
    return [v.get("name", ""), v.get("category", ""), v.get("status", ""), v.get("start_date", "")]
