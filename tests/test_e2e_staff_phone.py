"""In Chromium against the live demo: every staff page fits a 360 px phone, for every role, in both languages.

For each role the test signs in once per language and walks the workspace the way a user would: from
`/work/` it follows every link that stays under `/work/` (one page per URL pattern, real objects from the
demo), and on each page checks that nothing is wider than the phone, that no table cell holding text is
squeezed to a sliver, and that the lists (tables with the ``stack`` class, one card per row on a phone)
show every field of their first card inside the screen.
"""

import re

import pytest

from tests.e2e_walk import plain_paths, sign_in, walk

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
ROLES = {
    "cadre": "cadre@xindong.demo",
    "member": "member@xindong.demo",
    "supervisor": "supervisor@xindong.demo",
    "official": "official@luoxi.demo",
    "district": "district@luojiang.demo",
}
LANGUAGES = {"zh-hans": "zh-CN", "en": "en-US"}
# What each role must reach by following links from its home: the walk really covers the lists.
MUST_REACH = {
    "cadre": {
        "roundtable:issues",
        "roundtable:issue",
        "roundtable:overdue",
        "roundtable:meetings",
        "roundtable:meeting",
        "roundtable:roundtables",
        "roundtable:roundtable",
        "projects:village_list",
        "projects:detail",
        "talent:village_list",
        "noticeboard:work_briefings",
        "dashboards:village",
    },
    "member": {"roundtable:issues", "roundtable:issue", "roundtable:meetings", "roundtable:meeting"},
    "supervisor": {"roundtable:issues", "roundtable:issue", "roundtable:meetings"},
    "official": {
        "roundtable:overdue",
        "dashboards:township",
        "dashboards:issues",
        "dashboards:overdue",
        "dashboards:escalated",
        "dashboards:meetings",
        "projects:list",
        "talent:list",
    },
    "district": {"dashboards:district", "dashboards:issues", "dashboards:meetings"},
}
# Lists of matters: each card shows the matter's #number, its title (a link), the step and the due date.
ISSUE_LISTS = {
    "roundtable:issues",
    "roundtable:overdue",
    "dashboards:issues",
    "dashboards:overdue",
    "dashboards:escalated",
}

SCREENSHOTS = {
    "cadre": {"roundtable:issues", "roundtable:meetings", "projects:village_list", "talent:village_list"},
    "official": {"dashboards:township", "dashboards:overdue", "roundtable:overdue", "projects:list"},
    "supervisor": {"roundtable:issues"},
}

MEASURE = """() => {
  const vw = document.documentElement.clientWidth;
  const hidden = (el) => {
    const head = el.closest('thead');
    return head && getComputedStyle(head).position === 'absolute';
  };
  const narrow = [];
  for (const cell of document.querySelectorAll('td, th')) {
    const r = cell.getBoundingClientRect();
    if (!cell.innerText.trim() || r.height === 0 || hidden(cell)) continue;
    if (r.width < 48) narrow.push(cell.innerText.trim().slice(0, 20) + ' (' + Math.round(r.width) + 'px)');
  }
  const cut = [];
  for (const table of document.querySelectorAll('table.stack')) {
    const row = table.querySelector('tbody tr');
    if (!row) continue;
    for (const cell of row.children) {
      const r = cell.getBoundingClientRect();
      if (cell.innerText.trim() && (r.left < 0 || r.right > vw + 0.5 || r.height === 0))
        cut.push((cell.dataset.label || '?') + ': ' + cell.innerText.trim().slice(0, 20));
    }
  }
  // Every table fits the phone, but the dashboards' ranking: places compared column by column scroll
  // sideways inside their frame (the page itself does not), the place's name held at the left.
  const wide = [...document.querySelectorAll('table:not(.ranking)')]
    .filter((t) => t.getBoundingClientRect().width > vw)
    .map((t) => t.className || 'table');
  const over = [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > vw + 0.5 && el.children.length === 0)
    .slice(0, 3).map((el) => el.tagName + '.' + el.className + ' ' + (el.innerText || '').slice(0, 20));
  return {scroll: document.documentElement.scrollWidth, vw, narrow, cut, wide, over};
}"""

FIRST_CARD = """() => {
  const table = document.querySelector('table.stack');
  if (!table) return null;
  const row = [...table.querySelectorAll('tbody tr')].find((r) => r.querySelector('[data-label]'));
  if (!row) return {empty: true};
  const title = row.querySelector('.stack-title');
  return {
    text: row.innerText,
    title_link: !!(title && title.querySelector('a')),
    columns: [...row.children].map((c) => c.dataset.label || ''),
    stage: !!row.querySelector('.badge'),
  };
}"""


@pytest.mark.parametrize("role", list(ROLES))
def test_staff_pages_fit_a_360px_phone(browser, demo_server, artifacts_dir, role):
    problems, reached = {}, {}
    for language, locale in LANGUAGES.items():
        context = browser.new_context(viewport=PHONE, locale=locale)
        page = context.new_page()
        # The charts draw into boxes of a fixed size: their script only costs time here.
        page.route(re.compile(r"echarts"), lambda route: route.abort())
        sign_in(page, demo_server.url, ROLES[role])
        visited = set()
        start = ["/work/", *plain_paths("work/")]
        for route, path in walk(page, demo_server.url, start, keep=lambda path: path.startswith("/work/")):
            visited.add(route)
            found = page.evaluate(MEASURE)
            trouble = []
            if found["scroll"] > PHONE["width"]:
                trouble.append(f"page {found['scroll']}px wide: {found['over']}")
            if found["narrow"]:
                trouble.append(f"squeezed cells {found['narrow'][:5]}")
            if found["cut"]:
                trouble.append(f"card fields off screen {found['cut'][:5]}")
            if found["wide"]:
                trouble.append(f"tables wider than the phone {found['wide']}")
            if route in ISSUE_LISTS:
                card = page.evaluate(FIRST_CARD)
                if card is None:
                    trouble.append("no stacked list of matters")
                elif not card.get("empty") and not (
                    re.search(r"#\d+", card["text"]) and card["title_link"] and card["stage"]
                ):
                    trouble.append(f"first card lacks #number, title or step: {card}")
            if trouble:
                problems[f"{language} {path}"] = trouble
            if route in SCREENSHOTS.get(role, ()):
                shot = artifacts_dir / f"phone-{role}-{route.replace(':', '-')}-{language}.png"
                page.screenshot(path=str(shot), full_page=True)
        reached[language] = visited
        context.close()
    for language, visited in reached.items():
        assert MUST_REACH[role] <= visited, (language, sorted(MUST_REACH[role] - visited))
    assert not problems, "\n".join(f"{where}: {'; '.join(what)}" for where, what in problems.items())


DESKTOP_LISTS = {
    "issues": "/work/v/xindong/issues/",
    "meetings": "/work/v/xindong/meetings/",
    "projects": "/work/v/xindong/projects/",
    "overdue": "/work/dashboard/overdue/",
}


def test_staff_lists_stay_tables_on_a_desktop(browser, demo_server, artifacts_dir):
    for language, locale in LANGUAGES.items():
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale=locale)
        page = context.new_page()
        page.route(re.compile(r"echarts"), lambda route: route.abort())
        sign_in(page, demo_server.url, ROLES["cadre"])
        for name, path in DESKTOP_LISTS.items():
            page.goto(demo_server.url + path)
            tables = page.eval_on_selector_all(
                "table.stack",
                """tables => tables.map((t) => [
                  getComputedStyle(t).display,
                  getComputedStyle(t.querySelector('thead')).position,
                  t.querySelectorAll('tbody tr').length,
                ])""",
            )
            assert tables, path
            for display, head, rows in tables:
                assert (display, head) == ("table", "static") and rows > 0, path
            page.screenshot(path=str(artifacts_dir / f"desktop-cadre-{name}-{language}.png"), full_page=True)
        context.close()
