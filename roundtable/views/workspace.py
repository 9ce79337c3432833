"""The staff workspace for issues: list, log, page, and the actions allowed at each stage."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.permissions import access_village, can_manage_village
from accounts.selectors import villages_for
from core.db import with_prepared_statements
from core.pagination import CappedPaginator
from roundtable import permissions as perms
from roundtable import selectors, services, workflow
from roundtable.forms import (
    AgendaForm,
    CadreIssueForm,
    CommentForm,
    CompletionForm,
    DecisionForm,
    DeferForm,
    MergeForm,
    NoteForm,
    OpinionForm,
    ProgressForm,
    PublicReasonForm,
    ReasonForm,
    VoteFields,
    add_workflow_error,
)
from roundtable.links import issue_url_root
from roundtable.models import Stage
from roundtable.views.consult import consultation_context

PAGE_SIZE = 25


@login_required
def issue_list(request, code):
    village = access_village(request.user, code)
    filterset = selectors.issue_list(
        village=village, data=request.GET, personal=perms.can_search_raisers(request.user, village)
    )
    page = CappedPaginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "roundtable/work/issue_list.html",
        {
            "village": village,
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "can_log": can_manage_village(request.user, village),
            # Rows link to <this list>/<pk>/ (roundtable:issue): one reverse() a page, not one a row.
            "list_url": reverse("roundtable:issues", kwargs={"code": village.code}),
        },
    )


@login_required
def issue_new(request, code):
    """A cadre logs a matter raised in person, by phone, WeChat, letter or through a member."""
    village = access_village(request.user, code)
    if not can_manage_village(request.user, village):
        raise Http404
    form = CadreIssueForm(request.POST or None, request.FILES or None, village=village)
    if request.method == "POST" and form.is_valid():
        try:
            issue = services.issue_create(
                village=village,
                channel=form.cleaned_data["channel"],
                created_by=request.user,
                **form.issue_fields(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("The issue is logged. Tracking code for the resident: %(code)s")
                % {"code": issue.tracking_code},
            )
            return redirect(issue.get_absolute_url())
    similar = (
        selectors.similar_issues(village=village, title=request.POST.get("title", ""))
        if form.is_bound
        else []
    )
    return render(
        request, "roundtable/work/issue_new.html", {"village": village, "form": form, "similar": similar}
    )


@login_required
def issue_similar(request, code):
    """htmx: likely duplicates of the title being typed."""
    village = access_village(request.user, code)
    similar = selectors.similar_issues(village=village, title=request.GET.get("title", ""))
    return render(request, "roundtable/work/_similar.html", {"village": village, "similar": similar})


# The form of each move made on the issue page. Decide, defer and not adopted are made per agenda item on
# the meeting page; withdraw and rate by the raiser on the tracking page.
ISSUE_PAGE_FORMS = {
    "accept": lambda issue, data, files: NoteForm(data, prefix="accept"),
    "reject": lambda issue, data, files: PublicReasonForm(data, prefix="reject"),
    "merge": lambda issue, data, files: MergeForm(data, issue=issue, prefix="merge"),
    "opinion": lambda issue, data, files: OpinionForm(data, prefix="opinion"),
    "put_on_agenda": lambda issue, data, files: AgendaForm(data, issue=issue, prefix="put_on_agenda"),
    "start": lambda issue, data, files: NoteForm(data, prefix="start"),
    "progress": lambda issue, data, files: ProgressForm(data, files, prefix="progress"),
    "report_done": lambda issue, data, files: CompletionForm(data, files, prefix="report_done"),
    "confirm": lambda issue, data, files: NoteForm(data, prefix="confirm"),
    "send_back": lambda issue, data, files: PublicReasonForm(data, prefix="send_back"),
    "comment": lambda issue, data, files: CommentForm(data, prefix="comment"),
    "escalate": lambda issue, data, files: ReasonForm(data, prefix="escalate"),
}


def _action_forms(user, issue, data=None, files=None):
    """The forms of the moves this user may make on the issue now (workflow.available_moves), and no other."""
    forms = {
        move: ISSUE_PAGE_FORMS[move](issue, data, files)
        for move in workflow.available_moves(user, issue)
        if move in ISSUE_PAGE_FORMS
    }
    if "opinion" in forms and data is None:
        forms["opinion"].initial = selectors.opinion_initial(user, issue)
    return forms


ACTION_LABELS = {
    "accept": gettext_lazy("Accept and start gathering opinions"),
    "reject": gettext_lazy("Reject"),
    "merge": gettext_lazy("Merge into an earlier issue"),
    "opinion": gettext_lazy("Record an opinion"),
    "put_on_agenda": gettext_lazy("Put on a meeting's agenda"),
    "start": gettext_lazy("Start the work"),
    "progress": gettext_lazy("Report progress"),
    "report_done": gettext_lazy("Report the work done"),
    "confirm": gettext_lazy("Confirm and close"),
    "send_back": gettext_lazy("Send back for more work"),
    "comment": gettext_lazy("Comment"),
    "escalate": gettext_lazy("Escalate"),
}


def _actions(forms, failed_move=None):
    return [
        {
            "move": move,
            "label": ACTION_LABELS[move],
            "form": form,
            "open": move == failed_move,
            "multipart": move in ("progress", "report_done"),
        }
        for move, form in forms.items()
    ]


@login_required
@with_prepared_statements
def issue_detail(request, code, pk):
    village = access_village(request.user, code)
    issue = perms.access_issue(request.user, village, pk)
    context = selectors.issue_detail_context(issue, internal=True)
    context["steps"] = selectors.progress_steps(issue, context["timeline"])
    context.update(
        {
            "village": village,
            "issue": issue,
            "actions": _actions(_action_forms(request.user, issue)),
            "show_raiser": perms.can_see_raiser(request.user, issue),
            "show_tracking_code": perms.can_see_tracking_code(request.user, issue),
            "similar": selectors.similar_to_issue(issue, village=village)
            if issue.stage == Stage.RAISED and perms.can_manage_issue(request.user, issue)
            else [],
            "manage": perms.can_manage_issue(request.user, issue),
        }
    )
    bound = getattr(request, "consultation_form", None)
    reply = getattr(request, "opinion_reply_form", None)
    context.update(consultation_context(request.user, issue, form=bound, reply_form=reply))
    return render(request, "roundtable/work/issue_detail.html", context)


@login_required
def issue_photo(request, code, pk):
    """The resident's photo, for those who may see the issue."""
    village = access_village(request.user, code)
    issue = perms.access_issue(request.user, village, pk)
    if not issue.photo:
        raise Http404
    return FileResponse(issue.photo.open("rb"))


@login_required
def progress_photo(request, code, pk, update_pk):
    village = access_village(request.user, code)
    issue = perms.access_issue(request.user, village, pk)
    update = issue.progress.filter(pk=update_pk).first()
    if update is None or not update.photo:
        raise Http404
    return FileResponse(update.photo.open("rb"))


def _run(move, issue, user, d):
    """Calls the workflow function of a move with the form's data."""
    public = d.get("note_public", False)
    if move == "accept":
        return workflow.issue_accept(issue=issue, actor=user, note=d["note"], note_public=public)
    if move == "reject":
        return workflow.issue_reject(issue=issue, actor=user, reason=d["reason"], note_public=public)
    if move == "merge":
        return workflow.issue_merge(issue=issue, actor=user, target_issue=d["target"])
    if move == "opinion":
        return workflow.issue_add_opinion(
            issue=issue, actor=user, party=d["party"], source=d["source"], stance=d["stance"], text=d["text"]
        )
    if move == "put_on_agenda":
        return workflow.issue_put_on_agenda(issue=issue, actor=user, meeting=d["meeting"])
    if move == "start":
        return workflow.issue_start(issue=issue, actor=user, note=d["note"], note_public=public)
    if move == "progress":
        return workflow.issue_report_progress(
            issue=issue,
            actor=user,
            percent=d["percent"],
            note=d["note"],
            photo=d["photo"],
            note_public=public,
        )
    if move == "report_done":
        return workflow.issue_report_done(
            issue=issue, actor=user, note=d["note"], photo=d["photo"], note_public=public
        )
    if move == "confirm":
        return workflow.issue_confirm(issue=issue, supervisor=user, note=d["note"], note_public=public)
    if move == "send_back":
        return workflow.issue_send_back(issue=issue, supervisor=user, reason=d["reason"], note_public=public)
    if move == "comment":
        return workflow.issue_comment(issue=issue, actor=user, note=d["note"], public=d["public"])
    if move == "escalate":
        return workflow.issue_escalate(issue=issue, actor=user, note=d["reason"])
    raise Http404


@login_required
def issue_act(request, code, pk, move):
    """POST: one move on the issue. Only the moves offered to this user at this stage are accepted."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    village = access_village(request.user, code)
    issue = perms.access_issue(request.user, village, pk)
    forms = _action_forms(request.user, issue, request.POST, request.FILES)
    form = forms.get(move)
    if form is None:
        messages.error(request, _("This action is not available for this issue now."))
        return redirect(issue.get_absolute_url())
    if form.is_valid():
        before = issue.stage
        try:
            _run(move, issue, request.user, form.cleaned_data)
        except workflow.WorkflowError as exc:
            add_workflow_error(form, exc)
        else:
            messages.success(request, workflow.move_done_message(issue, move, before=before))
            return redirect(issue.get_absolute_url())
    # Show the page again with the form's errors and what was typed.
    context = selectors.issue_detail_context(issue, internal=True)
    context["steps"] = selectors.progress_steps(issue, context["timeline"])
    forms[move] = form
    context.update(
        {
            "village": village,
            "issue": issue,
            "actions": _actions(forms, move),
            "show_raiser": perms.can_see_raiser(request.user, issue),
            "show_tracking_code": perms.can_see_tracking_code(request.user, issue),
            "manage": perms.can_manage_issue(request.user, issue),
            "similar": [],
        }
    )
    context.update(consultation_context(request.user, issue))
    return render(request, "roundtable/work/issue_detail.html", context, status=400)


@login_required
@require_POST
def agenda_item_act(request, code, pk, item_pk, move):
    """Decide, defer or record as not adopted, for one issue on a held meeting's agenda."""
    village = access_village(request.user, code)
    issue = perms.access_issue(request.user, village, pk)
    item = issue.agenda_items.select_related("meeting__roundtable").filter(pk=item_pk).first()
    form_class = {"decide": DecisionForm, "defer": DeferForm, "not_adopted": VoteFields}.get(move)
    if item is None or form_class is None:
        raise Http404
    if move not in workflow.available_moves(request.user, issue):
        messages.error(request, _("This action is not available for this issue now."))
        return redirect("roundtable:meeting", code=village.code, pk=item.meeting_id)
    kwargs = (
        {"village": village} if move == "decide" else {"meeting": item.meeting} if move == "defer" else {}
    )
    form = form_class(request.POST, prefix=f"i{item.pk}-{move}", **kwargs)
    if form.is_valid():
        d = form.cleaned_data
        before = issue.stage
        try:
            if move == "decide":
                workflow.issue_decide(
                    issue=issue,
                    actor=request.user,
                    agenda_item=item,
                    text=d["text"],
                    discussion=d["discussion"],
                    votes_for=d["votes_for"],
                    votes_against=d["votes_against"],
                    votes_abstain=d["votes_abstain"],
                    responsible=d["responsible"],
                    due_date=d["due_date"],
                )
            elif move == "defer":
                workflow.issue_defer(
                    issue=issue,
                    actor=request.user,
                    agenda_item=item,
                    discussion=d["discussion"],
                    next_meeting=d["next_meeting"],
                )
            else:
                workflow.issue_not_adopted(
                    issue=issue,
                    actor=request.user,
                    agenda_item=item,
                    discussion=d["discussion"],
                    votes_for=d["votes_for"],
                    votes_against=d["votes_against"],
                    votes_abstain=d["votes_abstain"],
                )
        except workflow.WorkflowError as exc:
            add_workflow_error(form, exc)
            return _meeting_page_with_errors(request, village, item, move, form)
        messages.success(request, workflow.move_done_message(issue, move, before=before))
        return redirect("roundtable:meeting", code=village.code, pk=item.meeting_id)
    return _meeting_page_with_errors(request, village, item, move, form)


def _meeting_page_with_errors(request, village, item, move, form):
    from roundtable.views.meetings import meeting_page_context

    context = meeting_page_context(request, village, item.meeting)
    context["item_forms"][item.pk][move] = form
    context["open_item"] = item.pk
    return render(request, "roundtable/work/meeting_detail.html", context, status=400)


@login_required
def overdue(request):
    """Overdue issues across the villages the user may see (officials: the township), by keyset pages:
    ``?after=`` is where the previous page ended. The old numbered ``?page=`` addresses still open."""
    villages = villages_for(request.user)
    if "page" in request.GET and "after" not in request.GET:
        issues = selectors.overdue_issues(villages=villages)
        page = Paginator(issues, selectors.OVERDUE_PAGE_SIZE).get_page(request.GET.get("page"))
        context = {"issues": page, "page": page}
    else:
        context = selectors.overdue_page(villages=villages, after=request.GET.get("after", ""))
    context["places"] = selectors.overdue_places(context["issues"])
    context["work_root"] = issue_url_root()
    return render(request, "roundtable/work/overdue.html", context)
