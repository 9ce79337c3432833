"""Browser test in Debian's Chromium: a township official reads the dashboard, filters it, exports the
ranking to XLSX and prints the monthly report on A4."""

import datetime
import io
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from accounts.models import Membership
from roundtable.models import Issue, Stage
from tests.dashboards_helpers import carry, small_world
from tests.factories import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1366, "height": 900}

CANVAS_INK = """(selector) => {
  const canvas = document.querySelector(selector + ' canvas');
  if (!canvas) { return 0; }
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) { inked++; } }
  return inked;
}"""


@pytest.fixture
def township_with_matters(db):
    world = small_world()
    now = timezone.now()
    a, b = world["villages"][:2]
    ca, cb = world["cadres"][a.pk], world["cadres"][b.pk]
    day = datetime.timedelta(days=1)
    carry(a, Stage.CLOSED, raised=now - 60 * day, days=[1, 2, 3, 1, 5, 2], cadre=ca, rating=4,
          category=Issue.Category.LAND_DISPUTE)  # fmt: skip
    carry(b, Stage.CLOSED, raised=now - 100 * day, days=[2] * 6, cadre=cb, rating=5,
          category=Issue.Category.PETITION)  # fmt: skip
    carry(b, Stage.EXECUTING, raised=now - 45 * day, days=[1, 1, 1, 1], cadre=cb)
    carry(a, Stage.REJECTED, raised=now - 50 * day, days=[1], cadre=ca)
    carry(a, Stage.SOLICITING, raised=now - datetime.timedelta(hours=3), days=[0.05], cadre=ca)
    carry(b, Stage.RAISED, raised=now - datetime.timedelta(hours=2), days=[], cadre=cb)
    world["official"] = make_user(Membership.Role.OFFICIAL, township=world["luoxi"])
    return world


def sign_in(page, base, user):
    page.goto(base + "/accounts/login/")
    page.get_by_label("电子邮件地址").fill(user.email)
    page.get_by_label("密码").fill("pw-for-tests-123")
    page.locator("main").get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="工作台", exact=True)).to_be_visible()


def raised(page) -> int:
    return int(page.get_by_test_id("raised").inner_text())


def test_official_reads_filters_exports_and_prints_the_dashboard(
    page, live_server, township_with_matters, artifacts_dir
):
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server.url, township_with_matters["official"])
    page.get_by_role("link", name="数据看板").click()
    expect(page.get_by_role("heading", name="罗溪镇数据看板")).to_be_visible()

    # the charts draw on their canvases
    for chart in ["chart-stages", "chart-steps", "chart-ranking", "chart-satisfaction"]:
        expect(page.locator(f'[data-chart="{chart}"][data-drawn]')).to_have_count(1)
        assert page.evaluate(CANVAS_INK, f'[data-chart="{chart}"]') > 100, chart

    # a period filter changes the numbers
    today = timezone.localdate()
    page.get_by_label("时段").select_option("custom")
    page.locator("input[name=start]").fill((today - datetime.timedelta(days=365)).isoformat())
    page.locator("input[name=end]").fill(today.isoformat())
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_test_id("raised")).to_have_text("6")
    page.screenshot(path=str(artifacts_dir / "dashboard-desktop-zh.png"), full_page=True)
    page.get_by_label("时段").select_option("month")
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_test_id("period")).to_contain_text(today.replace(day=1).isoformat())
    assert raised(page) < 6

    # the ranking exports to XLSX with the filters applied
    with page.expect_download() as download:
        page.locator("#ranking-h ~ .exports").get_by_role("link", name="XLSX").click()
    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active  # noqa: SIM115
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "村" and rows[-1][0] == "合计"
    assert len(rows) == 1 + 2 + 1
    assert rows[-1][1] == raised(page)

    # a 375 px phone: nothing wider than the screen, tables scroll inside their frame
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator('[data-chart="chart-stages"][data-drawn]')).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(artifacts_dir / "dashboard-phone-zh.png"), full_page=True)

    # the monthly report prints on one or two A4 pages
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + f"/work/dashboard/t/luoxi/report/?month={today:%Y-%m}")
    expect(page.locator('[data-chart="chart-steps"][data-drawn]')).to_have_count(1)
    page.emulate_media(media="print")
    page.screenshot(path=str(artifacts_dir / "dashboard-report-print-zh.png"), full_page=True)
    pdf = page.pdf(format="A4", print_background=True)
    (artifacts_dir / "dashboard-report.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 2, pages
