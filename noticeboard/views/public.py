"""The village's notice board for everyone: briefings, suggestions, the decisions board, posters."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.pagecache import TOWNSHIP, public_page, village_scope
from core.ratelimit import Limit, by_address, by_browser, hit, too_many_requests
from noticeboard import posters, selectors, services
from noticeboard.forms import SuggestionForm
from noticeboard.models import BriefingAttachment
from noticeboard.permissions import access_public_briefing
from roundtable.models import Meeting
from villages.models import Village
from villages.selectors import default_township

# Every post counts, valid or not (settings.RATE_LIMITS): generous per address, tight per browser.
SUGGESTION_LIMITS = (
    Limit("suggestion-address", "suggestion_address", by_address),
    Limit("suggestion-browser", "suggestion_browser", by_browser),
)
PAGE_SIZE = 20


def _village(code) -> Village:
    return get_object_or_404(Village.objects.select_related("township"), code=code)


def _township():
    township = default_township()
    if township is None:
        raise Http404
    return township


def _page(request, qs, size=PAGE_SIZE):
    return Paginator(qs, size).get_page(request.GET.get("page"))


@public_page(lambda code: (TOWNSHIP, village_scope(code)), params=("page",))
def village_briefings(request, code):
    village = _village(code)
    briefings = selectors.public_briefings(township=village.township, village=village)
    return render(
        request,
        "noticeboard/public/briefing_list.html",
        {"village": village, "township": village.township, "page": _page(request, briefings)},
    )


@public_page(lambda: (TOWNSHIP, services.BRIEFINGS_SCOPE), params=("page",))
def township_briefings(request):
    township = _township()
    return render(
        request,
        "noticeboard/public/briefing_list.html",
        {"township": township, "page": _page(request, selectors.public_briefings(township=township))},
    )


def _suggest(request, *, village, briefing=None):
    """Handles the suggestion form (rate-limited, honeypot); returns (form, redirect-or-None)."""
    form = SuggestionForm(request.POST or None)
    if request.method != "POST":
        return form, None
    if wait := hit(request, *SUGGESTION_LIMITS):
        return form, too_many_requests(request, wait)
    if form.is_valid():
        if form.cleaned_data["website"]:
            # A bot filled the honeypot: pretend success, store nothing.
            messages.success(
                request, _("Thank you. Your suggestion will appear here once a cadre approves it.")
            )
            return form, redirect(request.path)
        try:
            services.suggestion_submit(
                village=village,
                briefing=briefing,
                text=form.cleaned_data["text"],
                name=form.cleaned_data["name"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Thank you. Your suggestion will appear here once a cadre approves it.")
            )
            return form, redirect(request.path)
    return form, None


def _briefing_page(request, briefing, village):
    form, done = _suggest(request, village=village, briefing=briefing) if village else (None, None)
    if done:
        return done
    return render(
        request,
        "noticeboard/public/briefing_detail.html",
        {
            "briefing": briefing,
            "village": village,
            "township": briefing.township,
            "attachments": list(briefing.attachments.all()),
            "decisions": list(briefing.decisions.select_related("issue").filter(adopted=True)),
            "meetings": list(
                briefing.meetings.select_related("roundtable").exclude(state=Meeting.State.CANCELLED)
            ),
            "suggestions": list(selectors.public_suggestions(village=village, briefing=briefing))
            if village
            else [],
            "form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )


@never_cache
def village_briefing(request, code, pk):
    village = _village(code)
    return _briefing_page(request, access_public_briefing(pk, village=village), village)


def township_briefing(request, pk):
    return _briefing_page(request, access_public_briefing(pk, township=_township()), None)


def briefing_print(request, code, pk):
    village = _village(code)
    briefing = access_public_briefing(pk, village=village)
    return render(
        request,
        "noticeboard/print/briefing.html",
        {"briefing": briefing, "village": village, "attachments": list(briefing.attachments.all())},
    )


def township_briefing_print(request, pk):
    briefing = access_public_briefing(pk, township=_township())
    return render(
        request,
        "noticeboard/print/briefing.html",
        {"briefing": briefing, "village": None, "attachments": list(briefing.attachments.all())},
    )


def attachment(request, pk, att):
    """An attachment of a published briefing (drafts' and withdrawn ones' answer 404)."""
    item = (
        BriefingAttachment.objects.select_related("briefing")
        .filter(pk=att, briefing_id=pk, briefing__status="published")
        .first()
    )
    if item is None:
        raise Http404
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    if item.kind == BriefingAttachment.Kind.PDF:
        response["Content-Disposition"] = f'inline; filename="briefing-{pk}-{att}.pdf"'
    return response


@never_cache
def suggestions(request, code):
    """/v/<code>/suggestions/: approved suggestions and their replies, and the form to send one."""
    village = _village(code)
    form, done = _suggest(request, village=village)
    if done:
        return done
    return render(
        request,
        "noticeboard/public/suggestions.html",
        {
            "village": village,
            "form": form,
            "page": _page(request, selectors.public_suggestions(village=village).select_related("briefing")),
            "counts": selectors.suggestion_counts(villages=[village]).get(village.pk, {}),
        },
        status=400 if form.errors else 200,
    )


@public_page(lambda code: (TOWNSHIP, village_scope(code)), params=("page", "status"))
def decisions(request, code):
    """/v/<code>/decisions/: each resolution with its tally, responsible role, due date and progress."""
    village = _village(code)
    status = request.GET.get("status") or None
    if status not in selectors.BOARD_FILTERS:
        status = None
    counts = selectors.decision_counts(village=village)
    # The board's length is the count its filter shows (kept by the workflow, not counted again here).
    paginator = Paginator(selectors.decisions_board(village=village, status=status), PAGE_SIZE)
    paginator.count = counts[status or "all"]
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "noticeboard/public/decisions.html",
        {
            "village": village,
            "page": page,
            "rows": selectors.decision_rows(page.object_list, village=village),
            "status": status,
            "counts": counts,
            "filters": [
                (key, label, counts[key]) for key, (label, _stages) in selectors.BOARD_STATUSES.items()
            ],
            "query": f"status={status}" if status else "",
            "mean_rating": selectors.mean_rating(village=village),
        },
    )


@public_page(lambda code: (TOWNSHIP, village_scope(code)))
def poster(request, code):
    """A printable A4 poster with the QR code of the village's form."""
    village = _village(code)
    url = posters.submit_url(village)
    return render(
        request,
        "noticeboard/print/poster.html",
        {"village": village, "url": url, "qr_svg": posters.qr_svg(url)},
    )


def poster_png(request, code):
    village = _village(code)
    data = posters.poster_png(
        village=village,
        title=_("Party-mass roundtable"),
        call=_("Something to raise in the village?\nScan the code and tell the roundtable."),
    )
    response = HttpResponse(data, content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="poster-{village.code}.png"'
    return response


def meeting_notice(request, code, pk):
    """A printable notice of a meeting: time, place, chair's role, and the agenda's public titles."""
    village = _village(code)
    meeting = get_object_or_404(
        Meeting.objects.select_related("roundtable__group").exclude(state=Meeting.State.CANCELLED),
        roundtable__village=village,
        pk=pk,
    )
    agenda = [
        {"title": item.issue.title if item.issue_id else item.topic, "is_issue": bool(item.issue_id)}
        for item in meeting.agenda.select_related("issue").order_by("order", "pk")
    ]
    return render(
        request,
        "noticeboard/print/meeting_notice.html",
        {"village": village, "meeting": meeting, "agenda": agenda, "url": posters.submit_url(village)},
    )
