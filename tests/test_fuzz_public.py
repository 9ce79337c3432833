"""Fuzz test of the public surface: every public URL and form field fed unusual input.

Hypothesis draws from a table of known troublemakers (empty, very long, NUL, CR/LF, RTL override, emoji,
SQL-ish, path tricks, format strings, HTML) and from arbitrary text. Whatever comes in: never a 500, and a
refused request stores nothing.
"""

import uuid
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from roundtable import workflow
from roundtable.models import Issue, Opinion, Satisfaction, Stage
from tests.roundtable_helpers import raise_issue

TROUBLE = [
    "",
    " ",
    "x" * 10_000,
    "\x00",
    "a\x00b",
    "\r\n",
    "line\r\nBcc: a@example.test",
    "\u202eevil\u202c",
    "😀" * 50,
    "'; DROP TABLE roundtable_issue; --",
    "' OR '1'='1",
    "../../../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "%00",
    "%s%s%n",
    "{{ 7*7 }}",
    "<script>alert(1)</script>",
    "\\",
    "-" * 3,
    "１３９１２３４５６７８",
    "13912345678",
    "0",
    "-1",
    "9" * 40,
]
TEXT = st.one_of(
    st.sampled_from(TROUBLE),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200),
)
FUZZ = hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SUBMIT_FIELDS = [
    "title",
    "description",
    "category",
    "group",
    "is_anonymous",
    "raiser_name",
    "raiser_mobile",
    "consent",
    "website",
]


def ok(response):
    assert response.status_code < 500, response.status_code


def fresh_counters(settings):
    """Rate-limit counters of their own (a cache key prefix): clearing Redis would reach other workers."""
    default = settings.CACHES["default"]
    settings.CACHES = {**settings.CACHES, "default": {**default, "KEY_PREFIX": f"f{uuid.uuid4().hex}"}}


@FUZZ
@given(values=st.fixed_dictionaries({}, optional=dict.fromkeys(SUBMIT_FIELDS, TEXT)))
def test_resident_form_takes_any_input(settings, client, village, values):
    fresh_counters(settings)
    before = Issue.objects.count()
    response = client.post(f"/v/{village.code}/submit/", values)
    ok(response)
    stored = Issue.objects.count() - before
    if response.status_code == 302 and stored:
        issue = Issue.objects.latest("pk")
        assert "\x00" not in issue.title + issue.description + issue.raiser_name
        assert "\n" not in issue.title and "\r" not in issue.title
    else:
        assert stored == 0


@FUZZ
@given(
    photo=st.one_of(st.binary(max_size=2000), st.sampled_from([b"", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"]))
)
def test_resident_form_takes_any_file(settings, client, village, photo):
    fresh_counters(settings)
    before = Issue.objects.count()
    data = {"title": "路灯坏了", "description": "坏了", "category": "other"}
    response = client.post(
        f"/v/{village.code}/submit/", {**data, "photo": SimpleUploadedFile("p.jpg", photo)}
    )
    ok(response)
    if response.status_code != 302:
        assert Issue.objects.count() == before


@FUZZ
@given(code=TEXT, query=TEXT)
def test_public_pages_take_any_code_and_query(settings, client, village, code, query):
    fresh_counters(settings)
    segment = quote(code, safe="") or "x"
    for url in (
        "/",
        "/submit/",
        f"/v/{segment}/",
        f"/v/{segment}/submit/",
        f"/track/{segment}/",
        f"/track/{segment}/progress/1/photo/",
        "/track/",
        "/healthz",
    ):
        ok(client.get(url, {"code": query, "q": query, "page": query, "lang": query}))
    ok(client.post("/track/", {"code": query}))
    ok(client.post("/i18n/setlang/", {"language": query, "next": query}))


@pytest.fixture
def soliciting(village, cadre):
    issue = raise_issue(village)
    workflow.issue_accept(issue=issue, actor=cadre)
    return Issue.objects.get(pk=issue.pk)


@FUZZ
@given(stance=TEXT, text=TEXT, score=TEXT, comment=TEXT, note=TEXT)
def test_resident_actions_take_any_input(settings, client, soliciting, stance, text, score, comment, note):
    fresh_counters(settings)
    code = soliciting.tracking_code
    opinions, ratings = Opinion.objects.count(), Satisfaction.objects.count()
    response = client.post(f"/track/{code}/opinion/", {"stance": stance, "text": text})
    ok(response)
    if stance not in Opinion.Stance.values or not text.strip() or len(text) > 3000 or "\x00" in text:
        assert Opinion.objects.count() == opinions
    ok(client.post(f"/track/{code}/rate/", {"score": score, "comment": comment}))
    assert Satisfaction.objects.count() == ratings  # not at step 2: refused, nothing stored
    ok(client.post(f"/track/{code}/withdraw/", {"note": note}))
    issue = Issue.objects.get(pk=soliciting.pk)
    if issue.stage == Stage.WITHDRAWN:
        assert "\x00" not in note and len(note) <= 500
        Issue.objects.filter(pk=issue.pk).update(stage=Stage.SOLICITING)


# --- the same troublemakers, each one for certain (Hypothesis draws only some of them) ----------------


@pytest.mark.parametrize("value", TROUBLE)
def test_every_troublemaker_in_every_public_field(settings, client, village, soliciting, value):
    segment = quote(value, safe="") or "x"
    for url in ("/track/", f"/track/{segment}/", f"/v/{segment}/", f"/v/{segment}/submit/"):
        ok(client.get(url, {"code": value, "q": value}))
    before = Issue.objects.count()
    fresh_counters(settings)
    response = client.post(f"/v/{village.code}/submit/", dict.fromkeys(SUBMIT_FIELDS, value))
    ok(response)
    assert Issue.objects.count() == before  # no valid category among the troublemakers: refused
    code = soliciting.tracking_code
    for action, fields in (("opinion", ["stance", "text"]), ("rate", ["score", "comment"]), ("withdraw", [])):
        fresh_counters(settings)
        ok(client.post(f"/track/{code}/{action}/", dict.fromkeys(fields or ["note"], value)))
    assert not Opinion.objects.exists() and not Satisfaction.objects.exists()
