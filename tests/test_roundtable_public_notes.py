"""Notes on a step are internal unless the cadre marks them public: the form says so, and an internal note
never reaches the tracking page, a text message or the decisions board."""

import pytest
from django.urls import reverse

from notifications.channels import MemorySMSBackend
from notifications.models import Notification
from roundtable import workflow
from roundtable.models import ProgressUpdate, Stage, TimelineEntry
from tests.roundtable_helpers import advance, raise_issue


@pytest.fixture(autouse=True)
def _sms(settings):
    settings.NOTIFICATIONS_SMS_BACKEND = "notifications.channels.MemorySMSBackend"
    MemorySMSBackend.outbox.clear()


def _track(client, issue):
    return client.get(reverse("roundtable:track", kwargs={"code": issue.tracking_code})).text


def test_step_note_defaults_to_internal_and_stays_off_the_tracking_page(client, village, cadre):
    issue = raise_issue(village)
    workflow.issue_accept(issue=issue, actor=cadre, note="内部：此事需先问镇里")
    entry = issue.timeline.get(kind=TimelineEntry.Kind.STAGE)
    assert entry.is_public and not entry.note_is_public and entry.public_note == ""
    html = _track(client, issue)
    assert "内部：此事需先问镇里" not in html
    assert "征求论事" in html  # the move itself is public


def test_step_note_marked_public_shows_on_the_tracking_page(client, village, cadre):
    issue = raise_issue(village)
    workflow.issue_accept(issue=issue, actor=cadre, note="已受理，请等待意见征集", note_public=True)
    assert "已受理，请等待意见征集" in _track(client, issue)


def test_internal_note_never_reaches_the_raisers_message(village, cadre):
    issue = raise_issue(village, raiser_mobile="13800000001", consent=True)
    workflow.issue_reject(issue=issue, actor=cadre, reason="内部理由：与某某有私怨")
    payload = Notification.objects.get(issue=issue, kind=Notification.Kind.ISSUE_STAGE).payload
    assert payload["note"] == ""
    assert "私怨" not in str(Notification.objects.filter(issue=issue).values_list("payload", flat=True))


def test_public_reason_reaches_the_raisers_message(village, cadre):
    issue = raise_issue(village, raiser_mobile="13800000001", consent=True)
    workflow.issue_reject(issue=issue, actor=cadre, reason="不属于村级事务", note_public=True)
    payload = Notification.objects.get(issue=issue, kind=Notification.Kind.ISSUE_STAGE).payload
    assert payload["note"] == "不属于村级事务"


def test_progress_note_internal_is_hidden_on_tracking_page_but_percent_shown(client, village, cadre):
    issue = advance(raise_issue(village), Stage.EXECUTING, cadre=cadre)
    workflow.issue_report_progress(issue=issue, actor=cadre, percent=40, note="内部：施工队报价偏高")
    update = ProgressUpdate.objects.get(issue=issue)
    assert not update.note_is_public
    html = _track(client, issue)
    assert "40%" in html and "报价偏高" not in html


def test_step_forms_offer_a_visible_public_control_unticked(client, village, cadre):
    issue = raise_issue(village)
    client.force_login(cadre)
    html = client.get(issue.get_absolute_url()).text
    assert 'name="accept-note_public"' in html
    assert 'name="reject-note_public"' in html
    # unticked by default: the box carries no "checked"
    tag = html[html.index('name="accept-note_public"') - 80 : html.index('name="accept-note_public"') + 80]
    assert "checked" not in tag


def test_step_form_public_box_makes_the_note_public(client, village, cadre):
    issue = raise_issue(village)
    client.force_login(cadre)
    client.post(
        reverse("roundtable:issue_act", kwargs={"code": village.code, "pk": issue.pk, "move": "accept"}),
        {"accept-note": "公开说明", "accept-note_public": "on"},
    )
    entry = issue.timeline.get(kind=TimelineEntry.Kind.STAGE)
    assert entry.note == "公开说明" and entry.note_is_public
