"""Each role's workspace home: the cadre's counts equal the rows of the lists they link to, the
supervisor's verdicts, the member's roundtables and matters open for opinions, the official's escalated
and overdue matters; a user with several roles sees each part; the query count does not grow with data."""

import datetime
import html as htmllib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from core import clock
from roundtable import services, workflow
from roundtable.models import Issue, Opinion, RoundtableMember, Stage, SupervisionVerdict
from tests.factories import TownshipFactory, VillageFactory, make_user
from tests.roundtable_helpers import advance, make_roundtable, raise_issue

pytestmark = pytest.mark.django_db

Role = Membership.Role


def home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("workspace:home"))
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, heading_id: str) -> str:
    """The HTML of the <section> whose heading has this id."""
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def set_due(issue, **delta):
    Issue.objects.filter(pk=issue.pk).update(stage_due_at=clock.now() + datetime.timedelta(**delta))


# --- cadre ----------------------------------------------------------------------------------------


KINDS = {
    "new": "?stage=raised",
    "overdue": "?overdue=true",
    "due this week": "?due=week",
    "open": "?open=true",
    "escalated": "/dashboard/escalated/",
    "dashboard overdue": "/dashboard/overdue/",
}


def count_links(html: str) -> dict[str, tuple[str, int]]:
    """The home's count links: kind → (address, count)."""
    links = re.findall(r'<a href="([^"]+)">[^<]+? <strong>(\d+)</strong></a>', html)
    found = {}
    for href, n in links:
        href = htmllib.unescape(href)
        kind = next(k for k, end in KINDS.items() if href.endswith(end))
        found[kind] = (href, int(n))
    return found


def test_cadre_home_counts_equal_the_rows_of_the_linked_lists(client, village, other_village, cadre):
    for i in range(3):
        raise_issue(village, title=f"新事{i}")
    overdue = [
        workflow.issue_accept(issue=raise_issue(village, title=f"超期{i}"), actor=cadre) for i in range(2)
    ]
    for issue in overdue:
        set_due(issue, days=-1)
    soon = [
        workflow.issue_accept(issue=raise_issue(village, title=f"本周{i}"), actor=cadre) for i in range(4)
    ]
    for i, issue in enumerate(soon):
        set_due(issue, days=i + 1, hours=1)
    later = workflow.issue_accept(issue=raise_issue(village, title="下月到期"), actor=cadre)
    set_due(later, days=20)
    done = advance(raise_issue(village, title="已办结"), Stage.WITHDRAWN, cadre=cadre)
    set_due(done, days=-3)  # closed matters are never overdue
    raise_issue(other_village, title="别村的事")

    links = count_links(home(client, cadre))
    # step 1's limit is three days: the new matters are due this week too
    expected = {"new": 3, "overdue": 2, "due this week": 7, "open": 10}
    for label, count in expected.items():
        url, shown = links[label]
        assert shown == count, label
        response = client.get(url)
        assert response.status_code == 200
        assert response.context["page"].paginator.count == count, (label, url)
    _, _, due_week = links["due this week"][0].partition("?")
    assert due_week == "due=week"


def test_cadre_home_lists_next_meetings_of_own_village(client, village, other_village, cadre):
    mine = services.meeting_schedule(
        roundtable=make_roundtable(village, members=1),
        starts_at=timezone.now() + datetime.timedelta(days=2),
        place="祠堂",
    )
    theirs = services.meeting_schedule(
        roundtable=make_roundtable(other_village, members=1),
        starts_at=timezone.now() + datetime.timedelta(days=2),
        place="礼堂",
    )
    html = section(home(client, cadre), "next-meetings")
    assert reverse("roundtable:meeting", kwargs={"code": village.code, "pk": mine.pk}) in html
    assert reverse("roundtable:meeting", kwargs={"code": other_village.code, "pk": theirs.pk}) not in html


# --- supervisor -----------------------------------------------------------------------------------


def test_supervisor_home_waiting_sent_back_and_confirmed(
    client, village, other_village, cadre, other_cadre, supervisor
):
    waiting = advance(raise_issue(village, title="待我确认"), Stage.SUPERVISING, cadre=cadre)
    sent = advance(raise_issue(village, title="被我退回"), Stage.SUPERVISING, cadre=cadre)
    workflow.issue_send_back(issue=sent, supervisor=supervisor, reason="路灯仍不亮")
    confirmed = advance(raise_issue(village, title="我已确认"), Stage.SUPERVISING, cadre=cadre)
    workflow.issue_confirm(issue=confirmed, supervisor=supervisor)
    other_supervisor = make_user(Role.SUPERVISOR, village=village)
    by_other = advance(raise_issue(village, title="别人确认"), Stage.SUPERVISING, cadre=cadre)
    workflow.issue_confirm(issue=by_other, supervisor=other_supervisor)
    old = advance(raise_issue(village, title="早已确认"), Stage.SUPERVISING, cadre=cadre)
    workflow.issue_confirm(issue=old, supervisor=supervisor)
    SupervisionVerdict.objects.filter(issue=old).update(
        created_at=timezone.now() - datetime.timedelta(days=40)
    )
    own_work = advance(raise_issue(village, title="我负责的事"), Stage.SUPERVISING, cadre=cadre)
    Issue.objects.filter(pk=own_work.pk).update(responsible=supervisor)
    elsewhere = advance(raise_issue(other_village, title="别村待确认"), Stage.SUPERVISING, cadre=other_cadre)

    html = home(client, supervisor)
    part = section(html, "waiting-verdict")
    waiting_list = part[: part.index("<h3>")]
    assert waiting.title in waiting_list
    for issue in (sent, confirmed, by_other, own_work, elsewhere):
        assert issue.title not in waiting_list, issue.title
    sent_back_list = part[part.index("<h3>") : part.rindex("<h3>")]
    assert sent.title in sent_back_list and waiting.title not in sent_back_list
    confirmed_list = part[part.rindex("<h3>") :]
    assert confirmed.title in confirmed_list
    assert by_other.title not in confirmed_list and old.title not in confirmed_list
    # no cadre counts and no dashboard for a supervisor
    assert "?due=week" not in html and reverse("dashboards:home") not in html


def test_supervisor_home_says_when_nothing_waits(client, supervisor):
    part = section(home(client, supervisor), "waiting-verdict")
    assert 'id="waiting-verdict-list"' not in part and '<p class="card">' in part


# --- member ---------------------------------------------------------------------------------------


def test_member_home_roundtables_meetings_agendas_and_open_matters(client, village, cadre, member):
    first, second = village.groups.order_by("order")[:2]
    with_meeting = make_roundtable(village, members=2, group=first, name="第一组圆桌会")
    without = make_roundtable(village, members=2, name="全村圆桌会")
    stranger = make_roundtable(village, members=2, group=second, name="第二组圆桌会")
    RoundtableMember.objects.create(roundtable=with_meeting, name="成员甲", role="other", user=member)
    RoundtableMember.objects.create(roundtable=without, name="成员甲", role="other", user=member)
    meeting = services.meeting_schedule(
        roundtable=with_meeting, starts_at=timezone.now() + datetime.timedelta(days=3), place="文化礼堂"
    )
    services.meeting_add_topic(meeting=meeting, topic="修缮祠堂的方案")
    cancelled = services.meeting_schedule(
        roundtable=with_meeting, starts_at=timezone.now() + datetime.timedelta(days=5), place="村委会"
    )
    services.meeting_add_topic(meeting=cancelled, topic="已取消的议题")
    services.meeting_cancel(meeting=cancelled, reason="改期")
    services.meeting_add_topic(
        meeting=services.meeting_schedule(
            roundtable=stranger, starts_at=timezone.now() + datetime.timedelta(days=3), place="某地"
        ),
        topic="别的圆桌会议题",
    )
    ask_first = workflow.issue_accept(
        issue=raise_issue(village, title="第一组征求意见", group=first), actor=cadre
    )
    Opinion.objects.create(issue=ask_first, party="甲", stance="support", text="好")
    ask_village = workflow.issue_accept(issue=raise_issue(village, title="全村征求意见"), actor=cadre)
    ask_second = workflow.issue_accept(
        issue=raise_issue(village, title="第二组征求意见", group=second), actor=cadre
    )
    still_new = raise_issue(village, title="尚未受理", group=first)

    html = home(client, member)
    part = section(html, "my-roundtables")
    assert "第一组圆桌会" in part and "全村圆桌会" in part and "第二组圆桌会" not in part
    assert "修缮祠堂的方案" in part and "文化礼堂" in part
    assert "已取消的议题" not in part and "别的圆桌会议题" not in part
    card_without = part[part.index("全村圆桌会") :]
    assert re.search(r"No meeting is scheduled|尚未安排会议", card_without[: card_without.index("</li>")])
    opinions = part[part.index('id="open-for-opinions"') :]
    # the village-wide roundtable covers every group: all three step-2 matters, none in step 1
    assert ask_first.title in opinions and ask_village.title in opinions and ask_second.title in opinions
    assert still_new.title not in opinions
    assert reverse("roundtable:issue", kwargs={"code": village.code, "pk": ask_first.pk}) in opinions


def test_member_of_a_group_roundtable_sees_only_its_groups_matters(client, village, cadre, member):
    first, second = village.groups.order_by("order")[:2]
    roundtable = make_roundtable(village, members=2, group=first, name="第一组圆桌会")
    RoundtableMember.objects.create(roundtable=roundtable, name="成员甲", role="other", user=member)
    mine = workflow.issue_accept(issue=raise_issue(village, title="第一组的事", group=first), actor=cadre)
    theirs = workflow.issue_accept(issue=raise_issue(village, title="第二组的事", group=second), actor=cadre)
    opinions = section(home(client, member), "my-roundtables")
    assert mine.title in opinions and theirs.title not in opinions


def test_member_seat_that_left_shows_nothing(client, village, member):
    roundtable = make_roundtable(village, members=1, name="老圆桌会")
    RoundtableMember.objects.create(
        roundtable=roundtable, name="成员甲", role="other", user=member, is_active=False
    )
    assert 'id="my-roundtables"' not in home(client, member)


# --- official -------------------------------------------------------------------------------------


def test_official_home_escalated_and_overdue_equal_the_dashboard_lists(
    client, village, other_village, cadre, official
):
    overdue = [
        workflow.issue_accept(issue=raise_issue(village, title=f"超期{i}"), actor=cadre) for i in range(3)
    ]
    for issue in overdue:
        set_due(issue, days=-2)
    workflow.issue_escalate(issue=overdue[0], actor=official, note="请加快")
    escalated = workflow.issue_accept(issue=raise_issue(other_village, title="督办"), actor=cadre)
    workflow.issue_escalate(issue=escalated, actor=official, note="请加快")
    closed_escalated = raise_issue(village, title="已撤回")
    workflow.issue_escalate(issue=closed_escalated, actor=official, note="请加快")
    workflow.issue_withdraw(issue=closed_escalated)
    elsewhere = VillageFactory(
        township=TownshipFactory(code="other-town", name="别镇"), code="far", name="远村"
    )
    far = raise_issue(elsewhere, title="别镇超期")
    set_due(far, days=-2)

    html = home(client, official)
    links = count_links(section(html, "official-watch"))
    assert links["escalated"][1] == 2 and links["dashboard overdue"][1] == 3
    for label in ("escalated", "dashboard overdue"):
        url, shown = links[label]
        response = client.get(url)
        assert response.status_code == 200 and response.context["page"].paginator.count == shown, label
    assert village.name in html and other_village.name in html and elsewhere.name not in html
    # an official holds no village role: no cadre counts, no supervisor or member part
    assert 'id="my-villages"' not in html and 'id="waiting-verdict"' not in html


def test_district_official_home(client, village, other_village, cadre):
    district_official = make_user(Role.DISTRICT_OFFICIAL, village=village)
    issue = workflow.issue_accept(issue=raise_issue(other_village, title="区里看的超期"), actor=cadre)
    set_due(issue, days=-1)
    links = count_links(section(home(client, district_official), "official-watch"))
    assert links["dashboard overdue"][1] == 1


# --- several roles --------------------------------------------------------------------------------


def test_user_with_several_roles_sees_each_part(client, village, other_village, cadre):
    user = make_user(Role.CADRE, village=village)
    Membership.objects.create(user=user, role=Role.SUPERVISOR, village=other_village)
    Membership.objects.create(user=user, role=Role.MEMBER, village=village)
    Membership.objects.create(user=user, role=Role.OFFICIAL, township=village.township)
    roundtable = make_roundtable(village, members=1, name="新东圆桌会")
    RoundtableMember.objects.create(roundtable=roundtable, name="本人", role="other", user=user)
    raise_issue(village, title="新来的事")
    other_cadre = make_user(Role.CADRE, village=other_village)
    waiting = advance(raise_issue(other_village, title="洪四待确认"), Stage.SUPERVISING, cadre=other_cadre)

    html = home(client, user)
    villages = section(html, "my-villages")
    assert count_links(villages)["new"][1] == 1
    # counts for the village where the user is a cadre only
    assert villages.count("?due=week") == 1
    assert waiting.title in section(html, "waiting-verdict")
    assert "新东圆桌会" in section(html, "my-roundtables")
    assert "official-watch" in html


# --- query counts ---------------------------------------------------------------------------------


def _queries(client, url) -> int:
    client.get(url)  # the first page keeps the user's scope (core.stamped): pages after it are compared
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _bulk(village, n, *, stage, tag, **fields):
    Issue.objects.bulk_create(
        [
            Issue(
                village=village,
                title=f"{tag}{i}",
                description="d",
                category="other",
                stage=stage,
                stage_entered_at=clock.now(),
                **fields,
            )
            for i in range(n)
        ]
    )
    return list(Issue.objects.filter(title__startswith=tag))


def test_home_queries_do_not_grow_with_data(client, village, other_village, cadre):
    user = make_user(Role.CADRE, village=village)
    Membership.objects.create(user=user, role=Role.SUPERVISOR, village=village)
    Membership.objects.create(user=user, role=Role.SUPERVISOR, village=other_village)
    Membership.objects.create(user=user, role=Role.MEMBER, village=village)
    Membership.objects.create(user=user, role=Role.OFFICIAL, township=village.township)
    first = village.groups.order_by("order").first()
    roundtables = [
        make_roundtable(village, members=2, name="甲圆桌会"),
        make_roundtable(village, members=2, group=first, name="乙圆桌会"),
    ]
    for rt in roundtables:
        RoundtableMember.objects.create(roundtable=rt, name="本人", role="other", user=user)
    client.force_login(user)
    url = reverse("workspace:home")

    def add(n, tag):
        now = clock.now()
        _bulk(village, n, stage=Stage.RAISED, tag=f"{tag}新")
        _bulk(
            village,
            n,
            stage=Stage.SOLICITING,
            tag=f"{tag}征",
            group=first,
            stage_due_at=now - datetime.timedelta(days=1),
        )
        _bulk(
            village, n, stage=Stage.SOLICITING, tag=f"{tag}周", stage_due_at=now + datetime.timedelta(days=2)
        )
        waiting = _bulk(other_village, n, stage=Stage.SUPERVISING, tag=f"{tag}监", escalated_at=now)
        sent = _bulk(village, n, stage=Stage.EXECUTING, tag=f"{tag}退")
        closed = _bulk(village, n, stage=Stage.CLOSED, tag=f"{tag}结")
        SupervisionVerdict.objects.bulk_create(
            [SupervisionVerdict(issue=i, supervisor=user, verdict="send_back", reason="r") for i in sent]
            + [SupervisionVerdict(issue=i, supervisor=user, verdict="confirm") for i in closed]
        )
        for rt in roundtables:
            for d in range(n):
                meeting = services.meeting_schedule(
                    roundtable=rt, starts_at=now + datetime.timedelta(days=d + 1), place=f"{tag}{d}"
                )
                for k in range(2):
                    services.meeting_add_topic(meeting=meeting, topic=f"{tag}议题{d}-{k}")
        return waiting

    add(2, "少")
    few = _queries(client, url)
    add(30, "多")
    many = _queries(client, url)
    assert few == many
    html = client.get(url).content.decode()
    assert "多监0" in html or "少监0" in html
