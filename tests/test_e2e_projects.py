"""Browser test in Debian's Chromium: a cadre records a project with two funding lines and sees the totals."""

import pytest
from playwright.sync_api import expect

from projects.models import Project
from tests.factories_registries import PartnerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1280, "height": 900}


def sign_in(page, base, user):
    page.goto(base + "/accounts/login/")
    page.get_by_label("电子邮件地址").fill(user.email)
    page.get_by_label("密码").fill("pw-for-tests-123")
    page.locator("main").get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="工作台", exact=True)).to_be_visible()


def test_cadre_adds_a_project_with_two_funding_lines_and_sees_the_totals(
    page, live_server, cadre, village, township, artifacts_dir
):
    PartnerFactory(township=township, name="浙江大学旅游研究所")
    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, cadre)
    page.get_by_role("link", name="新东村").first.click()
    page.locator(".registries").get_by_role("link", name="新增项目").click()
    expect(page.get_by_role("heading", name="新增项目")).to_be_visible()

    page.get_by_label("名称").fill("“一花五叶”乡村振兴样板区")
    page.get_by_label("类别").select_option(label="乡村旅游")
    page.get_by_label("状态").select_option(label="建设中")
    page.get_by_label("规划单位").select_option(label="浙江大学旅游研究所")
    page.get_by_label("用地面积（亩）").fill("5200")
    page.locator("select[name=funding-0-source]").select_option(label="财政资金")
    page.locator("input[name=funding-0-amount_intended]").fill("6500000")
    page.locator("input[name=funding-0-amount_landed]").fill("6200000")
    page.locator("select[name=funding-1-source]").select_option(label="群众出资")
    page.locator("input[name=funding-1-amount_intended]").fill("1800000")
    # a slip: more landed than intended, not confirmed
    page.locator("input[name=funding-1-amount_landed]").fill("18000000")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("到位金额超出意向金额。请勾选此项确认无误。")).to_be_visible()
    assert not Project.objects.exists()
    page.screenshot(path=str(artifacts_dir / "registries-project-error-phone-zh.png"), full_page=True)

    page.locator("input[name=funding-1-amount_landed]").fill("1500000")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", name="“一花五叶”乡村振兴样板区")).to_be_visible()
    expect(page.get_by_test_id("intended-total")).to_have_text("830万元")
    expect(page.get_by_test_id("landed-total")).to_have_text("770万元")
    expect(page.get_by_test_id("intended-exact")).to_have_text("8,300,000.00")
    expect(page.get_by_test_id("landed-exact")).to_have_text("7,700,000.00")
    expect(page.locator(".funding-table tbody tr")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(artifacts_dir / "registries-project-phone-zh.png"), full_page=True)

    project = Project.objects.get()
    assert project.fundings.count() == 2
    assert project.created_by == cadre

    # the village list and the public page carry the same totals
    page.set_viewport_size(DESKTOP)
    page.get_by_role("link", name="项目 · 新东村").click()
    expect(page.locator("tfoot")).to_contain_text("830万元")
    page.screenshot(path=str(artifacts_dir / "registries-project-list-desktop-zh.png"), full_page=True)
    page.goto(live_server.url + "/v/xindong/")
    expect(page.locator(".public-projects")).to_contain_text("770万元")
    page.screenshot(path=str(artifacts_dir / "registries-public-desktop-zh.png"), full_page=True)
