"""Pages for residents: raise a matter, follow it by tracking code, add an opinion, withdraw, rate."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.ratelimit import is_limited, record_hit, too_many_requests
from roundtable import services, workflow
from roundtable.forms import RatingForm, ResidentIssueForm, ResidentOpinionForm, TrackLookupForm, WithdrawForm
from roundtable.models import TRACKING_ALPHABET, Issue, Opinion, ProgressUpdate, Stage
from roundtable.selectors import progress_steps, public_issue_context
from villages.models import Village
from villages.selectors import default_township

SUBMIT_LIMIT, SUBMIT_PERIOD = 5, 60
LOOKUP_LIMIT, LOOKUP_PERIOD = 30, 60
MISS_LIMIT, MISS_PERIOD = 10, 600


def choose_village(request):
    """/submit/: the resident picks the village first."""
    township = default_township()
    villages = Village.objects.filter(township=township).order_by("-is_pilot", "code") if township else []
    return render(request, "roundtable/public/choose_village.html", {"villages": villages})


@never_cache
def submit(request, code):
    """/v/<code>/submit/: the address printed on the village's notice-board QR code."""
    village = get_object_or_404(Village, code=code)
    form = ResidentIssueForm(request.POST or None, request.FILES or None, village=village)
    if request.method == "POST":
        if is_limited(request, "submit", limit=SUBMIT_LIMIT, period=SUBMIT_PERIOD):
            return too_many_requests(request)
        if form.is_valid():
            record_hit(request, "submit", period=SUBMIT_PERIOD)
            if form.cleaned_data["website"]:
                # A bot filled the honeypot: pretend success, store nothing.
                request.session["submitted_code"] = None
                return redirect("roundtable:submitted")
            try:
                issue = services.issue_create(
                    village=village, channel=Issue.Channel.WEB, **form.issue_fields()
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                request.session["submitted_code"] = issue.tracking_code
                return redirect("roundtable:submitted")
    return render(request, "roundtable/public/submit.html", {"village": village, "form": form})


@never_cache
def submitted(request):
    """The page after a submission: the tracking code, shown once per session."""
    if "submitted_code" not in request.session:
        return redirect("roundtable:track_lookup")
    code = request.session.get("submitted_code")
    return render(request, "roundtable/public/submitted.html", {"code": code})


def _limited_lookup(request):
    if is_limited(request, "lookup", limit=LOOKUP_LIMIT, period=LOOKUP_PERIOD) or is_limited(
        request, "lookup-miss", limit=MISS_LIMIT, period=MISS_PERIOD
    ):
        return too_many_requests(request)
    record_hit(request, "lookup", period=LOOKUP_PERIOD)
    return None


def _issue_by_code(request, code) -> Issue:
    code = code.upper()
    issue = None
    if 10 <= len(code) <= 16 and all(ch in TRACKING_ALPHABET for ch in code):
        issue = (
            Issue.objects.select_related("village", "group", "merged_into").filter(tracking_code=code).first()
        )
    if issue is None:
        record_hit(request, "lookup-miss", period=MISS_PERIOD)
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
def track(request, code):
    """/track/<code>/: where a matter stands, what was decided, how the work goes."""
    if limited := _limited_lookup(request):
        return limited
    issue = _issue_by_code(request, code)
    context = public_issue_context(issue)
    steps = progress_steps(issue, context["timeline"])
    context.update(
        {
            "issue": issue,
            "steps": steps,
            "opinion_form": ResidentOpinionForm() if issue.stage == Stage.SOLICITING else None,
            "withdraw_form": WithdrawForm()
            if issue.stage in (Stage.RAISED, Stage.SOLICITING, Stage.DELIBERATING)
            else None,
            "rating_form": RatingForm()
            if issue.stage in (Stage.SUPERVISING, Stage.CLOSED) and context["satisfaction"] is None
            else None,
        }
    )
    return render(request, "roundtable/public/track.html", context)


def _resident_action(request, code, form_class, action):
    if limited := _limited_lookup(request):
        return limited
    issue = _issue_by_code(request, code)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(issue, form.cleaned_data)
        except workflow.WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Thank you. Your input has been recorded."))
            return redirect("roundtable:track", code=issue.tracking_code)
    else:
        messages.error(
            request,
            _("Please correct the form: %(errors)s")
            % {"errors": " ".join(e for errs in form.errors.values() for e in errs)},
        )
    return redirect("roundtable:track", code=issue.tracking_code)


@require_POST
def track_opinion(request, code):
    return _resident_action(
        request,
        code,
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
        request, code, WithdrawForm, lambda issue, d: workflow.issue_withdraw(issue=issue, note=d["note"])
    )


@require_POST
def track_rate(request, code):
    return _resident_action(
        request,
        code,
        RatingForm,
        lambda issue, d: workflow.issue_rate(issue=issue, score=d["score"], comment=d["comment"]),
    )


def track_progress_photo(request, code, pk):
    """A progress photo is public evidence of the work; the resident's own photo is not shown here."""
    if limited := _limited_lookup(request):
        return limited
    issue = _issue_by_code(request, code)
    update = get_object_or_404(ProgressUpdate, issue=issue, pk=pk)
    if not update.photo:
        raise Http404
    return FileResponse(
        update.photo.open("rb"),
        content_type="image/jpeg" if update.photo.name.endswith(".jpg") else "image/png",
    )
