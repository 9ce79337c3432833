"""Projects: the list and its export, the form with funding lines, milestones, deletion and import."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.selectors import villages_for
from core.db import reads_from_replica
from core.forms import apply_errors
from core.tabular import Column, table_response, template_response
from core.views import check_format, export_query, import_preview, import_upload, page_of
from projects import imports, selectors, services
from projects.forms import (
    FundingFormSet,
    MilestoneFormSet,
    ProjectFilter,
    ProjectForm,
)
from projects.models import Funding, Project
from projects.permissions import (
    access_project,
    can_edit_project,
    can_edit_registry,
)
from projects.views.common import edit_village, registry_scope
from villages.models import Village


def _project_filter(request, code):
    village, villages = registry_scope(request, code)
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
    page, query = page_of(request, projects)
    return render(
        request,
        "projects/project_list.html",
        {
            "village": village,
            "filter": filterset,
            "page": page,
            "query": query,
            "export_query": export_query(request),
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
    check_format(fmt)
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
    village = edit_village(request, code)
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
    village = edit_village(request, code)
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
    village = edit_village(request, code)
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
    village = edit_village(request, code)
    project = access_project(request.user, village, pk, edit=True)
    if request.method == "POST":
        services.project_delete(project=project)
        messages.success(request, _("The project has been deleted."))
        return redirect("projects:village_list", code=village.code)
    return render(
        request,
        "core/confirm_delete.html",
        {
            "village": village,
            "object": project,
            "cancel": reverse("projects:detail", args=[village.code, pk]),
        },
    )


@login_required
def import_template(request, fmt):
    """An empty spreadsheet to fill in with projects."""
    check_format(fmt)
    if not villages_for(request.user).exists():
        raise Http404
    return template_response(columns=imports.PROJECT_COLUMNS, fmt=fmt, filename=_("project-import-template"))


@login_required
def project_import(request, code):
    village = edit_village(request, code)
    return import_upload(
        request,
        village=village,
        kind="projects",
        columns=imports.PROJECT_COLUMNS,
        ignore=PROJECT_EXPORT_ONLY,
        preview_url_name="projects:import_preview",
        template="core/import_upload.html",
        context={
            "title": _("Import projects"),
            "back": reverse("projects:village_list", args=[village.code]),
            "template_url": "projects:import_template",
        },
    )


@login_required
def project_import_preview(request, code, token):
    village = edit_village(request, code)
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
