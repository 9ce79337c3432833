"""Briefings: publication states, who may write them, attachments, public pages and the Atom feed."""

import io
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from accounts.models import Membership
from noticeboard import services
from noticeboard.models import Briefing, BriefingAttachment
from tests.factories import make_user
from tests.factories_noticeboard import BriefingFactory


@pytest.fixture(autouse=True)
def _english():
    """Service errors are matched in English (pages are checked in Chinese)."""
    with translation.override("en"):
        yield


ATOM = "{http://www.w3.org/2005/Atom}"


def _jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def _new(village, cadre, **kwargs):
    return services.briefing_create(
        author=cadre,
        township=village.township,
        village=village,
        title="道路修复通报",
        body="第三组道路已修复。",
        **kwargs,
    )


def test_briefing_create_starts_as_draft_not_public(client, village, cadre):
    briefing = _new(village, cadre)
    assert briefing.status == Briefing.Status.DRAFT
    url = reverse("noticeboard:briefing", kwargs={"code": village.code, "pk": briefing.pk})
    assert client.get(url).status_code == 404
    assert (
        "道路修复通报" not in client.get(reverse("noticeboard:briefings", kwargs={"code": village.code})).text
    )


def test_briefing_publish_shows_it_and_withdraw_hides_it(client, village, cadre):
    briefing = services.briefing_publish(briefing=_new(village, cadre), actor=cadre)
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.PUBLISHED and briefing.published_at is not None
    url = reverse("noticeboard:briefing", kwargs={"code": village.code, "pk": briefing.pk})
    assert "第三组道路已修复" in client.get(url).text
    services.briefing_withdraw(briefing=briefing, actor=cadre)
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.WITHDRAWN and briefing.withdrawn_at is not None
    assert client.get(url).status_code == 404


def test_briefing_publish_twice_is_refused(village, cadre):
    briefing = services.briefing_publish(briefing=_new(village, cadre), actor=cadre)
    with pytest.raises(ValidationError, match="Only a draft can be published"):
        services.briefing_publish(briefing=briefing, actor=cadre)


def test_briefing_withdraw_of_draft_is_refused(village, cadre):
    with pytest.raises(ValidationError, match="Only a published briefing can be withdrawn"):
        services.briefing_withdraw(briefing=_new(village, cadre), actor=cadre)


def test_briefing_update_of_withdrawn_is_refused(village, cadre):
    briefing = services.briefing_publish(briefing=_new(village, cadre), actor=cadre)
    services.briefing_withdraw(briefing=briefing, actor=cadre)
    with pytest.raises(ValidationError, match="withdrawn briefing cannot be edited"):
        services.briefing_update(briefing=briefing, title="新标题", body="x", date=None)
    briefing.refresh_from_db()
    assert briefing.title == "道路修复通报"


def test_briefing_staff_pages_answer_404_to_anonymous_wrong_village_and_members(
    client, village, other_cadre, member
):
    briefing = BriefingFactory(township=village.township, village=village)
    url = reverse("noticeboard:work_briefing", kwargs={"code": village.code, "pk": briefing.pk})
    assert client.get(url).status_code == 302  # to the sign-in page
    for user in (other_cadre, member):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url + "publish/").status_code == 404
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.DRAFT


def test_briefing_cadre_writes_and_publishes_through_the_pages(client, village, cadre):
    client.force_login(cadre)
    response = client.post(
        reverse("noticeboard:work_briefing_new", kwargs={"code": village.code}),
        {"title": "三月圆桌会通报", "date": "2026-03-01", "body": "本月议定三件事。"},
    )
    briefing = Briefing.objects.get(title="三月圆桌会通报")
    assert response.status_code == 302 and briefing.village == village and briefing.author == cadre
    client.post(
        reverse(
            "noticeboard:work_briefing_act",
            kwargs={"code": village.code, "pk": briefing.pk, "action": "publish"},
        )
    )
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.PUBLISHED


def test_briefing_form_with_errors_keeps_what_was_typed(client, village, cadre):
    client.force_login(cadre)
    response = client.post(
        reverse("noticeboard:work_briefing_new", kwargs={"code": village.code}),
        {"title": "", "date": "2026-03-01", "body": "正文保留"},
    )
    assert response.status_code == 400
    assert "正文保留" in response.text
    assert not Briefing.objects.exists()


def test_township_briefing_is_written_by_officials_only(client, village, cadre, official):
    client.force_login(cadre)
    assert client.get(reverse("noticeboard:work_township_briefings")).status_code == 404
    client.force_login(official)
    client.post(
        reverse("noticeboard:work_township_briefing_new"),
        {"title": "全镇圆桌会工作通报", "date": "2026-03-01", "body": "全镇17个村。"},
    )
    briefing = Briefing.objects.get(title="全镇圆桌会工作通报")
    assert briefing.village is None and briefing.township == village.township


def test_attachment_image_is_reencoded_without_exif(village, cadre):
    briefing = _new(village, cadre)
    upload = SimpleUploadedFile("p.jpg", _jpeg_with_exif(), content_type="image/jpeg")
    attachment = services.briefing_add_attachment(briefing=briefing, upload=upload, title="现场")
    assert attachment.kind == BriefingAttachment.Kind.IMAGE
    with attachment.file.open("rb") as f:
        assert b"SecretCam" not in f.read()


def test_attachment_pdf_is_accepted_and_served_only_when_published(client, village, cadre):
    briefing = _new(village, cadre)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    attachment = services.briefing_add_attachment(
        briefing=briefing, upload=SimpleUploadedFile("a.pdf", pdf, content_type="application/pdf")
    )
    url = reverse("noticeboard:attachment", kwargs={"pk": briefing.pk, "att": attachment.pk})
    assert client.get(url).status_code == 404
    services.briefing_publish(briefing=briefing, actor=cadre)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_attachment_other_file_is_refused_with_a_message(village, cadre):
    briefing = _new(village, cadre)
    with pytest.raises(ValidationError, match="JPEG or PNG image or a PDF"):
        services.briefing_add_attachment(
            briefing=briefing, upload=SimpleUploadedFile("x.exe", b"MZ\x90\x00" * 100)
        )
    assert not BriefingAttachment.objects.exists()


def test_attachment_truncated_pdf_is_refused(village, cadre):
    briefing = _new(village, cadre)
    with pytest.raises(ValidationError, match="damaged or incomplete"):
        services.briefing_add_attachment(
            briefing=briefing, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n1 0 obj")
        )


def test_briefing_links_refuse_another_villages_decision(village, other_village, cadre, other_cadre):
    from roundtable.models import Stage
    from tests.roundtable_helpers import advance, raise_issue

    issue = advance(raise_issue(other_village), Stage.DECIDED, cadre=other_cadre)
    with pytest.raises(ValidationError, match="adopted decisions of this briefing's village"):
        _new(village, cadre, decisions=list(issue.resolutions.all()))
    assert not Briefing.objects.exists()


def _feed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)  # noqa: S314 (our own feed, in a test)


def test_feed_is_atom_with_required_elements_and_published_briefings_only(client, village, cadre):
    published = services.briefing_publish(briefing=_new(village, cadre), actor=cadre)
    _new(village, cadre)  # a draft stays out of the feed
    BriefingFactory(township=village.township, village=village, title="未发布的草稿")
    for url in (
        reverse("noticeboard:feed", kwargs={"code": village.code}),
        reverse("noticeboard:township_feed"),
    ):
        root = _feed(client, url)
        assert root.tag == f"{ATOM}feed"
        for required in ("id", "title", "updated"):
            assert root.find(f"{ATOM}{required}") is not None and root.find(f"{ATOM}{required}").text
        assert root.find(f"{ATOM}link[@rel='alternate']") is not None
        entries = root.findall(f"{ATOM}entry")
        assert [e.find(f"{ATOM}title").text for e in entries] == [published.title]
        entry = entries[0]
        for required in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{required}").text
        assert entry.find(f"{ATOM}link").get("href").endswith(published.get_absolute_url())


def test_feed_of_unknown_village_is_404(client, village):
    assert client.get(reverse("noticeboard:feed", kwargs={"code": "nowhere"})).status_code == 404


def test_township_briefing_page_lists_village_briefings_too(client, village, cadre):
    services.briefing_publish(briefing=_new(village, cadre), actor=cadre)
    assert "道路修复通报" in client.get(reverse("noticeboard:township_briefings")).text


@pytest.mark.parametrize("role", [Membership.Role.SUPERVISOR, Membership.Role.MEMBER])
def test_briefing_new_page_is_404_for_non_cadres(client, village, role):
    client.force_login(make_user(role, village=village))
    assert (
        client.get(reverse("noticeboard:work_briefing_new", kwargs={"code": village.code})).status_code == 404
    )
