"""Mobile and ID numbers are whole only for cadres of the person's own village: every page, every export."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Membership
from core.masking import mask_id, mask_mobile
from talent.permissions import can_see_personal_data
from tests.factories import make_user
from tests.factories_registries import TalentFactory, valid_id_number

pytestmark = pytest.mark.django_db

MOBILE = "13812345678"
MOBILE_MASKED = "138****5678"
ID = valid_id_number("35050419850312001")
ID_MASKED = ID[:3] + "*" * 11 + ID[-4:]
OTHER_MOBILE = "13900001111"
OTHER_MOBILE_MASKED = "139****1111"


def test_mask_functions():
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_id("11010519491231002X") == "110***********002X"
    assert mask_mobile("") == ""
    assert mask_mobile("12345") == "*****"


@pytest.fixture
def people(village, other_village):
    return {
        "mine": TalentFactory(village=village, name="陈明", mobile=MOBILE, id_number=ID),
        "theirs": TalentFactory(village=other_village, name="洪亮", mobile=OTHER_MOBILE, id_number=""),
    }


def page_urls(village, talent):
    return {
        "village list": reverse("talent:village_list", kwargs={"code": village.code}),
        "township list": reverse("talent:list"),
        "detail": reverse("talent:detail", kwargs={"code": village.code, "pk": talent.pk}),
    }


def export_urls(village):
    return {
        "village csv": reverse("talent:village_export", kwargs={"code": village.code, "fmt": "csv"}),
        "village xlsx": reverse("talent:village_export", kwargs={"code": village.code, "fmt": "xlsx"}),
        "township csv": reverse("talent:export", kwargs={"fmt": "csv"}),
        "township xlsx": reverse("talent:export", kwargs={"fmt": "xlsx"}),
    }


def text_of(response) -> str:
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        wb = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(
            ",".join("" if v is None else str(v) for v in row)
            for row in wb.worksheets[0].iter_rows(values_only=True)
        )
    return response.content.decode("utf-8-sig")


def test_cadre_of_the_village_sees_numbers_whole_everywhere(client, cadre, village, people):
    client.force_login(cadre)
    for name, url in {**page_urls(village, people["mine"]), **export_urls(village)}.items():
        body = text_of(client.get(url))
        assert MOBILE in body, name
        assert ID in body, name
        assert MOBILE_MASKED not in body, name
        # the other village's person is not even listed for this cadre
        assert "洪亮" not in body, name


def test_official_sees_numbers_masked_everywhere(client, official, village, people):
    client.force_login(official)
    for name, url in {**page_urls(village, people["mine"]), **export_urls(village)}.items():
        response = client.get(url)
        assert response.status_code == 200, name
        body = text_of(response)
        assert MOBILE_MASKED in body, name
        assert ID_MASKED in body, name
        assert MOBILE not in body, name
        assert ID not in body, name
        assert OTHER_MOBILE not in body, name
    township = text_of(client.get(reverse("talent:export", kwargs={"fmt": "csv"})))
    assert OTHER_MOBILE_MASKED in township


@pytest.mark.parametrize("who", ["member", "supervisor", "other_cadre"])
def test_others_of_the_township_cannot_open_the_village_talent_at_all(client, request, village, people, who):
    client.force_login(request.getfixturevalue(who))
    urls = {**page_urls(village, people["mine"]), **export_urls(village)}
    for name, url in urls.items():
        if name.startswith("township"):
            continue
        assert client.get(url).status_code == 404, (who, name)


def test_other_cadre_township_list_shows_only_their_own_people_whole(client, other_cadre, village, people):
    client.force_login(other_cadre)
    for url in (reverse("talent:list"), reverse("talent:export", kwargs={"fmt": "csv"})):
        body = text_of(client.get(url))
        assert OTHER_MOBILE in body
        assert "陈明" not in body and MOBILE_MASKED not in body and MOBILE not in body


def test_anonymous_is_sent_to_sign_in(client, village, people):
    for url in {**page_urls(village, people["mine"]), **export_urls(village)}.values():
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


def test_cadre_who_is_also_official_sees_only_own_village_whole(client, village, other_village, people):
    user = make_user(Membership.Role.CADRE, village=village)
    Membership.objects.create(user=user, role=Membership.Role.OFFICIAL, township=village.township)
    assert can_see_personal_data(user, village) and not can_see_personal_data(user, other_village)
    client.force_login(user)
    for url in (reverse("talent:list"), reverse("talent:export", kwargs={"fmt": "xlsx"})):
        body = text_of(client.get(url))
        assert MOBILE in body and ID in body
        assert OTHER_MOBILE_MASKED in body and OTHER_MOBILE not in body
    other_detail = reverse("talent:detail", kwargs={"code": other_village.code, "pk": people["theirs"].pk})
    body = client.get(other_detail).content.decode()
    assert OTHER_MOBILE_MASKED in body and OTHER_MOBILE not in body


def test_talent_never_on_the_public_village_page(client, village, people):
    body = client.get(reverse("villages:detail", kwargs={"code": village.code})).content.decode()
    assert "陈明" not in body and MOBILE not in body and MOBILE_MASKED not in body


def test_council_and_committee_pages_carry_no_numbers(client, official, village, people):
    from talent import services

    services.council_save(
        village=village,
        name="新东村红色参事会",
        members=[{"name": "陈明", "role": "chair", "talent": people["mine"]}],
    )
    client.force_login(official)
    body = client.get(reverse("talent:council", kwargs={"code": village.code})).content.decode()
    assert "陈明" in body and MOBILE not in body and MOBILE_MASKED not in body
