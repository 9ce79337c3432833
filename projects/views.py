"""Workspace screens of the project registries: projects, partners, cooperatives, resources, income.

Cadres keep their own villages' registries; township officials (and anyone else with a role in a
village) read them. Forbidden and missing answer 404 alike.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.selectors import villages_for
from core.db import reads_from_replica
from projects import imports, selectors, services
from projects.forms import (
    CooperativeFilter,
    CooperativeForm,
    FundingFormSet,
    ImportForm,
    IncomeForm,
    MilestoneFormSet,
    PartnerFilter,
    PartnerForm,
    ProjectFilter,
    ProjectForm,
    ResourceFilter,
    ResourceForm,
    apply_errors,
)
from projects.models import CollectiveIncome, Cooperative, Funding, Project, Resource
from projects.permissions import (
    access_partner,
    access_project,
    access_registry_village,
    can_create_partner,
    can_edit_partner,
    can_edit_project,
    can_edit_registry,
)
from projects.tabular import FORMATS, Column, read_table, table_response, template_response
from villages.models import Village

PAGE_SIZE = 50


def _page(request, queryset):
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def _export_query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise Http404


def _scope(request, code):
    """(village or None, base villages for the list); a user without any village gets 404."""
    if code:
        village = access_registry_village(request.user, code)
        return village, Village.objects.filter(pk=village.pk)
    villages = villages_for(request.user)
    if not villages.exists():
        raise Http404
    return None, villages


def _edit_village(request, code) -> Village:
    return access_registry_village(request.user, code, edit=True)


# --- projects --------------------------------------------------------------------------------


def _project_filter(request, code):
    village, villages = _scope(request, code)
    base = selectors.projects_of_village(village) if village else selectors.projects_visible_to(request.user)
    filterset = ProjectFilter(
        request.GET or None,
        queryset=selectors.project_list(base).order_by("village__code", "name"),
        villages=None if village else villages.order_by("-is_pilot", "code"),
    )
    return village, filterset


@login_required
def project_list(request, code=None):
    """Projects of a village (or of every village the user sees), with filters and totals."""
    village, filterset = _project_filter(request, code)
    projects = filterset.qs
    totals = selectors.funding_totals(Funding.objects.filter(project__in=projects.values("pk")))
    page, query = _page(request, projects)
    return render(
        request,
        "projects/project_list.html",
        {
            "village": village,
            "filter": filterset,
            "page": page,
            "query": query,
            "export_query": _export_query(request),
            "totals": totals,
            "count": page.paginator.count,
            "can_edit": village is not None and can_edit_registry(request.user, village),
        },
    )


def _source_amount(project, source: str, kind: str):
    lines = [f for f in project.fundings.all() if f.source == source]
    return sum((getattr(f, f"amount_{kind}") for f in lines), start=selectors.ZERO) if lines else None


def _villager_land(project):
    areas = [f.land_mu for f in project.fundings.all() if f.land_mu is not None]
    return sum(areas, start=selectors.ZERO) if areas else None


# Columns only the export has; the import ignores them, so an export can be filled in and imported.
PROJECT_EXPORT_ONLY = [
    Column("village", gettext_lazy("lead village"), lambda p: p.village.name),
    Column("intended_total", gettext_lazy("intended in total (yuan)"), lambda p: p.intended_total),
    Column("landed_total", gettext_lazy("landed in total (yuan)"), lambda p: p.landed_total),
    Column("progress", gettext_lazy("progress (%)"), lambda p: p.progress),
]


def project_columns() -> list[Column]:
    """The import's columns, read off projects, after the export-only ones."""
    getters = {
        "name": lambda p: p.name,
        "category": lambda p: p.get_category_display(),
        "status": lambda p: p.get_status_display(),
        "land_area_mu": lambda p: p.land_area_mu,
        "start_date": lambda p: p.start_date,
        "end_date": lambda p: p.end_date,
        "planning_partner": lambda p: p.planning_partner.name if p.planning_partner else "",
        "description": lambda p: p.description,
        "villager_land_mu": _villager_land,
        "over_confirmed": lambda p: any(f.over_intended_confirmed for f in p.fundings.all()),
    }
    for source in Funding.Source:
        for kind in ("intended", "landed"):
            getters[f"{source.value}_{kind}"] = lambda p, s=source.value, k=kind: _source_amount(p, s, k)
    columns = [Column(c.key, c.label, getters[c.key]) for c in imports.PROJECT_COLUMNS]
    return [*PROJECT_EXPORT_ONLY[:1], *columns[:1], *PROJECT_EXPORT_ONLY[1:], *columns[1:]]


@login_required
@reads_from_replica
def project_export(request, fmt, code=None):
    """The filtered project list as CSV or XLSX, with totals and every source's amounts."""
    _check_format(fmt)
    village, filterset = _project_filter(request, code)
    projects = filterset.qs.prefetch_related(Prefetch("fundings", queryset=Funding.objects.order_by("pk")))
    name = f"{village.name if village else _('all villages')}-{_('projects')}"
    return table_response(columns=project_columns(), rows=projects, fmt=fmt, filename=name)


def _project_form_context(village, form, formset, project=None):
    return {"village": village, "form": form, "formset": formset, "project": project}


def _service_links(form) -> tuple[dict, dict]:
    data = dict(form.cleaned_data)
    links = {"other_villages": data.pop("other_villages"), "partners": data.pop("partners")}
    return data, links


@login_required
def project_create(request, code):
    """A cadre records a new project with its funding lines."""
    village = _edit_village(request, code)
    form = ProjectForm(request.POST or None, village=village)
    formset = FundingFormSet(request.POST or None, instance=Project(village=village), prefix="funding")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data, links = _service_links(form)
        try:
            project = services.project_create(
                village=village, actor=request.user, fundings=formset.lines(), **links, **data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The project has been saved."))
            return redirect("projects:detail", code=village.code, pk=project.pk)
    return render(request, "projects/project_form.html", _project_form_context(village, form, formset))


@login_required
def project_detail(request, code, pk):
    village = get_object_or_404(Village, code=code)
    project = access_project(request.user, village, pk)
    fundings = project.fundings.all()
    milestones = list(project.milestones.all())
    progress = sum(m.progress for m in milestones) / len(milestones) if milestones else None
    return render(
        request,
        "projects/project_detail.html",
        {
            "village": village,
            "project": project,
            "fundings": fundings,
            "totals": selectors.funding_totals(fundings),
            "milestones": milestones,
            "progress": progress,
            "can_edit": can_edit_project(request.user, project),
        },
    )


@login_required
def project_edit(request, code, pk):
    village = _edit_village(request, code)
    project = access_project(request.user, village, pk, edit=True)
    form = ProjectForm(request.POST or None, instance=project, village=village)
    formset = FundingFormSet(request.POST or None, instance=project, prefix="funding")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data, links = _service_links(form)
        try:
            services.project_update(
                project=project, actor=request.user, fundings=formset.lines(), **links, **data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The project has been saved."))
            return redirect("projects:detail", code=village.code, pk=project.pk)
    return render(
        request, "projects/project_form.html", _project_form_context(village, form, formset, project)
    )


@login_required
def project_milestones(request, code, pk):
    village = _edit_village(request, code)
    project = access_project(request.user, village, pk, edit=True)
    formset = MilestoneFormSet(request.POST or None, instance=project, prefix="milestone")
    if request.method == "POST" and formset.is_valid():
        try:
            services.project_milestones_save(project=project, milestones=formset.lines())
        except ValidationError as exc:
            formset._non_form_errors = formset.error_class(exc.messages)
        else:
            messages.success(request, _("The milestones have been saved."))
            return redirect("projects:detail", code=village.code, pk=project.pk)
    return render(
        request, "projects/milestones_form.html", {"village": village, "project": project, "formset": formset}
    )


@login_required
def project_delete(request, code, pk):
    village = _edit_village(request, code)
    project = access_project(request.user, village, pk, edit=True)
    if request.method == "POST":
        services.project_delete(project=project)
        messages.success(request, _("The project has been deleted."))
        return redirect("projects:village_list", code=village.code)
    return render(
        request,
        "projects/confirm_delete.html",
        {
            "village": village,
            "object": project,
            "cancel": reverse("projects:detail", args=[village.code, pk]),
        },
    )


# --- import ----------------------------------------------------------------------------------------


@login_required
def import_template(request, kind, fmt):
    """An empty spreadsheet to fill in, for projects or talents."""
    _check_format(fmt)
    if not villages_for(request.user).exists():
        raise Http404
    if kind == "projects":
        return template_response(
            columns=imports.PROJECT_COLUMNS, fmt=fmt, filename=_("project-import-template")
        )
    if kind == "talent":
        from talent.imports import TALENT_COLUMNS

        return template_response(columns=TALENT_COLUMNS, fmt=fmt, filename=_("talent-import-template"))
    raise Http404


def import_upload(request, *, village, kind, columns, preview_url_name, template, context, ignore=()):
    """Upload step shared by the registries: read the file, stash its rows, go to the preview."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            rows = read_table(form.cleaned_data["file"], columns, ignore=ignore)
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            token = imports.stash(
                request, kind=kind, village_id=village.pk, rows=rows, filename=form.cleaned_data["file"].name
            )
            return redirect(preview_url_name, code=village.code, token=token)
    return render(request, template, {"village": village, "form": form, "kind": kind, **context})


def import_preview(request, *, village, token, kind, validate, save, done_url, again_url, summary, context):
    """Dry run shown on GET; on POST the rows are checked again and saved all together, or not at all."""
    entry = imports.unstash(request, token, kind=kind, village_id=village.pk)
    if entry is None:
        messages.error(request, _("This import has expired; please upload the file again."))
        return redirect(again_url)
    results = validate(entry["rows"], village=village)
    bad = sum(1 for r in results if not r.ok)
    if request.method == "POST" and not bad and results:
        try:
            with transaction.atomic():
                count = save(results)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            imports.drop(request, token)
            messages.success(request, _("%(n)s rows imported.") % {"n": count})
            return redirect(done_url)
    elif request.method == "POST":
        messages.error(request, _("Some rows have errors; nothing was saved."))
    return render(
        request,
        "projects/import_preview.html",
        {
            "village": village,
            "entry": entry,
            "results": results,
            "rows": [(r, summary(r)) for r in results],
            "bad": bad,
            "good": len(results) - bad,
            "again_url": again_url,
            **context,
        },
    )


@login_required
def project_import(request, code):
    village = _edit_village(request, code)
    return import_upload(
        request,
        village=village,
        kind="projects",
        columns=imports.PROJECT_COLUMNS,
        ignore=PROJECT_EXPORT_ONLY,
        preview_url_name="projects:import_preview",
        template="projects/import_upload.html",
        context={
            "title": _("Import projects"),
            "back": reverse("projects:village_list", args=[village.code]),
            "template_kind": "projects",
        },
    )


@login_required
def project_import_preview(request, code, token):
    village = _edit_village(request, code)
    return import_preview(
        request,
        village=village,
        token=token,
        kind="projects",
        validate=imports.validate_project_rows,
        save=lambda results: imports.import_projects(results, village=village, actor=request.user),
        done_url=reverse("projects:village_list", args=[village.code]),
        again_url=reverse("projects:import", args=[village.code]),
        summary=imports.project_row_summary,
        context={
            "title": _("Import projects"),
            "headers": [_("project name"), _("category"), _("status"), _("start date")],
        },
    )


# --- partners ------------------------------------------------------------------------------------


def _partner_scope(request):
    villages = villages_for(request.user)
    if not villages.exists():
        raise Http404
    return villages


def _partner_filter(request):
    villages = _partner_scope(request)
    return PartnerFilter(
        request.GET or None,
        queryset=selectors.partners_visible_to(request.user).prefetch_related("villages").order_by("name"),
        villages=villages.order_by("-is_pilot", "code"),
    )


def partner_columns():
    return [
        Column("name", gettext_lazy("name"), lambda p: p.name),
        Column("kind", gettext_lazy("kind"), lambda p: p.get_kind_display()),
        Column("villages", gettext_lazy("villages"), lambda p: "、".join(v.name for v in p.villages.all())),
        Column("since", gettext_lazy("working with us since"), lambda p: p.since),
        Column("contact_name", gettext_lazy("contact person"), lambda p: p.contact_name),
        Column("website", gettext_lazy("website"), lambda p: p.website),
        Column("description", gettext_lazy("what they do with us"), lambda p: p.description),
    ]


@login_required
def partner_list(request):
    filterset = _partner_filter(request)
    page, query = _page(request, filterset.qs)
    return render(
        request,
        "projects/partner_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query,
            "export_query": _export_query(request),
            "can_create": can_create_partner(request.user),
        },
    )


@login_required
@reads_from_replica
def partner_export(request, fmt):
    _check_format(fmt)
    return table_response(
        columns=partner_columns(), rows=_partner_filter(request).qs, fmt=fmt, filename=_("partners")
    )


@login_required
def partner_detail(request, pk):
    partner = access_partner(request.user, pk)
    visible = set(villages_for(request.user).values_list("pk", flat=True))
    projects = selectors.project_list(
        Project.objects.filter(village__in=visible)
        .filter(Q(planning_partner=partner) | Q(partners=partner))
        .distinct()
        .order_by("village__code", "name")
    )
    return render(
        request,
        "projects/partner_detail.html",
        {
            "partner": partner,
            "projects": projects,
            "roundtables": partner.roundtables.select_related("village"),
            "can_edit": can_edit_partner(request.user, partner),
        },
    )


def _my_cadre_villages(user):
    from accounts.models import Membership

    return villages_for(user, roles=[Membership.Role.CADRE]).order_by("-is_pilot", "code")


@login_required
def partner_create(request):
    if not can_create_partner(request.user):
        raise Http404
    mine = list(_my_cadre_villages(request.user))
    township = mine[0].township
    form = PartnerForm(request.POST or None, township=township, my_villages=mine)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            partner = services.partner_create(
                township=township,
                actor=request.user,
                villages=data.pop("villages"),
                roundtables=data.pop("roundtables"),
                **data,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The partner has been saved."))
            return redirect("projects:partner", pk=partner.pk)
    return render(request, "projects/partner_form.html", {"form": form})


@login_required
def partner_edit(request, pk):
    partner = access_partner(request.user, pk, edit=True)
    mine = [v for v in _my_cadre_villages(request.user) if v.township_id == partner.township_id]
    form = PartnerForm(request.POST or None, instance=partner, township=partner.township, my_villages=mine)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.partner_update(
                partner=partner,
                actor=request.user,
                villages=data.pop("villages"),
                roundtables=data.pop("roundtables"),
                **data,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The partner has been saved."))
            return redirect("projects:partner", pk=partner.pk)
    return render(request, "projects/partner_form.html", {"form": form, "partner": partner})


# --- cooperatives and resources ---------------------------------------------------------------------

ENTRY_KINDS = {
    "cooperatives": {
        "model": Cooperative,
        "form": CooperativeForm,
        "filter": CooperativeFilter,
        "save": lambda village, entry, data: services.cooperative_save(
            village=village, cooperative=entry, **data
        ),
        "title": gettext_lazy("Cooperatives"),
        "new": gettext_lazy("Add a cooperative"),
        "edit": gettext_lazy("Edit the cooperative"),
    },
    "resources": {
        "model": Resource,
        "form": ResourceForm,
        "filter": ResourceFilter,
        "save": lambda village, entry, data: services.resource_save(village=village, resource=entry, **data),
        "title": gettext_lazy("Resource inventory"),
        "new": gettext_lazy("Add a resource"),
        "edit": gettext_lazy("Edit the resource"),
    },
}


def entry_columns(kind: str) -> list[Column]:
    village = Column("village", gettext_lazy("village"), lambda e: e.village.name)
    if kind == "cooperatives":
        return [
            village,
            Column("name", gettext_lazy("name"), lambda e: e.name),
            Column("kind", gettext_lazy("kind"), lambda e: e.get_kind_display()),
            Column("members", gettext_lazy("members (households)"), lambda e: e.members),
            Column("founded", gettext_lazy("founded"), lambda e: e.founded),
            Column("leader", gettext_lazy("head"), lambda e: e.leader),
            Column("products", gettext_lazy("main products"), lambda e: e.products),
        ]
    return [
        village,
        Column("name", gettext_lazy("name"), lambda e: e.name),
        Column("kind", gettext_lazy("kind"), lambda e: e.get_kind_display()),
        Column("area_mu", gettext_lazy("area (mu)"), lambda e: e.area_mu),
        Column("location", gettext_lazy("location"), lambda e: e.location),
        Column("description", gettext_lazy("description"), lambda e: e.description),
    ]


def _entry_filter(request, kind, code):
    spec = ENTRY_KINDS[kind]
    village, villages = _scope(request, code)
    queryset = spec["model"].objects.filter(village__in=villages).select_related("village")
    filterset = spec["filter"](
        request.GET or None,
        queryset=queryset.order_by("village__code", "name"),
        villages=None if village else villages.order_by("-is_pilot", "code"),
    )
    return village, filterset


@login_required
def entry_list(request, kind, code=None):
    if kind not in ENTRY_KINDS:
        raise Http404
    village, filterset = _entry_filter(request, kind, code)
    page, query = _page(request, filterset.qs)
    return render(
        request,
        f"projects/{kind}_list.html",
        {
            "kind": kind,
            "title": ENTRY_KINDS[kind]["title"],
            "village": village,
            "filter": filterset,
            "page": page,
            "query": query,
            "export_query": _export_query(request),
            "can_edit": village is not None and can_edit_registry(request.user, village),
        },
    )


@login_required
@reads_from_replica
def entry_export(request, kind, fmt, code=None):
    if kind not in ENTRY_KINDS:
        raise Http404
    _check_format(fmt)
    village, filterset = _entry_filter(request, kind, code)
    name = f"{village.name if village else _('all villages')}-{ENTRY_KINDS[kind]['title']}"
    return table_response(columns=entry_columns(kind), rows=filterset.qs, fmt=fmt, filename=name)


@login_required
def entry_form(request, kind, code, pk=None):
    if kind not in ENTRY_KINDS:
        raise Http404
    spec = ENTRY_KINDS[kind]
    village = _edit_village(request, code)
    entry = get_object_or_404(spec["model"], village=village, pk=pk) if pk else None
    form = spec["form"](request.POST or None, instance=entry or spec["model"](village=village))
    if request.method == "POST" and form.is_valid():
        try:
            spec["save"](village, entry, form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("projects:entry_village_list", kind=kind, code=village.code)
    return render(
        request,
        "projects/entry_form.html",
        {
            "village": village,
            "form": form,
            "entry": entry,
            "kind": kind,
            "title": spec["edit"] if entry else spec["new"],
            "list_title": spec["title"],
        },
    )


@login_required
def entry_delete(request, kind, code, pk):
    if kind not in ENTRY_KINDS:
        raise Http404
    village = _edit_village(request, code)
    entry = get_object_or_404(ENTRY_KINDS[kind]["model"], village=village, pk=pk)
    back = reverse("projects:entry_village_list", kwargs={"kind": kind, "code": village.code})
    if request.method == "POST":
        services.registry_entry_delete(village=village, entry=entry)
        messages.success(request, _("Deleted."))
        return redirect(back)
    return render(
        request, "projects/confirm_delete.html", {"village": village, "object": entry, "cancel": back}
    )


# --- collective income ---------------------------------------------------------------------------


@login_required
def income_village(request, code):
    """A village's collective income by year, its trend and (for cadres) a form to record a year."""
    village = access_registry_village(request.user, code)
    can_edit = can_edit_registry(request.user, village)
    form = IncomeForm(request.POST or None, instance=CollectiveIncome(village=village)) if can_edit else None
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            try:
                services.income_set(village=village, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The income has been recorded."))
                return redirect("projects:income_village", code=village.code)
    trend = selectors.income_trend(village)
    return render(
        request,
        "projects/income_village.html",
        {
            "village": village,
            "trend": trend,
            "rows": list(reversed(trend)),
            "form": form,
            "can_edit": can_edit,
        },
    )


@login_required
@require_POST
def income_delete(request, code, pk):
    village = _edit_village(request, code)
    entry = get_object_or_404(CollectiveIncome, village=village, pk=pk)
    services.registry_entry_delete(village=village, entry=entry)
    messages.success(request, _("Deleted."))
    return redirect("projects:income_village", code=village.code)


def _income_years(request, years):
    def pick(name, default):
        try:
            value = int(request.GET.get(name, default))
        except (TypeError, ValueError):
            return default
        return value if value in years else default

    if not years:
        return None, None
    return pick("base", years[0]), pick("year", years[-1])


@login_required
def income_overview(request):
    """Every visible village's income by year, shell and weak villages marked, and how they moved."""
    _village, villages = _scope(request, None)
    villages = villages.order_by("-is_pilot", "code")
    years, rows = selectors.income_matrix(villages)
    base, year = _income_years(request, years)
    changes = selectors.income_changes(villages=villages, base_year=base, year=year) if years else None
    return render(
        request,
        "projects/income_overview.html",
        {
            "years": years,
            "rows": rows,
            "changes": changes,
            "base": base,
            "year": year,
            "query": _export_query(request),
        },
    )


@login_required
@reads_from_replica
def income_export(request, fmt):
    _check_format(fmt)
    _village, villages = _scope(request, None)
    years, rows = selectors.income_matrix(villages.order_by("-is_pilot", "code"))
    columns = [Column("village", gettext_lazy("village"), lambda r: r["village"].name)]
    for i, y in enumerate(years):
        columns.append(
            Column(str(y), str(y), lambda r, i=i: r["cells"][i]["amount"] if r["cells"][i] else None)
        )
    return table_response(columns=columns, rows=rows, fmt=fmt, filename=_("collective-income"))
