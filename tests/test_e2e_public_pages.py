"""In Chromium against the live server: the public pages on a phone and a desktop, in both languages."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1366, "height": 900}


def test_home_in_chinese_on_a_phone(page, demo_server, artifacts_dir):
    page.set_viewport_size(PHONE)
    page.goto(demo_server.url + "/")
    expect(page.locator("h1")).to_contain_text("罗溪镇")
    expect(page.get_by_role("link", name="新东村")).to_be_visible()
    # Nothing wider than the phone: no horizontal scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(artifacts_dir / "home-phone-zh.png"), full_page=True)


def test_home_at_desktop_size(page, demo_server, artifacts_dir):
    page.set_viewport_size(DESKTOP)
    page.goto(demo_server.url + "/")
    expect(page.locator(".village-card")).to_have_count(17)
    page.screenshot(path=str(artifacts_dir / "home-desktop-zh.png"), full_page=True)


def test_switch_to_english(page, demo_server, artifacts_dir):
    page.set_viewport_size(PHONE)
    page.goto(demo_server.url + "/v/xindong/")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Village groups and areas")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "village-phone-en.png"), full_page=True)
    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_public_pages_fit_a_360px_phone(browser, demo_server, locale):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale=locale)
    page = context.new_page()
    too_wide = {}
    for path in [
        "/",
        "/v/xindong/",
        "/v/luoxi/",
        "/submit/",
        "/v/xindong/submit/",
        "/track/",
        "/accounts/login/",
    ]:
        page.goto(demo_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            too_wide[path] = width
    context.close()
    assert too_wide == {}
