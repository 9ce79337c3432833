"""Workspace screens of the talent registries: the talent pool, red advisory councils, committee terms.

Cadres keep their own villages; township officials read every village. Mobile and ID numbers go through
`talent.permissions.personal_data` everywhere (pages and exports), so only own cadres see them whole.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from core.db import reads_from_replica
from core.forms import apply_errors
from core.tabular import Column, table_response, template_response
from core.text import listing
from core.views import check_format, export_query, import_preview, import_upload, page_of
from talent import imports, selectors, services
from talent.forms import CommitteeMembers, CouncilForm, CouncilMembers, TalentFilter, TalentForm, TermForm
from talent.models import AdvisoryCouncil, CommitteeTerm, Talent
from talent.permissions import (
    access_talent,
    access_talent_village,
    can_edit_talent_registry,
    personal_data,
)
from villages.models import Village


def _scope(request, code):
    if code:
        village = access_talent_village(request.user, code)
        return village, Village.objects.filter(pk=village.pk)
    villages = selectors.talent_villages(request.user)
    if not villages.exists():
        raise Http404
    return None, villages


def _edit_village(request, code) -> Village:
    return access_talent_village(request.user, code, edit=True)


def _with_personal_data(user, talents):
    """Each talent with `shown` = its numbers as this user may see them."""
    talents = list(talents)
    for talent in talents:
        talent.shown = personal_data(user, talent)
    return talents


# --- talent pool -------------------------------------------------------------------------------


def _talent_filter(request, code):
    village, villages = _scope(request, code)
    filterset = TalentFilter(
        request.GET or None,
        queryset=selectors.talent_list(Talent.objects.filter(village__in=villages)).order_by(
            "village__code", "name"
        ),
        villages=None if village else villages.order_by("-is_pilot", "code"),
    )
    return village, villages, filterset


@login_required
def talent_list(request, code=None):
    village, _villages, filterset = _talent_filter(request, code)
    page, query = page_of(request, filterset.qs)
    page.object_list = _with_personal_data(request.user, page.object_list)
    return render(
        request,
        "talent/talent_list.html",
        {
            "village": village,
            "filter": filterset,
            "page": page,
            "query": query,
            "export_query": export_query(request),
            "counts": selectors.talent_counts(filterset.qs),
            "can_edit": village is not None and can_edit_talent_registry(request.user, village),
        },
    )


def talent_columns(user) -> list[Column]:
    """The import's columns (so an export can be re-imported elsewhere) plus the village, numbers masked."""
    getters = {
        "name": lambda t: t.name,
        "gender": lambda t: t.get_gender_display(),
        "birth_year": lambda t: t.birth_year,
        "education": lambda t: t.get_education_display(),
        "mobile": lambda t: personal_data(user, t).mobile,
        "id_number": lambda t: personal_data(user, t).id_number,
        "skills": lambda t: listing(t.skill_labels()),
        "is_party_member": lambda t: t.is_party_member,
        "is_returned": lambda t: t.is_returned,
        "is_reserve_cadre": lambda t: t.is_reserve_cadre,
        "assessment": lambda t: t.get_assessment_display(),
        "specialty": lambda t: t.specialty,
        "consent_date": lambda t: t.consent_date,
    }
    return [
        TALENT_EXPORT_ONLY[0],
        *(Column(c.key, c.label, getters[c.key]) for c in imports.TALENT_COLUMNS),
        TALENT_EXPORT_ONLY[1],
    ]


TALENT_EXPORT_ONLY = [
    Column("village", gettext_lazy("village"), lambda t: t.village.name),
    Column(
        "roundtable",
        gettext_lazy("roundtable membership"),
        lambda t: t.roundtable.name if t.roundtable else "",
    ),
]


@login_required
@reads_from_replica
def talent_export(request, fmt, code=None):
    check_format(fmt)
    village, _villages, filterset = _talent_filter(request, code)
    name = f"{village.name if village else _('all villages')}-{_('talent')}"
    return table_response(columns=talent_columns(request.user), rows=filterset.qs, fmt=fmt, filename=name)


@login_required
def talent_detail(request, code, pk):
    village = access_talent_village(request.user, code)
    talent = access_talent(request.user, village, pk)
    return render(
        request,
        "talent/talent_detail.html",
        {
            "village": village,
            "talent": talent,
            "shown": personal_data(request.user, talent),
            "seats": talent.council_seats.select_related("council"),
            "can_edit": can_edit_talent_registry(request.user, village),
        },
    )


def _talent_form(request, village, talent=None):
    form = TalentForm(request.POST or None, instance=talent, village=village)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        skills = data.pop("skills")
        try:
            if talent is None:
                talent = services.talent_create(village=village, skills=skills, **data)
            else:
                talent = services.talent_update(talent=talent, skills=skills, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("talent:detail", code=village.code, pk=talent.pk)
    return render(request, "talent/talent_form.html", {"village": village, "form": form, "talent": talent})


@login_required
def talent_create(request, code):
    return _talent_form(request, _edit_village(request, code))


@login_required
def talent_edit(request, code, pk):
    village = _edit_village(request, code)
    return _talent_form(request, village, access_talent(request.user, village, pk, edit=True))


@login_required
def talent_delete(request, code, pk):
    village = _edit_village(request, code)
    talent = access_talent(request.user, village, pk, edit=True)
    back = reverse("talent:detail", args=[village.code, pk])
    if request.method == "POST":
        services.talent_delete(talent=talent)
        messages.success(request, _("Deleted."))
        return redirect("talent:village_list", code=village.code)
    return render(request, "core/confirm_delete.html", {"village": village, "object": talent, "cancel": back})


@login_required
def import_template(request, fmt):
    """An empty spreadsheet to fill in with talents."""
    check_format(fmt)
    if not selectors.talent_villages(request.user).exists():
        raise Http404
    return template_response(columns=imports.TALENT_COLUMNS, fmt=fmt, filename=_("talent-import-template"))


@login_required
def talent_import(request, code):
    village = _edit_village(request, code)
    return import_upload(
        request,
        village=village,
        kind="talent",
        columns=imports.TALENT_COLUMNS,
        ignore=TALENT_EXPORT_ONLY,
        preview_url_name="talent:import_preview",
        template="core/import_upload.html",
        context={
            "title": _("Import talents"),
            "back": reverse("talent:village_list", args=[village.code]),
            "template_url": "talent:import_template",
        },
    )


@login_required
def talent_import_preview(request, code, token):
    village = _edit_village(request, code)
    return import_preview(
        request,
        village=village,
        token=token,
        kind="talent",
        validate=imports.validate_talent_rows,
        save=lambda results: imports.import_talents(results, village=village),
        done_url=reverse("talent:village_list", args=[village.code]),
        again_url=reverse("talent:import", args=[village.code]),
        summary=lambda r: [
            r.values.get(k, "") for k in ("name", "gender", "birth_year", "education", "mobile")
        ],
        context={
            "title": _("Import talents"),
            "headers": [
                pgettext("person", "name"),
                _("gender"),
                _("birth year"),
                _("education"),
                _("mobile number"),
            ],
        },
    )


# --- red advisory councils ----------------------------------------------------------------------


@login_required
def council_overview(request):
    _village, villages = _scope(request, None)
    rows = selectors.council_overview(villages.order_by("-is_pilot", "code"))
    return render(
        request,
        "talent/council_overview.html",
        {"rows": rows, "with_council": sum(1 for r in rows if r["council"]), "villages": len(rows)},
    )


@login_required
def council_detail(request, code):
    village = access_talent_village(request.user, code)
    council = AdvisoryCouncil.objects.filter(village=village).first()
    members = selectors.sorted_council_members(council.members.select_related("talent")) if council else []
    return render(
        request,
        "talent/council_detail.html",
        {
            "village": village,
            "council": council,
            "members": members,
            "can_edit": can_edit_talent_registry(request.user, village),
        },
    )


@login_required
def council_edit(request, code):
    village = _edit_village(request, code)
    council = AdvisoryCouncil.objects.filter(village=village).first()
    instance = council or AdvisoryCouncil(
        village=village, name=_("%(village)s red advisory council") % {"village": village.name}
    )
    form = CouncilForm(request.POST or None, instance=instance)
    formset = CouncilMembers(request.POST or None, instance=instance, prefix="member", village=village)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            services.council_save(village=village, members=formset.lines(), **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("talent:council", code=village.code)
    return render(
        request,
        "talent/council_form.html",
        {"village": village, "form": form, "formset": formset, "council": council},
    )


# --- committee terms ------------------------------------------------------------------------------


@login_required
def committee_overview(request):
    """Pooled election statistics of every visible village, per election year."""
    _village, villages = _scope(request, None)
    return render(
        request,
        "talent/committee_overview.html",
        {"history": selectors.township_term_history(villages), "villages": villages.count()},
    )


@login_required
def committee_village(request, code):
    village = access_talent_village(request.user, code)
    history = selectors.village_term_history(village)
    for row in history:
        row["members"] = selectors.sorted_committee_members(row["term"].members.all())
    return render(
        request,
        "talent/committee_village.html",
        {"village": village, "history": history, "can_edit": can_edit_talent_registry(request.user, village)},
    )


@login_required
def term_edit(request, code, year=None):
    village = _edit_village(request, code)
    term = get_object_or_404(CommitteeTerm, village=village, year=year) if year else None
    instance = term or CommitteeTerm(village=village)
    form = TermForm(request.POST or None, instance=instance)
    formset = CommitteeMembers(request.POST or None, instance=instance, prefix="member")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            services.term_save(village=village, term=term, members=formset.lines(), **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("talent:committee", code=village.code)
    return render(
        request, "talent/term_form.html", {"village": village, "form": form, "formset": formset, "term": term}
    )


@login_required
def term_delete(request, code, year):
    village = _edit_village(request, code)
    term = get_object_or_404(CommitteeTerm, village=village, year=year)
    back = reverse("talent:committee", args=[village.code])
    if request.method == "POST":
        services.term_delete(term=term)
        messages.success(request, _("Deleted."))
        return redirect(back)
    return render(request, "core/confirm_delete.html", {"village": village, "object": term, "cancel": back})
