"""In Chromium: the demo cadre signs in on a phone and reaches their village's workspace."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 667}


def test_demo_cadre_signs_in(page, demo_server, artifacts_dir):
    page.set_viewport_size(PHONE)
    page.goto(demo_server.url + "/")
    page.get_by_role("link", name="工作人员登录").click()
    page.get_by_label("电子邮件地址").fill("cadre@xindong.demo")
    page.get_by_label("密码").fill("tongxin-demo-2026")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="工作台", exact=True)).to_be_visible()
    page.get_by_role("link", name="新东村", exact=True).click()
    expect(page.get_by_role("heading", name="新东村", exact=True)).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "workspace-phone-zh.png"), full_page=True)
