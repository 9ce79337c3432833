"""Step 6: the supervisor signs off the work, but not work they were responsible for."""

import pytest
from django.urls import reverse

from roundtable.models import Issue, Stage
from tests.roundtable_helpers import advance, make_roundtable, raise_issue

pytestmark = pytest.mark.django_db


def test_supervisor_cannot_sign_off_work_they_were_responsible_for(client, village, cadre, supervisor):
    roundtable = make_roundtable(village, members=5)
    issue = advance(raise_issue(village), Stage.SUPERVISING, cadre=cadre, roundtable=roundtable)
    Issue.objects.filter(pk=issue.pk).update(responsible=supervisor)
    client.force_login(supervisor)
    url = reverse("roundtable:issue_act", kwargs={"code": village.code, "pk": issue.pk, "move": "confirm"})
    client.post(url, {"confirm-note": ""})
    assert Issue.objects.get(pk=issue.pk).stage == Stage.SUPERVISING
    Issue.objects.filter(pk=issue.pk).update(responsible=cadre)
    client.post(url, {"confirm-note": ""})
    assert Issue.objects.get(pk=issue.pk).stage == Stage.CLOSED
