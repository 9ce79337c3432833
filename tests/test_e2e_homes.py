"""In Chromium: each role's workspace home on a phone and a desktop, in both languages; a supervisor on
a phone opens "waiting for my verdict", confirms a matter, and it leaves the list."""

import re

import pytest
from playwright.sync_api import expect

from roundtable.models import Issue, Stage

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1366, "height": 900}
PASSWORD = "tongxin-demo-2026"
ROLES = {
    "cadre": "cadre@xindong.demo",
    "supervisor": "supervisor@xindong.demo",
    "member": "member@xindong.demo",
    "official": "official@luoxi.demo",
    "district": "district@luojiang.demo",
}
# what each role's home must show (the section headings' ids)
PARTS = {
    "cadre": ["my-villages", "next-meetings"],
    "supervisor": ["waiting-verdict"],
    "member": ["my-roundtables", "open-for-opinions"],
    "official": ["official-watch"],
    "district": ["official-watch"],
}


def sign_in(page, base, email):
    page.goto(base + "/accounts/login/")
    page.get_by_label("电子邮件地址").fill(email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="工作台", exact=True)).to_be_visible()


def fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.django_db(transaction=True)
def test_supervisor_confirms_from_waiting_for_my_verdict(browser, live_server, demo_committed, artifacts_dir):
    base = live_server.url
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10000)
    sign_in(page, base, ROLES["supervisor"])
    expect(page.get_by_role("heading", name="待我确认")).to_be_visible()
    waiting = page.locator("#waiting-verdict-list")
    link = waiting.get_by_role("link").first
    href = link.get_attribute("href")
    pk = int(re.search(r"/issues/(\d+)/", href).group(1))
    assert Issue.objects.get(pk=pk).stage == Stage.SUPERVISING
    page.screenshot(path=str(artifacts_dir / "home-supervisor-before-phone-zh.png"), full_page=True)
    link.click()
    expect(page.locator(".step-current")).to_contain_text("制度监事")
    panel = page.locator("details.action", has=page.locator("summary", has_text="确认办结"))
    if not panel.evaluate("el => el.open"):
        panel.locator("summary").click()
    panel.get_by_role("button", name="确认办结").click()
    expect(page.locator(".step-current")).to_have_count(0)
    assert Issue.objects.get(pk=pk).stage == Stage.CLOSED
    page.goto(base + "/work/")
    expect(page.locator(f'#waiting-verdict-list a[href="{href}"]')).to_have_count(0)
    # it is now among the matters I recently confirmed
    expect(page.locator(f'section[aria-labelledby="waiting-verdict"] a[href="{href}"]')).to_have_count(1)
    fits(page, PHONE["width"])
    page.screenshot(path=str(artifacts_dir / "home-supervisor-after-phone-zh.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("role", list(ROLES))
def test_each_roles_home_on_phone_and_desktop_in_both_languages(browser, demo_server, artifacts_dir, role):
    base = demo_server.url
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10000)
    sign_in(page, base, ROLES[role])
    for part in PARTS[role]:
        expect(page.locator(f"#{part}")).to_be_visible()
    for language, button in (("zh", None), ("en", "English")):
        if button:
            page.get_by_role("button", name=button).click()
            expect(page.locator("html")).to_have_attribute("lang", "en")
            expect(page.get_by_role("heading", name="Workspace", exact=True)).to_be_visible()
        for size, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(viewport)
            page.goto(base + "/work/")
            fits(page, viewport["width"])
            page.screenshot(path=str(artifacts_dir / f"home-{role}-{size}-{language}.png"), full_page=True)
    page.get_by_role("button", name="中文").click()
    context.close()


def test_cadre_finds_a_matter_from_the_home_on_a_phone(browser, demo_server, artifacts_dir):
    base = demo_server.url
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10000)
    sign_in(page, base, ROLES["cadre"])
    page.get_by_label("查找事项").fill("水压")
    page.get_by_role("button", name="搜索").click()
    results = page.locator("#search-results li")
    expect(results.first).to_contain_text("水压")
    # the village's cadre sees who raised it, and finds the matter again by that name
    raiser = results.first.locator(".muted", has_text="提事人").first.inner_text()
    name = raiser.split("：")[-1].split(":")[-1].split("·")[0].strip()
    page.get_by_label("搜索").fill(name)
    page.get_by_role("button", name="搜索").click()
    expect(page.locator("#search-results li").first).to_contain_text(name)
    fits(page, PHONE["width"])
    page.screenshot(path=str(artifacts_dir / "search-cadre-phone-zh.png"), full_page=True)
    context.close()
