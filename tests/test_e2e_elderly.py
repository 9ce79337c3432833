"""In Chromium: the public pages for older residents (适老化).

- a large-text switch in the header of every page that works without JavaScript and is remembered;
- tap targets of at least 44 × 44 px on every public page at 375 px, in both text sizes;
- the resident form free of axe-core violations (WCAG 2.1 A and AA, contrast included) in both sizes;
- the resident form filled in and sent with JavaScript off, ending with a tracking code that works.
"""

import re
from pathlib import Path

import axe_playwright_python
import pytest
from playwright.sync_api import expect

from roundtable.models import Issue
from tests.e2e_walk import walk

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1366, "height": 900}
LARGE = {"name": "tongxin_text", "value": "large"}
AXE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
SHOTS = {"home", "villages:detail", "roundtable:track", "roundtable:track_lookup"}
NOT_PUBLIC = ("/work/", "/admin/", "/accounts/", "/i18n/", "/text-size/")
# The A4 poster of the village's QR code is for printing, not for a phone.
POSTER = re.compile(r"/poster/")

TAP_TARGETS = """() => {
  const vw = document.documentElement.clientWidth;
  const small = [];
  // WCAG's exception: a link inside a sentence, whose height is the line's.
  const inSentence = (el) => el.tagName === 'A' && getComputedStyle(el).display === 'inline'
    && [...el.parentElement.childNodes].some((node) => node.nodeType === 3 && node.textContent.trim());
  const targets = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
  for (const el of document.querySelectorAll(targets)) {
    if (el.closest('.hp-field')) continue;  // the honeypot: hidden from people
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right <= 0 || r.left >= vw) continue;  // not shown (skip link)
    if (inSentence(el)) continue;
    let {width, height} = r;
    // A check box or radio button is tapped through its label as well.
    for (const label of el.labels || []) {
      const l = label.getBoundingClientRect();
      width = Math.max(width, l.width);
      height = Math.max(height, l.height);
    }
    if (width < 44 - 0.5 || height < 44 - 0.5) {
      const name = (el.innerText || el.value || el.name || el.getAttribute('aria-label') || '').trim();
      const size = `${Math.round(width)}×${Math.round(height)}`;
      small.push(`${el.tagName.toLowerCase()} "${name.slice(0, 24)}" ${size}`);
    }
  }
  return small;
}"""


def public_pages(page, base):
    code = Issue.objects.exclude(tracking_code="").values_list("tracking_code", flat=True).first()
    start = [
        "/",
        "/submit/",
        "/v/xindong/",
        "/v/xindong/submit/",
        "/track/",
        f"/track/{code}/",
        "/briefings/",
    ]

    def public(path):
        return not path.startswith(NOT_PUBLIC) and not POSTER.search(path)

    return walk(page, base, start, keep=public, limit=40)


def axe_violations(page):
    page.evaluate(AXE)
    result = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


def test_large_text_switch_without_javascript(browser, demo_server, artifacts_dir):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    page.goto(demo_server.url + "/v/xindong/?from=poster")
    normal = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.get_by_role("button", name="大字").click()
    # Back on the same page, with its query, in large type.
    expect(page).to_have_url(demo_server.url + "/v/xindong/?from=poster")
    expect(page.locator("html")).to_have_class(re.compile(r"\btext-large\b"))
    large = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert large >= normal * 1.2
    page.screenshot(path=str(artifacts_dir / "large-text-village-375-zh.png"), full_page=True)
    # Remembered: another page, and another visit, are in large type too.
    page.goto(demo_server.url + "/v/xindong/submit/")
    expect(page.locator("html")).to_have_class(re.compile(r"\btext-large\b"))
    page.screenshot(path=str(artifacts_dir / "large-text-submit-375-zh.png"), full_page=True)
    cookie = next(c for c in context.cookies() if c["name"] == "tongxin_text")
    assert cookie["value"] == "large" and cookie["expires"] > 0 and cookie["httpOnly"]
    # And switched back the same way.
    page.get_by_role("button", name="标准字号").click()
    expect(page).to_have_url(demo_server.url + "/v/xindong/submit/")
    assert page.evaluate("document.documentElement.classList.contains('text-large')") is False
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") == normal
    context.close()


@pytest.mark.parametrize("size", ["standard", "large"])
def test_public_tap_targets_are_44px(browser, demo_server, artifacts_dir, size):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    if size == "large":
        context.add_cookies([{**LARGE, "url": demo_server.url}])
    page = context.new_page()
    too_small, too_wide, seen = {}, {}, set()
    for route, path in public_pages(page, demo_server.url):
        seen.add(route)
        small = page.evaluate(TAP_TARGETS)
        if small:
            too_small[path] = small
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = width
        if size == "large" and route in {
            "home",
            "villages:detail",
            "roundtable:track",
            "roundtable:track_lookup",
        }:
            page.screenshot(
                path=str(artifacts_dir / f"large-text-{route.replace(':', '-')}-375.png"), full_page=True
            )
    context.close()
    assert {
        "home",
        "villages:detail",
        "roundtable:submit",
        "roundtable:track",
        "roundtable:track_lookup",
    } <= seen
    assert not too_small, "\n".join(f"{path}: {', '.join(small)}" for path, small in too_small.items())
    assert too_wide == {}


@pytest.mark.parametrize("size", ["standard", "large"])
def test_resident_form_is_axe_clean(browser, demo_server, artifacts_dir, size):
    for viewport in (PHONE, DESKTOP):
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        if size == "large":
            context.add_cookies([{**LARGE, "url": demo_server.url}])
        page = context.new_page()
        page.goto(demo_server.url + "/v/xindong/submit/")
        assert axe_violations(page) == []
        # With the errors shown next to the fields, too.
        page.get_by_role("button", name="提交").click()
        expect(page.locator(".error").first).to_be_visible()
        assert axe_violations(page) == []
        if size == "large":
            name = f"large-text-submit-errors-{viewport['width']}.png"
            page.screenshot(path=str(artifacts_dir / name), full_page=True)
        context.close()


def test_resident_form_works_without_javascript(browser, live_server, village, artifacts_dir):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/v/xindong/submit/")
    page.get_by_label(re.compile("一句话说明是什么事")).fill("村口路灯坏了三盏")
    page.get_by_label(re.compile("详细描述")).fill("晚上老人出门看不清路，请尽快修理。")
    page.get_by_label(re.compile("类别")).select_option(label="其他")
    page.get_by_role("button", name="提交").click()
    code = page.locator("#tracking-code").inner_text().strip()
    assert len(code) >= 10
    page.screenshot(path=str(artifacts_dir / "nojs-submitted-375.png"), full_page=True)
    issue = Issue.objects.get(tracking_code=code)
    assert issue.title == "村口路灯坏了三盏" and issue.village == village
    page.get_by_role("link", name="查看我的事项").click()
    expect(page.get_by_text("村口路灯坏了三盏")).to_be_visible()
    context.close()
