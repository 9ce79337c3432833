"""Public consultation (征求论事 in the open): matters open for opinions, the visitor's form, and the
cadre's side — opening a matter and publishing a selection of opinions with replies."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.permissions import access_village
from core.pagecache import TOWNSHIP, public_page, village_scope
from core.ratelimit import Limit, by_address, by_browser, hit, too_many_requests
from roundtable import permissions as perms
from roundtable import selectors, services, workflow
from roundtable.forms import ConsultationForm, OpinionReplyForm, PublicOpinionForm, add_workflow_error
from roundtable.models import Opinion
from villages.models import Village

# Every post counts, valid or not (settings.RATE_LIMITS): generous per address, tight per browser.
OPINION_LIMITS = (
    Limit("opinion-address", "opinion_address", by_address),
    Limit("opinion-browser", "opinion_browser", by_browser),
)


@public_page(lambda code: (TOWNSHIP, village_scope(code)))
def consult_list(request, code):
    """/v/<code>/consult/: the village's matters open for public opinions."""
    village = get_object_or_404(Village.objects.select_related("township"), code=code)
    return render(
        request,
        "roundtable/public/consult_list.html",
        {"village": village, "issues": list(selectors.public_consultations(village=village))},
    )


@never_cache
def consult_detail(request, code, pk):
    """One matter open for opinions: its public summary, published opinions, and the visitor's form."""
    village = get_object_or_404(Village.objects.select_related("township"), code=code)
    issue = selectors.public_consultations(village=village).filter(pk=pk).first()
    if issue is None:
        raise Http404
    form = PublicOpinionForm(request.POST or None)
    if request.method == "POST":
        if wait := hit(request, *OPINION_LIMITS):
            return too_many_requests(request, wait)
        if form.is_valid():
            d = form.cleaned_data
            if d["website"]:
                # A bot filled the honeypot: pretend success, store nothing.
                messages.success(request, _("Thank you. The village's cadres will read your opinion."))
                return redirect(request.path)
            try:
                workflow.issue_add_public_opinion(
                    issue=issue, stance=d["stance"], text=d["text"], name=d["name"]
                )
            except workflow.WorkflowError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Thank you. The village's cadres will read your opinion."))
                return redirect(request.path)
    return render(
        request,
        "roundtable/public/consult_detail.html",
        {
            "village": village,
            "issue": issue,
            "form": form,
            "opinions": list(selectors.published_public_opinions(issue=issue)),
        },
        status=400 if form.errors else 200,
    )


def consultation_context(user, issue, *, form=None, reply_form=None) -> dict:
    """What the cadre's issue page shows of the consultation: the form to open it, the public opinions.

    ``reply_form`` is a refused reply to one public opinion (``reply_form.opinion_pk``): that opinion's
    box shows what was typed and the error beside it.
    """
    manage = perms.can_manage_issue(user, issue)
    public = [o for o in issue.opinions.all() if o.source == Opinion.Source.PUBLIC]
    for opinion in public:
        opinion.reply_form = None
        if reply_form is not None and opinion.pk == reply_form.opinion_pk:
            opinion.reply_form = reply_form
    initial = {"summary": issue.consultation_summary, "closes_on": issue.consultation_closes_on}
    return {
        "consultation_form": (form or ConsultationForm(initial=initial))
        if "open_consultation" in workflow.available_moves(user, issue)
        else None,
        "public_opinions": public,
        "can_publish_opinions": manage,
    }


@login_required
@require_POST
def issue_consultation(request, code, pk):
    """A cadre opens (or extends) a step-2 matter for public opinions."""
    village = access_village(request.user, code)
    issue = perms.access_issue(request.user, village, pk)
    if not perms.can_manage_issue(request.user, issue):
        raise Http404
    form = ConsultationForm(request.POST)
    if form.is_valid():
        before = issue.stage
        try:
            workflow.issue_open_consultation(
                issue=issue,
                actor=request.user,
                summary=form.cleaned_data["summary"],
                closes_on=form.cleaned_data["closes_on"],
            )
        except workflow.WorkflowError as exc:
            add_workflow_error(form, exc)
        else:
            messages.success(request, workflow.move_done_message(issue, "open_consultation", before=before))
            return redirect(issue.get_absolute_url())
    from roundtable.views.workspace import issue_detail

    # The issue page again, with this form's errors and what was typed.
    request.consultation_form = form
    response = issue_detail(request, code, pk)
    response.status_code = 400
    return response


@login_required
@require_POST
def opinion_publish(request, code, pk, opinion_pk):
    """A cadre publishes a visitor's opinion (never the name) with an optional reply, or takes it down."""
    village = access_village(request.user, code)
    issue = perms.access_issue(request.user, village, pk)
    if not perms.can_manage_issue(request.user, issue):
        raise Http404
    opinion = get_object_or_404(Opinion, issue=issue, pk=opinion_pk, source=Opinion.Source.PUBLIC)
    form = OpinionReplyForm(request.POST)
    publish = request.POST.get("publish") != "0"
    if form.is_valid():
        try:
            services.public_opinion_publish(
                opinion=opinion, actor=request.user, reply=form.cleaned_data["reply"], publish=publish
            )
        except ValidationError as exc:
            form.add_error("reply", exc)
        else:
            if publish:
                done = _("The opinion is published on the public page, with your reply.")
                if not form.cleaned_data["reply"]:
                    done = _("The opinion is published on the public page.")
            else:
                done = _("The opinion is taken down from the public page.")
            messages.success(request, done)
            return redirect(issue.get_absolute_url())
    from roundtable.views.workspace import issue_detail

    # The issue page again, with the reply as typed and the error beside it.
    form.opinion_pk = opinion.pk
    request.opinion_reply_form = form
    response = issue_detail(request, code, pk)
    response.status_code = 400
    return response
