"""Project import (dry run, then all or nothing), templates, and exports that follow the filters."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from core.imports import SESSION_KEY
from projects.models import Funding, Project
from tests.factories_registries import FundingFactory, PartnerFactory, ProjectFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "项目名称",
    "类别",
    "状态",
    "开始日期",
    "计划完成日期",
    "规划单位",
    "财政资金意向金额（元）",
    "财政资金到位金额（元）",
    "社会资本意向金额（元）",
    "社会资本到位金额（元）",
    "到位超出意向已核实",
]


def xlsx(rows) -> SimpleUploadedFile:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("projects.xlsx", buffer.getvalue())


def csv_file(rows, encoding="utf-8-sig", name="projects.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(encoding))


def upload(client, village, f):
    return client.post(reverse("projects:import", kwargs={"code": village.code}), {"file": f})


def test_dry_run_lists_bad_rows_and_saves_nothing(client, cadre, village, township):
    PartnerFactory(township=township, name="浙江大学旅游研究所")
    ProjectFactory(village=village, name="已有项目")
    client.force_login(cadre)
    rows = [
        HEADER,
        [
            "“一花五叶”乡村振兴样板区",
            "乡村旅游",
            "建设中",
            "2017-03-01",
            "2021-12-31",
            "浙江大学旅游研究所",
            "6500000",
            "6200000",
            "35000000",
            "15000000",
            "",
        ],
        ["坏日期", "乡村旅游", "", "2020-05-01", "2020-04-01", "", "100", "50", "", "", ""],
        ["负数", "电子商务", "", "", "", "", "-5", "0", "", "", ""],
        ["超出未确认", "特色农业", "", "", "", "", "100", "150", "", "", ""],
        ["已有项目", "文化", "", "", "", "", "", "", "", "", ""],
        ["不认识的类别", "养猪", "", "", "", "不存在的单位", "", "", "", "", ""],
    ]
    response = upload(client, village, xlsx(rows))
    assert response.status_code == 302
    preview = client.get(response["Location"])
    html = preview.content.decode()
    assert preview.context["bad"] == 5 and preview.context["good"] == 1
    assert "计划完成日期不能早于开始日期" in html
    assert "本村项目库中已有同名项目" in html
    assert "没有名为“不存在的单位”的合作伙伴" in html
    assert "到位金额超出意向金额" in html
    assert "导入 1 行" not in html  # no confirm button while rows are bad
    # confirming anyway saves nothing
    client.post(response["Location"])
    assert list(Project.objects.values_list("name", flat=True)) == ["已有项目"]
    assert not Funding.objects.exists()


def test_confirm_saves_every_row_with_its_funding(client, cadre, village, township):
    planner = PartnerFactory(township=township, name="浙江大学旅游研究所")
    client.force_login(cadre)
    rows = [
        HEADER,
        [
            "一花五叶",
            "乡村旅游",
            "建设中",
            "2017/03/01",
            "2021-12-31",
            "浙江大学旅游研究所",
            "6,500,000",
            "6200000",
            "35000000",
            "15000000",
            "否",
        ],
        ["花卉苗木", "agriculture", "", "", "", "", "2600000", "2700000", "", "", "是"],
    ]
    location = upload(client, village, xlsx(rows))["Location"]
    assert client.get(location).context["bad"] == 0
    response = client.post(location)
    assert response.status_code == 302
    first = Project.objects.get(name="一花五叶")
    assert (first.status, first.planning_partner, first.created_by) == ("in_progress", planner, cadre)
    assert {(f.source, f.amount_intended, f.amount_landed) for f in first.fundings.all()} == {
        ("fiscal", Decimal("6500000"), Decimal("6200000")),
        ("social_capital", Decimal("35000000"), Decimal("15000000")),
    }
    second = Project.objects.get(name="花卉苗木")
    assert second.status == "proposed"
    assert second.fundings.get().over_intended_confirmed is True
    # the stash is gone: a second confirm cannot import twice
    client.post(location)
    assert Project.objects.count() == 2


def test_rows_are_checked_again_on_confirm(client, cadre, village):
    client.force_login(cadre)
    location = upload(client, village, csv_file([["项目名称", "类别"], ["抢先一步", "文化"]]))["Location"]
    ProjectFactory(village=village, name="抢先一步")  # someone else saved it in between
    client.post(location)
    assert Project.objects.filter(name="抢先一步").count() == 1


def test_gbk_csv_and_english_headers_are_read(client, cadre, village):
    client.force_login(cadre)
    rows = [["project name", "category", "fiscal funds intended (yuan)"], ["老街改造", "文化", "300000"]]
    location = upload(client, village, csv_file(rows, encoding="gb18030"))["Location"]
    client.post(location)
    assert Project.objects.get(name="老街改造").fundings.get().amount_intended == Decimal("300000")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a workbook", "无法读取该文件"),
        (None, "无法识别的列"),
        ("missing", "缺少必填列"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_error(client, cadre, village, content, message):
    client.force_login(cadre)
    if content is None:
        f = csv_file([["项目名称", "类别", "颜色"], ["甲", "文化", "红"]])
    elif content == "missing":
        f = csv_file([["类别"], ["文化"]])
    else:
        f = SimpleUploadedFile("broken.xlsx", content)
    response = upload(client, village, f)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert SESSION_KEY not in client.session or not client.session[SESSION_KEY]


def test_wrong_file_type_refused(client, cadre, village):
    client.force_login(cadre)
    response = upload(client, village, SimpleUploadedFile("projects.txt", b"x"))
    assert "请上传 .xlsx 或 .csv 文件" in response.content.decode()


def test_stash_of_another_village_is_not_used(client, village, other_village):
    from accounts.models import Membership
    from tests.factories import make_user

    both = make_user(Membership.Role.CADRE, village=village)
    Membership.objects.create(user=both, role=Membership.Role.CADRE, village=other_village)
    client.force_login(both)
    location = upload(client, village, csv_file([["项目名称", "类别"], ["串村", "文化"]]))["Location"]
    token = location.rstrip("/").rsplit("/", 1)[-1]
    crossed = reverse("projects:import_preview", kwargs={"code": other_village.code, "token": token})
    response = client.post(crossed)
    assert response.status_code == 302
    assert not Project.objects.exists()
    talent_side = reverse("talent:import_preview", kwargs={"code": village.code, "token": token})
    client.post(talent_side)
    assert not Project.objects.exists()


def test_template_downloads_have_the_headers_and_an_explanation(client, cadre):
    client.force_login(cadre)
    response = client.get(reverse("projects:import_template", kwargs={"fmt": "xlsx"}))
    wb = load_workbook(io.BytesIO(response.content))
    headers = [c.value for c in wb.worksheets[0][1]]
    assert headers[:2] == ["项目名称*", "类别*"]
    assert len(wb.worksheets) == 2 and wb.worksheets[1].max_row > 5
    csv_template = client.get(reverse("talent:import_template", kwargs={"fmt": "csv"}))
    assert csv_template.content.decode("utf-8-sig").startswith("姓名*,性别*,出生年份*")


def test_export_can_be_imported_again_elsewhere(client, cadre, other_cadre, village, other_village):
    project = ProjectFactory(village=village, name="可往返")
    FundingFactory(project=project, amount_intended=Decimal("500"), amount_landed=Decimal("300"))
    client.force_login(cadre)
    exported = client.get(reverse("projects:village_export", kwargs={"code": village.code, "fmt": "xlsx"}))
    client.force_login(other_cadre)
    f = SimpleUploadedFile("round.xlsx", exported.content)
    location = upload(client, other_village, f)["Location"]
    client.post(location)
    copy = Project.objects.get(village=other_village, name="可往返")
    assert copy.fundings.get().amount_landed == Decimal("300")


def test_exports_follow_the_filters(client, official, village, other_village):
    ProjectFactory(village=village, name="旅游项目", category="tourism", status="in_progress")
    ProjectFactory(village=village, name="电商项目", category="ecommerce", status="in_progress")
    ProjectFactory(village=other_village, name="洪四旅游", category="tourism", status="planning")
    client.force_login(official)
    url = reverse("projects:export", kwargs={"fmt": "csv"})
    body = client.get(url, {"category": "tourism"}).content.decode("utf-8-sig")
    assert "旅游项目" in body and "洪四旅游" in body and "电商项目" not in body
    body = client.get(url, {"category": "tourism", "village": village.pk}).content.decode("utf-8-sig")
    assert "旅游项目" in body and "洪四旅游" not in body
    body = client.get(url, {"q": "电商"}).content.decode("utf-8-sig")
    assert [r[1] for r in csv.reader(io.StringIO(body))][1:] == ["电商项目"]
    wb = load_workbook(
        io.BytesIO(
            client.get(reverse("projects:export", kwargs={"fmt": "xlsx"}), {"status": "planning"}).content
        )
    )
    names = [row[1] for row in wb.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert names == ["洪四旅游"]


def test_export_neutralises_formulas(client, cadre, village):
    ProjectFactory(village=village, name='=HYPERLINK("http://evil")')
    client.force_login(cadre)
    body = client.get(reverse("projects:village_export", kwargs={"code": village.code, "fmt": "csv"})).content
    assert "'=HYPERLINK" in body.decode("utf-8-sig")
    wb = load_workbook(
        io.BytesIO(
            client.get(
                reverse("projects:village_export", kwargs={"code": village.code, "fmt": "xlsx"})
            ).content
        )
    )
    cell = wb.worksheets[0]["B2"]
    assert cell.data_type == "s" and cell.value.startswith("'=")


def test_other_lists_export_with_filters(client, official, village, other_village):
    from tests.factories_registries import CooperativeFactory

    CooperativeFactory(village=village, name="花卉社", kind="flowers")
    CooperativeFactory(village=other_village, name="药材社", kind="herbs")
    client.force_login(official)
    body = client.get(
        reverse("projects:entry_export", kwargs={"kind": "cooperatives", "fmt": "csv"}), {"kind": "herbs"}
    ).content.decode("utf-8-sig")
    assert "药材社" in body and "花卉社" not in body
