"""Writes to the talent registries. Every write validates the model fully first."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from talent.models import (
    AdvisoryCouncil,
    CommitteeMember,
    CommitteeTerm,
    CouncilMember,
    Skill,
    Talent,
    TalentSkill,
)
from villages.models import Village

TALENT_FIELDS = (
    "name",
    "gender",
    "birth_year",
    "education",
    "mobile",
    "id_number",
    "is_party_member",
    "is_returned",
    "is_reserve_cadre",
    "assessment",
    "roundtable",
    "specialty",
    "consent_date",
)


def _apply(instance, fields: dict, allowed: Iterable[str]):
    for name in allowed:
        if name in fields:
            setattr(instance, name, fields[name])
    return instance


def _check_skills(skills: Iterable[str]) -> list[str]:
    skills = list(dict.fromkeys(skills))
    if any(s not in Skill.values for s in skills):
        raise ValidationError({"skills": _("Choose skills from the list.")})
    return skills


@transaction.atomic
def talent_create(*, village: Village, skills: Iterable[str] = (), **fields) -> Talent:
    """A new talent of the village with their skills."""
    skills = _check_skills(skills)
    talent = _apply(Talent(village=village), fields, TALENT_FIELDS)
    talent.full_clean()
    talent.save()
    TalentSkill.objects.bulk_create([TalentSkill(talent=talent, skill=s) for s in skills])
    return talent


@transaction.atomic
def talent_update(*, talent: Talent, skills: Iterable[str] | None = None, **fields) -> Talent:
    """Changes the talent and, when given, replaces their skills."""
    talent = Talent.objects.select_for_update().get(pk=talent.pk)
    _apply(talent, fields, TALENT_FIELDS)
    talent.full_clean()
    talent.save()
    if skills is not None:
        skills = _check_skills(skills)
        talent.skills.exclude(skill__in=skills).delete()
        have = set(talent.skills.values_list("skill", flat=True))
        TalentSkill.objects.bulk_create(
            [TalentSkill(talent=talent, skill=s) for s in skills if s not in have]
        )
    return talent


@transaction.atomic
def talent_delete(*, talent: Talent) -> None:
    """Removes the talent (their council seats stay, without the link)."""
    talent.delete()


# --- red advisory council ----------------------------------------------------------------------

COUNCIL_FIELDS = ("name", "founded", "description")
COUNCIL_MEMBER_FIELDS = ("name", "role", "talent", "occupation", "joined")


def _save_children(*, parent_field: str, parent, model, existing, lines, allowed, check=None):
    existing = {obj.pk: obj for obj in existing}
    for line in lines:
        pk = line.get("id")
        obj = existing.get(pk) if pk else None
        if pk and obj is None:
            raise ValidationError(_("A line does not belong here."), code="foreign_line")
        if line.get("delete"):
            if obj is not None:
                obj.delete()
            continue
        obj = _apply(obj or model(**{parent_field: parent}), line, allowed)
        if check:
            check(obj)
        obj.full_clean()
        obj.save()


@transaction.atomic
def council_save(*, village: Village, members: Iterable[dict] = (), **fields) -> AdvisoryCouncil:
    """Creates or changes the village's red advisory council and its seats together."""
    council = AdvisoryCouncil.objects.select_for_update().filter(village=village).first()
    council = _apply(council or AdvisoryCouncil(village=village), fields, COUNCIL_FIELDS)
    council.full_clean()
    council.save()

    def check(member):
        if member.talent is not None and member.talent.village_id != village.pk:
            raise ValidationError({"talent": _("Choose a talent of this village.")})

    _save_children(
        parent_field="council",
        parent=council,
        model=CouncilMember,
        existing=council.members.all(),
        lines=members,
        allowed=COUNCIL_MEMBER_FIELDS,
        check=check,
    )
    return council


# --- committee terms ----------------------------------------------------------------------------

TERM_FIELDS = ("year", "elected_on", "petitions", "note")
COMMITTEE_MEMBER_FIELDS = ("name", "role", "gender", "birth_year", "education", "from_roundtable")


@transaction.atomic
def term_save(
    *, village: Village, term: CommitteeTerm | None = None, members: Iterable[dict] = (), **fields
) -> CommitteeTerm:
    """Creates (or, given one, changes) a committee term of the village with its members."""
    if term is not None and term.village_id != village.pk:
        raise ValidationError(_("This term belongs to another village."))
    term = _apply(term or CommitteeTerm(village=village), fields, TERM_FIELDS)
    if term.elected_on and term.year and term.elected_on.year != term.year:
        raise ValidationError({"elected_on": _("The election day must fall in the election year.")})
    term.full_clean()
    term.save()
    _save_children(
        parent_field="term",
        parent=term,
        model=CommitteeMember,
        existing=term.members.all(),
        lines=members,
        allowed=COMMITTEE_MEMBER_FIELDS,
    )
    return term


@transaction.atomic
def term_delete(*, term: CommitteeTerm) -> None:
    term.delete()


@transaction.atomic
def talent_erase_personal_data(*, talent: Talent) -> Talent:
    """Removes a person's numbers from the talent pool on request; the entry stays for the statistics."""
    talent = Talent.objects.select_for_update().get(pk=talent.pk)
    talent.mobile = ""
    talent.id_number = ""
    talent.consent_date = None
    fields = ["mobile", "mobile_hash", "id_number", "id_number_hash", "consent_date", "updated_at"]
    talent.save(update_fields=fields)
    return talent
