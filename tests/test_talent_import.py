"""Talent import: a dry run listing each row's errors; nothing saved unless every row is valid."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from talent.models import Talent, TalentSkill
from tests.factories_registries import TalentFactory, valid_id_number

pytestmark = pytest.mark.django_db

HEADER = [
    "姓名",
    "性别",
    "出生年份",
    "学历",
    "手机号码",
    "身份证号",
    "专长",
    "党员",
    "回归人才",
    "本人同意日期",
]
GOOD_ID = valid_id_number("35050419900101002")


def xlsx(rows) -> SimpleUploadedFile:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("talent.xlsx", buffer.getvalue())


def upload(client, village, rows):
    response = client.post(reverse("talent:import", kwargs={"code": village.code}), {"file": xlsx(rows)})
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


def test_bad_rows_are_listed_and_nothing_is_saved(client, cadre, village):
    TalentFactory(village=village, name="陈建国", birth_year=1970)
    client.force_login(cadre)
    rows = [
        HEADER,
        [
            "林美玲",
            "女",
            1988,
            "本科",
            "13912345678",
            GOOD_ID,
            "电子商务、乡村旅游",
            "是",
            "否",
            "2019-05-01",
        ],
        ["王五", "男", 1975, "高中或中专", "12345", "", "农业技术", "", "", "2019-05-01"],
        ["赵六", "男", 1980, "初中", "13800000000", "350504198001010011", "", "", "", "2019-05-01"],
        ["钱七", "男", 1982, "初中", "13800000001", "", "", "", "", ""],
        ["孙八", "未知", 1985, "博士后", "", "", "杂技", "也许", "", ""],
        ["陈建国", "男", 1970, "高中或中专", "", "", "", "", "", ""],
        ["林美玲", "女", 1988, "本科", "", "", "", "", "", ""],
    ]
    location = upload(client, village, rows)
    preview = client.get(location)
    html = preview.content.decode()
    assert (preview.context["good"], preview.context["bad"]) == (1, 6)
    for message in (
        "手机号码：",  # the mobile column is named in its error
        "身份证号校验位不正确",
        "登记手机号或身份证号前，请填写本人同意的日期",
        "“未知”不在可选范围内",
        "“杂技”不在可选范围内",
        "请填写“是”或“否”",
        "人才库中已有此人",
        "与第 2 行是同一人",
    ):
        assert message in html, message
    client.post(location)
    assert list(Talent.objects.values_list("name", flat=True)) == ["陈建国"]
    assert not TalentSkill.objects.exists()


def test_good_file_imports_every_row_with_skills(client, cadre, village):
    client.force_login(cadre)
    rows = [
        HEADER,
        [
            "林美玲",
            "女",
            1988,
            "本科",
            "139 1234 5678",
            GOOD_ID.lower(),
            "电子商务、乡村旅游",
            "是",
            "否",
            "2019/05/01",
        ],
        ["王强", "male", "1975", "senior", "", "", "farming, law", "yes", "1", ""],
    ]
    location = upload(client, village, rows)
    assert client.get(location).context["bad"] == 0
    assert client.post(location).status_code == 302
    lin = Talent.objects.get(name="林美玲")
    assert (lin.mobile, lin.id_number, lin.gender, lin.is_party_member) == ("13912345678", GOOD_ID, "f", True)
    assert sorted(lin.skill_codes) == ["ecommerce", "tourism"]
    wang = Talent.objects.get(name="王强")
    assert (wang.education, wang.is_returned, sorted(wang.skill_codes)) == (
        "senior",
        True,
        ["farming", "law"],
    )
    assert wang.assessment == Talent.Assessment.PENDING


def test_import_preview_is_for_cadres_of_the_village_only(client, cadre, official, village):
    client.force_login(cadre)
    location = upload(client, village, [HEADER, ["林美玲", "女", 1988, "本科", "", "", "", "", "", ""]])
    client.force_login(official)
    assert client.get(location).status_code == 404
    assert client.post(location).status_code == 404
    assert not Talent.objects.exists()


def test_talent_export_can_be_imported_into_another_village(
    client, cadre, other_cadre, village, other_village
):
    TalentFactory(village=village, name="往返人", mobile="", id_number="", consent_date=None)
    client.force_login(cadre)
    exported = client.get(reverse("talent:village_export", kwargs={"code": village.code, "fmt": "xlsx"}))
    client.force_login(other_cadre)
    response = client.post(
        reverse("talent:import", kwargs={"code": other_village.code}),
        {"file": SimpleUploadedFile("t.xlsx", exported.content)},
    )
    client.post(response["Location"])
    assert Talent.objects.filter(village=other_village, name="往返人").exists()
