"""Words and kept input (issue 12, points 6 and 9): forms address the person using them, a member's opinion
starts as a member's, every move says what happened with the number and the new step, a form sent back
with an error keeps what was typed and says beside the field what is wrong, and the demo's member account
is the roundtable record it sits on."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from roundtable import workflow
from roundtable.models import Issue, Opinion, RoundtableMember, Stage
from tests.roundtable_helpers import make_roundtable, raise_issue

pytestmark = pytest.mark.django_db


def issue_url(issue, name="roundtable:issue", **extra):
    return reverse(name, kwargs={"code": issue.village.code, "pk": issue.pk, **extra})


def field_error(body: str, name: str) -> bool:
    """An error is shown beside the field (templates/includes/field.html gives it the field's id)."""
    return f'id="id_{name}_error"' in body


def test_cadre_form_asks_for_the_residents_name(client, village, cadre):
    client.force_login(cadre)
    body = client.get(reverse("roundtable:issue_new", kwargs={"code": village.code})).content.decode()
    with translation.override("zh-hans"):
        assert translation.gettext("The resident's name (optional)") in body
        assert translation.gettext("Your name (optional)") not in body


def test_members_opinion_defaults_to_the_member_source(client, village, member, cadre):
    roundtable = make_roundtable(village)
    seat = roundtable.members.first()
    seat.user = member
    seat.save()
    issue = workflow.issue_accept(issue=raise_issue(village), actor=cadre)
    client.force_login(member)
    body = client.get(issue_url(issue)).content.decode()
    assert re.search(r'<option value="member"[^>]*selected', body)
    client.force_login(cadre)
    body = client.get(issue_url(issue)).content.decode()
    assert not re.search(r'<option value="member"[^>]*selected', body)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hans", "#{n} 已受理，进入征求论事。"), ("en", "#{n} accepted, now at: Opinions are solicited.")],
)
def test_move_confirms_number_and_new_step(client, village, cadre, language, expected):
    issue = raise_issue(village)
    client.force_login(cadre)
    response = client.post(
        issue_url(issue, "roundtable:issue_act", move="accept"),
        {"accept-note": ""},
        HTTP_ACCEPT_LANGUAGE=language,
        follow=True,
    )
    assert Issue.objects.get(pk=issue.pk).stage == Stage.SOLICITING
    assert expected.format(n=issue.pk) in response.content.decode()


def test_move_that_keeps_the_step_says_so(client, village, cadre):
    issue = workflow.issue_accept(issue=raise_issue(village), actor=cadre)
    client.force_login(cadre)
    response = client.post(
        issue_url(issue, "roundtable:issue_act", move="comment"),
        {"comment-note": "已电话联系"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert f"#{issue.pk} note added; still at: Opinions are solicited." in response.content.decode()


def test_opinion_on_tracking_page_without_stance_keeps_the_text_and_says_why(client, village, cadre):
    issue = workflow.issue_accept(issue=raise_issue(village), actor=cadre)
    response = client.post(
        reverse("roundtable:track_opinion", kwargs={"code": issue.tracking_code}),
        {"text": "路灯应该装在桥头"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "路灯应该装在桥头" in body  # what was typed is still there
    assert "This field is required." in body
    assert field_error(body, "stance")
    assert not Opinion.objects.filter(issue=issue).exists()


def test_withdraw_on_tracking_page_with_too_long_note_keeps_it_open(client, village):
    issue = raise_issue(village)
    note = "太长" * 400
    response = client.post(
        reverse("roundtable:track_withdraw", kwargs={"code": issue.tracking_code}), {"note": note}
    )
    body = response.content.decode()
    assert response.status_code == 200 and note in body and '<details class="card" open>' in body
    assert Issue.objects.get(pk=issue.pk).stage == Stage.RAISED


def test_member_opinion_form_error_keeps_input(client, village, member, cadre):
    roundtable = make_roundtable(village)
    seat = roundtable.members.first()
    seat.user = member
    seat.save()
    issue = workflow.issue_accept(issue=raise_issue(village), actor=cadre)
    client.force_login(member)
    response = client.post(
        issue_url(issue, "roundtable:issue_act", move="opinion"),
        {"opinion-party": "第三组", "opinion-source": "member", "opinion-text": "同意修路灯"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "同意修路灯" in body and 'value="第三组"' in body
    assert field_error(body, "opinion-stance")


def test_demo_member_account_is_its_roundtable_record(demo):
    user = User.objects.get(email="member@xindong.demo")
    seat = RoundtableMember.objects.get(user=user)
    assert user.display_name == seat.name
