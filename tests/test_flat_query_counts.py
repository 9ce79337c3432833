"""Every page of issue 13's table makes the same number of queries whatever the township's history holds
(point 4): counted on a small village, then again after hundreds of matters more, in every stage, with
decisions, progress and overdue steps, here and in the next village."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from roundtable import selectors, services, workflow
from roundtable.models import STEPS, Issue, Meeting, ProgressUpdate, Resolution, Satisfaction, Stage
from tests.dashboards_helpers import forget_snapshots
from tests.factories import make_user
from tests.roundtable_helpers import advance, make_roundtable, raise_issue

pytestmark = pytest.mark.django_db

GROWTH = 300


@pytest.fixture
def world(village, other_village, township, monkeypatch):
    monkeypatch.setattr(selectors, "OVERDUE_PAGE_SIZE", 3)
    village.is_pilot = True
    village.save(update_fields=["is_pilot"])
    cadre = make_user(Membership.Role.CADRE, village=village)
    supervisor = make_user(Membership.Role.SUPERVISOR, village=village)
    official = make_user(Membership.Role.OFFICIAL, township=township)
    roundtable = make_roundtable(village)
    issues = {}
    for stage in (Stage.RAISED, Stage.SOLICITING, Stage.EXECUTING, Stage.CLOSED, Stage.CLOSED):
        issues[stage] = advance(
            raise_issue(village, title=f"村道路灯损坏{stage}"),
            stage,
            cadre=cadre,
            supervisor=supervisor,
            roundtable=roundtable,
        )
    services_progress(issues[Stage.EXECUTING], cadre)
    workflow.issue_rate(issue=issues[Stage.CLOSED], score=4)
    late = timezone.now() - datetime.timedelta(days=2)
    for n in range(8):  # enough overdue for three pages of three
        issue = raise_issue(village if n % 2 else other_village, title=f"逾期的事{n}")
        Issue.objects.filter(pk=issue.pk).update(stage_due_at=late + datetime.timedelta(minutes=n // 2))
    return {
        "village": village,
        "other": other_village,
        "township": township,
        "cadre": cadre,
        "official": official,
        "issues": issues,
        "meeting": Meeting.objects.filter(roundtable=roundtable).first(),
    }


def services_progress(issue, cadre):
    workflow.issue_report_progress(issue=issue, actor=cadre, percent=40, note="进行中", note_public=True)


def grow(world):
    """Hundreds of matters more, written in bulk as an import would, then the tallies counted again."""
    now = timezone.now()
    rows = []
    for n in range(GROWTH):
        stage = [Stage.CLOSED, Stage.CLOSED, Stage.REJECTED, Stage.MERGED, Stage.WITHDRAWN, *STEPS][n % 11]
        due = now + datetime.timedelta(days=n % 7 - 3) if stage in STEPS else None
        rows.append(
            Issue(
                village=world["village"] if n % 3 else world["other"],
                title=f"村道路灯损坏历史{n}",
                description="历史上的事，路灯和水渠。",
                category="other",
                stage=stage,
                stage_due_at=due,
                created_at=now - datetime.timedelta(days=n),
                tracking_code=f"GROW{n:08d}",
            )
        )
    Issue.objects.bulk_create(rows)
    grown = list(Issue.objects.filter(tracking_code__startswith="GROW"))
    Resolution.objects.bulk_create(
        [
            Resolution(
                meeting=world["meeting"],
                issue=issue,
                village_id=issue.village_id,
                text="同意",
                votes_for=5,
                votes_against=0,
                votes_abstain=0,
                created_at=now - datetime.timedelta(hours=n),
            )
            for n, issue in enumerate(grown)
            if issue.stage in (Stage.CLOSED, Stage.EXECUTING, Stage.SUPERVISING, Stage.DECIDED)
        ]
    )
    ProgressUpdate.objects.bulk_create(
        [
            ProgressUpdate(issue=issue, percent=30, note="进行中")
            for issue in grown
            if issue.stage == Stage.EXECUTING
        ]
    )
    Satisfaction.objects.bulk_create(
        [
            Satisfaction(issue=issue, score=1 + n % 5)
            for n, issue in enumerate(grown)
            if issue.stage == Stage.CLOSED
        ]
    )
    services.tallies_rebuild()


def _pages(world):
    village, code = world["village"], world["village"].code
    tracked = world["issues"][Stage.EXECUTING]
    after = selectors.overdue_page(villages=[village, world["other"]], after="")["next"]
    after = selectors.overdue_page(villages=[village, world["other"]], after=after)["next"]
    assert after, "the deep page exists"
    return {
        "township home": (None, reverse("home")),
        "village page": (None, reverse("villages:detail", kwargs={"code": code})),
        # A parameter the page cache does not keep pages under: the board rendered, not served from the cache.
        "decisions board": (None, reverse("noticeboard:decisions", kwargs={"code": code}) + "?fresh=1"),
        "resident form": (None, reverse("roundtable:submit", kwargs={"code": code})),
        "tracking page": (None, reverse("roundtable:track", kwargs={"code": tracked.tracking_code})),
        "cadre list": ("cadre", reverse("roundtable:issues", kwargs={"code": code})),
        "cadre list ?q=": ("cadre", reverse("roundtable:issues", kwargs={"code": code}) + "?q=路灯"),
        "issue page at step 1": ("cadre", world["issues"][Stage.RAISED].get_absolute_url()),
        "issue page in step 5": ("cadre", tracked.get_absolute_url()),
        "official /work/": ("official", reverse("workspace:home")),
        "cadre /work/": ("cadre", reverse("workspace:home")),
        "/work/overdue/": ("official", reverse("roundtable:overdue")),
        "/work/overdue/ deep page": ("official", reverse("roundtable:overdue") + f"?after={after}"),
        "township dashboard": ("official", f"/work/dashboard/t/{world['township'].code}/"),
        "village dashboard": ("cadre", f"/work/dashboard/v/{code}/"),
        "dashboard overdue list": ("official", "/work/dashboard/overdue/"),
        # Beside the issue's table: the dashboards' other lists and the workspace search (whose rows show the
        # raiser to the village's cadre).
        "dashboard issue list": ("official", "/work/dashboard/issues/"),
        "dashboard meeting list": ("official", "/work/dashboard/meetings/"),
        "search ?q=路灯 (official)": ("official", reverse("workspace:search") + "?q=路灯"),
        "search ?q=路灯 (cadre)": ("cadre", reverse("workspace:search") + "?q=路灯"),
        "search ?q=路灯 page 2 (cadre)": ("cadre", reverse("workspace:search") + "?q=路灯&page=2"),
    }


def _count(client, world, who, url):
    client.logout()
    if who:
        client.force_login(world[who])
    client.get(url)  # the session and the CSRF cookie, as a returning visitor has them
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_every_page_makes_the_same_queries_at_two_sizes(client, world):
    pages = _pages(world)
    small = {name: _count(client, world, who, url) for name, (who, url) in pages.items()}
    grow(world)
    assert Issue.objects.count() > GROWTH
    # The village dashboard keeps its figures from its first view: count them computed from the grown history.
    forget_snapshots([world["village"].pk])
    pages = _pages(world)
    large = {name: _count(client, world, who, url) for name, (who, url) in pages.items()}
    assert large == small
