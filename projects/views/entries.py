"""Cooperatives and resources: one set of views for both registries, chosen by `kind` in the URL."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.db import reads_from_replica
from core.forms import apply_errors
from core.tabular import Column, table_response
from core.views import check_format, export_query, page_of
from projects import services
from projects.forms import (
    CooperativeFilter,
    CooperativeForm,
    ResourceFilter,
    ResourceForm,
)
from projects.models import Cooperative, Resource
from projects.permissions import (
    can_edit_registry,
)
from projects.views.common import edit_village, registry_scope

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
    village, villages = registry_scope(request, code)
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
    page, query = page_of(request, filterset.qs)
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
            "export_query": export_query(request),
            "can_edit": village is not None and can_edit_registry(request.user, village),
        },
    )


@login_required
@reads_from_replica
def entry_export(request, kind, fmt, code=None):
    if kind not in ENTRY_KINDS:
        raise Http404
    check_format(fmt)
    village, filterset = _entry_filter(request, kind, code)
    name = f"{village.name if village else _('all villages')}-{ENTRY_KINDS[kind]['title']}"
    return table_response(columns=entry_columns(kind), rows=filterset.qs, fmt=fmt, filename=name)


@login_required
def entry_form(request, kind, code, pk=None):
    if kind not in ENTRY_KINDS:
        raise Http404
    spec = ENTRY_KINDS[kind]
    village = edit_village(request, code)
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
    village = edit_village(request, code)
    entry = get_object_or_404(ENTRY_KINDS[kind]["model"], village=village, pk=pk)
    back = reverse("projects:entry_village_list", kwargs={"kind": kind, "code": village.code})
    if request.method == "POST":
        services.registry_entry_delete(village=village, entry=entry)
        messages.success(request, _("Deleted."))
        return redirect(back)
    return render(request, "core/confirm_delete.html", {"village": village, "object": entry, "cancel": back})
