"""Dashboard pages, lists and exports. Thin: permissions decide, selectors count, templates show."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from accounts.models import Membership
from accounts.selectors import scope_for
from core.db import reads_from_replica
from core.pagination import CappedPaginator
from core.tabular import FORMATS, table_response
from dashboards import charts, exports, links, services
from dashboards import permissions as perms
from dashboards import selectors as s
from dashboards.forms import DashboardFilterForm, IssueListForm, MeetingListForm, MonthForm
from roundtable.links import issue_url_root
from roundtable.models import STEP_NUMBER, STEPS
from roundtable.workflow import stage_name
from villages.models import District, Township, Village

PAGE_SIZE = 50


@login_required
def home(request):
    """The dashboard the user's role opens: the district's, the township's, or the cadre's village's."""
    scope = scope_for(request.user)
    if scope.district_ids:
        district = District.objects.filter(pk__in=scope.district_ids).order_by("name").first()
        return district_dashboard(request, district.code)
    if scope.township_ids:
        township = Township.objects.filter(pk__in=scope.township_ids).order_by("name").first()
        return township_dashboard(request, township.code)
    cadre_villages = [vid for vid, roles in scope.village_roles.items() if Membership.Role.CADRE in roles]
    village = Village.objects.filter(pk__in=cadre_villages).order_by("code").first()
    if village is None:
        raise Http404
    return redirect("dashboards:village", code=village.code)


# --- the three dashboards ---------------------------------------------------------------------


def _district_target(request, code):
    district = perms.access_district_dashboard(request.user, code)
    # Only the ids: the district's form has no village select, and 400 villages were a third of its time.
    ids = tuple(
        Village.objects.filter(township__district=district).order_by("pk").values_list("pk", flat=True)
    )
    return {
        "kind": "district",
        "place": district,
        "title": _("%(place)s dashboard") % {"place": district.name},
        "unit": s.UNIT_TOWNSHIP,
        "unit_label": gettext_lazy("township"),
        "villages": [],
        "village_ids": ids,
        "base": reverse("dashboards:district", kwargs={"code": district.code}),
        "export": lambda table, fmt: reverse(
            "dashboards:district_export", kwargs={"code": district.code, "table": table, "fmt": fmt}
        ),
    }


def _township_target(request, code):
    township = perms.access_township_dashboard(request.user, code)
    villages = list(Village.objects.filter(township=township).order_by("-is_pilot", "code"))
    return {
        "kind": "township",
        "place": township,
        "title": _("%(place)s dashboard") % {"place": township.name},
        "unit": s.UNIT_VILLAGE,
        "unit_label": gettext_lazy("village"),
        "villages": villages,
        "village_ids": tuple(v.pk for v in villages),
        "base": reverse("dashboards:township", kwargs={"code": township.code}),
        "export": lambda table, fmt: reverse(
            "dashboards:township_export", kwargs={"code": township.code, "table": table, "fmt": fmt}
        ),
        "report": reverse("dashboards:report", kwargs={"code": township.code}),
    }


def _village_target(request, code):
    village = perms.access_village_dashboard(request.user, code)
    return {
        "kind": "village",
        "place": village,
        "title": _("%(place)s dashboard") % {"place": village.name},
        "unit": s.UNIT_VILLAGE,
        "unit_label": gettext_lazy("village"),
        "villages": [village],
        "village_ids": (village.pk,),
        "base": reverse("dashboards:village", kwargs={"code": village.code}),
        "export": lambda table, fmt: reverse(
            "dashboards:village_export", kwargs={"code": village.code, "table": table, "fmt": fmt}
        ),
    }


def _frame(request, target):
    """The filter form and the frame it asks for."""
    form = DashboardFilterForm(
        request.GET or None, villages=target["villages"], show_village=target["kind"] == "township"
    )
    village = form.chosen_village() if target["kind"] == "township" else None
    if target["kind"] == "village":
        village = target["place"]
    ids = (village.pk,) if village else target["village_ids"]
    frame = s.Frame(
        village_ids=ids, unit=target["unit"], period=form.chosen_period(), category=form.chosen_category()
    )
    return form, frame, village


def _figures(request, target):
    """The filter form and the figures it asks for."""
    form, frame, village = _frame(request, target)
    return form, services.figures_keep(frame=frame, keep=target["kind"] == "village"), village


def presentation(data: dict) -> dict:
    """The dashboard's small tables laid out as rows for the template (no figure is computed here)."""
    issues = data["issues"]
    return {
        "stage_rows": [
            {
                "number": STEP_NUMBER[stage],
                "hanzi": stage_name(stage),
                "open": issues["by_stage"][stage],
                "overdue": issues["overdue_by_stage"][stage],
            }
            for stage in STEPS
        ],
        "step_rows": [
            {"number": STEP_NUMBER[r["stage"]], "hanzi": stage_name(r["stage"]), **r} for r in data["steps"]
        ],
        "dispute_labels": list(s.DISPUTE_LABELS.values()),
        "dispute_rows": [
            {"month": r["month"], "counts": [r[k] for k in s.DISPUTE_LABELS], "total": r["total"]}
            for r in data["disputes"]
        ],
        "meeting_rows": exports.meeting_summary(data["meetings"]),
        "talent_rows": exports.talent_summary(data["registry"].talent),
    }


DEFAULT_VIEWS = {"", *(f"period={kind}" for kind in s.SNAPSHOT_PERIODS)}


def _default_view(request) -> bool:
    """No filter but the period: the page every official of the place gets, kept rendered (a handful of
    addresses per place, whatever else is asked)."""
    return request.GET.urlencode() in DEFAULT_VIEWS


def _page_context(request, target, data, village, form, sort, descending) -> dict:
    query = request.GET.copy()
    for key in ("sort", "dir"):
        query.pop(key, None)
    frame = data["frame"]
    total_place = {
        "village_code": village.code if village else "",
        "township_code": target["place"].code if target["kind"] == "township" else "",
    }
    return {
        **target,
        **data,
        "form": form,
        "query": query.urlencode(),
        "sort": sort,
        "descending": descending,
        "columns": s.RANK_COLUMNS,
        "ranking": links.ranking_table(
            data["rows"],
            data["total"],
            frame,
            unit=target["unit"],
            query=query,
            keys=s.RANK_KEYS,
            total_place=total_place,
        ),
        "chart_data": charts.chart_data(data, unit=target["unit"]),
        "exports": {
            table: {fmt: f"{target['export'](table, fmt)}?{query.urlencode()}" for fmt in FORMATS}
            for table in exports.DASHBOARD_TABLES
        },
        **presentation(data),
        "meetings_link": links.total_links(frame, **total_place)["held"],
        "list_query": urlencode(
            {"village": village.code}
            if village
            else {"township": target["place"].code}
            if target["kind"] == "township"
            else {}
        ),
    }


def _render(request, target, template="dashboards/dashboard.html"):
    form, frame, village = _frame(request, target)
    page = {"address": request.get_full_path(), "language": get_language()}
    kept = s.kept_page(frame, **page) if _default_view(request) else None
    if kept is not None:
        # The page as rendered from this very snapshot: neither the figures nor the markup are made again.
        shown = {"frame": frame, "computed_at": kept["computed_at"], "from_snapshot": True}
        html = mark_safe(kept["html"])  # noqa: S308 — our own rendered template
        return render(request, template, {**target, **shown, "form": form, "page": html})
    data = services.figures_keep(frame=frame, keep=target["kind"] == "village")
    sort, descending = request.GET.get("sort", ""), request.GET.get("dir") != "asc"
    data["rows"] = s.sort_rows(data["rows"], sort, descending)
    html = render_to_string(
        "dashboards/_page.html", _page_context(request, target, data, village, form, sort, descending)
    )
    if _default_view(request):
        services.page_keep(data=data, html=html, **page)
    return render(request, template, {**target, **data, "form": form, "page": html})


@login_required
@reads_from_replica
def district_dashboard(request, code):
    return _render(request, _district_target(request, code))


@login_required
@reads_from_replica
def township_dashboard(request, code):
    return _render(request, _township_target(request, code))


@login_required
@reads_from_replica
def village_dashboard(request, code):
    return _render(request, _village_target(request, code))


@login_required
@reads_from_replica
def report(request, code):
    """The monthly township report, laid out for A4."""
    target = _township_target(request, code)
    month = MonthForm(request.GET or None)
    frame = s.Frame(village_ids=target["village_ids"], unit=s.UNIT_VILLAGE, period=month.period())
    data = s.dashboard(frame)
    return render(
        request,
        "dashboards/report.html",
        {
            **target,
            **data,
            **presentation(data),
            "month_form": month,
            "columns": s.RANK_COLUMNS,
            "ranking": links.ranking_table(
                data["rows"],
                data["total"],
                frame,
                unit=s.UNIT_VILLAGE,
                query=None,
                keys=s.RANK_KEYS,
                total_place={"township_code": target["place"].code},
            ),
            "chart_data": charts.chart_data(data, unit=s.UNIT_VILLAGE),
        },
    )


# --- exports of the dashboards' tables --------------------------------------------------------


def _export(request, target, table, fmt):
    if fmt not in FORMATS or table not in exports.DASHBOARD_TABLES:
        raise Http404
    _form, data, _village = _figures(request, target)
    columns, rows = exports.dashboard_table(table, data, unit_label=target["unit_label"])
    name = f"{target['place'].code}-{table}-{data['frame'].period.start}-{data['frame'].period.end}"
    return table_response(columns=columns, rows=rows, fmt=fmt, filename=name)


@login_required
@reads_from_replica
def district_export(request, code, table, fmt):
    return _export(request, _district_target(request, code), table, fmt)


@login_required
@reads_from_replica
def township_export(request, code, table, fmt):
    return _export(request, _township_target(request, code), table, fmt)


@login_required
@reads_from_replica
def village_export(request, code, table, fmt):
    return _export(request, _village_target(request, code), table, fmt)


# --- the cross-village lists ------------------------------------------------------------------

LISTS = {
    "issues": gettext_lazy("Issues"),
    "overdue": gettext_lazy("Overdue issues"),
    "escalated": gettext_lazy("Escalated issues"),
}


def _issue_list(request, kind):
    villages = perms.dashboard_places(request.user)
    if not villages:
        raise Http404
    form = IssueListForm(request.GET or None, villages=villages, steps_only=kind != "issues")
    d = form.cleaned_data if form.is_valid() else {}
    rows = s.issue_rows(
        village_ids=form.village_ids(),
        stage=d.get("stage", ""),
        category=d.get("category", ""),
        raised_from=d.get("raised_from"),
        raised_to=d.get("raised_to"),
        min_age=d.get("min_age"),
        open_only=d.get("open", False),
        overdue=kind == "overdue" or d.get("overdue", False),
        escalated=kind == "escalated" or d.get("escalated", False),
    )
    if kind == "overdue":
        rows = rows.order_by("stage_due_at", "pk")
    elif kind == "escalated":
        rows = rows.order_by("-escalated_at", "pk")
    return form, rows, villages


@login_required
@reads_from_replica
def issue_list(request, kind="issues"):
    form, rows, villages = _issue_list(request, kind)
    page = CappedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dashboards/issue_list.html",
        {
            "kind": kind,
            "title": LISTS[kind],
            # Rows link to <work_root><village code>/issues/<pk>/ (roundtable:issue): no reverse() per row.
            "work_root": issue_url_root(),
            "places": {village.pk: village for village in villages},  # names each row's village
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "export": {
                fmt: reverse("dashboards:list_export", kwargs={"kind": kind, "fmt": fmt}) for fmt in FORMATS
            },
        },
    )


@login_required
@reads_from_replica
def issue_list_export(request, kind, fmt):
    if kind not in LISTS or fmt not in FORMATS:
        raise Http404
    _form, rows, _villages = _issue_list(request, kind)
    return exports.issue_response(request.user, rows, fmt=fmt, filename=kind)


def _meeting_list(request, *, page=False):
    villages = perms.dashboard_places(request.user)
    if not villages:
        raise Http404
    form = MeetingListForm(request.GET or None, villages=villages)
    d = form.cleaned_data if form.is_valid() else {}
    rows = s.meeting_rows(
        village_ids=form.village_ids(),
        state=d.get("state", ""),
        start=d.get("start"),
        end=d.get("end"),
        page=page,
    )
    return form, rows, villages


@login_required
@reads_from_replica
def meeting_list(request):
    form, rows, villages = _meeting_list(request, page=True)
    page = CappedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dashboards/meeting_list.html",
        {
            "work_root": issue_url_root(),
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "places": {village.pk: village for village in villages},  # names each row's village
            "export": {fmt: reverse("dashboards:meetings_export", kwargs={"fmt": fmt}) for fmt in FORMATS},
        },
    )


@login_required
@reads_from_replica
def meeting_list_export(request, fmt):
    if fmt not in FORMATS:
        raise Http404
    _form, rows, _villages = _meeting_list(request)
    return table_response(columns=exports.meeting_columns(), rows=rows, fmt=fmt, filename="meetings")
