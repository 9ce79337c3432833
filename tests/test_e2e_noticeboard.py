"""In Chromium at 375 px: a visitor reads a matter open for opinions and gives one that the cadre then
sees as step-2 evidence; a visitor's suggestion appears only after a cadre approves it; the village's
poster prints to one A4 page and its QR code decodes to the village's form."""

import io
import re

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from noticeboard.posters import submit_url
from roundtable.models import Issue, Opinion, Stage
from villages.models import Village

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 667}
PASSWORD = "tongxin-demo-2026"


@pytest.fixture
def demo_site(live_server, demo_committed):
    return live_server


def sign_in(page, base, email):
    page.goto(base + "/accounts/login/")
    page.get_by_label("电子邮件地址").fill(email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="工作台", exact=True)).to_be_visible()


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_visitor_opinion_reaches_the_cadre_as_step_two_evidence(browser, demo_site, artifacts_dir):
    base = demo_site.url
    visitor = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    visitor.set_default_timeout(10000)
    visitor.goto(base + "/v/xindong/")
    section = visitor.locator("section.noticeboard-section", has=visitor.locator("#consult-heading"))
    expect(section).to_be_visible()
    visitor.screenshot(path=str(artifacts_dir / "nb-01-village-phone.png"), full_page=True)
    section.locator("li.card a").first.click()
    expect(visitor.get_by_role("heading", name="发表您的意见")).to_be_visible()
    assert fits(visitor)
    title = visitor.locator("article h1").inner_text()
    issue = Issue.objects.get(village__code="xindong", title=title, stage=Stage.SOLICITING)
    visitor.get_by_label("反对", exact=True).check()
    visitor.get_by_label(re.compile("^您的意见")).fill("路口太窄，建议先征求东侧三户意见再定方案。")
    visitor.get_by_label("您的姓名（可选）").fill("黄阿伯")
    visitor.screenshot(path=str(artifacts_dir / "nb-02-consult-form-phone.png"), full_page=True)
    visitor.get_by_role("button", name="提交意见").click()
    expect(visitor.locator(".message-success")).to_contain_text("谢谢")
    assert Opinion.objects.filter(issue=issue, source=Opinion.Source.PUBLIC, visitor_name="黄阿伯").exists()
    # not published yet: the visitor's own words are not on the public page
    expect(visitor.get_by_text("路口太窄")).to_have_count(0)

    cadre = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    cadre.set_default_timeout(10000)
    sign_in(cadre, base, "cadre@xindong.demo")
    cadre.goto(base + f"/work/v/xindong/issues/{issue.pk}/")
    panel = cadre.locator("section.consultation")
    expect(panel).to_contain_text("路口太窄，建议先征求东侧三户意见再定方案。")
    expect(panel).to_contain_text("黄阿伯")
    expect(panel.locator(".public-opinions li", has_text="路口太窄").locator(".badge").first).to_have_text(
        "公众意见"
    )
    panel.locator(".public-opinions li", has_text="路口太窄").scroll_into_view_if_needed()
    cadre.screenshot(path=str(artifacts_dir / "nb-03-cadre-sees-opinion-phone.png"), full_page=True)
    assert fits(cadre)


def test_suggestion_appears_only_after_approval(browser, demo_site, artifacts_dir):
    base = demo_site.url
    text = "建议在村口公告栏旁装一盏夜灯，方便晚上看通知。"
    visitor = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    visitor.set_default_timeout(10000)
    visitor.goto(base + "/v/xindong/suggestions/")
    visitor.get_by_label(re.compile("^您的意见建议")).fill(text)
    visitor.get_by_role("button", name="提交意见建议").click()
    expect(visitor.locator(".message-success")).to_be_visible()
    expect(visitor.get_by_text(text)).to_have_count(0)
    assert fits(visitor)
    visitor.screenshot(path=str(artifacts_dir / "nb-04-suggestion-sent-phone.png"), full_page=True)

    cadre = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    cadre.set_default_timeout(10000)
    sign_in(cadre, base, "cadre@xindong.demo")
    cadre.goto(base + "/work/v/xindong/suggestions/?status=pending")
    card = cadre.locator("li.card", has_text=text)
    expect(card).to_be_visible()
    cadre.screenshot(path=str(artifacts_dir / "nb-05-moderation-phone.png"), full_page=True)
    assert fits(cadre)
    card.get_by_role("button", name="通过").click()
    expect(cadre.locator(".message-success")).to_be_visible()

    visitor.reload()
    expect(visitor.get_by_text(text)).to_be_visible()


def test_poster_prints_to_one_a4_page_and_its_qr_decodes(browser, demo_site, artifacts_dir):
    base = demo_site.url
    page = browser.new_page(viewport={"width": 794, "height": 1123}, locale="zh-CN")
    page.goto(base + "/v/xindong/poster/")
    expect(page.locator(".poster-village")).to_have_text("新东村")
    pdf = page.pdf(format="A4", print_background=True)
    (artifacts_dir / "nb-06-poster.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 1
    page.emulate_media(media="print")
    shot = page.screenshot(path=str(artifacts_dir / "nb-07-poster.png"), full_page=True)
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))]
    assert decoded == [submit_url(Village.objects.get(code="xindong"))]
