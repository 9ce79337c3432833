"""In Chromium at 375 px and 1366 px: a cadre's issue list longer than the count's cap says "more than"
and the Next button still walks to the last issue."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from accounts.models import Membership
from core import pagination
from roundtable.models import Issue
from tests.factories import make_user
from tests.test_capped_pagination import _issues

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [375, 1366])
def test_capped_list_pages_to_the_end(browser, live_server, village, monkeypatch, artifacts_dir, width):
    monkeypatch.setattr(pagination, "COUNT_CAP", 40)
    _issues(village, 60, title="村道路灯损坏")
    client = Client()
    client.force_login(make_user(Membership.Role.CADRE, village=village))
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="zh-CN")
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/work/v/{village.code}/issues/")
    expect(page.get_by_text("超过 40 件事项")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / f"capped-list-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    seen = set()
    for number in (1, 2, 3):
        expect(page.locator(".pagination")).to_contain_text(f"第 {number} 页")
        seen |= set(page.locator(".issue-table tbody tr td:first-child .muted").all_inner_texts())
        if number < 3:
            page.get_by_role("link", name="下一页").click()
    assert page.get_by_role("link", name="下一页").count() == 0
    page.locator(".pagination").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / f"capped-list-last-{width}.png"))
    assert seen == {f"#{pk}" for pk in Issue.objects.filter(village=village).values_list("pk", flat=True)}
    context.close()
