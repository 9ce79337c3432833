"""View plumbing shared by the registries: paging, export links, and the import upload → preview → confirm;
and the large-text switch of every page.

Each registry passes its own columns, row validation, save and URLs; the templates are
``core/import_upload.html`` and ``core/import_preview.html``.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import imports
from core.forms import ImportForm
from core.tabular import FORMATS, read_table

PAGE_SIZE = 50


def page_of(request, queryset):
    """The requested page of `queryset`, and the query string without `page` for the pager's links."""
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def export_query(request) -> str:
    """The list's filters as a query string for its export links (every page, not just this one)."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def check_format(fmt: str) -> None:
    """A table format other than csv or xlsx is a page that does not exist."""
    if fmt not in FORMATS:
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
        "core/import_preview.html",
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


TEXT_SIZE_COOKIE = "tongxin_text"
TEXT_SIZE_COOKIE_AGE = 60 * 60 * 24 * 365 * 2


@require_POST
def set_text_size(request):
    """The large-text switch (适老化): a form on every page posts here, no JavaScript needed.

    ``size=large`` remembers large type in a cookie for two years, anything else forgets it; the answer
    goes back to ``next`` when that is an address on this site, else to the home page.
    """
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if request.POST.get("size") == "large":
        response.set_cookie(
            TEXT_SIZE_COOKIE,
            "large",
            max_age=TEXT_SIZE_COOKIE_AGE,
            samesite="Lax",
            httponly=True,
            secure=settings.SESSION_COOKIE_SECURE,
        )
    else:
        response.delete_cookie(TEXT_SIZE_COOKIE, samesite="Lax")
    return response
