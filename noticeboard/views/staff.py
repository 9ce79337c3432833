"""Staff pages of the notice board: write and publish briefings, moderate and answer suggestions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import access_village
from accounts.selectors import scope_for
from noticeboard import selectors, services
from noticeboard.forms import BriefingForm, ReplyForm
from noticeboard.models import Suggestion
from noticeboard.permissions import (
    access_briefing_for_staff,
    access_suggestion_for_staff,
    can_moderate_suggestions,
    can_write_briefings,
)
from villages.models import Township


def _place(request, code):
    """(village, township) the staff page is about: a village by code, or the official's township."""
    if code is not None:
        village = access_village(request.user, code)
        if not can_write_briefings(request.user, village=village):
            raise Http404
        return village, village.township
    township_ids = scope_for(request.user).township_ids
    township = Township.objects.filter(pk__in=township_ids).order_by("pk").first()
    if township is None:
        raise Http404
    return None, township


def _villages(village, township):
    return [village] if village is not None else list(township.villages.all())


def _list_url(village):
    if village is not None:
        return redirect("noticeboard:work_briefings", code=village.code)
    return redirect("noticeboard:work_township_briefings")


@login_required
def briefing_list(request, code=None):
    village, township = _place(request, code)
    page = Paginator(selectors.staff_briefings(township=township, village=village), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "noticeboard/work/briefing_list.html",
        {"village": village, "township": township, "page": page},
    )


def _save_attachment(briefing, form):
    cleaned = form.cleaned_data.get("attachment")
    if cleaned:
        upload, _kind = cleaned
        services.briefing_add_attachment(
            briefing=briefing, upload=upload, title=form.cleaned_data.get("attachment_title", "")
        )


@login_required
def briefing_new(request, code=None):
    village, township = _place(request, code)
    form = BriefingForm(
        request.POST or None,
        request.FILES or None,
        villages=_villages(village, township),
        initial={"date": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            briefing = services.briefing_create(
                author=request.user,
                township=township,
                village=village,
                title=d["title"],
                body=d["body"],
                date=d["date"],
                decisions=d["decisions"],
                meetings=d["meetings"],
            )
            _save_attachment(briefing, form)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The briefing is saved as a draft. Publish it when it is ready."))
            return redirect(_edit_url(briefing))
    return render(
        request,
        "noticeboard/work/briefing_form.html",
        {"village": village, "township": township, "form": form, "briefing": None},
        status=400 if form.errors else 200,
    )


def _edit_url(briefing):
    from django.urls import reverse

    if briefing.village_id:
        return reverse("noticeboard:work_briefing", kwargs={"code": briefing.village.code, "pk": briefing.pk})
    return reverse("noticeboard:work_township_briefing", kwargs={"pk": briefing.pk})


@login_required
def briefing_edit(request, pk, code=None):
    village, township = _place(request, code)
    briefing = access_briefing_for_staff(request.user, pk, village=village, township=township)
    form = BriefingForm(
        request.POST or None,
        request.FILES or None,
        villages=_villages(village, township),
        initial={
            "title": briefing.title,
            "body": briefing.body,
            "date": briefing.date,
            "decisions": list(briefing.decisions.all()),
            "meetings": list(briefing.meetings.all()),
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.briefing_update(
                briefing=briefing,
                title=d["title"],
                body=d["body"],
                date=d["date"],
                decisions=d["decisions"],
                meetings=d["meetings"],
            )
            _save_attachment(briefing, form)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(_edit_url(briefing))
    return render(
        request,
        "noticeboard/work/briefing_form.html",
        {
            "village": village,
            "township": township,
            "form": form,
            "briefing": briefing,
            "attachments": list(briefing.attachments.all()),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def briefing_act(request, pk, action, code=None):
    village, township = _place(request, code)
    briefing = access_briefing_for_staff(request.user, pk, village=village, township=township)
    act = {"publish": services.briefing_publish, "withdraw": services.briefing_withdraw}.get(action)
    if act is None:
        raise Http404
    try:
        act(briefing=briefing, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The briefing is published.") if action == "publish" else _("The briefing is withdrawn."),
        )
    return redirect(_edit_url(briefing))


# --- suggestions --------------------------------------------------------------------------------


def _moderation_village(request, code):
    village = access_village(request.user, code)
    if not can_moderate_suggestions(request.user, village):
        raise Http404
    return village


@login_required
def suggestion_list(request, code, *, reply_form=None):
    """The moderation queue: pending first; the visitor's name is shown here only.

    ``reply_form`` is a refused reply (``reply_form.suggestion_pk``): shown again as typed, error beside it.
    """
    village = _moderation_village(request, code)
    status = request.GET.get("status") or None
    page = Paginator(selectors.moderation_queue(village=village, status=status), 25).get_page(
        request.GET.get("page")
    )
    shown = False
    for suggestion in page:
        suggestion.reply_form = None
        if reply_form is not None and suggestion.pk == reply_form.suggestion_pk:
            suggestion.reply_form, shown = reply_form, True
    if reply_form is not None and not shown:  # on another page of the queue: say it at the top
        messages.error(request, " ".join(reply_form.errors.get("reply", [])))
    return render(
        request,
        "noticeboard/work/suggestions.html",
        {
            "village": village,
            "page": page,
            "status": status,
            "statuses": Suggestion.Status.choices,
            "counts": selectors.suggestion_counts(villages=[village]).get(village.pk, {}),
        },
        status=400 if reply_form is not None else 200,
    )


@login_required
@require_POST
def suggestion_act(request, code, pk, action):
    village = _moderation_village(request, code)
    suggestion = access_suggestion_for_staff(request.user, village, pk)
    if action == "reply":
        form = ReplyForm(request.POST)
        if form.is_valid():
            try:
                services.suggestion_reply(
                    suggestion=suggestion, actor=request.user, reply=form.cleaned_data["reply"]
                )
            except ValidationError as exc:
                form.add_error("reply", exc)
            else:
                messages.success(request, _("The suggestion is published with your reply."))
                return redirect("noticeboard:work_suggestions", code=village.code)
        form.suggestion_pk = suggestion.pk
        return suggestion_list(request, code, reply_form=form)
    try:
        if action == "approve":
            services.suggestion_approve(suggestion=suggestion, actor=request.user)
            done = _("The suggestion is published on the village's page.")
        elif action == "reject":
            services.suggestion_reject(suggestion=suggestion, actor=request.user)
            done = _("The suggestion will not be published.")
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("noticeboard:work_suggestions", code=village.code)
