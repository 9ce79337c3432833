"""Suggestions: moderation states, public replies, counts, and the form's rate limit and honeypot."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from noticeboard import services
from noticeboard.models import Suggestion
from noticeboard.selectors import suggestion_counts
from tests.factories_noticeboard import BriefingFactory, SuggestionFactory


@pytest.fixture(autouse=True)
def _english():
    """Service errors are matched in English (pages are checked in Chinese)."""
    with translation.override("en"):
        yield


def _post(client, village, text="建议在村口增设路灯", **extra):
    return client.post(
        reverse("noticeboard:suggestions", kwargs={"code": village.code}), {"text": text, "name": "", **extra}
    )


def test_suggestion_sent_waits_for_approval_before_it_is_public(client, village, cadre):
    response = _post(client, village, text="建议修缮祠堂屋顶", name="王大伯")
    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert suggestion.status == Suggestion.Status.PENDING and suggestion.name == "王大伯"
    page = reverse("noticeboard:suggestions", kwargs={"code": village.code})
    assert "建议修缮祠堂屋顶" not in client.get(page).text
    services.suggestion_approve(suggestion=suggestion, actor=cadre)
    html = client.get(page).text
    assert "建议修缮祠堂屋顶" in html
    assert "王大伯" not in html


def test_suggestion_rejected_stays_off_the_public_page(client, village, cadre):
    suggestion = SuggestionFactory(village=village, text="广告内容请忽略")
    services.suggestion_reject(suggestion=suggestion, actor=cadre)
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.REJECTED and suggestion.moderated_by == cadre
    assert (
        "广告内容" not in client.get(reverse("noticeboard:suggestions", kwargs={"code": village.code})).text
    )


def test_suggestion_reply_publishes_it_with_the_answer(client, village, cadre):
    suggestion = SuggestionFactory(village=village, text="希望公开护林经费")
    services.suggestion_reply(suggestion=suggestion, actor=cadre, reply="已在三月通报中公开")
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.APPROVED and suggestion.replied_at is not None
    html = client.get(reverse("noticeboard:suggestions", kwargs={"code": village.code})).text
    assert "希望公开护林经费" in html and "已在三月通报中公开" in html


def test_suggestion_reply_empty_is_refused(village, cadre):
    suggestion = SuggestionFactory(village=village)
    with pytest.raises(ValidationError, match="Write the reply"):
        services.suggestion_reply(suggestion=suggestion, actor=cadre, reply="  ")
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.PENDING


def test_suggestion_counts_received_approved_replied_per_village(village, other_village, cadre):
    a, b, _c = (SuggestionFactory(village=village) for _ in range(3))
    SuggestionFactory(village=other_village)
    services.suggestion_approve(suggestion=a, actor=cadre)
    services.suggestion_reply(suggestion=b, actor=cadre, reply="好")
    counts = suggestion_counts(villages=[village, other_village])
    assert counts[village.pk] == {"received": 3, "approved": 2, "replied": 1}
    assert counts[other_village.pk] == {"received": 1, "approved": 0, "replied": 0}


def test_suggestion_on_a_briefing_appears_under_it_once_approved(client, village, cadre):
    briefing = BriefingFactory(township=village.township, village=village, published=True)
    url = reverse("noticeboard:briefing", kwargs={"code": village.code, "pk": briefing.pk})
    client.post(url, {"text": "通报写得很清楚，建议每月一期"})
    suggestion = Suggestion.objects.get()
    assert suggestion.briefing == briefing
    assert "建议每月一期" not in client.get(url).text
    services.suggestion_approve(suggestion=suggestion, actor=cadre)
    assert "建议每月一期" in client.get(url).text


def test_suggestion_on_a_draft_briefing_is_404(client, village):
    briefing = BriefingFactory(township=village.township, village=village)
    url = reverse("noticeboard:briefing", kwargs={"code": village.code, "pk": briefing.pk})
    assert client.post(url, {"text": "草稿上的建议"}).status_code == 404
    assert not Suggestion.objects.exists()


def test_suggestion_honeypot_stores_nothing(client, village):
    response = _post(client, village, website="http://spam.example")
    assert response.status_code == 302
    assert not Suggestion.objects.exists()


@pytest.mark.usefixtures("one_rate_window")
def test_suggestion_sixth_in_a_minute_gets_429(client, village):
    for i in range(5):
        assert _post(client, village, text=f"第{i}条建议内容").status_code == 302
    assert _post(client, village, text="第六条建议内容").status_code == 429
    assert Suggestion.objects.count() == 5


def test_suggestion_too_short_shows_error_and_keeps_name(client, village):
    response = _post(client, village, text="好", name="李四")
    assert response.status_code == 400
    assert "李四" in response.text
    assert not Suggestion.objects.exists()


def test_moderation_page_is_404_for_other_village_cadre_and_supervisor(
    client, village, other_cadre, supervisor
):
    suggestion = SuggestionFactory(village=village)
    for user in (other_cadre, supervisor):
        client.force_login(user)
        assert (
            client.get(reverse("noticeboard:work_suggestions", kwargs={"code": village.code})).status_code
            == 404
        )
        url = reverse(
            "noticeboard:work_suggestion_act",
            kwargs={"code": village.code, "pk": suggestion.pk, "action": "approve"},
        )
        assert client.post(url).status_code == 404
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.PENDING


def test_moderation_page_shows_the_name_to_the_cadre_and_approves(client, village, cadre):
    suggestion = SuggestionFactory(village=village, name="赵老师")
    client.force_login(cadre)
    assert "赵老师" in client.get(reverse("noticeboard:work_suggestions", kwargs={"code": village.code})).text
    client.post(
        reverse(
            "noticeboard:work_suggestion_act",
            kwargs={"code": village.code, "pk": suggestion.pk, "action": "approve"},
        )
    )
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.APPROVED and suggestion.moderated_by == cadre


def test_moderation_queue_lists_those_awaiting_first(client, village, cadre):
    waiting = SuggestionFactory(village=village, text="较早的待审核建议")
    newer = SuggestionFactory(village=village, text="较新的已通过建议")
    services.suggestion_approve(suggestion=newer, actor=cadre)
    client.force_login(cadre)
    html = client.get(reverse("noticeboard:work_suggestions", kwargs={"code": village.code})).text
    assert html.index(waiting.text) < html.index(newer.text)


def test_briefing_new_form_shows_todays_date_in_the_date_field(client, village, cadre):
    client.force_login(cadre)
    html = client.get(reverse("noticeboard:work_briefing_new", kwargs={"code": village.code})).text
    assert f'value="{timezone.localdate().isoformat()}"' in html
