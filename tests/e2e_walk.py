"""Walking the portal in Chromium the way a user does: from a few addresses, following links.

Used by the layout tests of the staff pages (tests/test_e2e_staff_phone.py) and of the public pages
(tests/test_e2e_elderly.py): one page per URL pattern, with the real objects of the demo.
"""

import re
from urllib.parse import urlsplit

from django.urls import Resolver404, get_resolver, resolve

PASSWORD = "tongxin-demo-2026"
# Not pages: downloads, images, printouts (A4 documents with their own print CSS: a meeting's, a notice, the
# monthly report), feeds, confirmations of a deletion.
SKIP = re.compile(
    r"export|\.csv|\.xlsx|\.png|/photo/|/print/|/report/|/notice/|/feed/|/files/|import-template|/delete/"
)


def route_of(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def sign_in(page, base, email):
    page.goto(base + "/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/work/"))


def plain_paths(prefix: str) -> list[str]:
    """The addresses under `prefix` that take no argument, from the URL configuration itself."""
    paths = []

    def collect(patterns, above=""):
        for entry in patterns:
            route = above + str(entry.pattern)
            if hasattr(entry, "url_patterns"):
                collect(entry.url_patterns, route)
            elif (
                route.startswith(prefix) and "<" not in route and "(" not in route and not SKIP.search(route)
            ):
                paths.append("/" + route.lstrip("^").rstrip("$"))

    collect(get_resolver().url_patterns)
    return paths


def walk(page, base, start, keep, limit=150):
    """Yield (route name, path) for each HTML page reached from `start` by links whose path `keep`s,
    one per URL pattern; the page is open in `page` while the caller looks at it."""
    seen, queue, count = set(), list(start), 0
    while queue and count < limit:
        path = queue.pop(0)
        route = route_of(urlsplit(path).path)
        if route is None or route in seen:
            continue
        seen.add(route)
        response = page.goto(base + path, wait_until="domcontentloaded")
        if response is None or response.status != 200:
            continue
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        count += 1
        yield route, path
        for href in page.eval_on_selector_all(
            "a[href]:not([download])", "links => links.map((a) => a.getAttribute('href'))"
        ):
            parts = urlsplit(href)
            if (
                parts.netloc
                or not parts.path.startswith("/")
                or SKIP.search(parts.path)
                or not keep(parts.path)
            ):
                continue
            if route_of(parts.path) not in seen:
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
