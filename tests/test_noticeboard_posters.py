"""Posters and printable notices: the QR codes decode to the village's absolute submit address."""

import io
import re

import pytest
import zxingcpp
from django.urls import reverse
from PIL import Image

from noticeboard import posters
from roundtable import services
from tests.roundtable_helpers import make_roundtable, raise_issue, schedule

SITE = "https://tongxin.example.gov.cn"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.PUBLIC_SITE_URL = SITE


def _decode(png: bytes) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_poster_png_qr_decodes_to_the_absolute_submit_address(client, village):
    response = client.get(reverse("noticeboard:poster_png", kwargs={"code": village.code}))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert _decode(response.content) == [f"{SITE}/v/{village.code}/submit/"]


def test_poster_png_is_a4_portrait(client, village):
    response = client.get(reverse("noticeboard:poster_png", kwargs={"code": village.code}))
    width, height = Image.open(io.BytesIO(response.content)).size
    assert abs(height / width - 297 / 210) < 0.01


def test_poster_page_qr_svg_encodes_the_submit_address(client, village):
    html = client.get(reverse("noticeboard:poster", kwargs={"code": village.code})).text
    assert f"{SITE}/v/{village.code}/submit/" in html and village.name in html
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    # the SVG is the same code as the PNG: decode a PNG built from the same address
    assert svg == posters.qr_svg(f"{SITE}/v/{village.code}/submit/").strip()
    assert _decode(posters.qr_png(f"{SITE}/v/{village.code}/submit/")) == [f"{SITE}/v/{village.code}/submit/"]


def test_poster_of_unknown_village_is_404(client, village):
    assert client.get(reverse("noticeboard:poster", kwargs={"code": "nowhere"})).status_code == 404
    assert client.get(reverse("noticeboard:poster_png", kwargs={"code": "nowhere"})).status_code == 404


def test_meeting_notice_shows_time_place_agenda_and_no_minutes_or_names(client, village, cadre):
    roundtable = make_roundtable(village)
    meeting = schedule(roundtable, hours_ago=-24)
    services.meeting_add_topic(meeting=meeting, topic="春耕用水安排")
    meeting.minutes = "内部记录：某某反对"
    meeting.save(update_fields=["minutes"])
    raise_issue(village, raiser_name="吴小红", raiser_mobile="13700000000", consent=True)
    html = client.get(
        reverse("noticeboard:meeting_notice", kwargs={"code": village.code, "pk": meeting.pk})
    ).text
    assert "春耕用水安排" in html and meeting.place in html
    for secret in ("内部记录", "成员0", "吴小红", "13700000000"):
        assert secret not in html


def test_meeting_notice_of_cancelled_or_other_village_meeting_is_404(client, village, other_village, cadre):
    meeting = schedule(make_roundtable(other_village), hours_ago=-24)
    assert (
        client.get(
            reverse("noticeboard:meeting_notice", kwargs={"code": village.code, "pk": meeting.pk})
        ).status_code
        == 404
    )
    services.meeting_cancel(meeting=meeting, reason="台风")
    url = reverse("noticeboard:meeting_notice", kwargs={"code": other_village.code, "pk": meeting.pk})
    assert client.get(url).status_code == 404
