"""Pages for residents: raise a matter, follow it by tracking code, add an opinion, withdraw, rate."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.crypto import blind_index
from core.db import with_prepared_statements
from core.pagecache import TOWNSHIP, public_page, village_scope
from core.qr import qr_svg, site_url
from core.ratelimit import Limit, by_address, by_browser, hit, keyed, peek_and_hit, too_many_requests
from roundtable import services, workflow
from roundtable.forms import (
    CodeRecoveryForm,
    RatingForm,
    ResidentIssueForm,
    ResidentOpinionForm,
    TrackLookupForm,
    WithdrawForm,
    add_workflow_error,
)
from roundtable.models import TRACKING_ALPHABET, Issue, Opinion, ProgressUpdate
from roundtable.selectors import progress_steps, public_issue_by_code, public_issue_context
from villages.models import Village
from villages.selectors import default_township

# Rates in settings.RATE_LIMITS; see core/ratelimit.py for why per address is generous and the rest tight.
SUBMIT_BY_ADDRESS = Limit("submit-address", "submit_address", by_address)
SUBMIT_BY_BROWSER = Limit("submit-browser", "submit_browser", by_browser)
LOOKUP_BY_ADDRESS = Limit("lookup-address", "lookup_address", by_address)
LOOKUP_BY_BROWSER = Limit("lookup-browser", "lookup_browser", by_browser)
MISS_BY_ADDRESS = Limit("miss-address", "miss_address", by_address)
MISS_BY_BROWSER = Limit("miss-browser", "miss_browser", by_browser)
RECOVER_BY_ADDRESS = Limit("recover-address", "recover_address", by_address)
RECOVER_BY_BROWSER = Limit("recover-browser", "recover_browser", by_browser)


@public_page(lambda: (TOWNSHIP,))
def choose_village(request):
    """/submit/: the resident picks the village first."""
    township = default_township()
    villages = Village.objects.filter(township=township).order_by("-is_pilot", "code") if township else []
    return render(request, "roundtable/public/choose_village.html", {"villages": villages})


@never_cache
@public_page(lambda code: (TOWNSHIP, village_scope(code)))
def submit(request, code):
    """/v/<code>/submit/: the address printed on the village's notice-board QR code."""
    village = get_object_or_404(Village, code=code)
    if request.method == "POST":
        # Counted before the form is even bound: a refused or invalid post costs its sender as much
        # as a stored one, and the photo is never decoded for a client over the limit.
        wait = hit(
            request,
            SUBMIT_BY_ADDRESS,
            SUBMIT_BY_BROWSER,
            Limit("submit-village", "submit_village", keyed(village.code)),
        )
        if wait:
            return too_many_requests(request, wait)
    form = ResidentIssueForm(request.POST or None, request.FILES or None, village=village)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["website"]:
            # A bot filled the honeypot: pretend success, store nothing.
            request.session["submitted_code"] = None
            return redirect("roundtable:submitted")
        if form.sent_too_fast():
            # The time trap: no person fills the form in this time. Shown again with everything kept.
            form.add_error(None, _("Please check what you entered and send it again."))
            return render(request, "roundtable/public/submit.html", {"village": village, "form": form})
        try:
            issue = services.issue_create(village=village, channel=Issue.Channel.WEB, **form.issue_fields())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            request.session["submitted_code"] = issue.tracking_code
            return redirect("roundtable:submitted")
    return render(request, "roundtable/public/submit.html", {"village": village, "form": form})


@never_cache
def submitted(request):
    """The page after a submission: the tracking code, shown once (a shared phone or a village kiosk
    must not hand it to the next person)."""
    if "submitted_code" not in request.session:
        return redirect("roundtable:track_lookup")
    code = request.session.pop("submitted_code")
    context = {"code": code}
    if code:
        # The QR code opens the matter's page on another phone, or on the same one later (a screenshot).
        context["track_url"] = site_url() + reverse("roundtable:track", kwargs={"code": code})
        context["qr_svg"] = qr_svg(context["track_url"])
    return render(request, "roundtable/public/submitted.html", context)


def _limited_lookup(request, code, *extra: Limit):
    """A 429 response when this client has too many misses or look-ups, else None (the look-up counted)."""
    wait = peek_and_hit(
        request,
        (MISS_BY_ADDRESS, MISS_BY_BROWSER),
        (
            LOOKUP_BY_ADDRESS,
            LOOKUP_BY_BROWSER,
            Limit("lookup-code", "lookup_code", keyed(code.upper()[:20])),
            *extra,
        ),
    )
    return too_many_requests(request, wait) if wait else None


def _issue_by_code(request, code) -> Issue:
    code = code.upper()
    issue = None
    if 10 <= len(code) <= 16 and all(ch in TRACKING_ALPHABET for ch in code):
        issue = public_issue_by_code(code)
    if issue is None:
        hit(request, MISS_BY_ADDRESS, MISS_BY_BROWSER)
        raise Http404
    return issue


@never_cache
def track_lookup(request):
    """/track/: type in a tracking code."""
    form = TrackLookupForm(request.POST or request.GET or None)
    if form.is_bound and form.is_valid():
        return redirect("roundtable:track", code=form.cleaned_data["code"])
    return render(request, "roundtable/public/track_lookup.html", {"form": form})


@never_cache
def track_recover(request):
    """/track/recover/: a lost tracking code is sent again by text to the mobile given with the matter.

    The answer is the same for every number, whether it raised matters or not: the same redirect, the
    same page, the same work (``services.tracking_codes_recover`` writes one outbox row either way and the
    sender decides). Too many requests from one address or browser get the 429 page; too many for one
    number are dropped silently, so that page, too, says nothing about the number.
    """
    if request.method == "POST" and (wait := hit(request, RECOVER_BY_ADDRESS, RECOVER_BY_BROWSER)):
        return too_many_requests(request, wait)
    form = CodeRecoveryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        mobile = form.cleaned_data["mobile"]
        per_number = Limit("recover-number", "recover_number", keyed(blind_index(mobile)))
        if not hit(request, per_number):
            services.tracking_codes_recover(mobile=mobile, language=request.LANGUAGE_CODE)
        return redirect("roundtable:track_recover_sent")
    return render(request, "roundtable/public/track_recover.html", {"form": form})


@never_cache
def track_recover_sent(request):
    return render(request, "roundtable/public/track_recover_sent.html")


def _code_not_found(request, code):
    """The look-up form again, with the code as typed and what to do: status 404, as for any missing page."""
    form = TrackLookupForm({"code": code[:20]})
    if form.is_valid():
        form.add_error(
            "code",
            _("No matter has this tracking code. Please check it character by character and try again."),
        )
    return render(request, "roundtable/public/track_lookup.html", {"form": form}, status=404)


def _track_page(request, issue, *, bound=None, status=200):
    """The tracking page; ``bound`` is a resident's form sent back with its errors, shown in its place with
    everything typed kept."""
    context = public_issue_context(issue)
    steps = progress_steps(issue, context["timeline"])
    moves = workflow.raiser_moves(issue)
    forms_by_move = {"opinion": ResidentOpinionForm, "withdraw": WithdrawForm, "rate": RatingForm}
    for move, form_class in forms_by_move.items():
        form = None
        if move in moves:
            form = bound if isinstance(bound, form_class) else form_class()
        context[f"{'rating' if move == 'rate' else move}_form"] = form
    context.update({"issue": issue, "steps": steps})
    return render(request, "roundtable/public/track.html", context, status=status)


@never_cache
@with_prepared_statements
def track(request, code):
    """/track/<code>/: where a matter stands, what was decided, how the work goes."""
    if limited := _limited_lookup(request, code):
        return limited
    try:
        issue = _issue_by_code(request, code)
    except Http404:
        return _code_not_found(request, code)
    return _track_page(request, issue)


def _resident_action(request, code, move, form_class, action):
    # Opinions, withdrawals and ratings: tight per matter, whoever sends them.
    per_matter = Limit("matter-action", "matter_action", keyed(code.upper()[:20]))
    if limited := _limited_lookup(request, code, per_matter):
        return limited
    issue = _issue_by_code(request, code)
    if move not in workflow.raiser_moves(issue):
        messages.error(request, _("This action is not available for this matter now."))
        return redirect("roundtable:track", code=issue.tracking_code)
    form = form_class(request.POST)
    if form.is_valid():
        before = issue.stage
        try:
            action(issue, form.cleaned_data)
        except workflow.WorkflowError as exc:
            add_workflow_error(form, exc)
        else:
            done = workflow.move_done_message(issue, move, before=before)
            messages.success(request, _("Thank you. %(done)s") % {"done": done})
            return redirect("roundtable:track", code=issue.tracking_code)
    # Shown again in place, with what was typed and each field's error beside it.
    return _track_page(request, issue, bound=form)


@require_POST
def track_opinion(request, code):
    return _resident_action(
        request,
        code,
        "opinion",
        ResidentOpinionForm,
        lambda issue, d: workflow.issue_add_opinion(
            issue=issue,
            party=_("the raiser"),
            source=Opinion.Source.RESIDENT,
            stance=d["stance"],
            text=d["text"],
        ),
    )


@require_POST
def track_withdraw(request, code):
    return _resident_action(
        request,
        code,
        "withdraw",
        WithdrawForm,
        lambda issue, d: workflow.issue_withdraw(issue=issue, note=d["note"]),
    )


@require_POST
def track_rate(request, code):
    return _resident_action(
        request,
        code,
        "rate",
        RatingForm,
        lambda issue, d: workflow.issue_rate(issue=issue, score=d["score"], comment=d["comment"]),
    )


def track_progress_photo(request, code, pk):
    """A progress photo is public evidence of the work; the resident's own photo is not shown here."""
    if limited := _limited_lookup(request, code):
        return limited
    issue = _issue_by_code(request, code)
    update = get_object_or_404(ProgressUpdate, issue=issue, pk=pk)
    if not update.photo:
        raise Http404
    return FileResponse(
        update.photo.open("rb"),
        content_type="image/jpeg" if update.photo.name.endswith(".jpg") else "image/png",
    )
