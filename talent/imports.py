"""Importing the talent pool from a spreadsheet (the preview/confirm plumbing is in core.imports)."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts.models import mobile_validator
from core.imports import RowResult, errors_of, form_errors
from core.tabular import (
    Column,
    LooseBooleanField,
    LooseChoiceField,
    LooseDateField,
    LooseMultipleChoiceField,
    one_of,
)
from talent import services
from talent.models import Education, Gender, Skill, Talent, validate_id_number

TALENT_COLUMNS = [
    Column("name", pgettext_lazy("person", "name"), required=True),
    Column("gender", gettext_lazy("gender"), required=True, help=one_of(Gender.choices)),
    Column(
        "birth_year", gettext_lazy("birth year"), required=True, help=gettext_lazy("Four digits, e.g. 1985.")
    ),
    Column("education", gettext_lazy("education"), required=True, help=one_of(Education.choices)),
    Column("mobile", gettext_lazy("mobile number"), help=gettext_lazy("11 digits; needs the consent date.")),
    Column(
        "id_number", gettext_lazy("ID number"), help=gettext_lazy("18 characters; needs the consent date.")
    ),
    Column(
        "skills",
        gettext_lazy("skills"),
        help=one_of(Skill.choices, gettext_lazy("Several may be given, separated by 、 or commas.")),
    ),
    Column("is_party_member", gettext_lazy("Party member"), help=gettext_lazy("是 or 否.")),
    Column("is_returned", gettext_lazy("returned talent"), help=gettext_lazy("是 or 否.")),
    Column("is_reserve_cadre", gettext_lazy("reserve cadre"), help=gettext_lazy("是 or 否.")),
    Column("assessment", gettext_lazy("talent assessment"), help=one_of(Talent.Assessment.choices)),
    Column("specialty", gettext_lazy("specialty")),
    Column(
        "consent_date",
        gettext_lazy("consent given on"),
        help=gettext_lazy("The day the person agreed to be listed."),
    ),
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


def _number_errors(values: dict, labels: dict) -> list[str]:
    """Mobile and ID number checked on their own, so a row with other errors shows these too."""
    out = []
    for key, validator in (("mobile", mobile_validator), ("id_number", validate_id_number)):
        raw = (values.get(key) or "").replace(" ", "").replace("-", "")
        if not raw:
            continue
        try:
            validator(raw.upper())
        except ValidationError as exc:
            out.extend(f"{labels[key]}：{message}" for message in exc.messages)
    return out


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
            result.errors = form_errors(form, labels) + _number_errors(values, labels)
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
