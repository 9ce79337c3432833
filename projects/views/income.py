"""Villages' collective income: a village's years, the township overview and its export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.db import reads_from_replica
from core.forms import apply_errors
from core.tabular import Column, table_response
from core.views import check_format, export_query
from projects import selectors, services
from projects.forms import (
    IncomeForm,
)
from projects.models import CollectiveIncome
from projects.permissions import (
    access_registry_village,
    can_edit_registry,
)
from projects.views.common import edit_village, registry_scope


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
    village = edit_village(request, code)
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
    _village, villages = registry_scope(request, None)
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
            "query": export_query(request),
        },
    )


@login_required
@reads_from_replica
def income_export(request, fmt):
    check_format(fmt)
    _village, villages = registry_scope(request, None)
    years, rows = selectors.income_matrix(villages.order_by("-is_pilot", "code"))
    columns = [Column("village", gettext_lazy("village"), lambda r: r["village"].name)]
    for i, y in enumerate(years):
        columns.append(
            Column(str(y), str(y), lambda r, i=i: r["cells"][i]["amount"] if r["cells"][i] else None)
        )
    return table_response(columns=columns, rows=rows, fmt=fmt, filename=_("collective-income"))
