"""workflow.available_moves: what each role may do at each stage (the matrix the pages rely on), and the
pages offering exactly that."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from accounts.models import Membership
from roundtable import workflow
from roundtable.models import AgendaItem, Stage
from roundtable.views.workspace import ISSUE_PAGE_FORMS
from tests.factories import make_user
from tests.roundtable_helpers import advance, hold, make_roundtable, raise_issue

ROLES = ("anonymous", "code", "member", "cadre", "other_cadre", "supervisor", "official")

# stage -> role -> the moves, in the order pages offer them. An issue in step 3 waits on a held meeting's
# agenda here (decide, defer, not adopted); "code" is whoever opened the issue by its tracking code.
EXPECTED = {
    Stage.RAISED: {
        "code": ["withdraw"],
        "cadre": ["accept", "reject", "merge", "comment"],
        "official": ["comment", "escalate"],
    },
    Stage.SOLICITING: {
        "code": ["withdraw", "opinion"],
        "member": ["opinion"],
        "cadre": ["opinion", "open_consultation", "put_on_agenda", "comment"],
        "official": ["comment", "escalate"],
    },
    Stage.DELIBERATING: {
        "code": ["withdraw"],
        "member": ["opinion"],
        "cadre": ["opinion", "decide", "defer", "not_adopted", "comment"],
        "official": ["comment", "escalate"],
    },
    Stage.DECIDED: {
        "cadre": ["start", "comment"],
        "official": ["comment", "escalate"],
    },
    Stage.EXECUTING: {
        "cadre": ["progress", "report_done", "comment"],
        "official": ["comment", "escalate"],
    },
    Stage.SUPERVISING: {
        "code": ["rate"],
        "cadre": ["comment"],
        "supervisor": ["confirm", "send_back"],
        "official": ["comment", "escalate"],
    },
    Stage.CLOSED: {"code": ["rate"], "cadre": ["comment"], "official": ["comment"]},
    Stage.REJECTED: {"cadre": ["comment"], "official": ["comment"]},
    Stage.MERGED: {"cadre": ["comment"], "official": ["comment"]},
    Stage.WITHDRAWN: {"cadre": ["comment"], "official": ["comment"]},
}


@pytest.fixture
def people(village, other_village, township):
    supervisor = make_user(Membership.Role.SUPERVISOR, village=village)
    return {
        "anonymous": AnonymousUser(),
        "code": AnonymousUser(),
        "member": make_user(Membership.Role.MEMBER, village=village),
        "cadre": make_user(Membership.Role.CADRE, village=village),
        "other_cadre": make_user(Membership.Role.CADRE, village=other_village),
        "supervisor": supervisor,
        "official": make_user(Membership.Role.OFFICIAL, township=township),
    }


def _issue_at(stage, village, people):
    roundtable = make_roundtable(village)
    issue = advance(
        raise_issue(village),
        stage,
        cadre=people["cadre"],
        supervisor=people["supervisor"],
        roundtable=roundtable,
    )
    return issue


def _moves(people, role, issue):
    return workflow.available_moves(people[role], issue, holds_code=role == "code")


@pytest.mark.parametrize("stage", list(EXPECTED))
def test_available_moves_matrix_for_every_stage_and_role(village, people, stage):
    issue = _issue_at(stage, village, people)
    got = {role: _moves(people, role, issue) for role in ROLES}
    want = {role: EXPECTED[stage].get(role, []) for role in ROLES}
    assert got == want


def test_available_moves_stay_within_what_the_stage_allows():
    """The matrix itself never offers a move its stage does not take (TRANSITIONS / ACTIVITIES)."""
    for stage, by_role in EXPECTED.items():
        for moves in by_role.values():
            for move in moves:
                assert stage in workflow.stages_of(move), (stage, move)


def test_available_moves_for_a_deferred_issue_offer_a_later_agenda_not_a_decision(village, people):
    issue = _issue_at(Stage.DELIBERATING, village, people)
    item = issue.agenda_items.get()
    hold(item.meeting, present=5)
    workflow.issue_defer(issue=issue, actor=people["cadre"], agenda_item=item, discussion="再调查")
    assert _moves(people, "cadre", issue) == ["opinion", "put_on_agenda", "comment"]
    assert not issue.agenda_items.filter(outcome=AgendaItem.Outcome.PENDING).exists()


def test_available_moves_offer_no_second_rating(village, people):
    issue = _issue_at(Stage.CLOSED, village, people)
    workflow.issue_rate(issue=issue, score=5)
    assert _moves(people, "code", issue) == []


def test_available_moves_let_the_responsible_person_start_and_report(village, people):
    issue = _issue_at(Stage.DECIDED, village, people)
    member = people["member"]
    workflow.issue_assign(issue=issue, actor=people["cadre"], responsible=member)
    issue.refresh_from_db()
    assert _moves(people, "member", issue) == ["start"]
    workflow.issue_start(issue=issue, actor=member)
    issue.refresh_from_db()
    assert _moves(people, "member", issue) == ["progress", "report_done"]


def test_available_moves_refuse_a_supervisor_their_own_work(village, people):
    issue = _issue_at(Stage.EXECUTING, village, people)
    supervisor = people["supervisor"]
    workflow.issue_assign(issue=issue, actor=people["cadre"], responsible=supervisor)
    workflow.issue_report_done(issue=issue, actor=supervisor, note="完成")
    issue.refresh_from_db()
    assert _moves(people, "supervisor", issue) == []


# --- the pages offer exactly the available moves ---------------------------------------------------


@pytest.mark.parametrize("stage", list(EXPECTED))
@pytest.mark.parametrize("role", ["cadre", "member", "supervisor", "official"])
def test_issue_page_offers_exactly_the_available_moves(client, village, people, stage, role):
    issue = _issue_at(stage, village, people)
    client.force_login(people[role])
    html = client.get(issue.get_absolute_url()).content.decode()
    offered = {
        move
        for move in ISSUE_PAGE_FORMS
        if reverse("roundtable:issue_act", kwargs={"code": village.code, "pk": issue.pk, "move": move})
        in html
    }
    assert offered == set(EXPECTED[stage].get(role, [])) & set(ISSUE_PAGE_FORMS)


@pytest.mark.parametrize("stage", list(EXPECTED))
def test_tracking_page_offers_exactly_the_raisers_moves(client, village, people, stage):
    issue = _issue_at(stage, village, people)
    html = client.get(reverse("roundtable:track", kwargs={"code": issue.tracking_code})).content.decode()
    urls = {
        "opinion": "roundtable:track_opinion",
        "withdraw": "roundtable:track_withdraw",
        "rate": "roundtable:track_rate",
    }
    offered = {
        move for move, name in urls.items() if reverse(name, kwargs={"code": issue.tracking_code}) in html
    }
    assert offered == set(EXPECTED[stage].get("code", []))


def test_resident_opinion_in_step_3_is_refused_as_the_page_does_not_offer_it(client, village, people):
    issue = _issue_at(Stage.DELIBERATING, village, people)
    before = issue.opinions.count()
    url = reverse("roundtable:track_opinion", kwargs={"code": issue.tracking_code})
    response = client.post(url, {"stance": "support", "text": "我也同意"})
    assert response.status_code == 302
    assert issue.opinions.count() == before


def test_agenda_item_move_not_available_is_refused(client, village, people):
    """A member may see the meeting but not decide: the move is not in their available moves."""
    issue = _issue_at(Stage.DELIBERATING, village, people)
    item = issue.agenda_items.get()
    client.force_login(people["member"])
    url = reverse(
        "roundtable:agenda_item_act",
        kwargs={"code": village.code, "pk": issue.pk, "item_pk": item.pk, "move": "defer"},
    )
    client.post(url, {f"i{item.pk}-defer-discussion": "推迟"})
    item.refresh_from_db()
    assert item.outcome == AgendaItem.Outcome.PENDING


def test_tracking_page_offers_a_signed_in_cadre_only_the_raisers_moves(client, village, people):
    """A cadre may record opinions in step 3, but not as the raiser through the tracking page."""
    issue = _issue_at(Stage.DELIBERATING, village, people)
    client.force_login(people["cadre"])
    assert workflow.raiser_moves(issue) == ["withdraw"]
    html = client.get(reverse("roundtable:track", kwargs={"code": issue.tracking_code})).content.decode()
    assert reverse("roundtable:track_opinion", kwargs={"code": issue.tracking_code}) not in html
    before = issue.opinions.count()
    client.post(
        reverse("roundtable:track_opinion", kwargs={"code": issue.tracking_code}),
        {"stance": "support", "text": "以提出人名义"},
    )
    assert issue.opinions.count() == before
