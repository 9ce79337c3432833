"""In Chromium: a resident raises a matter on a phone; the demo cadre carries it through the six steps,
with a real meeting; the supervisor signs it off; the resident sees it closed and rates it."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from roundtable.models import Issue, Stage

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


def field_label(text):
    """A field's label, with or without the required-field asterisk."""
    return re.compile(rf"^{re.escape(text)}\s*\*?$")


def act(page, summary, fields=None, button=None):
    """Opens an action panel on the issue page, fills it and submits it."""
    panel = page.locator("details.action", has=page.locator("summary", has_text=summary))
    if not panel.evaluate("el => el.open"):
        panel.locator("summary").click()
    for label, value in (fields or {}).items():
        panel.get_by_label(field_label(label)).fill(value)
    panel.get_by_role("button", name=button or summary).click()


def test_resident_to_closed_through_six_steps(browser, demo_site, artifacts_dir):
    base = demo_site.url
    # 1 · a resident on a phone raises the matter
    resident = browser.new_context(viewport=PHONE, locale="zh-CN")
    phone = resident.new_page()
    phone.set_default_timeout(10000)
    phone.goto(base + "/v/xindong/submit/")
    phone.get_by_label(field_label("一句话说明是什么事")).fill("第一组水渠堵塞，田里放不进水")
    phone.get_by_label(field_label("详细描述")).fill("东片水渠淤泥堆积，春耕放水困难，约二十亩田受影响。")
    phone.get_by_label(field_label("类别")).select_option(label="公共服务")
    phone.get_by_label("村民小组或片区").select_option(label="第一村民小组")
    phone.get_by_label("手机号码（可选）").fill("13912345678")
    phone.get_by_label(re.compile("我同意村干部保存")).check()
    phone.screenshot(path=str(artifacts_dir / "rt-01-submit-phone.png"), full_page=True)
    phone.get_by_role("button", name="提交").click()
    code = phone.locator("#tracking-code").inner_text().strip()
    assert len(code) >= 10
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.screenshot(path=str(artifacts_dir / "rt-02-code-phone.png"), full_page=True)
    issue = Issue.objects.get(tracking_code=code)

    # 2 · the demo cadre accepts it and records an opinion
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.set_default_timeout(10000)
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, base, "cadre@xindong.demo")
    page.goto(base + "/work/v/xindong/issues/")
    page.get_by_role("link", name="第一组水渠堵塞，田里放不进水").click()
    act(page, "受理并开始征求意见")
    expect(page.locator(".step-current")).to_contain_text("征求论事")
    act(page, "记录意见", {"意见来自": "第一组村民代表", "意见": "同意清淤，村里出材料费。"})
    expect(page.get_by_text("同意清淤，村里出材料费。")).to_be_visible()

    # 3 · a roundtable meeting: schedule it, put the issue on the agenda
    page.goto(base + "/work/v/xindong/roundtables/")
    page.get_by_role("link", name="第一村民小组党群圆桌会").click()
    page.get_by_role("link", name="安排会议").click()
    soon = timezone.localtime() + datetime.timedelta(minutes=30)
    page.get_by_label(field_label("开始时间")).fill(soon.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label(field_label("地点")).fill("村委会会议室")
    page.get_by_role("button", name="安排").click()
    expect(page.get_by_text("会议已安排")).to_be_visible()
    page.locator("li", has_text="第一组水渠堵塞").get_by_role("button", name="添加").click()
    expect(page.locator(".agenda-item", has_text="第一组水渠堵塞")).to_be_visible()

    # the meeting sits: attendance, then the resolution
    for row in page.locator(".attendance-row").all():
        row.get_by_label("出席", exact=True).check()
    page.get_by_role("button", name="保存出席情况").click()
    expect(page.get_by_text("达到法定人数")).to_be_visible()
    item = page.locator(".agenda-item", has_text="第一组水渠堵塞").locator(
        "details.action", has=page.locator("summary", has_text="记录决议")
    )
    item.locator("summary").click()
    present = int(page.locator(".facts").get_by_text(re.compile(r"^\d+ / \d+")).inner_text().split("/")[0])
    item.get_by_label(field_label("讨论记录")).fill("成员一致认为应在春耕前清淤。")
    item.get_by_label(field_label("赞成票")).fill(str(present))
    item.get_by_label(field_label("反对票")).fill("0")
    item.get_by_label(field_label("弃权票")).fill("0")
    item.get_by_label(field_label("决议")).fill("三日内组织清淤，村集体出材料费。")
    item.get_by_label(field_label("责任人")).select_option(label="新东村 · 陈村干")
    item.get_by_label(field_label("完成期限")).fill(
        (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    )
    item.get_by_role("button", name="记录决议").click()
    expect(page.get_by_text("形成决议").first).to_be_visible()
    page.get_by_role("textbox", name=field_label("会议纪要")).fill(
        "应到7人，实到7人。议题：水渠清淤。表决通过。"
    )
    page.get_by_role("button", name="保存纪要").click()
    page.get_by_role("button", name="签发纪要").click()
    expect(page.get_by_text("已签发，纪要已锁定")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "rt-03-meeting.png"), full_page=True)

    # 4 → 5 → 6 · start the work, report it done
    page.locator(".agenda-item").get_by_role("link", name="第一组水渠堵塞，田里放不进水").click()
    act(page, "开始办理")
    expect(page.locator(".step-current")).to_contain_text("集中办事")
    act(page, "报告办结", {"办结说明及佐证": "已清淤两百米，修复垮塌渠壁，放水正常。"})
    expect(page.locator(".step-current")).to_contain_text("制度监事")

    # the supervisor confirms
    sup = browser.new_page(locale="zh-CN")
    sign_in(sup, base, "supervisor@xindong.demo")
    sup.goto(base + f"/work/v/xindong/issues/{issue.pk}/")
    act(sup, "确认办结")
    issue.refresh_from_db()
    assert issue.stage == Stage.CLOSED
    sup.screenshot(path=str(artifacts_dir / "rt-04-closed-staff.png"), full_page=True)

    # the resident sees it closed and rates it
    phone.goto(base + f"/track/{code}/")
    expect(phone.get_by_text("已办结").first).to_be_visible()
    expect(phone.get_by_text("三日内组织清淤，村集体出材料费。", exact=True)).to_be_visible()
    phone.get_by_label("5 · 非常满意").check()
    phone.get_by_role("button", name="提交评价").click()
    expect(phone.get_by_text("5/5")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.screenshot(path=str(artifacts_dir / "rt-05-track-rated-phone.png"), full_page=True)
    issue.refresh_from_db()
    assert issue.satisfaction.score == 5
    assert "13912345678" not in phone.content()
