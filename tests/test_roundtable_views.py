"""Pages of the workflow: permissions by role, the resident form, tracking, escaping, query counts."""

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.models import Membership
from roundtable import workflow
from roundtable.models import Issue, Opinion, RoundtableMember, Stage
from tests.factories import make_user
from tests.roundtable_helpers import advance, hold, make_roundtable, raise_issue, schedule


@pytest.fixture
def roundtable(village):
    return make_roundtable(village, members=5)


def issue_url(issue, name="roundtable:issue", **extra):
    return reverse(name, kwargs={"code": issue.village.code, "pk": issue.pk, **extra})


# --- permissions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("other_cadre", 404),
        ("cadre", 200),
        ("member", 200),
        ("supervisor", 200),
        ("official", 200),
    ],
)
def test_issue_page_by_role(client, request, village, other_village, who, expected):
    issue = raise_issue(village)
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert client.get(issue_url(issue)).status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("other_cadre", 404), ("cadre", 200), ("member", 200), ("official", 200)],
)
def test_meeting_page_by_role(client, request, village, other_village, roundtable, who, expected):
    meeting = schedule(roundtable, hours_ago=-24)
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    url = reverse("roundtable:meeting", kwargs={"code": village.code, "pk": meeting.pk})
    assert client.get(url).status_code == expected


def test_other_village_issue_answers_404_like_missing(client, village, other_cadre):
    issue = raise_issue(village)
    client.force_login(other_cadre)
    # through the cadre's own village address too: the issue belongs to another village
    own = reverse(
        "roundtable:issue", kwargs={"code": other_cadre.memberships.get().village.code, "pk": issue.pk}
    )
    assert client.get(own).status_code == 404
    assert client.get(issue_url(issue)).status_code == 404
    missing = reverse("roundtable:issue", kwargs={"code": village.code, "pk": 999999})
    assert client.get(missing).status_code == 404


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("cadre", True), ("member", False), ("supervisor", False), ("official", False), ("other_cadre", False)],
)
def test_accept_only_by_own_cadre(client, request, village, other_village, who, allowed):
    issue = raise_issue(village)
    client.force_login(request.getfixturevalue(who))
    response = client.post(issue_url(issue, "roundtable:issue_act", move="accept"), {"accept-note": ""})
    issue.refresh_from_db()
    assert (issue.stage == Stage.SOLICITING) is allowed
    if who == "other_cadre":
        assert response.status_code == 404


def test_supervisor_gives_the_step_6_verdict(client, village, cadre, supervisor, roundtable):
    issue = advance(raise_issue(village), Stage.SUPERVISING, cadre=cadre, roundtable=roundtable)
    client.force_login(cadre)
    client.post(issue_url(issue, "roundtable:issue_act", move="confirm"), {"confirm-note": ""})
    assert Issue.objects.get(pk=issue.pk).stage == Stage.SUPERVISING  # cadres cannot sign off their own work
    client.force_login(supervisor)
    response = client.post(
        issue_url(issue, "roundtable:issue_act", move="send_back"), {"send_back-reason": ""}
    )
    assert response.status_code == 400
    client.post(
        issue_url(issue, "roundtable:issue_act", move="send_back"), {"send_back-reason": "还有一盏灯不亮"}
    )
    assert Issue.objects.get(pk=issue.pk).stage == Stage.EXECUTING


def test_official_comments_and_escalates_but_does_not_move(client, village, official, cadre):
    issue = raise_issue(village)
    client.force_login(official)
    client.post(issue_url(issue, "roundtable:issue_act", move="accept"), {"accept-note": ""})
    assert Issue.objects.get(pk=issue.pk).stage == Stage.RAISED
    client.post(issue_url(issue, "roundtable:issue_act", move="comment"), {"comment-note": "请尽快处理"})
    client.post(issue_url(issue, "roundtable:issue_act", move="escalate"), {"escalate-reason": "超期未受理"})
    issue.refresh_from_db()
    assert issue.escalated_at is not None
    assert issue.timeline.filter(kind="comment", actor=official, is_public=False).exists()


def test_member_records_opinion_and_confirms_attendance(client, village, member, cadre, roundtable):
    seat = roundtable.members.first()
    seat.user = member
    seat.save()
    issue = workflow.issue_accept(issue=raise_issue(village), actor=cadre)
    meeting = schedule(roundtable, hours_ago=-24)
    client.force_login(member)
    client.post(
        issue_url(issue, "roundtable:issue_act", move="opinion"),
        {
            "opinion-party": "王成员",
            "opinion-source": "member",
            "opinion-stance": "support",
            "opinion-text": "同意修路灯",
        },
    )
    assert Opinion.objects.filter(issue=issue, text="同意修路灯").exists()
    client.post(
        reverse(
            "roundtable:meeting_act", kwargs={"code": village.code, "pk": meeting.pk, "action": "confirm"}
        ),
        {"coming": "1"},
    )
    assert meeting.attendance.get(member=seat).confirmed_at is not None
    # but a member cannot build the agenda
    response = client.post(
        reverse(
            "roundtable:meeting_act", kwargs={"code": village.code, "pk": meeting.pk, "action": "add_topic"}
        ),
        {"topic": "x"},
    )
    assert response.status_code == 404


def test_issue_page_offers_exactly_the_allowed_actions(client, village, cadre, roundtable):
    issue = raise_issue(village)
    client.force_login(cadre)
    html = client.get(issue_url(issue)).content.decode()
    for move in ("accept", "reject", "merge"):
        assert issue_url(issue, "roundtable:issue_act", move=move) in html
    for move in ("start", "report_done", "confirm", "put_on_agenda"):
        assert issue_url(issue, "roundtable:issue_act", move=move) not in html


def test_raiser_contact_only_for_own_cadres(client, village, cadre, member, official):
    issue = raise_issue(village, raiser_name="张三丰", raiser_mobile="13812345678", consent=True)
    client.force_login(cadre)
    assert "13812345678" in client.get(issue_url(issue)).content.decode()
    for user in (member, official):
        client.force_login(user)
        html = client.get(issue_url(issue)).content.decode()
        assert "13812345678" not in html and "张三丰" not in html


# --- resident form -------------------------------------------------------------------------------


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (24.0, 57.0, 30.0), 3: "E", 4: (118.0, 35.0, 10.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def submit_data(**extra):
    data = {
        "title": "路灯坏了",
        "description": "村口路灯坏了两个月",
        "category": "public_service",
        "group": "",
        "raiser_name": "",
        "raiser_mobile": "",
        "website": "",
    }
    data.update(extra)
    return data


def submit(client, village, **extra):
    return client.post(reverse("roundtable:submit", kwargs={"code": village.code}), submit_data(**extra))


def test_resident_submits_and_gets_a_tracking_code(client, village):
    response = submit(client, village, raiser_name="李四", raiser_mobile="13912345678", consent="on")
    assert response.status_code == 302
    issue = Issue.objects.get()
    assert issue.channel == Issue.Channel.WEB and issue.consent_at is not None
    page = client.get(response["Location"]).content.decode()
    assert issue.tracking_code in page
    assert reverse("roundtable:track", kwargs={"code": issue.tracking_code}) in page
    assert len(issue.tracking_code) >= 10


def test_tracking_codes_are_unguessable_and_unambiguous(village):
    codes = {raise_issue(village, title=f"事{i}").tracking_code for i in range(50)}
    assert len(codes) == 50
    assert all(len(c) >= 10 and not set(c) & set("01IOLU") for c in codes)


@pytest.mark.parametrize("mobile", ["12345678901", "1381234567", "138123456789", "abc", "23812345678"])
def test_bad_mobile_number_is_refused(client, village, mobile):
    response = submit(client, village, raiser_mobile=mobile, consent="on")
    assert response.status_code == 200
    assert Issue.objects.count() == 0
    assert "路灯坏了" in response.content.decode()  # nothing typed is lost


def test_personal_data_needs_consent(client, village):
    response = submit(client, village, raiser_name="李四")
    assert response.status_code == 200 and Issue.objects.count() == 0
    assert submit(client, village).status_code == 302  # no personal data, no consent needed
    assert Issue.objects.count() == 1


def test_anonymous_drops_the_name(client, village):
    submit(client, village, raiser_name="李四", is_anonymous="on", consent="on")
    issue = Issue.objects.get()
    assert issue.is_anonymous and issue.raiser_name == ""


def test_honeypot_stores_nothing(client, village):
    response = submit(client, village, website="http://spam.example")
    assert response.status_code == 302
    assert Issue.objects.count() == 0


def test_oversized_photo_is_refused(client, village):
    big = SimpleUploadedFile(
        "big.jpg", b"\xff\xd8" + b"0" * (5 * 1024 * 1024 + 10), content_type="image/jpeg"
    )
    response = client.post(
        reverse("roundtable:submit", kwargs={"code": village.code}), {**submit_data(), "photo": big}
    )
    assert response.status_code == 200 and Issue.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content"),
    [("x.jpg", b"not an image at all"), ("x.gif", b"GIF89a" + b"\0" * 40), ("x.pdf", b"%PDF-1.4 ...")],
)
def test_non_image_is_refused(client, village, name, content):
    response = client.post(
        reverse("roundtable:submit", kwargs={"code": village.code}),
        {**submit_data(), "photo": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 200 and Issue.objects.count() == 0


def test_gif_image_is_refused(client, village):
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="GIF")
    response = client.post(
        reverse("roundtable:submit", kwargs={"code": village.code}),
        {**submit_data(), "photo": SimpleUploadedFile("a.gif", out.getvalue())},
    )
    assert response.status_code == 200 and Issue.objects.count() == 0


def test_photo_exif_and_gps_removed(client, village, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    raw = jpeg_with_gps()
    assert Image.open(io.BytesIO(raw)).getexif().get(0x010F) == "PhoneMaker"
    response = client.post(
        reverse("roundtable:submit", kwargs={"code": village.code}),
        {**submit_data(), "photo": SimpleUploadedFile("p.jpg", raw, content_type="image/jpeg")},
    )
    assert response.status_code == 302
    issue = Issue.objects.get()
    stored = Image.open(issue.photo.path)
    assert stored.format == "JPEG"
    assert len(stored.getexif()) == 0
    assert b"PhoneMaker" not in open(issue.photo.path, "rb").read()  # noqa: SIM115


@pytest.mark.usefixtures("one_rate_window")
def test_sixth_submission_in_a_minute_gets_429(client, village):
    for i in range(5):
        assert submit(client, village, title=f"第{i}件事").status_code == 302
    response = submit(client, village, title="第六件事")
    assert response.status_code == 429
    assert Issue.objects.count() == 5
    assert "请" in response.content.decode() or "wait" in response.content.decode()


def test_submission_needs_csrf(village):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("roundtable:submit", kwargs={"code": village.code}), submit_data())
    assert response.status_code == 403 and Issue.objects.count() == 0


# --- tracking ------------------------------------------------------------------------------------


def test_unknown_code_is_the_ordinary_404(client, village):
    response = client.get(reverse("roundtable:track", kwargs={"code": "ZZZZZZZZZZZZ"}))
    other = client.get("/no/such/page/")
    assert response.status_code == other.status_code == 404


def _category_select(page: str) -> str:
    return re.search(r'<select name="category".*?</select>', page, re.S).group(0)


def test_resident_and_cadre_forms_preselect_no_category(client, village, cadre):
    page = client.get(reverse("roundtable:submit", kwargs={"code": village.code})).content.decode()
    select = _category_select(page)
    assert re.search(r'<option value="" selected>', select)
    assert select.count("selected") == 1
    data = submit_data()
    del data["category"]
    response = client.post(reverse("roundtable:submit", kwargs={"code": village.code}), data)
    assert response.status_code == 200 and Issue.objects.count() == 0
    assert response.context["form"].errors["category"]
    assert data["title"] in response.content.decode()  # what was typed stays
    client.force_login(cadre)
    staff = client.get(reverse("roundtable:issue_new", kwargs={"code": village.code})).content.decode()
    assert _category_select(staff).count("selected") == 1
    assert '<option value="" selected>' in _category_select(staff)


def test_unknown_code_shows_the_lookup_form_with_the_code_and_a_message(client, village):
    response = client.get(
        reverse("roundtable:track", kwargs={"code": "ZZZZZZZZZZZZ"}), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 404
    form = response.context["form"]
    assert "No matter has this tracking code" in form.errors["code"][0]
    page = response.content.decode()
    assert 'value="ZZZZZZZZZZZZ"' in page  # what was typed stays, to be corrected
    assert f'action="{reverse("roundtable:track_lookup")}"' in page


def test_unknown_code_message_is_translated(client, village):
    response = client.get(
        reverse("roundtable:track", kwargs={"code": "ZZZZZZZZZZZZ"}), HTTP_ACCEPT_LANGUAGE="zh-Hans"
    )
    assert response.status_code == 404
    assert "没有找到与这个查询码对应的事项" in response.content.decode()


def test_correcting_an_unknown_code_on_its_page_finds_the_matter(client, village):
    issue = raise_issue(village)
    client.get(reverse("roundtable:track", kwargs={"code": "ZZZZZZZZZZZZ"}))
    response = client.post(reverse("roundtable:track_lookup"), {"code": issue.tracking_code}, follow=True)
    assert response.status_code == 200
    assert response.context["issue"] == issue


@pytest.mark.usefixtures("one_rate_window")
def test_track_lookups_are_rate_limited(client, village):
    for _ in range(10):
        client.get(reverse("roundtable:track", kwargs={"code": "ZZZZZZZZZZZZ"}))
    issue = raise_issue(village)
    assert client.get(reverse("roundtable:track", kwargs={"code": issue.tracking_code})).status_code == 429


def test_track_lookup_form_normalises_the_code(client, village):
    issue = raise_issue(village)
    messy = " " + "-".join(issue.tracking_code[i : i + 4].lower() for i in range(0, 12, 4))
    response = client.post(reverse("roundtable:track_lookup"), {"code": messy})
    assert response["Location"] == reverse("roundtable:track", kwargs={"code": issue.tracking_code})


def test_tracking_page_shows_no_internal_notes_or_personal_data(client, village, cadre, official):
    issue = raise_issue(village, raiser_name="张三丰", raiser_mobile="13812345678", consent=True)
    workflow.issue_comment(issue=issue, actor=official, note="内部备注：请核实", public=False)
    workflow.issue_accept(issue=issue, actor=cadre, note="已受理", note_public=True)
    workflow.issue_add_opinion(
        issue=issue, actor=cadre, party="邻居赵六", source="resident", stance="oppose", text="反对意见"
    )
    html = client.get(reverse("roundtable:track", kwargs={"code": issue.tracking_code})).content.decode()
    assert "已受理" in html
    for secret in ("内部备注", "张三丰", "13812345678", "邻居赵六"):
        assert secret not in html


def test_resident_adds_opinion_withdraws_and_rates(client, village, cadre, supervisor, roundtable):
    issue = workflow.issue_accept(issue=raise_issue(village), actor=cadre)
    code = issue.tracking_code
    client.post(
        reverse("roundtable:track_opinion", kwargs={"code": code}), {"stance": "support", "text": "我同意"}
    )
    assert issue.opinions.get().source == Opinion.Source.RESIDENT
    other = raise_issue(village, title="另一件")
    client.post(reverse("roundtable:track_withdraw", kwargs={"code": other.tracking_code}), {"note": ""})
    assert Issue.objects.get(pk=other.pk).stage == Stage.WITHDRAWN
    done = advance(
        raise_issue(village, title="第三件"),
        Stage.CLOSED,
        cadre=cadre,
        supervisor=supervisor,
        roundtable=roundtable,
    )
    client.post(
        reverse("roundtable:track_rate", kwargs={"code": done.tracking_code}), {"score": "5", "comment": ""}
    )
    assert done.satisfaction.score == 5


def test_withdraw_after_decision_is_refused(client, village, cadre, roundtable):
    issue = advance(raise_issue(village), Stage.DECIDED, cadre=cadre, roundtable=roundtable)
    client.post(reverse("roundtable:track_withdraw", kwargs={"code": issue.tracking_code}), {"note": ""})
    assert Issue.objects.get(pk=issue.pk).stage == Stage.DECIDED


# --- escaping ------------------------------------------------------------------------------------

XSS = "<script>alert(1)</script><img src=x>"


def test_free_text_is_escaped_everywhere(client, village, cadre, supervisor, roundtable):
    issue = raise_issue(village, title=XSS, description=XSS, raiser_name=XSS, consent=True)
    issue = workflow.issue_accept(issue=issue, actor=cadre, note=XSS)
    workflow.issue_add_opinion(
        issue=issue, actor=cadre, party=XSS, source="member", stance="support", text=XSS
    )
    roundtable.members.update(name=XSS)
    meeting = schedule(roundtable)
    item = workflow.issue_put_on_agenda(issue=issue, actor=cadre, meeting=meeting, note=XSS)
    hold(meeting, present=5)
    workflow.issue_decide(
        issue=issue,
        actor=cadre,
        agenda_item=item,
        text=XSS,
        discussion=XSS,
        votes_for=5,
        votes_against=0,
        votes_abstain=0,
        responsible=cadre,
        due_date=timezone.localdate() + datetime.timedelta(days=3),
    )
    from roundtable import services

    services.meeting_save_minutes(meeting=meeting, minutes=XSS)
    workflow.issue_start(issue=issue, actor=cadre, note=XSS)
    workflow.issue_report_progress(issue=issue, actor=cadre, percent=50, note=XSS)
    client.force_login(cadre)
    pages = [
        issue_url(issue),
        reverse("roundtable:issues", kwargs={"code": village.code}),
        reverse("roundtable:meeting", kwargs={"code": village.code, "pk": meeting.pk}),
        reverse("roundtable:meeting_print", kwargs={"code": village.code, "pk": meeting.pk}),
        reverse("roundtable:roundtable", kwargs={"code": village.code, "pk": roundtable.pk}),
        reverse("roundtable:track", kwargs={"code": issue.tracking_code}),
        reverse("villages:detail", kwargs={"code": village.code}),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html, url
        assert "&lt;script&gt;" in html, url


# --- query counts --------------------------------------------------------------------------------


def _count(client, url):
    client.get(url)  # the first page keeps the user's scope (core.stamped): pages after it are compared
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_issue_list_queries_do_not_grow(client, village, cadre):
    client.force_login(cadre)
    url = reverse("roundtable:issues", kwargs={"code": village.code})
    group = village.groups.first()
    for i in range(10):
        raise_issue(village, title=f"事{i}", group=group)
    few = _count(client, url)
    few_filtered = _count(client, url + "?stage=raised&q=事&overdue=on")
    Issue.objects.bulk_create(
        [
            Issue(
                village=village,
                group=group,
                title=f"批{i}",
                description="d",
                category="other",
                tracking_code=f"BULK{i:08d}",
            )
            for i in range(190)
        ]
    )
    assert _count(client, url) == few
    assert _count(client, url + "?stage=raised&q=事&overdue=on") == few_filtered
    assert few <= 12


def test_meeting_page_queries_do_not_grow(client, village, cadre):
    roundtable = make_roundtable(village, members=5)
    client.force_login(cadre)

    def meeting_with(n):
        meeting = schedule(roundtable)
        for i in range(n):
            issue = workflow.issue_accept(issue=raise_issue(village, title=f"议题{n}-{i}"), actor=cadre)
            Opinion.objects.create(issue=issue, party="甲", stance="support", text="好")
            workflow.issue_put_on_agenda(issue=issue, actor=cadre, meeting=meeting)
        hold(meeting, present=4)
        return reverse("roundtable:meeting", kwargs={"code": village.code, "pk": meeting.pk})

    small = _count(client, meeting_with(10))
    large = _count(client, meeting_with(200))
    assert small == large


def test_workspace_member_page_lists_own_roundtable_meetings(client, village, member):
    roundtable = make_roundtable(village, members=3)
    RoundtableMember.objects.filter(pk=roundtable.members.first().pk).update(user=member)
    meeting = schedule(roundtable, hours_ago=-30)
    client.force_login(member)
    html = client.get(reverse("workspace:home")).content.decode()
    assert reverse("roundtable:meeting", kwargs={"code": village.code, "pk": meeting.pk}) in html


def test_cadre_logs_matter_and_sees_duplicates(client, village, cadre):
    raise_issue(village, title="村口路灯坏了")
    client.force_login(cadre)
    similar = client.get(
        reverse("roundtable:issue_similar", kwargs={"code": village.code}), {"title": "路灯坏了"}
    )
    assert "村口路灯坏了" in similar.content.decode()
    response = client.post(
        reverse("roundtable:issue_new", kwargs={"code": village.code}),
        {**submit_data(title="路灯又坏了"), "channel": "phone"},
    )
    assert response.status_code == 302
    issue = Issue.objects.get(title="路灯又坏了")
    assert issue.channel == Issue.Channel.PHONE and issue.created_by == cadre


def test_make_user_helper_roles(village):
    user = make_user(Membership.Role.MEMBER, village=village)
    assert user.memberships.get().role == "member"


def test_more_free_text_is_escaped(client, village, cadre, supervisor, official, roundtable):
    from roundtable import services

    meeting = services.meeting_schedule(
        roundtable=roundtable, place=XSS, starts_at=timezone.now() + datetime.timedelta(days=2)
    )
    services.meeting_add_topic(meeting=meeting, topic=XSS)
    cancelled = services.meeting_schedule(
        roundtable=roundtable, place="会议室", starts_at=timezone.now() + datetime.timedelta(days=3)
    )
    services.meeting_cancel(meeting=cancelled, reason=XSS)
    issue = advance(raise_issue(village), Stage.SUPERVISING, cadre=cadre, roundtable=roundtable)
    workflow.issue_rate(issue=issue, score=3, comment=XSS)
    workflow.issue_comment(issue=issue, actor=official, note=XSS, public=True)
    workflow.issue_send_back(issue=issue, supervisor=supervisor, reason=XSS)
    client.force_login(cadre)
    pages = [
        issue_url(issue),
        reverse("roundtable:meeting", kwargs={"code": village.code, "pk": meeting.pk}),
        reverse("roundtable:meeting", kwargs={"code": village.code, "pk": cancelled.pk}),
        reverse("roundtable:meetings", kwargs={"code": village.code}),
        reverse("roundtable:track", kwargs={"code": issue.tracking_code}),
        reverse("workspace:home"),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;" in html, url


def test_resident_with_a_code_sees_only_that_matter(client, village, cadre):
    mine = raise_issue(village, title="我的事")
    other = raise_issue(village, title="别人的事")
    track = client.get(reverse("roundtable:track", kwargs={"code": mine.tracking_code}))
    assert track.status_code == 200 and "我的事" in track.content.decode()
    assert "别人的事" not in track.content.decode()
    # the code opens no staff page and no photo
    assert client.get(issue_url(other)).status_code == 302
    assert client.get(issue_url(mine, "roundtable:issue_photo")).status_code == 302
    # acting on a matter needs that matter's own code: a wrong one is the ordinary 404
    response = client.post(reverse("roundtable:track_withdraw", kwargs={"code": "ZZZZZZZZZZZZ"}))
    assert response.status_code == 404
    assert Issue.objects.get(pk=other.pk).stage == Stage.RAISED


# The cadre's list's table as the template wrote it before it was written in Python (village_issue_table).
_TEMPLATE_TABLE = """{% load i18n roundtable_tags tables %}
{% stacktable %}<table class="issue-table">
  <thead><tr>
    <th scope="col">{% translate "Issue" %}</th><th scope="col">{% translate "Stage" %}</th>
    <th scope="col">{% translate "Category" %}</th><th scope="col">{% translate "Group" %}</th>
    <th scope="col">{% translate "Raised" %}</th><th scope="col">{% translate "Due" %}</th>
  </tr></thead>
  <tbody>
  {% for issue in page %}
  <tr{% if issue.is_overdue %} class="overdue"{% endif %}>
    <td><span class="muted">#{{ issue.pk }}</span>
      <a href="{{ list_url }}{{ issue.pk }}/">{{ issue.title }}</a>
      {% if issue.escalated_at %} <span
      class="badge badge-warn">{% translate "escalated" %}</span>{% endif %}</td>
    <td>{% stage_badge issue.stage %}</td>
    <td>{{ issue.get_category_display }}</td>
    <td>{{ issue.group.name|default:"—" }}</td>
    <td>{{ issue.created_at|ymd }}</td>
    <td>{% if issue.is_open and issue.stage_due_at %}{{ issue.stage_due_at|ymd }}
      {% if issue.is_overdue %} <span
      class="badge badge-warn">{% translate "overdue" %}</span>{% endif %}{% else %}—{% endif %}</td>
  </tr>
  {% empty %}
  <tr><td colspan="6">{% translate "No issues match." %}</td></tr>
  {% endfor %}
  </tbody>
</table>{% endstacktable %}"""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_cadre_list_table_is_the_table_the_template_wrote(client, village, cadre, language):
    """Every cell, label, badge, date and escape as the template and {% stacktable %} wrote them: a
    matter in a group and one without, overdue, escalated, closed, a title to escape; and no matter."""
    import datetime

    from django.template import engines
    from django.test.html import parse_html
    from django.utils import timezone, translation

    from roundtable.templatetags.roundtable_tags import village_issue_table

    group = village.groups.create(name='东组 <"&>', order=1)
    url = reverse("roundtable:issues", kwargs={"code": village.code})
    client.force_login(cadre)
    empty = client.get(url).context
    raise_issue(village, title='<b>"路灯" & 水渠</b>', group=group)
    late = raise_issue(village, title="逾期的事")
    Issue.objects.filter(pk=late.pk).update(
        stage_due_at=timezone.now() - datetime.timedelta(days=2), escalated_at=timezone.now()
    )
    closed = raise_issue(village, title="办结的事")
    Issue.objects.filter(pk=closed.pk).update(stage=Stage.CLOSED)
    full = client.get(url).context
    for context, rows in ((empty, 0), (full, 3)):
        page = context["page"]
        assert len(page.object_list) == rows
        with translation.override(language):
            old = engines["django"].from_string(_TEMPLATE_TABLE).render({"page": page, "list_url": url})
            new = village_issue_table(page, url)
        assert parse_html(new) == parse_html(old)
