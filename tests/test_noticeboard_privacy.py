"""On the seeded demo: a crawl of every public page, feed, poster and notice finds no seeded mobile number,
no raiser's or visitor's name and no internal note; the village page's counts equal the lists they
summarise; the demo holds the source's figures."""

import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlparse

from django.db.models import Count, Q
from django.urls import reverse

from accounts.models import User
from noticeboard.models import Briefing, Suggestion
from noticeboard.selectors import BOARD_FILTERS
from projects.models import Project
from roundtable.models import Issue, Meeting, Opinion, ProgressUpdate, RoundtableMember, Stage, TimelineEntry
from talent.models import Talent
from villages.models import Village

PRIVATE_PREFIXES = ("/work/", "/accounts/", "/admin/", "/i18n/", "/static/", "/media/")
MAX_PAGES = 4000


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.urls.append(value)


def _secrets() -> dict[str, set[str]]:
    """What must never appear in public: every seeded mobile number, raisers' and visitors' names, notes
    that are internal. Names also held by people named in public (Party secretaries, roundtable members,
    staff) are left out: their appearing says nothing."""
    public_people = set(Village.objects.values_list("party_secretary", flat=True))
    public_people |= set(RoundtableMember.objects.values_list("name", flat=True))
    mobiles = {
        *Issue.objects.exclude(raiser_mobile="").values_list("raiser_mobile", flat=True),
        *RoundtableMember.objects.exclude(mobile="").values_list("mobile", flat=True),
        *User.objects.exclude(mobile="").values_list("mobile", flat=True),
        *Talent.objects.exclude(mobile="").values_list("mobile", flat=True),
    }
    names = {
        *Issue.objects.exclude(raiser_name="").values_list("raiser_name", flat=True),
        *Opinion.objects.exclude(visitor_name="").values_list("visitor_name", flat=True),
        *Suggestion.objects.exclude(name="").values_list("name", flat=True),
    } - public_people
    internal = {
        *TimelineEntry.objects.filter(Q(is_public=False) | Q(note_is_public=False))
        .exclude(note="")
        .values_list("note", flat=True),
        *ProgressUpdate.objects.filter(note_is_public=False).values_list("note", flat=True),
    }
    # A generated note ("Responsible: …") may repeat a public phrase; only notes long enough to be
    # someone's own words are checked.
    internal = {note for note in internal if len(note) >= 8}
    return {"mobile": mobiles, "name": names, "internal note": internal}


def _seeds() -> list[str]:
    urls = ["/", reverse("noticeboard:township_briefings"), reverse("noticeboard:township_feed")]
    for village in Village.objects.all():
        code = village.code
        urls += [
            f"/v/{code}/",
            reverse("roundtable:consult", kwargs={"code": code}),
            reverse("noticeboard:feed", kwargs={"code": code}),
            reverse("noticeboard:poster", kwargs={"code": code}),
            *[f"{reverse('noticeboard:decisions', kwargs={'code': code})}?status={s}" for s in BOARD_FILTERS],
        ]
    for meeting in Meeting.objects.select_related("roundtable__village"):
        urls.append(
            reverse(
                "noticeboard:meeting_notice",
                kwargs={"code": meeting.roundtable.village.code, "pk": meeting.pk},
            )
        )
    urls += [
        reverse("roundtable:track", kwargs={"code": c})
        for c in Issue.objects.values_list("tracking_code", flat=True)
    ]
    return urls


def _crawl(client) -> dict[str, str]:
    pages: dict[str, str] = {}
    queue = _seeds()
    n = 0
    while queue and len(pages) < MAX_PAGES:
        url = urldefrag(queue.pop(0))[0]
        if url in pages or url.startswith(PRIVATE_PREFIXES) or urlparse(url).netloc:
            continue
        n += 1
        # a different address per request: the tracking pages' rate limit is per address
        response = client.get(url, REMOTE_ADDR=f"10.{n // 65000}.{n // 250 % 250}.{n % 250}")
        if response.status_code in (301, 302):
            continue
        assert response.status_code == 200, url
        kind = response["Content-Type"]
        if not (kind.startswith("text/") or "xml" in kind):
            pages[url] = ""
            continue
        body = response.content.decode()
        pages[url] = body
        parser = _Links()
        parser.feed(body)
        for link in parser.urls:
            target = urljoin(url, link)
            if urlparse(target).netloc in ("", "testserver"):
                queue.append(urlparse(target)._replace(scheme="", netloc="").geturl())
    return pages


def test_public_crawl_shows_no_mobile_number_raiser_name_or_internal_note(client, demo):
    secrets = _secrets()
    assert secrets["mobile"] and secrets["name"] and secrets["internal note"]
    pages = _crawl(client)
    assert len(pages) > 600  # every village's pages, the notices and the tracking pages
    kinds = {
        "feed": False,
        "poster": False,
        "notice": False,
        "consult": False,
        "track": False,
        "briefing": False,
    }
    for url in pages:
        kinds["feed"] |= "/feed/" in url
        kinds["poster"] |= url.endswith("/poster/")
        kinds["notice"] |= url.endswith("/notice/")
        kinds["consult"] |= bool(re.search(r"/consult/\d+/$", url))
        kinds["track"] |= url.startswith("/track/")
        kinds["briefing"] |= bool(re.search(r"/briefings/\d+/$", url))
    assert all(kinds.values()), kinds
    for url, body in pages.items():
        for what, values in secrets.items():
            for value in values:
                assert value not in body, f"{what} {value!r} on {url}"


def _count(html: str, key: str) -> int:
    return int(re.search(rf'data-count="{key}">(\d+)<', html).group(1))


def test_village_page_counts_equal_the_lists_they_summarise(client, demo):
    for code in ("xindong", "hongsi", "jianxing", "shuangxi"):
        html = client.get(f"/v/{code}/").content.decode()
        consult = client.get(reverse("roundtable:consult", kwargs={"code": code})).content.decode()
        shown = int(re.search(r'id="consult-heading">[^<]*<span class="count">(\d+)</span>', html).group(1))
        assert shown == consult.count('<li class="card">')
        for status in BOARD_FILTERS:
            url = reverse("noticeboard:decisions", kwargs={"code": code}) + f"?status={status}"
            total, page = 0, 1
            while True:
                board = client.get(f"{url}&page={page}").content.decode()
                total += board.count('class="card decision')
                if 'rel="next"' not in board:
                    break
                page += 1
            assert _count(html, status) == total, (code, status)
        work = re.search(r'data-count="work">(\d+)<', html)
        if work:
            assert int(work.group(1)) == html.count('class="work-item"') or int(work.group(1)) > 50


def test_demo_holds_the_source_figures(demo):
    pilots = Issue.objects.filter(village__code__in=["xindong", "hongsi"], stage=Stage.CLOSED)
    by_kind = dict(pilots.values_list("category").annotate(n=Count("pk")).order_by())
    assert by_kind[Issue.Category.LAND_DISPUTE] >= 70
    assert by_kind[Issue.Category.PETITION] >= 50
    assert by_kind[Issue.Category.NEIGHBOUR_DISPUTE] >= 100
    years = set(pilots.values_list("created_at__year", flat=True))
    assert set(range(2016, 2026)) <= years
    assert Briefing.objects.filter(status=Briefing.Status.PUBLISHED).count() == 8
    assert Suggestion.objects.count() == 32
    assert set(Briefing.objects.values_list("village__code", flat=True)) == {
        "xindong",
        "hongsi",
        "jianxing",
        "guangqiao",
    }
    # varied: no decision text repeated more than a few times
    texts = list(pilots.values_list("resolutions__text", flat=True))
    assert max(texts.count(t) for t in set(texts)) <= 5
    tallies = set(
        pilots.values_list(
            "resolutions__votes_for", "resolutions__votes_against", "resolutions__votes_abstain"
        )
    )
    assert len(tallies) >= 4
    for project in Project.objects.filter(origin_issue__isnull=False, start_date__isnull=False):
        assert project.origin_issue.created_at.date() < project.start_date, project.name


def test_demo_history_timelines_are_consistent(demo):
    issue = (
        Issue.objects.filter(village__code="xindong", category=Issue.Category.LAND_DISPUTE)
        .order_by("created_at")
        .first()
    )
    moves = list(issue.timeline.filter(kind=TimelineEntry.Kind.STAGE).order_by("created_at", "pk"))
    assert [(m.from_stage, m.to_stage) for m in moves] == [
        (Stage.RAISED, Stage.SOLICITING),
        (Stage.SOLICITING, Stage.DELIBERATING),
        (Stage.DELIBERATING, Stage.DECIDED),
        (Stage.DECIDED, Stage.EXECUTING),
        (Stage.EXECUTING, Stage.SUPERVISING),
        (Stage.SUPERVISING, Stage.CLOSED),
    ]
    times = [e.created_at for e in issue.timeline.order_by("pk")]
    assert times == sorted(times)
    resolution = issue.resolutions.get()
    present = resolution.meeting.attendance.filter(status="present").count()
    assert resolution.votes_for * 2 > present
    assert resolution.votes_for + resolution.votes_against + resolution.votes_abstain <= present
    assert resolution.meeting.signed_off_at is not None
