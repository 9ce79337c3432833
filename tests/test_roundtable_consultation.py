"""Public consultation of step-2 matters: opening, the public list, visitors' opinions as step-2 evidence,
publishing a selection with replies, and the form's rate limit and honeypot."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from roundtable import services, workflow
from roundtable.models import Opinion, Stage
from tests.roundtable_helpers import make_roundtable, raise_issue, schedule


@pytest.fixture(autouse=True)
def _english():
    """Service errors are matched in English (pages are checked in Chinese)."""
    with translation.override("en"):
        yield


SUMMARY = "第三组村道拓宽方案：拟占用两户菜地各约十平方米，征求村民意见。"


def _open(village, cadre, *, days=7, **kwargs):
    issue = raise_issue(
        village,
        title="第三组村道拓宽",
        description="王秀英家菜地被占，联系电话13912345678。",
        raiser_name="王秀英",
        raiser_mobile="13912345678",
        consent=True,
        **kwargs,
    )
    workflow.issue_accept(issue=issue, actor=cadre)
    return workflow.issue_open_consultation(
        issue=issue,
        actor=cadre,
        summary=SUMMARY,
        closes_on=timezone.localdate() + datetime.timedelta(days=days),
    )


def _opinion_url(village, issue):
    return reverse("roundtable:consult_detail", kwargs={"code": village.code, "pk": issue.pk})


def test_consultation_open_outside_step_two_is_refused(village, cadre):
    issue = raise_issue(village)
    with pytest.raises(workflow.WorkflowError, match="Only an issue in step 2"):
        workflow.issue_open_consultation(
            issue=issue, actor=cadre, summary=SUMMARY, closes_on=timezone.localdate()
        )
    issue.refresh_from_db()
    assert issue.consultation_opened_at is None


def test_consultation_open_with_past_date_is_refused(village, cadre):
    issue = workflow.issue_accept(issue=raise_issue(village), actor=cadre)
    with pytest.raises(workflow.WorkflowError, match="closing date that is not in the past"):
        workflow.issue_open_consultation(
            issue=issue,
            actor=cadre,
            summary=SUMMARY,
            closes_on=timezone.localdate() - datetime.timedelta(days=1),
        )


def test_consultation_open_without_summary_is_refused(village, cadre):
    issue = workflow.issue_accept(issue=raise_issue(village), actor=cadre)
    with pytest.raises(workflow.WorkflowError, match="Write a public summary"):
        workflow.issue_open_consultation(
            issue=issue, actor=cadre, summary=" ", closes_on=timezone.localdate()
        )


def test_consult_list_shows_summary_and_closing_date_never_private_details(client, village, cadre):
    issue = _open(village, cadre)
    workflow.issue_accept(issue=raise_issue(village, title="未公开征求的事项"), actor=cadre)
    for url in (reverse("roundtable:consult", kwargs={"code": village.code}), _opinion_url(village, issue)):
        html = client.get(url).text
        assert "第三组村道拓宽" in html and SUMMARY[:10] in html
        assert issue.consultation_closes_on.isoformat() in html
        for secret in ("王秀英", "13912345678", "联系电话", "未公开征求的事项"):
            assert secret not in html


def test_consult_detail_of_closed_or_unopened_matter_is_404(client, village, cadre):
    issue = _open(village, cadre)
    issue.consultation_closes_on = timezone.localdate() - datetime.timedelta(days=1)
    issue.save(update_fields=["consultation_closes_on"])
    assert client.get(_opinion_url(village, issue)).status_code == 404
    other = workflow.issue_accept(issue=raise_issue(village), actor=cadre)
    assert client.get(_opinion_url(village, other)).status_code == 404
    assert client.post(_opinion_url(village, other), {"stance": "support", "text": "x"}).status_code == 404


def test_public_opinion_is_recorded_as_step_two_evidence_with_name_for_cadres(client, village, cadre):
    issue = _open(village, cadre)
    response = client.post(
        _opinion_url(village, issue), {"stance": "oppose", "text": "占地要给补偿", "name": "林阿婆"}
    )
    assert response.status_code == 302
    opinion = Opinion.objects.get(issue=issue)
    assert opinion.source == Opinion.Source.PUBLIC and opinion.visitor_name == "林阿婆"
    assert opinion.published_at is None
    # It is the step's evidence: the issue can now go on an agenda.
    meeting = schedule(make_roundtable(village), hours_ago=-48)
    workflow.issue_put_on_agenda(issue=issue, actor=cadre, meeting=meeting)
    issue.refresh_from_db()
    assert issue.stage == Stage.DELIBERATING


def test_public_opinion_on_cadre_issue_page_is_labelled_public_with_name(client, village, cadre):
    issue = _open(village, cadre)
    workflow.issue_add_public_opinion(issue=issue, stance="support", text="支持拓宽", name="林阿婆")
    client.force_login(cadre)
    html = client.get(issue.get_absolute_url()).text
    assert "支持拓宽" in html and "林阿婆" in html
    assert "public opinion" in html or "公众意见" in html


def test_public_opinion_is_not_published_until_the_cadre_does_and_never_with_name(client, village, cadre):
    issue = _open(village, cadre)
    opinion = workflow.issue_add_public_opinion(issue=issue, stance="support", text="支持拓宽", name="林阿婆")
    url = _opinion_url(village, issue)
    assert "支持拓宽" not in client.get(url).text
    client.force_login(cadre)
    client.post(
        reverse(
            "roundtable:opinion_publish",
            kwargs={"code": village.code, "pk": issue.pk, "opinion_pk": opinion.pk},
        ),
        {"reply": "谢谢，已列入议程", "publish": "1"},
    )
    opinion.refresh_from_db()
    assert opinion.published_at is not None and opinion.reply == "谢谢，已列入议程"
    client.logout()
    html = client.get(url).text
    assert "支持拓宽" in html and "谢谢，已列入议程" in html and "林阿婆" not in html


def test_opinion_publish_by_member_or_other_village_is_404(client, village, cadre, member, other_cadre):
    issue = _open(village, cadre)
    opinion = workflow.issue_add_public_opinion(issue=issue, stance="support", text="支持")
    url = reverse(
        "roundtable:opinion_publish", kwargs={"code": village.code, "pk": issue.pk, "opinion_pk": opinion.pk}
    )
    for user in (member, other_cadre):
        client.force_login(user)
        assert client.post(url, {"reply": "", "publish": "1"}).status_code == 404
    opinion.refresh_from_db()
    assert opinion.published_at is None


def test_public_opinion_publish_refuses_a_members_opinion(village, cadre):
    issue = _open(village, cadre)
    opinion = workflow.issue_add_opinion(
        issue=issue, actor=cadre, party="代表", source="member", stance="support", text="同意"
    )
    with pytest.raises(ValidationError, match="Only opinions from the public consultation"):
        services.public_opinion_publish(opinion=opinion, actor=cadre)


def test_public_opinion_after_closing_date_is_refused(village, cadre):
    issue = _open(village, cadre)
    issue.consultation_closes_on = timezone.localdate() - datetime.timedelta(days=1)
    issue.save(update_fields=["consultation_closes_on"])
    with pytest.raises(workflow.WorkflowError, match="not open for public opinions"):
        workflow.issue_add_public_opinion(issue=issue, stance="support", text="晚到的意见")
    assert not Opinion.objects.exists()


def test_public_opinion_honeypot_stores_nothing(client, village, cadre):
    issue = _open(village, cadre)
    response = client.post(
        _opinion_url(village, issue), {"stance": "support", "text": "买药", "website": "spam"}
    )
    assert response.status_code == 302
    assert not Opinion.objects.exists()


@pytest.mark.usefixtures("one_rate_window")
def test_public_opinion_sixth_in_a_minute_gets_429(client, village, cadre):
    issue = _open(village, cadre)
    for i in range(5):
        assert (
            client.post(_opinion_url(village, issue), {"stance": "support", "text": f"意见{i}"}).status_code
            == 302
        )
    assert (
        client.post(_opinion_url(village, issue), {"stance": "support", "text": "第六条"}).status_code == 429
    )
    assert Opinion.objects.count() == 5


def test_public_opinion_without_stance_keeps_the_text(client, village, cadre):
    issue = _open(village, cadre)
    response = client.post(_opinion_url(village, issue), {"text": "我的意见保留着"})
    assert response.status_code == 400 and "我的意见保留着" in response.text
    assert not Opinion.objects.exists()


def test_consultation_form_on_issue_page_opens_it(client, village, cadre):
    issue = workflow.issue_accept(issue=raise_issue(village), actor=cadre)
    client.force_login(cadre)
    closes = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    url = reverse("roundtable:issue_consultation", kwargs={"code": village.code, "pk": issue.pk})
    assert client.post(url, {"summary": "", "closes_on": closes}).status_code == 400
    client.post(url, {"summary": SUMMARY, "closes_on": closes})
    issue.refresh_from_db()
    assert issue.is_open_for_opinions and issue.consultation_summary == SUMMARY
