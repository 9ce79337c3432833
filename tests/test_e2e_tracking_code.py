"""In Chromium: after raising a matter the resident sees the code large, copies it with one tap and can scan
its QR code; a lost code is asked for again by mobile number. Screenshots at 375 px and 1366 px."""

import re

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1366, "height": 900}


def field_label(text):
    return re.compile(rf"^{re.escape(text)}\s*\*?$")


def test_confirmation_page_code_copy_and_qr(browser, live_server, village, artifacts_dir, settings):
    settings.PUBLIC_SITE_URL = live_server.url
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10000)
    page.goto(f"{live_server.url}/v/{village.code}/submit/")
    page.get_by_label(field_label("一句话说明是什么事")).fill("桥头路灯不亮")
    page.get_by_label(field_label("详细描述")).fill("桥头两盏路灯坏了一个月，晚上过桥很危险。")
    page.get_by_label(field_label("类别")).select_option(index=1)
    page.get_by_role("button", name=re.compile("提交")).click()
    code_box = page.locator("#tracking-code")
    expect(code_box).to_be_visible()
    code = code_box.inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{12}", code)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot = artifacts_dir / "tracking-code-phone.png"
    page.screenshot(path=str(shot), full_page=True)
    # The QR code on the screen opens this matter's page.
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(shot))]
    assert decoded == [f"{live_server.url}/track/{code}/"]
    copy = page.get_by_role("button", name="复制查询码")
    expect(copy).to_be_visible()
    copy.click()
    expect(page.get_by_role("button", name="已复制")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == code
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(artifacts_dir / "tracking-code-desktop.png"), full_page=True)
    context.close()


def test_confirmation_page_without_javascript_keeps_the_code_selectable(browser, live_server, village):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/v/{village.code}/submit/")
    page.get_by_label(field_label("一句话说明是什么事")).fill("桥头路灯不亮")
    page.get_by_label(field_label("详细描述")).fill("桥头两盏路灯坏了一个月。")
    page.get_by_label(field_label("类别")).select_option(index=1)
    page.get_by_role("button", name=re.compile("提交")).click()
    expect(page.locator("#tracking-code")).to_be_visible()
    # No button that does nothing; the code itself can be selected and copied.
    expect(page.locator("[data-copy]")).to_be_hidden()
    assert page.locator("#tracking-code").evaluate("el => getComputedStyle(el).userSelect") in (
        "all",
        "auto",
        "text",
    )
    context.close()


def test_recovery_page_on_a_phone(browser, live_server, village, artifacts_dir):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/track/")
    page.get_by_role("link", name="查询码丢了？通过短信找回").click()
    page.screenshot(path=str(artifacts_dir / "recover-phone.png"), full_page=True)
    page.get_by_label(field_label("手机号")).fill("139123")
    page.get_by_role("button", name="把查询码发给我").click()
    expect(page.locator(".error")).to_be_visible()
    expect(page.get_by_label(field_label("手机号"))).to_have_value("139123")
    page.screenshot(path=str(artifacts_dir / "recover-phone-error.png"), full_page=True)
    page.get_by_label(field_label("手机号")).fill("13912345678")
    page.get_by_role("button", name="把查询码发给我").click()
    expect(page.get_by_role("status")).to_contain_text("正在发送")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(artifacts_dir / "recover-sent-phone.png"), full_page=True)
    context.close()
