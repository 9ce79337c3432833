"""Importing the talent pool from a spreadsheet (the preview/confirm plumbing is in projects.imports)."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from projects.imports import RowResult, errors_of, form_errors
from projects.tabular import (
    Column,
    LooseBooleanField,
    LooseChoiceField,
    LooseDateField,
    LooseMultipleChoiceField,
    one_of,
)
from talent import services
from talent.models import Education, Gender, Skill, Talent

TALENT_COLUMNS = [
    Column("name", _lazy("name"), required=True),
    Column("gender", _lazy("gender"), required=True, help=one_of(Gender.choices)),
    Column("birth_year", _lazy("birth year"), required=True, help=_lazy("Four digits, e.g. 1985.")),
    Column("education", _lazy("education"), required=True, help=one_of(Education.choices)),
    Column("mobile", _lazy("mobile number"), help=_lazy("11 digits; needs the consent date.")),
    Column("id_number", _lazy("ID number"), help=_lazy("18 characters; needs the consent date.")),
    Column(
        "skills",
        _lazy("skills"),
        help=one_of(Skill.choices, _lazy("Several may be given, separated by 、 or commas.")),
    ),
    Column("is_party_member", _lazy("Party member"), help=_lazy("是 or 否.")),
    Column("is_returned", _lazy("returned talent"), help=_lazy("是 or 否.")),
    Column("is_reserve_cadre", _lazy("reserve cadre"), help=_lazy("是 or 否.")),
    Column("assessment", _lazy("一懂两爱 assessment"), help=one_of(Talent.Assessment.choices)),
    Column("specialty", _lazy("specialty")),
    Column("consent_date", _lazy("consent given on"), help=_lazy("The day the person agreed to be listed.")),
]


class TalentRowForm(forms.Form):
    """One spreadsheet row of the talent import."""

    name = forms.CharField(max_length=50)
    gender = LooseChoiceField(choices=Gender.choices)
    birth_year = forms.IntegerField(min_value=1920, max_value=2100)
    education = LooseChoiceField(choices=Education.choices)
    mobile = forms.CharField(required=False, max_length=20)
    id_number = forms.CharField(required=False, max_length=20)
    skills = LooseMultipleChoiceField(choices=Skill.choices, required=False)
    is_party_member = LooseBooleanField()
    is_returned = LooseBooleanField()
    is_reserve_cadre = LooseBooleanField()
    assessment = LooseChoiceField(choices=Talent.Assessment.choices, required=False)
    specialty = forms.CharField(required=False, max_length=200)
    consent_date = LooseDateField(required=False)


def validate_talent_rows(rows: list[dict], *, village) -> list[RowResult]:
    """The dry run: every row's errors, and for valid rows what talent_create will receive."""
    labels = {c.key: str(c.label) for c in TALENT_COLUMNS}
    existing = set(Talent.objects.filter(village=village).values_list("name", "birth_year"))
    seen: dict[tuple, int] = {}
    results = []
    for index, values in enumerate(rows, start=2):
        result = RowResult(line=index, values=values)
        results.append(result)
        form = TalentRowForm(data=values)
        if not form.is_valid():
            result.errors = form_errors(form, labels)
            continue
        data = dict(form.cleaned_data)
        skills = data.pop("skills")
        data["name"] = data["name"].strip()
        data["mobile"] = data["mobile"].replace(" ", "").replace("-", "")
        data["id_number"] = data["id_number"].replace(" ", "").upper()
        data["assessment"] = data["assessment"] or Talent.Assessment.PENDING
        key = (data["name"], data["birth_year"])
        if key in existing:
            result.errors.append(_("This person (same name and birth year) is already in the talent pool."))
        if key in seen:
            result.errors.append(_("Same person as line %(line)s.") % {"line": seen[key]})
        seen.setdefault(key, index)
        try:
            Talent(village=village, **data).full_clean(exclude=["village", "roundtable"])
        except ValidationError as exc:
            result.errors.extend(errors_of(exc, labels))
        if result.ok:
            result.payload = {**data, "skills": skills}
    return results


@transaction.atomic
def import_talents(results: list[RowResult], *, village) -> int:
    """Saves every row's talent; all or nothing."""
    if any(not r.ok for r in results):
        raise ValidationError(_("Some rows have errors; nothing was saved."))
    for result in results:
        services.talent_create(village=village, **result.payload)
    return len(results)
