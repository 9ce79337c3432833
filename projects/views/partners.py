"""Partners (enterprises, institutions) of the township: list, export, detail, create, edit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.selectors import villages_for
from core.db import reads_from_replica
from core.forms import apply_errors
from core.tabular import Column, table_response
from core.text import listing
from core.views import check_format, export_query, page_of
from projects import selectors, services
from projects.forms import (
    PartnerFilter,
    PartnerForm,
)
from projects.models import Project
from projects.permissions import (
    access_partner,
    can_create_partner,
    can_edit_partner,
)


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
        Column("villages", gettext_lazy("villages"), lambda p: listing(v.name for v in p.villages.all())),
        Column("since", gettext_lazy("working with us since"), lambda p: p.since),
        Column("contact_name", gettext_lazy("contact person"), lambda p: p.contact_name),
        Column("website", gettext_lazy("website"), lambda p: p.website),
        Column("description", gettext_lazy("what they do with us"), lambda p: p.description),
    ]


@login_required
def partner_list(request):
    filterset = _partner_filter(request)
    page, query = page_of(request, filterset.qs)
    return render(
        request,
        "projects/partner_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query,
            "export_query": export_query(request),
            "can_create": can_create_partner(request.user),
        },
    )


@login_required
@reads_from_replica
def partner_export(request, fmt):
    check_format(fmt)
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
