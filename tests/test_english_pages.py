"""English is complete on every page: a crawl of the public pages and of every role's workspace, in English,
fails on Chinese characters in the visible text that are not data.

Data is whatever the database holds (names, titles, villages, notes: every text column of every model),
and anything the page marks as Chinese on purpose with ``lang="zh…"`` (the practice's own names, e.g.
圆桌六步 beside their English label, and "中文" in the language switch). Everything else in Chinese is a
word of the interface left untranslated.
"""

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.apps import apps
from django.db import models

from accounts.models import User

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
# Addresses not to follow: downloads, printing, the admin, signing out, language switching.
SKIP = re.compile(
    r"^/(admin|static|media|i18n|accounts/logout|healthz|metrics)|"
    r"(\.csv|\.xlsx|\.png|\.svg|/export|format=(csv|xlsx)|/print/|/photo/|/poster|/report/)"
)
ROLES = [
    None,
    "official@luoxi.demo",
    "district@luojiang.demo",
    "cadre@xindong.demo",
    "supervisor@xindong.demo",
    "member@xindong.demo",
]
MAX_PAGES = 120
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class VisibleText(HTMLParser):
    """The text a person sees (plus labels a screen reader reads), outside elements marked lang="zh…"."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.texts: list[str] = []
        self.links: list[str] = []

    def _hidden(self) -> bool:
        return any(hidden for _tag, hidden in self.stack)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        hidden = tag in ("script", "style", "template") or (a.get("lang") or "").lower().startswith("zh")
        if not hidden and not self._hidden():
            for name in ("title", "aria-label", "placeholder", "alt"):
                if a.get(name):
                    self.texts.append(a[name])
            if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
                self.texts.append(a["value"])
        if tag not in VOID:
            self.stack.append((tag, hidden))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if data.strip() and not self._hidden():
            self.texts.append(data)


def database_strings() -> list[str]:
    """Every text in the database that holds Chinese, longest first (so that longer ones are cut first)."""
    found = set()
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField) and not f.choices
        ]
        if not fields:
            continue
        for row in model._base_manager.values_list(*fields):
            for value in row:
                if isinstance(value, str) and CJK.search(value):
                    found.add(value.strip())
                    found.update(
                        part.strip() for part in re.split(r"[\n·、，,（）()]", value) if part.strip()
                    )
    return sorted((s for s in found if s), key=len, reverse=True)


def leftover_chinese(text: str, data: list[str]) -> str:
    if not CJK.search(text):
        return ""
    for value in data:
        if value in text:
            text = text.replace(value, " ")
            if not CJK.search(text):
                return ""
    return text.strip() if CJK.search(text) else ""


def _shape(path: str) -> str:
    """Pages of one kind are visited once: /work/v/x/issues/12/ stands for every issue page."""
    parts = urlsplit(path)
    return re.sub(r"\d+", "N", parts.path) + (
        "?" + re.sub(r"=[^&]*", "=", parts.query) if parts.query else ""
    )


def crawl(client, start: list[str]) -> dict[str, list[str]]:
    data = database_strings()
    seen_shapes, queue, problems, visited = set(), deque(start), {}, 0
    while queue and visited < MAX_PAGES:
        path = queue.popleft()
        shape = _shape(path)
        if shape in seen_shapes:
            continue
        seen_shapes.add(shape)
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        visited += 1
        parser = VisibleText()
        parser.feed(response.content.decode())
        left = [t for t in (leftover_chinese(text, data) for text in parser.texts) if t]
        if left:
            problems[path] = sorted(set(left))[:8]
        for href in parser.links:
            href = urldefrag(href)[0]
            if href.startswith("/") and not href.startswith("//") and not SKIP.search(href):
                queue.append(href)
    assert visited >= 5, "the crawl found too few pages"
    return problems


@pytest.mark.parametrize("email", ROLES, ids=lambda e: (e or "anonymous").split("@")[0])
def test_english_pages_have_no_chinese_interface_text(client, demo, email):
    client.cookies["django_language"] = "en"
    start = ["/", "/track/", "/track/recover/", "/submit/"]
    if email:
        client.force_login(User.objects.get(email=email))
        start = ["/work/", "/work/dashboard/", "/accounts/profile/", *start]
    problems = crawl(client, start)
    assert not problems, "Chinese interface text on English pages:\n" + "\n".join(
        f"{path}: {texts}" for path, texts in sorted(problems.items())
    )


def test_the_check_finds_untranslated_words():
    parser = VisibleText()
    parser.feed(
        '<p>Status: 待处理</p><p lang="zh-Hans">圆桌六步</p><p>Village 新东村</p><script>var a="中";</script>'
    )
    left = [t for t in (leftover_chinese(text, ["新东村"]) for text in parser.texts) if t]
    assert left == ["Status: 待处理"]
