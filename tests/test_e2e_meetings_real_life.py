"""In Chromium on a phone (375 px): a cadre enters a meeting held on paper yesterday, with its chair absent
and a substitute, and its decision; the resident's tracking page says it was entered afterwards. A moved
meeting shows its new time on the tracking page."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Membership
from roundtable import services, workflow
from roundtable.models import Issue, Meeting, Opinion, Stage
from tests.factories import VillageFactory, VillageGroupFactory, make_user
from tests.roundtable_helpers import make_roundtable, raise_issue

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1366, "height": 900}
PASSWORD = "pw-for-tests-123"


def _ready(village, cadre, **kwargs) -> Issue:
    issue = raise_issue(village, **kwargs)
    workflow.issue_accept(issue=issue, actor=cadre)
    workflow.issue_add_opinion(
        issue=issue,
        actor=cadre,
        party="村民代表",
        source=Opinion.Source.MEMBER,
        stance="support",
        text="同意",
    )
    return issue


def _local(moment, fmt="%Y-%m-%d %H:%M"):
    return timezone.localtime(moment).strftime(fmt)


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_meeting_entered_afterwards_and_moved_meeting_on_a_phone(
    browser, live_server, township, artifacts_dir
):
    village = VillageFactory(township=township, name="新东村", code="xindong", is_pilot=True)
    VillageGroupFactory(village=village, name="第一村民小组")
    cadre = make_user(Membership.Role.CADRE, village=village, display_name="陈书记")
    roundtable = make_roundtable(village, members=5, name="新东村党群圆桌会")
    chair = roundtable.members.order_by("pk").first()
    substitute = roundtable.members.order_by("pk")[1]
    issue = _ready(village, cadre, title="村道路灯损坏", raiser_mobile="13900001111", consent=True)
    base = live_server.url

    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10000)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(base + "/accounts/login/")
    page.get_by_label("电子邮件地址").fill(cadre.email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="工作台", exact=True)).to_be_visible()

    # A meeting held yesterday: refused as a schedule, accepted as entered afterwards.
    held = timezone.localtime(timezone.now() - datetime.timedelta(days=1)).replace(
        hour=19, minute=30, second=0, microsecond=0
    )
    page.goto(f"{base}/work/v/xindong/roundtables/{roundtable.pk}/meetings/new/")
    page.locator("#id_starts_at").fill(held.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_place").fill("村委会会议室")
    page.locator("#id_chair").select_option(str(chair.pk))
    page.get_by_role("button", name="安排").click()
    expect(page.get_by_text("如要补录已召开的会议")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "h3-01-past-meeting-refused-375.png"), full_page=True)
    page.get_by_label("已召开，事后补录").check()
    page.get_by_role("button", name="安排").click()
    expect(page.get_by_text("会议已补录")).to_be_visible()
    meeting = Meeting.objects.get(entered_afterwards=True)
    _fits(page, PHONE["width"])

    # The agenda from the paper minutes, then the sign-in sheet: the chair was away.
    page.locator("form", has=page.locator(f'input[name="issue"][value="{issue.pk}"]')).get_by_role(
        "button", name="添加"
    ).click()
    page.locator(f'input[name="m{chair.pk}"][value="absent"]').check()
    for member in roundtable.members.exclude(pk=chair.pk):
        page.locator(f'input[name="m{member.pk}"][value="present"]').check()
    page.get_by_role("button", name="保存出席情况").click()
    expect(page.locator("#id_substitute_chair_error")).to_contain_text(f"主持人{chair.name}未登记为出席")
    page.screenshot(path=str(artifacts_dir / "h3-02-chair-absent-375.png"), full_page=True)
    page.locator("#id_substitute_chair").select_option(str(substitute.pk))
    page.get_by_role("button", name="保存出席情况").click()
    expect(page.get_by_text(f"缺席，由{substitute.name}代为主持").first).to_be_visible()
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.HELD and meeting.substitute_chair == substitute

    # The decision, as written on paper.
    panel = page.locator("details.action", has=page.locator("summary", has_text="记录决议"))
    panel.locator("summary").click()
    panel.get_by_label("讨论记录").fill("与会成员同意修复路灯。")
    panel.get_by_label("赞成票").fill("4")
    panel.get_by_label("反对票").fill("0")
    panel.get_by_label("弃权票").fill("0")
    panel.get_by_label("决议").fill("一周内修复六盏路灯。")
    panel.get_by_label("责任人").select_option(str(cadre.pk))
    panel.get_by_label("完成期限").fill((timezone.localdate() + datetime.timedelta(days=14)).isoformat())
    panel.get_by_role("button", name="记录决议").click()
    issue.refresh_from_db()
    assert issue.stage == Stage.DECIDED
    page.goto(f"{base}/work/v/xindong/meetings/{meeting.pk}/")
    page.screenshot(path=str(artifacts_dir / "h3-03-meeting-entered-afterwards-375.png"), full_page=True)
    _fits(page, PHONE["width"])
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(artifacts_dir / "h3-03-meeting-entered-afterwards-1366.png"), full_page=True)
    page.set_viewport_size(PHONE)

    # The resident's tracking page says when it was held and when it was entered.
    resident = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    resident.goto(f"{base}/track/{issue.tracking_code}/")
    expect(resident.get_by_text("事后补录").first).to_be_visible()
    expect(resident.get_by_text(f"召开于 {_local(meeting.starts_at)}").first).to_be_visible()
    resident.screenshot(path=str(artifacts_dir / "h3-04-track-entered-afterwards-375.png"), full_page=True)
    _fits(resident, PHONE["width"])

    # A meeting ahead moves from 19:30 to 09:30: the tracking page shows only the new time.
    second = _ready(village, cadre, title="水渠堵塞", raiser_mobile="13900002222", consent=True)
    day = timezone.localdate() + datetime.timedelta(days=2)
    evening = timezone.make_aware(datetime.datetime.combine(day, datetime.time(19, 30)))
    ahead = services.meeting_schedule(roundtable=roundtable, starts_at=evening, place="村委会会议室")
    workflow.issue_put_on_agenda(issue=second, actor=cadre, meeting=ahead)
    page.goto(f"{base}/work/v/xindong/meetings/{ahead.pk}/")
    expect(page.get_by_text("出席情况在开会时登记")).to_be_visible()
    assert page.locator(f'form[action$="/meetings/{ahead.pk}/attendance/"]').count() == 0
    page.locator("details", has=page.locator("summary", has_text="会议改期")).locator("summary").click()
    page.locator("#id_starts_at").fill(f"{day.isoformat()}T09:30")
    page.get_by_role("button", name="改期", exact=True).click()
    expect(page.get_by_role("heading", name=f"新东村党群圆桌会 · {day.isoformat()} 09:30")).to_be_visible()
    resident.goto(f"{base}/track/{second.tracking_code}/")
    expect(resident.get_by_text(f"将在 {day.isoformat()} 09:30")).to_be_visible()
    assert "19:30" not in resident.locator("main").inner_text()
    resident.screenshot(path=str(artifacts_dir / "h3-05-track-moved-375.png"), full_page=True)
    _fits(resident, PHONE["width"])
