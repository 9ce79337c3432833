"""Talent registry screens: the pool, the red advisory council, committee terms and their statistics."""

import pytest
from django.urls import reverse

from talent.models import AdvisoryCouncil, CommitteeMember, CommitteeTerm, Talent
from tests.factories_registries import CommitteeMemberFactory, TalentFactory, TermFactory, valid_id_number

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


TALENT = {
    "name": "林美玲",
    "gender": "f",
    "birth_year": "1988",
    "education": "bachelor",
    "skills": ["ecommerce", "tourism"],
    "mobile": "13912345678",
    "id_number": valid_id_number("35050419880101002"),
    "consent_date": "2019-05-01",
    "is_returned": "on",
    "assessment": "good",
}


def test_cadre_adds_and_edits_a_talent(client, cadre, village):
    client.force_login(cadre)
    response = client.post(reverse("talent:new", kwargs={"code": village.code}), TALENT)
    talent = Talent.objects.get(name="林美玲")
    assert response.status_code == 302
    assert (talent.village, talent.is_returned, sorted(talent.skill_codes)) == (
        village,
        True,
        ["ecommerce", "tourism"],
    )
    edit = reverse("talent:edit", kwargs={"code": village.code, "pk": talent.pk})
    assert client.post(edit, {**TALENT, "skills": ["law"], "is_returned": ""}).status_code == 302
    talent.refresh_from_db()
    assert (talent.is_returned, talent.skill_codes) == (False, ["law"])


def test_talent_form_errors_keep_what_was_typed(client, cadre, village):
    client.force_login(cadre)
    response = client.post(
        reverse("talent:new", kwargs={"code": village.code}), {**TALENT, "consent_date": ""}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "登记手机号或身份证号前，请填写本人同意的日期" in html
    assert 'value="13912345678"' in html
    assert not Talent.objects.exists()


def test_talent_deleted_by_the_cadre(client, cadre, village):
    talent = TalentFactory(village=village)
    client.force_login(cadre)
    client.post(reverse("talent:delete", kwargs={"code": village.code, "pk": talent.pk}))
    assert not Talent.objects.exists()


def test_talent_list_filters(client, cadre, village):
    a = TalentFactory(village=village, name="党员甲", is_party_member=True, birth_year=1970)
    a.skills.create(skill="farming")
    TalentFactory(village=village, name="群众乙", is_party_member=False, birth_year=1990)
    client.force_login(cadre)
    url = reverse("talent:village_list", kwargs={"code": village.code})
    names = lambda r: [t.name for t in r.context["page"].object_list]  # noqa: E731
    assert names(client.get(url, {"is_party_member": "true"})) == ["党员甲"]
    assert names(client.get(url, {"is_party_member": "false"})) == ["群众乙"]
    assert names(client.get(url, {"skill": "farming"})) == ["党员甲"]
    assert names(client.get(url, {"o": "-birth_year"})) == ["群众乙", "党员甲"]
    assert client.get(url).context["counts"]["party"] == 1


def test_council_set_up_with_members_from_the_pool(client, cadre, village, other_village):
    mine = TalentFactory(village=village, name="陈会长")
    theirs = TalentFactory(village=other_village, name="洪某")
    client.force_login(cadre)
    url = reverse("talent:council_edit", kwargs={"code": village.code})
    data = {
        "name": "新东村红色参事会",
        "founded": "2017-05-01",
        **formset(
            "member",
            [
                {"name": "陈会长", "role": "chair", "talent": mine.pk},
                {"name": "张参事", "role": "member", "occupation": "企业家"},
            ],
        ),
    }
    assert client.post(url, data).status_code == 302
    council = AdvisoryCouncil.objects.get(village=village)
    assert [(m.name, m.role, m.talent_id) for m in council.members.all()] == [
        ("陈会长", "chair", mine.pk),
        ("张参事", "member", None),
    ]
    # a talent of another village is not offered, and cannot be slipped in
    bad = {**data, "member-0-talent": theirs.pk}
    assert client.post(url, bad).status_code == 200
    assert council.members.get(name="陈会长").talent_id == mine.pk


def test_committee_term_recorded_with_its_statistics(client, cadre, village):
    old = TermFactory(village=village, year=2015)
    CommitteeMemberFactory(term=old, birth_year=1965, education="bachelor")  # 50
    CommitteeMemberFactory(term=old, birth_year=1975, education="senior")  # 40
    client.force_login(cadre)
    response = client.post(
        reverse("talent:term_new", kwargs={"code": village.code}),
        {
            "year": "2018",
            "elected_on": "2018-04-12",
            "petitions": "0",
            **formset(
                "member",
                [
                    {
                        "name": "陈书记",
                        "role": "secretary",
                        "gender": "m",
                        "birth_year": "1968",
                        "education": "bachelor",
                    },
                    {
                        "name": "陈思远",
                        "role": "committee_member",
                        "gender": "m",
                        "birth_year": "1992",
                        "education": "bachelor",
                        "from_roundtable": "on",
                    },
                ],
            ),
        },
    )
    assert response.status_code == 302
    term = CommitteeTerm.objects.get(village=village, year=2018)
    assert term.members.count() == 2
    page = client.get(reverse("talent:committee", kwargs={"code": village.code}))
    latest = page.context["history"][0]
    # 2018: ages 50 and 26 → 38.0; 2015: 50 and 40 → 45.0; (38 − 45) / 45 = −15.6%; degrees 1 → 2 = +100%
    assert latest["stats"].average_age == 38
    assert str(latest["change"].average_age_change) == "-15.6"
    assert str(latest["change"].degree_holders_change) == "100.0"
    assert (latest["stats"].under_30, latest["stats"].graduates_under_30) == (1, 1)
    html = page.content.decode()
    assert "-15.6%" in html and "+100%" in html


def test_duplicate_term_year_refused(client, cadre, village):
    TermFactory(village=village, year=2018)
    client.force_login(cadre)
    response = client.post(
        reverse("talent:term_new", kwargs={"code": village.code}),
        {"year": "2018", "petitions": "0", **formset("member", [])},
    )
    assert response.status_code == 200
    assert CommitteeTerm.objects.filter(village=village).count() == 1


def test_term_members_edited_and_removed(client, cadre, village):
    term = TermFactory(village=village, year=2018)
    a = CommitteeMemberFactory(term=term, name="甲")
    b = CommitteeMemberFactory(term=term, name="乙")
    client.force_login(cadre)
    response = client.post(
        reverse("talent:term_edit", kwargs={"code": village.code, "year": 2018}),
        {
            "year": "2018",
            "petitions": "0",
            **formset(
                "member",
                [
                    {
                        "id": a.pk,
                        "name": "甲",
                        "role": "director",
                        "gender": "m",
                        "birth_year": "1970",
                        "education": "college",
                    },
                    {
                        "id": b.pk,
                        "name": "乙",
                        "role": "committee_member",
                        "gender": "m",
                        "birth_year": "1970",
                        "education": "senior",
                        "DELETE": "on",
                    },
                ],
                initial=2,
            ),
        },
    )
    assert response.status_code == 302
    assert list(CommitteeMember.objects.values_list("name", "role", "education")) == [
        ("甲", "director", "college")
    ]


def test_township_screens_render_for_the_official(client, official, village):
    TermFactory(village=village, year=2018)
    client.force_login(official)
    for name in ("talent:list", "talent:councils", "talent:committees"):
        assert client.get(reverse(name)).status_code == 200, name
    overview = client.get(reverse("talent:councils"))
    assert (overview.context["with_council"], overview.context["villages"]) == (0, 1)
