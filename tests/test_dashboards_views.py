"""Dashboard pages, lists and exports: who may open them, filters, drill-down, exports equal to the screen,
masking, and query counts that do not grow with the data."""

import csv
import io
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.models import Membership
from dashboards import selectors as s
from roundtable.models import Issue, Stage
from tests.dashboards_helpers import NOW, at, build_world, carry, small_world, when
from tests.factories import DistrictFactory, TownshipFactory, VillageFactory, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = build_world()
    w["official"] = make_user(Membership.Role.OFFICIAL, township=w["luoxi"])
    w["district_official"] = make_user(Membership.Role.DISTRICT_OFFICIAL, district=w["luoxi"].district)
    return w


def get(client, user, url, **params):
    client.force_login(user)
    with at(NOW):
        return client.get(url, params)


def csv_rows(response):
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode(
        "utf-8-sig"
    )
    return list(csv.reader(io.StringIO(text)))


# --- access -----------------------------------------------------------------------------------


def test_dashboards_send_anonymous_users_to_sign_in(client, world):
    for url in ["/work/dashboard/", "/work/dashboard/t/luoxi/", "/work/dashboard/v/luoxi0/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_township_dashboard_is_404_for_an_official_of_another_township(client, world):
    stranger = make_user(Membership.Role.OFFICIAL, township=world["heshi"])
    assert get(client, stranger, "/work/dashboard/t/luoxi/").status_code == 404
    assert get(client, stranger, "/work/dashboard/v/luoxi0/").status_code == 404
    assert get(client, stranger, "/work/dashboard/t/luoxi/export/ranking.csv").status_code == 404
    assert get(client, stranger, "/work/dashboard/t/heshi/").status_code == 200


def test_village_dashboard_is_404_for_a_cadre_of_another_village_and_for_members(client, world):
    a, b = world["villages"][:2]
    other_cadre = world["cadres"][b.pk]
    assert get(client, other_cadre, f"/work/dashboard/v/{a.code}/").status_code == 404
    assert get(client, other_cadre, f"/work/dashboard/v/{b.code}/").status_code == 200
    member = make_user(Membership.Role.MEMBER, village=a)
    assert get(client, member, f"/work/dashboard/v/{a.code}/").status_code == 404
    assert get(client, member, "/work/dashboard/").status_code == 404
    assert get(client, member, "/work/dashboard/issues/").status_code == 404
    assert get(client, other_cadre, "/work/dashboard/t/luoxi/").status_code == 404


def test_cadre_dashboard_home_opens_the_own_village(client, world):
    a = world["villages"][0]
    response = get(client, world["cadres"][a.pk], "/work/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == f"/work/dashboard/v/{a.code}/"


def test_district_official_sees_the_district_and_every_township_of_it(client, world):
    user = world["district_official"]
    response = get(client, user, "/work/dashboard/")
    assert response.status_code == 200
    assert [r["unit"].code for r in response.context["rows"]] == ["luoxi", "heshi"] or {
        r["unit"].code for r in response.context["rows"]
    } == {"luoxi", "heshi"}
    assert get(client, user, "/work/dashboard/t/heshi/").status_code == 200
    assert get(client, user, "/work/dashboard/v/luoxi0/").status_code == 200
    other = TownshipFactory(
        code="elsewhere", name="别处镇", district=DistrictFactory(code="other", name="别区")
    )
    VillageFactory(township=other, code="elsewhere1")
    assert get(client, user, "/work/dashboard/t/elsewhere/").status_code == 404
    assert get(client, user, "/work/dashboard/v/elsewhere1/").status_code == 404
    assert get(client, user, "/work/dashboard/d/other/").status_code == 404


def test_district_official_reads_talent_masked(client, world):
    from talent.permissions import can_see_personal_data, can_view_talent_registry

    village = world["villages"][0]
    assert can_view_talent_registry(world["district_official"], village)
    assert not can_see_personal_data(world["district_official"], village)
    assert get(client, world["district_official"], f"/work/v/{village.code}/talent/").status_code == 200


def test_district_official_reads_but_cannot_escalate(client, world):
    from roundtable.permissions import can_escalate_issue, can_view_issue

    issue = Issue.objects.filter(village=world["villages"][0]).first()
    assert can_view_issue(world["district_official"], issue)
    assert not can_escalate_issue(world["district_official"], issue)


# --- filters and drill-down -------------------------------------------------------------------


def test_period_filter_changes_the_numbers(client, world):
    year = get(client, world["official"], "/work/dashboard/t/luoxi/", period="year").context["total"]
    month = get(client, world["official"], "/work/dashboard/t/luoxi/", period="month").context["total"]
    assert (year["raised"], month["raised"]) == (7, 2)
    custom = get(
        client,
        world["official"],
        "/work/dashboard/t/luoxi/",
        period="custom",
        start="2026-02-01",
        end="2026-03-31",
    ).context["total"]
    assert custom["raised"] == 2


def test_period_select_shows_the_period_the_figures_cover(client, world):
    village = world["villages"][0].code
    for params in ({}, {"village": village}):
        response = get(client, world["official"], "/work/dashboard/t/luoxi/", **params)
        assert response.context["frame"].period.kind == "year"
        assert '<option value="year" selected>' in response.content.decode()
    month = get(client, world["official"], "/work/dashboard/t/luoxi/", period="month")
    assert '<option value="month" selected>' in month.content.decode()


def test_bad_filters_show_an_error_and_this_year(client, world):
    response = get(
        client,
        world["official"],
        "/work/dashboard/t/luoxi/",
        period="custom",
        start="2026-05-01",
        end="nonsense",
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["frame"].period.kind == "year"
    assert 'value="2026-05-01"' in response.content.decode()  # what was typed stays
    for params in [
        {"period": "decade"},
        {"village": "nowhere"},
        {"sort": "drop table", "dir": "x"},
        {"page": "x"},
    ]:
        assert get(client, world["official"], "/work/dashboard/t/luoxi/", **params).status_code == 200
    assert (
        get(client, world["official"], "/work/dashboard/issues/", raised_from="x", min_age="-3").status_code
        == 200
    )
    assert get(client, world["official"], "/work/dashboard/t/luoxi/export/nothing.csv").status_code == 404
    assert get(client, world["official"], "/work/dashboard/t/luoxi/export/ranking.pdf").status_code == 404


def test_village_and_category_filters_narrow_the_figures(client, world):
    a = world["villages"][0]
    by_village = get(client, world["official"], "/work/dashboard/t/luoxi/", village=a.code).context
    assert by_village["total"]["raised"] == 4
    assert [r["unit"] for r in by_village["rows"]] == [a]
    land = get(client, world["official"], "/work/dashboard/t/luoxi/", category="land_dispute").context
    assert land["total"]["raised"] == 1


def test_ranking_sorts_by_a_column(client, world):
    desc = get(client, world["official"], "/work/dashboard/t/luoxi/", sort="raised").context["rows"]
    asc = get(client, world["official"], "/work/dashboard/t/luoxi/", sort="raised", dir="asc").context["rows"]
    assert [r["raised"] for r in desc] == sorted((r["raised"] for r in desc), reverse=True)
    assert [r["raised"] for r in asc] == sorted(r["raised"] for r in asc)
    assert desc[0]["raised"] > desc[-1]["raised"]


def test_every_ranking_number_links_to_a_list_of_that_many(client, world):
    response = get(client, world["official"], "/work/dashboard/t/luoxi/")
    ranking = response.context["ranking"]
    checked = 0
    for row in [*ranking["rows"], ranking["total"]]:
        for cell in row["cells"]:
            link = cell["link"]
            if not link or not link.startswith("/work/dashboard/"):
                continue
            target = urlsplit(link)
            listed = get(client, world["official"], target.path + "?" + target.query)
            assert listed.status_code == 200
            assert listed.context["page"].paginator.count == cell["value"], (cell["key"], link)
            checked += 1
    assert checked >= 3 * 6


def test_the_ranking_shows_each_number_with_its_link(client, world):
    """The ranking's cells are written once in Python (dashboards.links): the page shows each number
    localised, inside the link to the list it counts, and a dash where there is no figure."""
    from django.utils.formats import localize
    from django.utils.html import escape

    response = get(client, world["official"], "/work/dashboard/t/luoxi/")
    html = response.content.decode()
    ranking = response.context["ranking"]
    linked = empty = 0
    for row in [*ranking["rows"], ranking["total"]]:
        for cell in row["cells"]:
            if cell["value"] is None:
                expected = "—"
                empty += 1
            elif cell["link"]:
                expected = f'<a href="{escape(cell["link"])}">{localize(cell["value"])}</a>'
                linked += 1
            else:
                expected = str(localize(cell["value"]))
            assert f'<td data-key="{cell["key"]}">{expected}</td>' in html, cell
    assert linked >= 3 * 6
    assert empty >= 1


def test_escalated_filter_finds_the_escalated_matter_again(client, world):
    b = world["villages"][1]
    escalated = Issue.objects.get(village=b, escalated_at__isnull=False)
    cadre = world["cadres"][b.pk]
    page = get(client, cadre, f"/work/v/{b.code}/issues/", escalated="on").context["page"]
    assert [i.pk for i in page] == [escalated.pk]
    assert get(client, cadre, f"/work/v/{b.code}/issues/").context["page"].paginator.count > 1
    listed = get(client, world["official"], "/work/dashboard/escalated/").context["page"]
    assert [i.pk for i in listed] == [escalated.pk]


def test_overdue_list_filters_by_village_step_and_age(client, world):
    a = world["villages"][0]
    official = world["official"]
    overdue = get(client, official, "/work/dashboard/overdue/").context["page"]
    with at(NOW):
        expected = {i.pk for i in Issue.objects.all() if i.is_overdue and i.village.township.code == "luoxi"}
    assert {i.pk for i in overdue} == expected and expected
    by_village = get(client, official, "/work/dashboard/overdue/", village=a.code).context["page"]
    assert {i.village_id for i in by_village} == {a.pk}
    by_step = get(client, official, "/work/dashboard/overdue/", stage="soliciting").context["page"]
    assert {i.stage for i in by_step} == {Stage.SOLICITING}
    too_old = get(client, official, "/work/dashboard/overdue/", min_age=365).context["page"]
    assert too_old.paginator.count == 0


# --- exports ----------------------------------------------------------------------------------


def test_ranking_export_rows_equal_the_screen(client, world):
    screen = get(client, world["official"], "/work/dashboard/t/luoxi/", period="month").context
    rows = csv_rows(
        get(client, world["official"], "/work/dashboard/t/luoxi/export/ranking.csv", period="month")
    )
    assert len(rows) == 1 + len(screen["rows"]) + 1
    raised_at = rows[0].index(str(s.RANK_COLUMNS[0][1]))
    assert [int(r[raised_at]) for r in rows[1:]] == [r["raised"] for r in screen["rows"]] + [
        screen["total"]["raised"]
    ]
    assert [r[0] for r in rows[1:-1]] == [r["unit"].name for r in screen["rows"]]


def test_every_dashboard_table_exports_as_csv_and_xlsx(client, world):
    from dashboards.exports import DASHBOARD_TABLES

    for table in DASHBOARD_TABLES:
        csv_response = get(
            client, world["district_official"], f"/work/dashboard/d/luojiang/export/{table}.csv"
        )
        assert csv_response.status_code == 200, table
        xlsx = get(client, world["district_official"], f"/work/dashboard/d/luojiang/export/{table}.xlsx")
        sheet = load_workbook(io.BytesIO(xlsx.content)).active
        assert (
            next([c or "" for c in row] for row in sheet.iter_rows(values_only=True))
            == csv_rows(csv_response)[0]
        )


def test_issue_list_export_equals_the_list_and_masks_for_officials(client, world):
    a = world["villages"][0]
    issue = Issue.objects.filter(village=a).order_by("pk").first()
    Issue.objects.filter(pk=issue.pk).update(raiser_name="张三", raiser_mobile="13812345678")
    listed = get(client, world["official"], "/work/dashboard/issues/", village=a.code).context["page"]
    rows = csv_rows(get(client, world["official"], "/work/dashboard/issues/export.csv", village=a.code))
    assert [int(r[0]) for r in rows[1:]] == [i.pk for i in listed.object_list]
    line = next(r for r in rows if r[0] == str(issue.pk))
    assert "13812345678" not in line and "138****5678" in line and "张三" not in line
    cadre_rows = csv_rows(get(client, world["cadres"][a.pk], "/work/dashboard/issues/export.csv"))
    line = next(r for r in cadre_rows if r[0] == str(issue.pk))
    assert "13812345678" in line and "张三" in line


def test_meeting_list_export_equals_the_list(client, world):
    listed = get(client, world["official"], "/work/dashboard/meetings/", state="held").context["page"]
    xlsx = get(client, world["official"], "/work/dashboard/meetings/export.xlsx", state="held")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    ids = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert ids == [m.pk for m in listed.object_list] and ids


def test_monthly_report_shows_the_month(client, world):
    response = get(client, world["official"], "/work/dashboard/t/luoxi/report/", month="2026-05")
    assert response.status_code == 200
    assert response.context["frame"].period.start.isoformat() == "2026-05-01"
    assert (
        response.context["total"]["raised"] == 2
    )  # the rejected one of May 1 and the executing one of May 10
    assert get(client, world["official"], "/work/dashboard/t/luoxi/report/", month="May").status_code == 200
    assert get(client, world["district_official"], "/work/dashboard/t/heshi/report/").status_code == 200
    assert (
        get(client, world["cadres"][world["villages"][0].pk], "/work/dashboard/t/luoxi/report/").status_code
        == 404
    )


# --- query counts -----------------------------------------------------------------------------


def test_dashboard_page_queries_do_not_grow_with_villages_or_issues(client, db):
    def count(world, code):
        user = make_user(Membership.Role.OFFICIAL, township=world["luoxi"])
        client.force_login(user)
        client.get(f"/work/dashboard/t/{code}/")  # warm the session
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/work/dashboard/t/{code}/").status_code == 200
        return len(ctx)

    small = small_world(villages_per_township=1)
    for v in small["villages"]:
        carry(v, Stage.CLOSED, raised=when(2, 1), days=[1] * 6, cadre=small["cadres"][v.pk], rating=3)
    first = count(small, "luoxi")
    big = small_world(villages_per_township=4, prefix="big")
    for v in big["villages"]:
        for n in range(3):
            carry(v, Stage.EXECUTING, raised=when(2, 1 + n), days=[1] * 4, cadre=big["cadres"][v.pk])
    assert count(big, "luoxi") == first


def test_issue_export_queries_do_not_grow_with_issues(client, world):
    official = world["official"]

    def count():
        client.force_login(official)
        client.get("/work/dashboard/issues/export.csv")  # keeps the scope (core.stamped)
        with CaptureQueriesContext(connection) as ctx:
            rows = csv_rows(client.get("/work/dashboard/issues/export.csv"))
        assert len(rows) == 1 + Issue.objects.filter(village__township=world["luoxi"]).count()
        return len(ctx)

    first = count()
    a = world["villages"][0]
    for n in range(5):
        carry(a, Stage.SOLICITING, raised=when(3, 1 + n), days=[1], cadre=world["cadres"][a.pk])
    assert count() == first


def test_dashboards_and_streamed_exports_read_from_the_replica(client, world, monkeypatch):
    from core.db import replica_reads_wanted
    from dashboards import exports

    seen = []
    figures, values = s.dashboard_or_snapshot, exports.issue_values

    def spy_figures(frame):
        seen.append(("figures", replica_reads_wanted()))
        return figures(frame)

    def spy_values(issues):
        seen.append(("export rows", replica_reads_wanted()))
        return values(issues)

    monkeypatch.setattr(s, "dashboard_or_snapshot", spy_figures)
    monkeypatch.setattr(exports, "issue_values", spy_values)
    get(client, world["official"], "/work/dashboard/t/luoxi/")
    response = get(client, world["official"], "/work/dashboard/issues/export.csv")
    assert not replica_reads_wanted()
    csv_rows(response)  # the rows are read while the response streams, after the view returned
    assert seen == [("figures", True), ("export rows", True)]


def test_meeting_list_counts_equal_the_live_counts_per_meeting(village):
    """present, recorded and items are worked out per meeting (subqueries, so only for the rows a page
    shows); each equals a plain count of that meeting's rows, meetings without any included."""
    import datetime

    from django.utils import timezone

    from roundtable.models import AgendaItem, Attendance, Meeting
    from tests.factories_notifications import MemberFactory, RoundtableFactory

    roundtable = RoundtableFactory(village=village)
    members = [MemberFactory(roundtable=roundtable) for _ in range(4)]
    issues = [
        Issue.objects.create(village=village, title=f"议题{n}", description="d", category="other")
        for n in range(3)
    ]
    layouts = [
        ({"present": 2, "absent": 1, "": 1}, 3),
        ({"present": 1, "excused": 2}, 1),
        ({}, 0),
        ({"": 4}, 2),
    ]
    for n, (statuses, items) in enumerate(layouts):
        meeting = Meeting.objects.create(
            roundtable=roundtable, starts_at=timezone.now() - datetime.timedelta(days=n), place="村委会"
        )
        pool = iter(members)
        for status, k in statuses.items():
            for _ in range(k):
                Attendance.objects.create(meeting=meeting, member=next(pool), status=status)
        for issue in issues[:items]:
            AgendaItem.objects.create(meeting=meeting, issue=issue)
    rows = list(s.meeting_rows(village_ids=[village.pk]))
    assert len(rows) == 4
    for m in rows:
        attendance = Attendance.objects.filter(meeting=m)
        assert m.present == attendance.filter(status="present").count()
        assert m.recorded == attendance.exclude(status="").count()
        assert m.items == AgendaItem.objects.filter(meeting=m).count()
    assert [(m.present, m.recorded, m.items) for m in rows] == [(2, 3, 3), (1, 3, 1), (0, 0, 0), (0, 0, 2)]
    # A page's named rows count the same
    page_rows = list(s.meeting_rows(village_ids=[village.pk], page=True))
    assert [(m.pk, m.present, m.recorded, m.items) for m in page_rows] == [
        (m.pk, m.present, m.recorded, m.items) for m in rows
    ]


def test_issue_list_rows_link_to_each_issue_page_with_their_dates(client, world):
    """The rows' links are written from one prefix (no reverse() a row) and equal roundtable:issue; the
    dates are the local days |date:"Y-m-d" wrote."""
    import re

    from django.template.defaultfilters import date as date_filter
    from django.urls import reverse

    response = get(client, world["district_official"], "/work/dashboard/issues/")
    listed = response.context["page"].object_list
    assert listed
    html = response.content.decode()
    for issue in listed:
        url = reverse("roundtable:issue", kwargs={"code": issue.village.code, "pk": issue.pk})
        assert f'<a href="{url}">{issue.title}</a>' in html
        assert f">{date_filter(issue.created_at, 'Y-m-d')}</td>" in html
    assert len(re.findall(r'<a href="/work/v/[\w-]+/issues/\d+/">', html)) == len(listed)


# The issue list's table as the template wrote it before it was written in Python (dashboard_tables).
_TEMPLATE_TABLE = """{% load i18n roundtable_tags tables %}
{% stacktable title=2 %}<table class="issue-table nowrap-table">
  <thead><tr>
    <th scope="col">{% translate "Village" %}</th><th scope="col">{% translate "Issue" %}</th>
    <th scope="col">{% translate "Stage" %}</th><th scope="col">{% translate "Category" %}</th>
    <th scope="col">{% translate "Raised" %}</th><th scope="col">{% translate "In the step since" %}</th>
    <th scope="col">{% translate "Due" %}</th>
  </tr></thead>
  <tbody>
    {% for issue in page %}
      <tr{% if issue.is_overdue %} class="overdue"{% endif %}>
        <td>{{ issue.village.name }}</td>
        <td><span class="muted">#{{ issue.pk }}</span>
          <a href="{% url 'roundtable:issue' code=issue.village.code pk=issue.pk %}">{{ issue.title }}</a>
          {% if issue.escalated_at %}<span class="badge badge-warn">{% translate "escalated" %}</span>
          {% endif %}</td>
        <td>{% stage_badge issue.stage %}</td>
        <td>{{ issue.get_category_display }}</td>
        <td>{{ issue.created_at|date:"Y-m-d" }}</td>
        <td>{% if issue.is_open %}{{ issue.stage_entered_at|date:"Y-m-d" }}{% else %}—{% endif %}</td>
        <td>{% if issue.is_open and issue.stage_due_at %}{{ issue.stage_due_at|date:"Y-m-d" }}
          {% if issue.is_overdue %}<span class="badge badge-warn">{% translate "overdue" %}</span>{% endif %}
          {% else %}—{% endif %}</td>
      </tr>
    {% empty %}
      <tr><td colspan="7">{% translate "No issues match." %}</td></tr>
    {% endfor %}
  </tbody>
</table>{% endstacktable %}"""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("kind", ["issues", "overdue", "escalated", "empty"])
def test_issue_list_table_is_the_table_the_template_wrote(client, world, language, kind):
    """Every cell, label, badge, date and escape as the template and {% stacktable %} wrote them."""
    from django.template import engines
    from django.test.html import parse_html
    from django.utils import translation

    from dashboards.templatetags.dashboard_tables import issue_table

    Issue.objects.filter(pk=Issue.objects.order_by("pk").first().pk).update(title='<b>"路灯" & 水渠</b>')
    url = "/work/dashboard/issues/" if kind in ("issues", "empty") else f"/work/dashboard/{kind}/"
    params = {"raised_from": "2001-01-01", "raised_to": "2001-01-02"} if kind == "empty" else {}
    response = get(client, world["district_official"], url, **params)
    page = response.context["page"]
    assert bool(page.object_list) == (kind != "empty")
    with translation.override(language), at(NOW):
        old = engines["django"].from_string(_TEMPLATE_TABLE).render({"page": page})
        new = issue_table(page, response.context["work_root"], response.context["places"])
    assert parse_html(new) == parse_html(old)
    if language == "zh-hans":  # the page's own language
        assert new in response.content.decode()


# The meeting list's table as the template wrote it (a meeting without a chair now shows "—", as every
# other empty cell, where the template's default_if_none wrote nothing).
_TEMPLATE_MEETINGS = """{% load i18n tables %}
{% stacktable title=2 %}<table class="nowrap-table">
  <thead><tr>
    <th scope="col">{% translate "Village" %}</th><th scope="col">{% translate "Meeting" %}</th>
    <th scope="col">{% translate "State" %}</th><th scope="col">{% translate "Chair" %}</th>
    <th scope="col">{% translate "Present" %}</th><th scope="col">{% translate "Agenda items" %}</th>
  </tr></thead>
  <tbody>
    {% for meeting in page %}
      <tr>
        <td>{{ meeting.roundtable.village.name }}</td>
        <td><a href="{% url 'roundtable:meeting' code=meeting.roundtable.village.code pk=meeting.pk %}">
          {{ meeting.roundtable.name }}</a>
          <span class="muted">{{ meeting.starts_at|date:"Y-m-d H:i" }}</span></td>
        <td>{{ meeting.get_state_display }}</td>
        <td>{% if meeting.chair %}{{ meeting.chair.name }}{% else %}—{% endif %}</td>
        <td>{% if meeting.recorded %}{{ meeting.present }} / {{ meeting.recorded }}{% else %}—{% endif %}</td>
        <td>{{ meeting.items }}</td>
      </tr>
    {% empty %}
      <tr><td colspan="6">{% translate "No meetings match." %}</td></tr>
    {% endfor %}
  </tbody>
</table>{% endstacktable %}"""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("empty", [False, True])
def test_meeting_list_table_is_the_table_the_template_wrote(client, world, language, empty):
    from django.template import engines
    from django.test.html import parse_html
    from django.utils import translation

    from dashboards.templatetags.dashboard_tables import meeting_table
    from roundtable.models import Meeting

    first = Meeting.objects.order_by("pk").first()
    first.roundtable.name = '<i>"圆桌" & 会</i>'
    first.roundtable.save()
    Meeting.objects.filter(pk=first.pk).update(chair=None)
    chaired = Meeting.objects.filter(chair__isnull=False).order_by("pk").first()
    chaired.chair.name = "<b>张&三</b>"
    chaired.chair.save()
    params = {"start": "2001-01-01", "end": "2001-01-02"} if empty else {}
    response = get(client, world["district_official"], "/work/dashboard/meetings/", **params)
    page = response.context["page"]
    assert bool(page.object_list) != empty
    # The template read the meetings themselves: the same ones, in the page's order
    shown = [row.pk for row in page]
    meetings = sorted(
        s.meeting_rows(village_ids=list(response.context["places"])).filter(pk__in=shown),
        key=lambda m: shown.index(m.pk),
    )
    assert [m.pk for m in meetings] == shown
    assert empty or (any(m.chair is None for m in meetings) and any(m.chair is not None for m in meetings))
    assert empty or "<b>张&三</b>" in [m.chair_name for m in page]
    with translation.override(language), at(NOW):
        old = engines["django"].from_string(_TEMPLATE_MEETINGS).render({"page": meetings})
        new = meeting_table(page, response.context["work_root"], response.context["places"])
    assert parse_html(new) == parse_html(old)
    if language == "zh-hans":
        assert new in response.content.decode()


@pytest.mark.parametrize(
    "url, word", [("/work/dashboard/issues/", "件事项"), ("/work/dashboard/meetings/", "次会议")]
)
def test_the_cross_village_lists_count_up_to_a_cap_and_still_page_past_it(
    client, world, monkeypatch, url, word
):
    """A township's whole history is never counted for a list: past the cap it says "more than", and the
    pages past the cap are still there (issue 13)."""
    from django.test.utils import CaptureQueriesContext

    import core.pagination

    monkeypatch.setattr(core.pagination, "COUNT_CAP", 2)
    with CaptureQueriesContext(connection) as queries:
        first = get(client, world["official"], url)
    assert f"超过 2 {word}" in first.content.decode()
    assert any("LIMIT 3" in q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"])
    monkeypatch.setattr("dashboards.views.PAGE_SIZE", 1)
    seen, number = [], 1
    while True:
        page = get(client, world["official"], url, page=number).context["page"]
        seen += [row.pk for row in page]
        if not page.has_next():
            break
        number += 1
    assert len(seen) == len(set(seen)) == page.paginator.object_list.count() > 2  # every row, once


def test_meeting_list_queries_do_not_grow_with_its_rows(client, world):
    """A page of meetings reads the columns its rows show and nothing a row at a time (chair included)."""
    from django.test.utils import CaptureQueriesContext

    from roundtable.models import Meeting
    from tests.roundtable_helpers import schedule

    def queries():
        get(client, world["official"], "/work/dashboard/meetings/")
        with CaptureQueriesContext(connection) as ctx:
            page = get(client, world["official"], "/work/dashboard/meetings/").context["page"]
        return len(ctx.captured_queries), len(page.object_list)

    few, shown = queries()
    roundtable = Meeting.objects.filter(roundtable__village__township=world["luoxi"]).first().roundtable
    for hours in range(1, 8):
        schedule(roundtable, hours_ago=hours)
    many, more_shown = queries()
    assert more_shown > shown and many == few
