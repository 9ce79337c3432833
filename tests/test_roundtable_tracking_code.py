"""The tracking code is the resident's key: only the village's cadres see it, and no note repeats it."""

import pytest
from django.urls import reverse

from roundtable import workflow
from roundtable.models import TimelineEntry
from tests.roundtable_helpers import raise_issue

pytestmark = pytest.mark.django_db


def issue_url(issue, name="roundtable:issue", **extra):
    return reverse(name, kwargs={"code": issue.village.code, "pk": issue.pk, **extra})


@pytest.mark.parametrize("who", ["member", "supervisor", "official"])
def test_issue_page_hides_tracking_code_from_non_cadres(client, village, cadre, who, request):
    issue = raise_issue(village)
    client.force_login(request.getfixturevalue(who))
    response = client.get(issue_url(issue))
    assert response.status_code == 200
    assert issue.tracking_code not in response.content.decode()


def test_issue_page_shows_tracking_code_to_the_village_cadre(client, village, cadre):
    issue = raise_issue(village)
    client.force_login(cadre)
    assert issue.tracking_code in client.get(issue_url(issue)).content.decode()


def test_merge_note_names_the_merged_issue_by_number_not_tracking_code(client, village, cadre, member):
    earlier = raise_issue(village, title="路灯坏了")
    duplicate = raise_issue(village, title="路灯又坏了")
    workflow.issue_merge(issue=duplicate, actor=cadre, target_issue=earlier)
    note = TimelineEntry.objects.filter(issue=earlier, kind=TimelineEntry.Kind.COMMENT).get().note
    assert duplicate.tracking_code not in note
    assert f"#{duplicate.pk}" in note
    client.force_login(member)
    assert duplicate.tracking_code not in client.get(issue_url(earlier)).content.decode()
