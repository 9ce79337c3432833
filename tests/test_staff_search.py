"""Staff search: a matter by its number, tracking code, the raiser's name or mobile number (the village's
cadres only) and words; on the village's issue list and across villages on the workspace search page."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from roundtable.models import Issue
from roundtable.selectors import normalised_mobile
from tests.factories import TownshipFactory, VillageFactory, make_user
from tests.roundtable_helpers import raise_issue

pytestmark = pytest.mark.django_db

Role = Membership.Role
MOBILE = "13912345678"


@pytest.fixture
def matters(village, other_village):
    return {
        "phoned": raise_issue(
            village, title="村口垃圾桶满了", raiser_name="林美华", raiser_mobile=MOBILE, consent=True
        ),
        "other": raise_issue(
            village, title="桥栏杆松动", raiser_name="陈志强", raiser_mobile="13800001111", consent=True
        ),
        "anonymous": raise_issue(
            village, title="匿名反映噪音", raiser_mobile=MOBILE, is_anonymous=True, consent=True
        ),
        "neighbour": raise_issue(
            other_village, title="洪四村的路灯", raiser_name="林美华", raiser_mobile=MOBILE, consent=True
        ),
    }


def listed(client, user, village, q) -> set[str]:
    client.force_login(user)
    response = client.get(reverse("roundtable:issues", kwargs={"code": village.code}), {"q": q})
    assert response.status_code == 200
    return {issue.title for issue in response.context["page"]}


def searched(client, user, q) -> set[str]:
    client.force_login(user)
    response = client.get(reverse("workspace:search"), {"q": q})
    assert response.status_code == 200
    return {issue.title for issue in response.context["page"]}


def test_cadre_finds_by_number_with_or_without_hash(client, village, cadre, matters):
    issue = matters["phoned"]
    assert listed(client, cadre, village, f"#{issue.pk}") == {issue.title}
    assert issue.title in listed(client, cadre, village, str(issue.pk))
    assert listed(client, cadre, village, f"# {issue.pk} ") == {issue.title}


def test_number_of_another_village_is_not_found_on_this_list(client, village, cadre, matters):
    assert listed(client, cadre, village, f"#{matters['neighbour'].pk}") == set()


def test_cadre_finds_by_tracking_code_in_any_case(client, village, cadre, matters):
    issue = matters["other"]
    assert listed(client, cadre, village, issue.tracking_code.lower()) == {issue.title}


def test_cadre_finds_by_mobile_however_typed(client, village, cadre, matters):
    for typed in (MOBILE, "139 1234 5678", "139-1234-5678", "+86 139 1234 5678", "8613912345678"):
        assert listed(client, cadre, village, typed) == {"村口垃圾桶满了"}, typed


def test_anonymous_matter_is_never_found_by_its_raisers_mobile(client, village, cadre, matters):
    assert "匿名反映噪音" not in listed(client, cadre, village, MOBILE)
    assert Issue.objects.get(pk=matters["anonymous"].pk).raiser_mobile == MOBILE


def test_cadre_finds_by_name_whole_or_part(client, village, cadre, matters):
    assert listed(client, cadre, village, "林美华") == {"村口垃圾桶满了"}
    assert listed(client, cadre, village, "志强") == {"桥栏杆松动"}


def test_text_search_still_finds_title_and_description(client, village, cadre, matters):
    assert listed(client, cadre, village, "栏杆") == {"桥栏杆松动"}
    assert "村口垃圾桶满了" in listed(client, cadre, village, "路灯坏了两个月") | listed(
        client, cadre, village, "六盏路灯"
    )


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.MEMBER])
def test_non_cadre_of_the_village_cannot_find_by_name_or_mobile(client, village, matters, role):
    user = make_user(role, village=village)
    assert listed(client, user, village, MOBILE) == set()
    assert listed(client, user, village, "林美华") == set()
    # number and words still work for them
    assert listed(client, user, village, f"#{matters['phoned'].pk}") == {"村口垃圾桶满了"}
    assert listed(client, user, village, "垃圾桶") == {"村口垃圾桶满了"}


def test_official_cannot_find_by_name_or_mobile(client, village, official, matters):
    assert listed(client, official, village, MOBILE) == set()
    assert searched(client, official, MOBILE) == set()
    assert searched(client, official, "林美华") == set()
    assert searched(client, official, "垃圾桶") == {"村口垃圾桶满了"}


def test_search_page_cadre_finds_by_mobile_only_in_own_village(client, cadre, matters):
    assert searched(client, cadre, MOBILE) == {"村口垃圾桶满了"}
    assert searched(client, cadre, "林美华") == {"村口垃圾桶满了"}


def test_search_page_cadre_of_two_villages(client, village, other_village, matters):
    user = make_user(Role.CADRE, village=village)
    Membership.objects.create(user=user, role=Role.CADRE, village=other_village)
    assert searched(client, user, "林美华") == {"村口垃圾桶满了", "洪四村的路灯"}
    # a supervisor's seat elsewhere gives no name search there
    supervisor_here = make_user(Role.CADRE, village=village)
    Membership.objects.create(user=supervisor_here, role=Role.SUPERVISOR, village=other_village)
    assert searched(client, supervisor_here, "林美华") == {"村口垃圾桶满了"}
    assert searched(client, supervisor_here, "洪四村的") == {"洪四村的路灯"}


def test_official_search_stays_within_the_township(client, official, matters):
    far = raise_issue(
        VillageFactory(township=TownshipFactory(code="far-town", name="远镇"), code="far", name="远村"),
        title="远镇的垃圾桶",
    )
    assert searched(client, official, "垃圾桶") == {"村口垃圾桶满了"}
    assert searched(client, official, f"#{far.pk}") == set()
    assert searched(client, official, far.tracking_code) == set()
    assert searched(client, official, f"#{matters['neighbour'].pk}") == {"洪四村的路灯"}


def test_search_page_mobile_never_shown_to_non_cadres(client, official, supervisor, matters):
    for user in (official, supervisor):
        client.force_login(user)
        html = client.get(reverse("workspace:search"), {"q": "垃圾桶"}).content.decode()
        assert MOBILE not in html and "林美华" not in html


def test_search_page_needs_sign_in_and_tolerates_any_input(client, cadre, matters):
    assert client.get(reverse("workspace:search"), {"q": "1"}).status_code == 302
    client.force_login(cadre)
    for q in ("", " ", "#", "#99999999999999999999", "\x00林", "%", "_", "x" * 500, "+86", "１３９"):
        assert client.get(reverse("workspace:search"), {"q": q}).status_code == 200, q
    assert client.get(reverse("workspace:search"), {"q": "1", "page": "zz"}).status_code == 200


def test_normalised_mobile():
    assert normalised_mobile("139 1234 5678") == MOBILE
    assert normalised_mobile("+86-139-1234-5678") == MOBILE
    assert normalised_mobile("1391234567") == ""
    assert normalised_mobile("23912345678") == ""
    assert normalised_mobile("林美华") == ""


def test_search_page_shows_the_raiser_to_the_villages_cadres_only(
    client, village, cadre, other_cadre, matters
):
    client.force_login(cadre)
    html = client.get(reverse("workspace:search"), {"q": "林美华"}).content.decode()
    assert MOBILE in html and "林美华" in html
    html = client.get(reverse("workspace:search"), {"q": "噪音"}).content.decode()
    assert "匿名反映噪音" in html and MOBILE not in html
    # a cadre of another village who supervises this one finds the matter by words, never its raiser
    Membership.objects.create(user=other_cadre, role=Role.SUPERVISOR, village=village)
    client.force_login(other_cadre)
    html = client.get(reverse("workspace:search"), {"q": "垃圾桶"}).content.decode()
    assert "村口垃圾桶满了" in html and MOBILE not in html and "林美华" not in html


def test_search_page_queries_do_not_grow(client, village, cadre):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(cadre)

    def count():
        client.get(reverse("workspace:search"), {"q": "水渠"})  # keeps the scope (core.stamped)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("workspace:search"), {"q": "水渠"}).status_code == 200
        return len(ctx.captured_queries)

    for i in range(3):
        raise_issue(village, title=f"水渠{i}", raiser_name="张三", raiser_mobile=MOBILE, consent=True)
    few = count()
    for i in range(40):
        raise_issue(village, title=f"水渠多{i}", raiser_name="李四", raiser_mobile=MOBILE, consent=True)
    assert count() == few


def test_letters_are_found_in_any_case_and_chinese_without_upper_casing(client, village, cadre, official):
    """A word with letters is matched in any case; a word without cased letters (Chinese, digits) by the
    plain LIKE, which finds the same matters without upper-casing each row read (issue 13)."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    raise_issue(village, title="LED路灯不亮", description="换成Led灯")
    raise_issue(village, title="水渠", description="3号路灯坏了，led 也坏")
    raise_issue(village, title="led字样", description="描述")
    assert listed(client, cadre, village, "led路灯") == {"LED路灯不亮"}
    assert listed(client, cadre, village, "Led") == {"LED路灯不亮", "水渠", "led字样"}
    assert searched(client, official, "3号路灯") == {"水渠"}
    assert searched(client, official, "路灯") == {"LED路灯不亮", "水渠"}
    if not settings.IS_POSTGRES:
        return  # SQLite's LIKE ignores the case of ASCII letters either way
    with CaptureQueriesContext(connection) as queries:
        assert searched(client, official, "路灯") == {"LED路灯不亮", "水渠"}
    reads = " ".join(q["sql"] for q in queries.captured_queries if "roundtable_issue" in q["sql"])
    assert "路灯%" in reads and 'UPPER("roundtable_issue"."title"' not in reads
    with CaptureQueriesContext(connection) as queries:
        searched(client, official, "led")
    reads = " ".join(q["sql"] for q in queries.captured_queries if "roundtable_issue" in q["sql"])
    assert 'UPPER("roundtable_issue"."title"' in reads


# The search's result lines as the template wrote them before they were written in Python.
_TEMPLATE_LINES = """{% load i18n roundtable_tags tables %}
  {% for issue in page %}
  <li><a href="{{ work_root }}{{ issue.village.code }}/issues/{{ issue.pk }}/">
    <span class="muted">#{{ issue.pk }}</span> {{ issue.title }}</a>
    <span class="muted">· {{ issue.village.name }}{% if issue.group %} · {{ issue.group.name }}{% endif %}
    · {{ issue.created_at|ymd }}</span>
    {% stage_badge issue.stage %}
    {% if issue.village_id in raiser_village_ids and not issue.is_anonymous %}
    <br><span class="muted">{% translate "Raised by" %}: {{ issue.raiser_name|default:"—" }}
    {% if issue.raiser_mobile %} · {{ issue.raiser_mobile }}{% endif %}</span>
    {% endif %}</li>
  {% endfor %}
"""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_search_result_lines_are_the_lines_the_template_wrote(client, village, cadre, official, language):
    """Raisers shown to the village's cadre (named, unnamed, with and without a mobile; never an anonymous
    one), groups or none, a title to escape; the official sees no raiser."""
    from django.template import engines
    from django.test.html import parse_html
    from django.utils import translation

    from portal.templatetags.search_results import search_result_lines

    group = village.groups.create(name='东组 <"&>', order=1)
    raise_issue(
        village,
        title='<b>"路灯" & 水渠</b>',
        group=group,
        raiser_name="林<美>华",
        raiser_mobile=MOBILE,
        consent=True,
    )
    raise_issue(village, title="路灯不亮", raiser_name="", consent=True)
    raise_issue(village, title="路灯太暗", raiser_mobile=MOBILE, is_anonymous=True, consent=True)
    for user in (cadre, official):
        client.force_login(user)
        context = client.get(reverse("workspace:search"), {"q": "路灯"}).context
        page = context["page"]
        assert len(page.object_list) == 3
        values = {
            "page": page,
            "work_root": context["work_root"],
            "raiser_village_ids": context["raiser_village_ids"],
        }
        with translation.override(language):
            old = engines["django"].from_string(_TEMPLATE_LINES).render(values)
            new = search_result_lines(page, context["work_root"], context["raiser_village_ids"])
        assert parse_html(new) == parse_html(old)
        assert ("林&lt;美&gt;华" in new) == (user is cadre)
