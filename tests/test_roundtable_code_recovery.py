"""A lost tracking code comes back by text message to the mobile given with the matter, and the page that
asks never tells whether a number raised anything: same status, same redirect, same page, same work."""

import datetime
import io
import re

import pytest
import segno
import zxingcpp
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image

from core import clock
from core.qr import qr_svg
from notifications import services as outbox
from notifications.channels import MemorySMSBackend
from notifications.models import Notification
from roundtable import workflow
from roundtable.models import Issue, Stage
from tests.roundtable_helpers import raise_issue

pytestmark = pytest.mark.django_db

KNOWN = "13912345678"
UNKNOWN = "13800000001"
RECOVER = "/track/recover/"
SENT = "/track/recover/sent/"
PROMISE = (
    "If matters were raised with this number, a text message with their tracking codes is on its way. "
    "It can take a few minutes."
)


@pytest.fixture(autouse=True)
def sms_in_memory(settings):
    settings.NOTIFICATIONS_SMS_BACKEND = "notifications.channels.MemorySMSBackend"
    MemorySMSBackend.outbox.clear()
    yield
    MemorySMSBackend.outbox.clear()


@pytest.fixture
def matters(village):
    """Two matters raised with the known number, one with another number."""
    first = raise_issue(village, title="路灯坏了", raiser_mobile=KNOWN, consent=True)
    second = raise_issue(village, title="水渠堵了", raiser_mobile=KNOWN, consent=True)
    other = raise_issue(village, title="别人的事", raiser_mobile="13700000002", consent=True)
    # The receipts written when they were raised are not what this test is about.
    Notification.objects.all().delete()
    return first, second, other


def recovery_rows():
    return Notification.objects.filter(kind=Notification.Kind.CODES_RECOVERY)


def ask(client, mobile):
    return client.post(RECOVER, {"mobile": mobile})


def test_tracking_lookup_links_to_recovery(client):
    assert RECOVER in client.get(reverse("roundtable:track_lookup")).content.decode()


def test_known_number_gets_one_text_with_its_codes_only(client, matters):
    first, second, other = matters
    response = ask(client, KNOWN)
    assert response.status_code == 302 and response["Location"] == SENT
    assert outbox.outbox_send_due() == 1
    [(mobile, text)] = MemorySMSBackend.outbox
    assert mobile == KNOWN
    assert first.tracking_code in text and second.tracking_code in text
    assert other.tracking_code not in text
    row = recovery_rows().get()
    # Sent: the row keeps the number masked, not whole.
    assert (
        row.status == Notification.Status.SENT and row.address == "" and row.recipient_label == "139****5678"
    )


def test_unknown_number_gets_no_text_and_is_not_kept(client, matters):
    response = ask(client, UNKNOWN)
    assert response.status_code == 302 and response["Location"] == SENT
    assert outbox.outbox_send_due() == 0
    assert MemorySMSBackend.outbox == []
    row = recovery_rows().get()
    assert row.status == Notification.Status.CANCELLED and row.address == ""


def _page_of(client, mobile) -> tuple:
    response = ask(client, mobile)
    followed = client.get(response["Location"])
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", followed.content.decode())
    return response.status_code, response["Location"], followed.status_code, body


def test_no_oracle_known_and_unknown_numbers_answer_byte_for_byte_alike(matters):
    known = _page_of(Client(), KNOWN)
    unknown = _page_of(Client(), UNKNOWN)
    assert known == unknown
    with translation.override("zh-hans"):
        promise = gettext(PROMISE)
    assert promise in known[3]
    # The request did the same work for both: one outbox row each, nothing sent yet.
    assert recovery_rows().count() == 2
    assert MemorySMSBackend.outbox == []


def test_no_oracle_same_queries_for_known_and_unknown(matters):
    ask(Client(), "13800000009")  # warm up anything done once per process
    counts = {}
    for mobile in (KNOWN, UNKNOWN):
        c = Client()
        with CaptureQueriesContext(connection) as captured:
            ask(c, mobile)
        # The rate-limit counters' own bookkeeping (the database cache culls now and then) aside, the
        # request reads and writes exactly the same for a number that raised matters and one that did not.
        counts[mobile] = [
            re.sub(r"\d+|'[^']*'", "?", q["sql"])
            for q in captured.captured_queries
            if "_cache" not in q["sql"] and "SAVEPOINT" not in q["sql"]
        ]
    assert counts[KNOWN] == counts[UNKNOWN]
    assert not any("roundtable_issue" in q for q in counts[KNOWN])  # the request never looks
    assert any("notifications_notification" in q for q in counts[KNOWN])


def test_only_open_and_recent_matters_are_sent(client, village, matters, cadre):
    first, _second, _other = matters
    old = raise_issue(village, title="很久以前", raiser_mobile=KNOWN, consent=True)
    workflow.issue_reject(issue=old, actor=cadre, reason="不属于村务")
    Issue.objects.filter(pk=old.pk).update(stage_entered_at=clock.now() - datetime.timedelta(days=120))
    assert Issue.objects.get(pk=old.pk).stage == Stage.REJECTED
    Notification.objects.all().delete()
    ask(client, KNOWN)
    outbox.outbox_send_due()
    [(_mobile, text)] = MemorySMSBackend.outbox
    assert old.tracking_code not in text and first.tracking_code in text


def test_bad_number_is_refused_beside_the_field_and_kept(client, matters):
    response = ask(client, "1391234")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="1391234"' in body
    assert "11 digits" in body or "11 位" in body or "11位" in body
    assert recovery_rows().count() == 0


def test_number_with_spaces_or_country_code_is_understood(client, matters):
    ask(client, "+86 139 1234 5678")
    outbox.outbox_send_due()
    assert [m for m, _t in MemorySMSBackend.outbox] == [KNOWN]


@pytest.mark.usefixtures("one_rate_window")
def test_rate_limit_per_browser_gives_the_429_page(client, matters, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "recover_browser": "2/h"}
    assert ask(client, UNKNOWN).status_code == 302
    assert ask(client, "13800000003").status_code == 302
    refused = ask(client, KNOWN)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert recovery_rows().count() == 2


@pytest.mark.usefixtures("one_rate_window")
def test_rate_limit_per_address_across_browsers(matters, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "recover_address": "2/h"}
    assert ask(Client(), UNKNOWN).status_code == 302
    assert ask(Client(), "13800000003").status_code == 302
    assert ask(Client(), KNOWN).status_code == 429


def test_rate_limit_per_number_drops_silently_for_known_and_unknown_alike(matters, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "recover_number": "2/d"}
    for mobile in (KNOWN, UNKNOWN):
        answers = {_page_of(Client(), mobile) for _i in range(4)}
        assert len(answers) == 1  # the third and fourth look exactly like the first
    # Two rows per number, then nothing more: a number cannot be flooded with texts.
    assert recovery_rows().count() == 4
    outbox.outbox_send_due()
    assert len(MemorySMSBackend.outbox) == 2


def test_erased_raiser_gets_nothing(client, matters):
    first, second, _other = matters
    Issue.objects.filter(pk__in=[first.pk, second.pk]).update(
        raiser_mobile="", raiser_mobile_hash="", personal_data_erased_at=clock.now()
    )
    ask(client, KNOWN)
    assert outbox.outbox_send_due() == 0
    assert MemorySMSBackend.outbox == []


def test_confirmation_page_shows_code_copy_button_and_qr_to_the_absolute_track_url(client, village, settings):
    settings.PUBLIC_SITE_URL = "https://tongxin.example.gov.cn"
    issue = raise_issue(village)
    session = client.session
    session["submitted_code"] = issue.tracking_code
    session.save()
    body = client.get(reverse("roundtable:submitted")).content.decode()
    url = f"https://tongxin.example.gov.cn/track/{issue.tracking_code}/"
    assert 'id="tracking-code"' in body and issue.tracking_code in body
    assert 'data-copy="#tracking-code"' in body
    svg = re.search(r"<svg.*?</svg>", body, re.S).group(0)
    assert svg == qr_svg(url).strip()
    assert url in body
    # Shown once: a shared phone does not hand it to the next person.
    assert issue.tracking_code not in client.get(reverse("roundtable:submitted")).content.decode()


def test_qr_code_decodes_to_the_track_url():
    url = "https://tongxin.example.gov.cn/track/7KQ2MZ9XH4TB/"
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=6, border=4)
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(out.getvalue())))] == [url]
