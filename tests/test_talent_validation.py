"""Validation edges of the talent registry and committee terms: ID numbers, consent, ages, election days."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from talent import services as talent_services
from talent.models import CommitteeMember, Talent, validate_id_number
from tests.factories_registries import (
    TalentFactory,
    TermFactory,
    valid_id_number,
)
from tests.matching import constraint, reason

pytestmark = pytest.mark.django_db

BASE = {"name": "茶园观光", "category": "tourism", "status": "planning"}


def test_id_number_checksum():
    validate_id_number(valid_id_number())
    validate_id_number("11010519491231002X")  # the standard's own example
    with pytest.raises(
        ValidationError, match=reason("This ID number's check digit is wrong; please check it.")
    ):
        validate_id_number("110105194912310021")
    with pytest.raises(ValidationError, match=reason("Enter an 18-character resident ID number.")):
        validate_id_number("12345")


def test_talent_mobile_needs_consent(village):
    with pytest.raises(
        ValidationError,
        match=reason("Record the day the person agreed before keeping a mobile or ID number."),
    ) as exc:
        talent_services.talent_create(
            village=village,
            name="张三",
            gender="m",
            birth_year=1980,
            education="senior",
            mobile="13812345678",
        )
    assert "consent_date" in exc.value.message_dict
    assert not Talent.objects.exists()
    with (
        pytest.raises(IntegrityError, match=constraint("talent_personal_data_needs_consent")),
        transaction.atomic(),
    ):
        Talent.objects.create(
            village=village,
            name="张三",
            gender="m",
            birth_year=1980,
            education="senior",
            mobile="13812345678",
        )


def test_talent_bad_mobile_and_too_young_rejected(village):
    this_year = timezone.localdate().year
    with pytest.raises(ValidationError, match=reason("A talent must be at least 16 years old.")) as exc:
        talent_services.talent_create(
            village=village,
            name="李四",
            gender="f",
            birth_year=this_year - 10,
            education="junior",
            mobile="12345",
            consent_date=datetime.date(2020, 1, 1),
        )
    assert {"mobile", "birth_year"} <= set(exc.value.message_dict)


def test_talent_roundtable_of_another_village_rejected(village, other_village):
    from roundtable.models import Roundtable

    elsewhere = Roundtable.objects.create(village=other_village, name="别村圆桌会")
    with pytest.raises(
        ValidationError, match=reason("Choose a roundtable of the talent's own village.")
    ) as exc:
        talent_services.talent_create(
            village=village,
            name="王五",
            gender="m",
            birth_year=1980,
            education="senior",
            roundtable=elsewhere,
        )
    assert "roundtable" in exc.value.message_dict


def test_talent_skills_replaced_on_update(village):
    talent = talent_services.talent_create(
        village=village,
        name="赵六",
        gender="m",
        birth_year=1980,
        education="senior",
        skills=["farming", "law"],
    )
    talent_services.talent_update(talent=talent, skills=["law", "finance"])
    assert sorted(talent.skills.values_list("skill", flat=True)) == ["finance", "law"]
    with pytest.raises(ValidationError, match=reason("Choose skills from the list.")):
        talent_services.talent_update(talent=talent, skills=["juggling"])


def test_committee_member_at_least_eighteen(village):
    with pytest.raises(
        ValidationError, match=reason("A committee member is at least 18 years old when elected.")
    ):
        talent_services.term_save(
            village=village,
            year=2018,
            members=[
                {
                    "name": "小孩",
                    "role": "committee_member",
                    "gender": "m",
                    "birth_year": 2005,
                    "education": "senior",
                }
            ],
        )
    assert not CommitteeMember.objects.exists()


def test_election_day_in_the_election_year(village):
    with pytest.raises(ValidationError, match=reason("The election day must fall in the election year.")):
        talent_services.term_save(village=village, year=2018, elected_on=datetime.date(2017, 12, 1))
    term = TermFactory(village=village, year=2015)
    with pytest.raises(ValidationError, match=constraint("committee_term_unique_year")):
        talent_services.term_save(village=village, year=2015)  # the village has a 2015 term already
    assert term.village.committee_terms.count() == 1


def test_existing_talent_id_number_is_normalised_to_upper_case(village):
    talent = TalentFactory(village=village)
    talent_services.talent_update(talent=talent, id_number="11010519491231002x")
    talent.refresh_from_db()
    assert talent.id_number == "11010519491231002X"
