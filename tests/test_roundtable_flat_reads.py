"""Reads whose cost does not grow with history give the same answers as the plain queries they replaced:
keyset pages of the overdue list, likely duplicates through the trigram index, ``?q=`` through the
character-pair index."""

import datetime
import re

import pytest
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from core import clock
from roundtable import selectors
from roundtable.models import STEPS, Issue, Stage
from tests.factories import make_user

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(not settings.IS_POSTGRES, reason="PostgreSQL indexes and operators")


def _issues(village, rows, *, prefix="T"):
    """Issues written directly (stage, due time, title, description)."""
    Issue.objects.bulk_create(
        [
            Issue(
                village=village,
                title=title,
                description=description,
                category="other",
                stage=stage,
                stage_due_at=due,
                tracking_code=f"{prefix}{n:011d}",
            )
            for n, (stage, due, title, description) in enumerate(rows)
        ]
    )


# --- overdue: keyset pages ------------------------------------------------------------------------


@pytest.fixture
def overdue_set(village, other_village):
    now = timezone.now()
    rows = []
    for n in range(37):
        # Three issues share each due time (ties), in both villages, open stages only count.
        due = now - datetime.timedelta(hours=100 - n // 3)
        rows.append((STEPS[n % 6], due, f"逾期{n}", "d"))
    rows.append((Stage.CLOSED, now - datetime.timedelta(days=3), "已办结", "d"))
    rows.append((Stage.RAISED, now + datetime.timedelta(days=3), "未到期", "d"))
    _issues(village, rows)
    _issues(other_village, [(Stage.RAISED, now - datetime.timedelta(days=1), "别村逾期", "d")], prefix="U")
    return {"village": village, "other": other_village}


def _expected(villages):
    return list(
        Issue.objects.filter(village__in=villages, stage__in=STEPS, stage_due_at__lt=clock.now())
        .order_by("stage_due_at", "pk")
        .values_list("pk", flat=True)
    )


@pytest.mark.parametrize("size", [1, 4, 5, 50])
def test_keyset_pages_visit_every_overdue_issue_exactly_once(overdue_set, size):
    villages = [overdue_set["village"], overdue_set["other"]]
    expected = _expected(villages)
    assert len(expected) == 38
    seen, after, pages = [], "", 0
    while True:
        page = selectors.overdue_page(villages=villages, after=after, size=size)
        assert len(page["issues"]) <= size
        seen += [i.pk for i in page["issues"]]
        pages += 1
        after = page["next"]
        if not after:
            break
    assert seen == expected
    assert pages == -(-len(expected) // size)


def test_overdue_page_follows_its_next_links(client, overdue_set, township):
    official = make_user(Membership.Role.OFFICIAL, township=township)
    client.force_login(official)
    url = reverse("roundtable:overdue")
    expected = _expected([overdue_set["village"], overdue_set["other"]])
    response = client.get(url)
    seen = [i.pk for i in response.context["issues"]]
    assert seen == expected  # one page of 50
    assert 'rel="next"' not in response.content.decode()


def test_overdue_keyset_link_and_bad_cursors(client, overdue_set, township, monkeypatch):
    monkeypatch.setattr(selectors, "OVERDUE_PAGE_SIZE", 10)
    official = make_user(Membership.Role.OFFICIAL, township=township)
    client.force_login(official)
    url = reverse("roundtable:overdue")
    expected = _expected([overdue_set["village"], overdue_set["other"]])
    seen, next_url = [], url
    while next_url:
        response = client.get(next_url)
        assert response.status_code == 200
        seen += [i.pk for i in response.context["issues"]]
        match = re.search(r'href="(\?after=[^"]+)" rel="next"', response.content.decode())
        next_url = url + match.group(1).replace("&amp;", "&") if match else None
    assert seen == expected
    bad_cursors = ("x", "1_", "_5", "nan_1", "1e400_3", "-1e20_2", "5_-3", "1_99999999999999999999", "\x00")
    for bad in (*bad_cursors, "9" * 40 + "_1", "-" + "9" * 30 + "_1", "1.5_2"):
        response = client.get(url, {"after": bad})
        assert response.status_code == 200, bad
        assert [i.pk for i in response.context["issues"]] == expected[:10]
    # The numbered pages of old links still open.
    response = client.get(url, {"page": "2"})
    assert [i.pk for i in response.context["issues"]] == expected[10:20]


# The overdue list's table as its template wrote it, before it was written in Python (issue 13).
_TEMPLATE_OVERDUE = """{% load i18n roundtable_tags tables %}
{% stacktable title=2 %}<table>
  <thead><tr><th scope="col">{% translate "Village" %}</th><th scope="col">{% translate "Issue" %}</th>
    <th scope="col">{% translate "Stage" %}</th><th scope="col">{% translate "Due" %}</th></tr>
    </thead>
  <tbody>{% for issue in issues %}<tr><td>{{ issue.village.name }}</td>
    <td><span class="muted">#{{ issue.pk }}</span> <a
    href="{% url 'roundtable:issue' code=issue.village.code pk=issue.pk %}">{{ issue.title }}</a>
    {% if issue.escalated_at %}<span class="badge badge-warn">{% translate "escalated" %}</span>
    {% endif %}</td>
    <td>{% stage_badge issue.stage %}</td><td>{{ issue.stage_due_at|ymd }}</td></tr>
  {% empty %}<tr><td colspan="4">{% translate "Nothing is overdue." %}</td></tr>{% endfor %}</tbody>
</table>{% endstacktable %}"""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("page", ["keyset", "numbered", "empty"])
def test_overdue_table_is_the_table_the_template_wrote(client, overdue_set, township, language, page):
    """Every row: the village named from the page's places, its address, the number, the title escaped, the
    escalated badge, the stage and the due day in the user's zone; the empty list's one row."""
    from django.template import engines
    from django.test.html import parse_html
    from django.utils import translation

    from roundtable.templatetags.roundtable_tags import overdue_table

    village = overdue_set["village"]
    village.name = '<i>"新东" & 村</i>'
    village.save()
    Issue.objects.filter(pk__in=_expected([village])[:3]).update(
        title="<b>路灯</b> & 'x'", escalated_at=timezone.now()
    )
    if page == "empty":
        Issue.objects.update(stage=Stage.CLOSED)
    official = make_user(Membership.Role.OFFICIAL, township=township)
    client.force_login(official)
    response = client.get(reverse("roundtable:overdue"), {"page": "1"} if page == "numbered" else {})
    issues = list(response.context["issues"])
    assert bool(issues) == (page != "empty")
    # The template read the matters with their villages
    full = sorted(
        Issue.objects.select_related("village").filter(pk__in=[i.pk for i in issues]),
        key=lambda i: [x.pk for x in issues].index(i.pk),
    )
    assert page == "empty" or {i.village_id for i in full} == {village.pk, overdue_set["other"].pk}
    with translation.override(language):
        old = engines["django"].from_string(_TEMPLATE_OVERDUE).render({"issues": full})
        new = overdue_table(issues, response.context["places"], response.context["work_root"])
    assert parse_html(new) == parse_html(old)
    if language == "zh-hans":
        assert new in response.content.decode()
    assert page == "empty" or "&lt;i&gt;&quot;新东&quot; &amp; 村&lt;/i&gt;" in new


# --- likely duplicates -------------------------------------------------------------------------

TITLES = [
    "村道路灯损坏",
    "村道路灯坏了两个月",
    "路灯不亮",
    "水渠堵塞",
    "水渠堵塞严重，影响灌溉",
    "广场噪音扰民",
    "村道坑洼",
    "垃圾站脏乱",
    "LED路灯更换",
    "小学门口安全隐患",
]


@pytest.fixture
def similar_set(village, other_village):
    now = timezone.now()
    rows = [(Stage.RAISED, None, t, "d") for t in TITLES]
    rows += [(Stage.MERGED, None, "村道路灯损坏（重复）", "d"), (Stage.WITHDRAWN, None, "路灯坏了", "d")]
    _issues(village, rows)
    _issues(other_village, [(Stage.RAISED, None, "村道路灯损坏", "d")], prefix="U")
    old = Issue.objects.filter(village=village, title="路灯不亮")
    old.update(created_at=now - datetime.timedelta(days=400))
    return village


def _similar_before(*, village, title, exclude_pk=None, limit=5):
    """The query before the index: similarity() computed over every issue of the year."""
    from django.contrib.postgres.search import TrigramSimilarity

    base = Issue.objects.filter(
        village=village, created_at__gte=clock.now() - datetime.timedelta(days=365)
    ).exclude(stage__in=[Stage.MERGED, Stage.WITHDRAWN])
    if exclude_pk:
        base = base.exclude(pk=exclude_pk)
    return list(
        base.annotate(similarity=TrigramSimilarity("title", title))
        .filter(similarity__gt=0.15)
        .order_by("-similarity", "-created_at")[:limit]
    )


@postgres_only
@pytest.mark.parametrize("title", [*TITLES, "路灯", "村道", "水渠堵了", "led", "噪音", "完全无关的标题"])
def test_similar_issues_same_as_before(similar_set, title):
    now = selectors.similar_issues(village=similar_set, title=title)
    before = _similar_before(village=similar_set, title=title)
    assert [(i.pk, round(i.similarity, 6)) for i in now] == [(i.pk, round(i.similarity, 6)) for i in before]


@postgres_only
def test_similar_issues_find_something_and_use_the_operator(similar_set):
    found = selectors.similar_issues(village=similar_set, title="村道路灯损坏")
    assert found and found[0].title == "村道路灯损坏"
    assert all(i.village_id == similar_set.pk for i in found)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        selectors.similar_issues(village=similar_set, title="水渠堵塞")
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "%%" not in sql and " % " in sql
    # One statement: the operator's threshold is the connection's, set as it opened (config/settings.py)
    assert len(ctx.captured_queries) == 1 and "similarity_threshold" not in sql
    from django.conf import settings

    with connection.cursor() as cursor:
        cursor.execute("SHOW pg_trgm.similarity_threshold")
        assert float(cursor.fetchone()[0]) == settings.TRIGRAM_SIMILARITY_THRESHOLD == 0.15


@pytest.mark.parametrize("newer", [2, 3])
def test_similar_issues_look_only_at_the_latest_window_of_the_village(village, monkeypatch, newer):
    """However much history a village has, only its latest SIMILAR_WINDOW matters (merged and withdrawn
    ones left out) are compared: a match just inside the window is found, one just outside is not."""
    monkeypatch.setattr(selectors, "SIMILAR_WINDOW", 3)
    now = timezone.now()
    rows = [(Stage.RAISED, None, "水渠堵塞", "d")]
    rows += [(Stage.RAISED, None, f"广场噪音{n}", "d") for n in range(newer)]
    rows += [(Stage.MERGED, None, "水渠堵塞了", "d"), (Stage.WITHDRAWN, None, "水渠堵塞啦", "d")]
    _issues(village, rows)
    for n, issue in enumerate(Issue.objects.filter(village=village).order_by("tracking_code")):
        # The match is the oldest; the merged and withdrawn ones are the newest and do not take places.
        issue.created_at = now - datetime.timedelta(days=30) + datetime.timedelta(hours=n)
        issue.save(update_fields=["created_at"])
    found = [i.title for i in selectors.similar_issues(village=village, title="水渠堵塞")]
    assert found == (["水渠堵塞"] if newer < 3 else [])


@postgres_only
def test_the_title_trigram_index_is_gone_and_the_window_reads_the_recent_index(db):
    """Migration 0016 drops issue_title_trgm, which nothing reads any more; the window of likely duplicates
    is the village's newest matters, which issue_village_recent gives in order."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'roundtable_issue'")
        names = {row[0] for row in cursor.fetchall()}
    assert "issue_title_trgm" not in names
    assert "issue_village_recent" in names


def test_similar_issues_fallback_still_ranks(similar_set):
    found = selectors.similar_issues(village=similar_set, title="水渠堵塞")
    assert found and found[0].title in ("水渠堵塞", "水渠堵塞严重，影响灌溉")


# --- ?q= ----------------------------------------------------------------------------------------

SEARCH_ROWS = [
    ("村道路灯损坏", "六盏路灯坏了两个月。"),
    ("灯", "只有一个字的标题"),
    ("水渠", "路 灯 之间有空格"),
    ("LED Street Light", "replace the led lamps"),
    ("百分号 50% 折扣", "下划线 a_b 和反斜杠 c\\d"),
    ("Ärger mit STRAẞE", "ſtraße"),
    ("广场噪音", "晚上十点以后跳舞"),
    ("空描述", ""),
]
PATTERNS = [
    "路灯",
    "灯",
    "路",
    "灯坏",
    "六盏路灯坏了",
    "led",
    "LED",
    "Led Str",
    "light",
    "50%",
    "%",
    "_",
    "a_b",
    "c\\d",
    "straße",
    "STRASSE",
    "ä",
    "s",
    "路 灯",
    " ",
    "不存在",
    "广场噪音晚上",
    "T00000000003",
    "t00000000003",
    "x",
]


@pytest.fixture
def search_set(village, other_village):
    _issues(village, [(Stage.RAISED, None, t, d) for t, d in SEARCH_ROWS])
    _issues(other_village, [(Stage.RAISED, None, t, d) for t, d in SEARCH_ROWS], prefix="U")
    return village


@pytest.mark.parametrize("pattern", PATTERNS)
def test_search_same_results_as_the_plain_substring_test(search_set, pattern):
    before = (
        Q(title__icontains=pattern.strip())
        | Q(description__icontains=pattern.strip())
        | Q(tracking_code__iexact=pattern.strip())
    )
    now = set(
        Issue.objects.filter(village=search_set)
        .filter(selectors.search_q(pattern))
        .values_list("pk", flat=True)
    )
    plain = set(Issue.objects.filter(village=search_set).filter(before).values_list("pk", flat=True))
    assert now == plain


def test_search_finds_by_one_and_two_characters(search_set):
    titles = set(
        Issue.objects.filter(village=search_set)
        .filter(selectors.search_q("灯"))
        .values_list("title", flat=True)
    )
    assert titles == {"村道路灯损坏", "灯", "水渠"}  # 水渠's description has 灯


@postgres_only
def test_search_goes_through_the_character_pairs(search_set):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        list(Issue.objects.filter(village=search_set).filter(selectors.search_q("路灯")))
    assert "tongxin_grams(upper(" in ctx.captured_queries[-1]["sql"]


# --- the staff search box: text, number, code, raiser — through indexes only ------------------------

NAMED_ROWS = [
    # (title, description, raiser's name, anonymous)
    ("村道路灯损坏", "六盏路灯坏了两个月。", "林美华", False),
    ("灯", "只有一个字的标题", "林", False),
    ("水渠", "路 灯 之间有空格", "路灯明", False),
    ("LED Street Light", "replace the led lamps", "Li Led", False),
    ("广场噪音", "晚上十点以后跳舞", "林美华", True),
    ("空描述", "", "", False),
    ("桥", "桥栏杆松动", "美", False),
]
NAME_PATTERNS = ["林", "林美", "美华", "美", "林美华", "路灯", "灯", "led", "LI L", "x", "#1", "T00000000004"]


@pytest.fixture
def named_set(village, other_village):
    for place, prefix in ((village, "T"), (other_village, "U")):
        Issue.objects.bulk_create(
            [
                Issue(
                    village=place,
                    title=title,
                    description=description,
                    raiser_name=name,
                    is_anonymous=anonymous,
                    category="other",
                    stage=Stage.RAISED,
                    tracking_code=f"{prefix}{n:011d}",
                )
                for n, (title, description, name, anonymous) in enumerate(NAMED_ROWS)
            ]
        )
    return village


def _plain_staff_search(text, personal_village_ids):
    """The staff search as plain tests, without any index: what ``issue_search_q`` must find."""
    text = text.strip()
    query = Q(title__icontains=text) | Q(description__icontains=text) | Q(tracking_code=text.upper())
    number = re.match(r"^#?\s*(\d{1,9})$", text)
    if number:
        query |= Q(pk=int(number.group(1)))
    elif personal_village_ids:
        name = Q(raiser_name__icontains=text) if len(text) >= 2 else Q(raiser_name__iexact=text)
        query |= name & Q(village_id__in=personal_village_ids, is_anonymous=False)
    return query


@pytest.mark.parametrize("scope", ["district", "village", "both"])
@pytest.mark.parametrize("personal", [False, True])
@pytest.mark.parametrize("pattern", NAME_PATTERNS + PATTERNS)
def test_staff_search_same_results_as_the_plain_tests(named_set, other_village, pattern, personal, scope):
    """Through every index: the district's grams, the villages' pairs (a scope of a few villages), the
    names' grams in the cadre's village."""
    personal_ids = frozenset({named_set.pk}) if personal else frozenset()
    village_ids = {"district": None, "village": {named_set.pk}, "both": {named_set.pk, other_village.pk}}[
        scope
    ]
    if pattern == "#1":
        pattern = f"#{Issue.objects.filter(village=named_set).order_by('pk').first().pk}"
    # A search given its villages searches within them (its callers filter by them too).
    both = Issue.objects.filter(village__in=village_ids or [named_set, other_village])
    query = selectors.issue_search_q(pattern, personal_village_ids=personal_ids, village_ids=village_ids)
    now = set(both.filter(query).values_list("pk", flat=True))
    plain = set(both.filter(_plain_staff_search(pattern, personal_ids)).values_list("pk", flat=True))
    assert now == plain


def test_staff_search_finds_by_the_name_only_where_personal_and_never_anonymous(named_set, other_village):
    both = Issue.objects.filter(village__in=[named_set, other_village])
    found = both.filter(selectors.issue_search_q("美华", personal_village_ids=frozenset({named_set.pk})))
    assert list(found.values_list("village_id", "title")) == [(named_set.pk, "村道路灯损坏")]
    assert not both.filter(selectors.issue_search_q("美华")).exists()


@postgres_only
def test_staff_search_is_a_bitmap_of_indexes_and_never_computes_grams_row_by_row(named_set):
    """Both grams indexes answer the search (text, and name within the cadre's villages) in one bitmap, and
    the grams are never in the rows' filter: without the index part, or with a name condition the partial
    index cannot take, the planner has to read every matter computing the grams of each."""
    from django.db import connection

    query = Issue.objects.filter(
        selectors.issue_search_q(
            "路灯", personal_village_ids=frozenset({named_set.pk}), village_ids={named_set.pk}
        )
    ).order_by("-created_at", "-pk")
    sql, params = query.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "issue_village_text_pairs" in plan
    assert "issue_raiser_name_grams" in plan
    assert f"'{{{named_set.pk}:路灯}}'" in plan  # the pair in the village only, not its two characters
    filters = [line for line in plan.splitlines() if "Filter:" in line]
    assert filters
    assert not any("tongxin_grams" in line for line in filters), plan


@pytest.mark.skipif(not settings.IS_POSTGRES, reason="a PostgreSQL index")
def test_official_home_counts_escalated_matters_from_their_own_partial_index(village):
    """The escalated count reads the few escalated open matters (issue_open_escalated), not every open
    matter of the township (19.7 ms → 1.4 ms at a million issues)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        selectors.official_home(village_ids=[village.pk])
    sql = next(q["sql"] for q in ctx.captured_queries if "escalated_at" in q["sql"])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "issue_open_escalated" in plan, plan


@postgres_only
def test_a_matters_likely_duplicates_are_kept_until_the_villages_matters_change(
    client, village, other_village, cadre
):
    """The step-1 page's list is computed once and kept under the village's stamp: a matter raised, or one
    of the listed matters merged away, shows on the next view (issue 13)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from roundtable import workflow
    from tests.roundtable_helpers import raise_issue

    earlier = raise_issue(village, title="村道路灯损坏")
    issue = raise_issue(village, title="村道路灯坏了两个月")
    url = reverse("roundtable:issue", kwargs={"code": village.code, "pk": issue.pk})
    client.force_login(cadre)

    def listed():
        with CaptureQueriesContext(connection) as ctx:
            similar = client.get(url).context["similar"]
        return [s.pk for s in similar], sum("similarity(" in q["sql"] for q in ctx.captured_queries)

    assert listed() == ([earlier.pk], 1)
    assert listed() == ([earlier.pk], 0)  # kept
    newer = raise_issue(village, title="村道路灯又坏了")
    shown, compared = listed()
    assert set(shown) == {earlier.pk, newer.pk} and compared == 1
    workflow.issue_merge(issue=newer, actor=cadre, target_issue=earlier)
    assert listed() == ([earlier.pk], 1)
    # Another village's matters do not touch this one's list
    raise_issue(other_village, title="村道路灯损坏了")
    assert listed() == ([earlier.pk], 0)
