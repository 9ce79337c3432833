"""No lost input (issue 12, point 6): each form, sent back with an error, shows again what was typed and says
beside the field what is wrong (templates/includes/field.html gives the error the field's id + "_error").

One case per form class, through its real page: the typed text is a marker that must come back, the field
left wrong must carry its error. (The resident's, tracking-page, member-opinion, recovery, briefing,
suggestion, talent and consultation forms have their own tests elsewhere.)"""

import pytest
from django.urls import reverse

from roundtable import workflow
from roundtable.models import Stage
from tests.roundtable_helpers import advance, make_roundtable, raise_issue, schedule

pytestmark = pytest.mark.django_db

TYPED = "桥头第三盏路灯"


def _issue_at(stage, village, cadre, roundtable):
    issue = raise_issue(village)
    if stage == "raised":
        return issue
    workflow.issue_accept(issue=issue, actor=cadre)
    if stage == "soliciting":
        return issue
    raise AssertionError(stage)


def _issue_executing(village, cadre, roundtable):
    return advance(raise_issue(village), Stage.EXECUTING, cadre=cadre, roundtable=roundtable)


def act_url(issue, move):
    return reverse("roundtable:issue_act", kwargs={"code": issue.village.code, "pk": issue.pk, "move": move})


# (move, stage, data with one field wrong, the field in error)
ISSUE_MOVES = [
    ("reject", "raised", {"reject-reason": "", "reject-note_public": "on"}, "reject-reason"),
    ("comment", "soliciting", {"comment-note": "", "comment-public": "on"}, "comment-note"),
    (
        "opinion",
        "soliciting",
        {"opinion-party": TYPED, "opinion-source": "resident", "opinion-text": ""},
        "opinion-text",
    ),
    ("put_on_agenda", "soliciting", {"put_on_agenda-meeting": "999999"}, "put_on_agenda-meeting"),
    ("merge", "raised", {"merge-target": "999999"}, "merge-target"),
]


@pytest.mark.parametrize(("move", "stage", "data", "field"), ISSUE_MOVES, ids=[m[0] for m in ISSUE_MOVES])
def test_issue_move_form_error_keeps_input(client, village, cadre, move, stage, data, field):
    roundtable = make_roundtable(village)
    issue = _issue_at(stage, village, cadre, roundtable)
    client.force_login(cadre)
    response = client.post(act_url(issue, move), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in body
    for name, value in data.items():
        if value and value != "on" and name != field:
            assert value in body, f"{name} lost"
    if data.get(f"{move}-note_public") == "on" or data.get(f"{move}-public") == "on":
        box = "note_public" if f"{move}-note_public" in data else "public"
        assert f'name="{move}-{box}" id="id_{move}-{box}" checked' in body or "checked" in body


def test_escalate_form_error_says_why(client, village, cadre, official):
    issue = _issue_at("soliciting", village, cadre, None)
    client.force_login(official)
    response = client.post(act_url(issue, "escalate"), {"escalate-reason": ""})
    assert response.status_code == 400
    assert 'id="id_escalate-reason_error"' in response.content.decode()


@pytest.mark.parametrize(
    ("move", "data", "field"),
    [
        ("progress", {"progress-percent": "150", "progress-note": TYPED}, "progress-percent"),
        ("report_done", {"report_done-note": "", "report_done-note_public": "on"}, "report_done-note"),
    ],
    ids=["progress", "report_done"],
)
def test_work_forms_error_keeps_input(client, village, cadre, move, data, field):
    roundtable = make_roundtable(village)
    issue = _issue_executing(village, cadre, roundtable)
    client.force_login(cadre)
    response = client.post(act_url(issue, move), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in body
    if move == "progress":
        assert TYPED in body and 'value="150"' in body


def test_cadre_issue_form_error_keeps_input(client, village, cadre):
    client.force_login(cadre)
    response = client.post(
        reverse("roundtable:issue_new", kwargs={"code": village.code}),
        {"channel": "phone", "title": TYPED, "description": "坏了一个月", "raiser_name": "李阿婆"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert TYPED in body and "坏了一个月" in body and "李阿婆" in body
    assert 'id="id_category_error"' in body
    assert '<option value="phone" selected>' in body


def test_consultation_form_error_keeps_input(client, village, cadre):
    issue = workflow.issue_accept(issue=raise_issue(village), actor=cadre)
    client.force_login(cadre)
    response = client.post(
        reverse("roundtable:issue_consultation", kwargs={"code": village.code, "pk": issue.pk}),
        {"summary": TYPED, "closes_on": "2000-01-01"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert TYPED in body and 'id="id_closes_on_error"' in body


def test_meeting_new_form_error_keeps_input(client, village, cadre):
    roundtable = make_roundtable(village)
    client.force_login(cadre)
    response = client.post(
        reverse("roundtable:meeting_new", kwargs={"code": village.code, "pk": roundtable.pk}),
        {"starts_at": "", "place": TYPED},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert TYPED in body and 'id="id_starts_at_error"' in body


def test_meeting_move_and_cancel_forms_error_keep_input(client, village, cadre):
    roundtable = make_roundtable(village)
    meeting = schedule(roundtable, hours_ago=-48)
    client.force_login(cadre)
    url = reverse("roundtable:meeting_act", kwargs={"code": village.code, "pk": meeting.pk, "action": "move"})
    response = client.post(url, {"starts_at": "not a time", "place": TYPED})
    body = response.content.decode()
    assert response.status_code == 400 and TYPED in body and 'id="id_starts_at_error"' in body
    url = reverse(
        "roundtable:meeting_act", kwargs={"code": village.code, "pk": meeting.pk, "action": "cancel"}
    )
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400 and 'id="id_reason_error"' in response.content.decode()


def test_roundtable_member_form_error_keeps_input(client, village, cadre):
    roundtable = make_roundtable(village)
    client.force_login(cadre)
    response = client.post(
        reverse("roundtable:roundtable", kwargs={"code": village.code, "pk": roundtable.pk}),
        {"name": TYPED, "role": "representative", "mobile": "12345"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert TYPED in body and 'value="12345"' in body and 'id="id_mobile_error"' in body


def test_rating_form_error_keeps_the_comment(client, village, cadre, supervisor):
    roundtable = make_roundtable(village)
    issue = advance(
        raise_issue(village), Stage.SUPERVISING, cadre=cadre, supervisor=supervisor, roundtable=roundtable
    )
    response = client.post(
        reverse("roundtable:track_rate", kwargs={"code": issue.tracking_code}),
        {"score": "9", "comment": TYPED},
    )
    body = response.content.decode()
    assert response.status_code == 200 and TYPED in body and 'id="id_score_error"' in body


def test_topic_form_error_says_why(client, village, cadre):
    roundtable = make_roundtable(village)
    meeting = schedule(roundtable, hours_ago=-48)
    client.force_login(cadre)
    url = reverse(
        "roundtable:meeting_act", kwargs={"code": village.code, "pk": meeting.pk, "action": "add_topic"}
    )
    response = client.post(url, {"topic": "长" * 201})
    assert response.status_code == 400 and 'id="id_topic_error"' in response.content.decode()


def test_profile_form_error_keeps_input(client, cadre):
    client.force_login(cadre)
    response = client.post(reverse("profile"), {"display_name": TYPED, "mobile": "12345", "language": "en"})
    body = response.content.decode()
    assert response.status_code == 200 and TYPED in body and 'value="12345"' in body
    assert 'id="id_mobile_error"' in body


def test_cooperative_form_error_keeps_input(client, cadre, village):
    client.force_login(cadre)
    url = reverse("projects:entry_new", kwargs={"code": village.code, "kind": "cooperatives"})
    response = client.post(url, {"name": TYPED, "kind": "flowers", "members": "-1"})
    body = response.content.decode()
    assert response.status_code == 200 and TYPED in body and 'id="id_members_error"' in body


def test_income_form_error_keeps_input(client, cadre, village):
    client.force_login(cadre)
    url = reverse("projects:income_village", kwargs={"code": village.code})
    response = client.post(url, {"year": "2019", "amount": "-5", "note": TYPED})
    body = response.content.decode()
    assert response.status_code in (200, 400) and TYPED in body and 'id="id_amount_error"' in body


def test_public_opinion_reply_error_keeps_the_reply_beside_its_opinion(client, village, cadre):
    from roundtable.models import Opinion

    issue = raise_issue(village)
    workflow.issue_accept(issue=issue, actor=cadre)
    opinion = Opinion.objects.create(
        issue=issue, party="村民", source=Opinion.Source.PUBLIC, stance="support", text="支持修路灯"
    )
    client.force_login(cadre)
    url = reverse(
        "roundtable:opinion_publish", kwargs={"code": village.code, "pk": issue.pk, "opinion_pk": opinion.pk}
    )
    typed = TYPED * 500  # over the 3,000 characters a reply may have
    response = client.post(url, {"reply": typed, "publish": "1"})
    body = response.content.decode()
    assert response.status_code == 400
    assert typed in body
    assert f'id="reply-{opinion.pk}-error"' in body
    opinion.refresh_from_db()
    assert opinion.published_at is None and opinion.reply == ""

    response = client.post(url, {"reply": "已安排维修", "publish": "1"}, follow=True)
    assert "该意见已连同您的回复在公开页面发布。" in response.text
    opinion.refresh_from_db()
    assert opinion.published_at is not None and opinion.reply == "已安排维修"


def test_suggestion_reply_error_keeps_the_reply_beside_its_suggestion(client, village, cadre):
    from noticeboard.models import Suggestion
    from tests.factories_noticeboard import SuggestionFactory

    suggestion = SuggestionFactory(village=village)
    client.force_login(cadre)
    url = reverse(
        "noticeboard:work_suggestion_act",
        kwargs={"code": village.code, "pk": suggestion.pk, "action": "reply"},
    )
    typed = TYPED * 500
    response = client.post(url, {"reply": typed})
    body = response.content.decode()
    assert response.status_code == 400
    assert typed in body
    assert f'id="reply-{suggestion.pk}-error"' in body
    suggestion.refresh_from_db()
    assert suggestion.reply == "" and suggestion.status == Suggestion.Status.PENDING

    response = client.post(url, {"reply": "已采纳"}, follow=True)
    assert "建议已连同回复公开。" in response.text
    suggestion.refresh_from_db()
    assert suggestion.reply == "已采纳" and suggestion.status == Suggestion.Status.APPROVED
