import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import mobile_validator
from core import clock, pagecache
from core.pending import pending_load, pending_save
from core.text import CleanTextMixin
from core.widgets import (
    LeanCheckboxInput,
    LeanDateInput,
    LeanNumberInput,
    LeanRadioSelect,
    LeanSelect,
    LeanTextarea,
    LeanTextInput,
)
from roundtable import consent as wording
from roundtable import workflow
from roundtable.models import Attendance, Issue, Meeting, Opinion, RoundtableMember
from roundtable.services import photo_clean
from roundtable.workflow import check_meeting_time

SHOWN_SALT = "roundtable.submit.shown"
SHOWN_PART = "roundtable.submit.shown"


def shown_stamp() -> str:
    """The time trap's value: now, signed."""
    return signing.dumps(time.time(), salt=SHOWN_SALT)


# Fresh on every response, a kept copy of the form included (core.pagecache): a stamp kept with the page
# would let a bot post at once a form shown long ago.
pagecache.register_fresh(SHOWN_PART, shown_stamp)
TRACKING_HELP = _("The code you received when you raised the matter, e.g. 7KQ2MZ9XH4TB.")


class WorkflowFormMixin:
    """A form in front of a workflow move whose keyword arguments are named differently from the form's
    fields: ``workflow_fields`` maps them (see ``add_workflow_error``)."""

    workflow_fields: dict[str, str] = {}


def add_workflow_error(form, exc: workflow.WorkflowError) -> None:
    """Shows a move's refusal beside the field it is about (else above the form), keeping what was typed."""
    field = getattr(form, "workflow_fields", {}).get(exc.field, exc.field)
    form.add_error(field if field in form.fields else None, str(exc))


def _as_validation_error(check, *args, **kwargs):
    """Runs one of the workflow's checks for a form field: its refusal becomes the field's error."""
    try:
        check(*args, **kwargs)
    except workflow.WorkflowError as exc:
        raise ValidationError(str(exc)) from exc


class PhotoField(forms.FileField):
    """An optional phone photo of at most 20 MB, re-encoded small without EXIF or GPS data."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Photo (optional)"))
        kwargs.setdefault(
            "help_text", _("A photo from your phone, at most 20 MB. Location data in the photo is removed.")
        )
        super().__init__(**kwargs)
        # data-shrink: static/js/tongxin.js makes big photos small in the browser before they are sent.
        self.widget.attrs.update(
            {"accept": "image/jpeg,image/png,image/webp,image/heic,image/heif", "data-shrink": "2400"}
        )

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if not upload:
            return None
        return photo_clean(upload)


class ResidentIssueForm(CleanTextMixin, forms.Form):
    """The resident's form: what, where, and optionally who (with consent)."""

    title = forms.CharField(label=_("In one line, what is the matter?"), max_length=120)
    description = forms.CharField(
        label=_("Describe it"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    # No category is preselected: a matter left as it is must not become a land dispute.
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", _("Choose one (or “other”)")), *Issue.Category.choices],
        error_messages={"required": _("Choose the category that fits best, or “other”.")},
    )
    group = forms.ModelChoiceField(
        label=_("Village group or area"),
        queryset=None,
        required=False,
        empty_label=_("Not sure / the whole village"),
    )
    is_anonymous = forms.BooleanField(label=_("Raise it anonymously (no name)"), required=False)
    raiser_name = forms.CharField(label=_("Your name (optional)"), max_length=50, required=False)
    raiser_mobile = forms.CharField(
        label=_("Mobile number (optional)"),
        max_length=11,
        required=False,
        validators=[mobile_validator],
        help_text=_("Only the village's cadres see it; we send you a text when your matter moves on."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "tel"}),
    )
    consent = forms.BooleanField(label=wording.WORDINGS[wording.CURRENT], required=False)
    photo = PhotoField()
    # Time trap: when the form was shown, signed; a post sooner than SUBMIT_MIN_SECONDS is no person's.
    shown = forms.CharField(required=False, widget=forms.HiddenInput)
    # Honeypot: hidden from people by CSS; bots fill it in.
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, village, **kwargs):
        super().__init__(*args, **kwargs)
        self.village = village
        self.fields["group"].queryset = village.groups.all()
        self.fields["shown"].initial = pagecache.fresh(SHOWN_PART)

    def sent_too_fast(self) -> bool:
        """True when the form came back sooner than a person could fill it in, or with a forged stamp.

        A post without the stamp (a form page from before this field existed) passes.
        """
        stamp = self.cleaned_data.get("shown", "")
        if not stamp:
            return False
        try:
            shown = float(signing.loads(stamp, salt=SHOWN_SALT, max_age=7 * 24 * 3600))
        except (signing.BadSignature, TypeError, ValueError):
            return True
        return time.time() - shown < settings.SUBMIT_MIN_SECONDS

    def clean_raiser_mobile(self):
        return self.cleaned_data["raiser_mobile"].replace(" ", "").replace("-", "")

    def issue_fields(self) -> dict:
        """The cleaned data as services.issue_create's keyword arguments."""
        names = (
            "title",
            "description",
            "category",
            "group",
            "raiser_name",
            "raiser_mobile",
            "is_anonymous",
            "consent",
            "photo",
        )
        return {name: self.cleaned_data[name] for name in names}

    def clean(self):
        data = super().clean()
        if data.get("is_anonymous"):
            data["raiser_name"] = ""
        personal = data.get("raiser_name") or data.get("raiser_mobile")
        if personal and not data.get("consent"):
            self.add_error("consent", _("Tick this box to give your name or number, or leave them empty."))
        if data.get("photo") is None and "photo" not in self.errors:
            # The photo sent with an earlier try that had errors elsewhere (issue 12: nothing typed is lost).
            token = self.data.get("photo_pending", "")
            kept = pending_load(token)
            if kept is not None:
                data["photo"], self.pending_photo = kept, token
        return data

    def full_clean(self):
        self.pending_photo = ""
        super().full_clean()
        photo = getattr(self, "cleaned_data", {}).get("photo")
        if self._errors and photo is not None and not self.pending_photo:
            self.pending_photo = pending_save(photo)


class CadreIssueForm(ResidentIssueForm):
    """A cadre logs a matter raised in person, by phone, WeChat, letter or through a member."""

    channel = forms.ChoiceField(
        label=_("How was it raised?"), choices=Issue.Channel.choices, initial=Issue.Channel.IN_PERSON
    )
    consent = forms.BooleanField(label=wording.CADRE_WORDINGS[wording.CURRENT], required=False)
    field_order = [
        "channel",
        "title",
        "description",
        "category",
        "group",
        "is_anonymous",
        "raiser_name",
        "raiser_mobile",
        "consent",
        "photo",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["website"]
        del self.fields["shown"]
        # The cadre fills this in for someone else: the fields speak of the resident, not of "you".
        self.fields["raiser_name"].label = _("The resident's name (optional)")
        self.fields["raiser_mobile"].label = _("The resident's mobile number (optional)")
        self.fields["raiser_mobile"].help_text = _("The resident gets a text when the matter moves on.")
        self.fields["is_anonymous"].label = _("The resident asks to stay anonymous (no name)")
        self.fields["photo"].help_text = _(
            "A photo of the matter, at most 20 MB. Location data in it is removed."
        )


class TrackLookupForm(CleanTextMixin, forms.Form):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=20,
        help_text=TRACKING_HELP,
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}
        ),
    )

    def clean_code(self):
        code = "".join(ch for ch in self.cleaned_data["code"].upper() if ch.isascii() and ch.isalnum())
        if not code:
            raise ValidationError(_("Enter the tracking code: letters and digits, e.g. 7KQ2MZ9XH4TB."))
        return code


class CodeRecoveryForm(CleanTextMixin, forms.Form):
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        help_text=_("The number you gave when you raised the matter."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )

    def clean_mobile(self):
        mobile = "".join(ch for ch in self.cleaned_data["mobile"] if not ch.isspace() and ch != "-")
        if mobile.startswith("+86"):
            mobile = mobile[3:]
        mobile_validator(mobile)
        return mobile


# The tracking page's forms use the lean widgets (core.widgets): the same HTML without a template per
# widget and per radio button (issue 13).
class ResidentOpinionForm(CleanTextMixin, forms.Form):
    stance = forms.ChoiceField(label=_("Your view"), choices=Opinion.Stance.choices, widget=LeanRadioSelect)
    text = forms.CharField(label=_("Your opinion"), max_length=3000, widget=LeanTextarea(attrs={"rows": 4}))


class OpinionForm(CleanTextMixin, forms.Form):
    party = forms.CharField(
        label=_("Whose opinion"),
        max_length=80,
        help_text=_("e.g. 第三组村民代表, the neighbours on the east side, the land owner"),
        widget=LeanTextInput,
    )
    source = forms.ChoiceField(label=_("Source"), choices=Opinion.Source.choices, widget=LeanSelect)
    stance = forms.ChoiceField(label=_("Stance"), choices=Opinion.Stance.choices, widget=LeanSelect)
    text = forms.CharField(label=_("Opinion"), max_length=3000, widget=LeanTextarea(attrs={"rows": 3}))


class RatingForm(CleanTextMixin, forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with the outcome?"),
        coerce=int,
        widget=LeanRadioSelect,
        choices=[
            (5, _("5 · very satisfied")),
            (4, _("4 · satisfied")),
            (3, _("3 · so-so")),
            (2, _("2 · dissatisfied")),
            (1, _("1 · very dissatisfied")),
        ],
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=2000,
        required=False,
        widget=LeanTextarea(attrs={"rows": 3}),
    )


class WithdrawForm(CleanTextMixin, forms.Form):
    note = forms.CharField(
        label=_("Why do you withdraw it? (optional)"), max_length=500, required=False, widget=LeanTextInput
    )


def public_note_field():
    """The visible choice every note on a step carries: internal unless ticked."""
    return forms.BooleanField(
        label=_("Public note: residents and visitors may read it"),
        required=False,
        initial=False,
        help_text=_("Left unticked, the note is internal: only the village's staff read it."),
        widget=LeanCheckboxInput,
    )


class NoteForm(CleanTextMixin, forms.Form):
    note = forms.CharField(
        label=_("Note"), max_length=3000, required=False, widget=LeanTextarea(attrs={"rows": 2})
    )
    note_public = public_note_field()


class ReasonForm(CleanTextMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=3000, widget=LeanTextarea(attrs={"rows": 3}))


class PublicReasonForm(ReasonForm):
    """A reason written on a step (reject, send back): internal unless marked public."""

    note_public = public_note_field()


class ConsultationForm(CleanTextMixin, forms.Form):
    """Opens a step-2 matter for public opinions."""

    summary = forms.CharField(
        label=_("Public summary"),
        max_length=2000,
        widget=LeanTextarea(attrs={"rows": 3}),
        help_text=_("Visitors read only this: no names, phone numbers or private details."),
    )
    closes_on = forms.DateField(
        label=_("Open until"), widget=LeanDateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean_closes_on(self):
        closes_on = self.cleaned_data["closes_on"]
        if closes_on < clock.localdate():
            raise ValidationError(_("The closing date cannot be in the past."))
        return closes_on


class PublicOpinionForm(CleanTextMixin, forms.Form):
    """A visitor's opinion on a matter open for public consultation."""

    stance = forms.ChoiceField(label=_("Your view"), choices=Opinion.Stance.choices, widget=forms.RadioSelect)
    text = forms.CharField(label=_("Your opinion"), max_length=3000, widget=forms.Textarea(attrs={"rows": 4}))
    name = forms.CharField(
        label=_("Your name (optional)"),
        max_length=50,
        required=False,
        help_text=_("Only the village's cadres see it; it is never published."),
    )
    # Honeypot: hidden from people by CSS; bots fill it in.
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )


class OpinionReplyForm(CleanTextMixin, forms.Form):
    """A cadre publishes a public opinion with a reply."""

    reply = forms.CharField(
        label=_("Public reply"), max_length=3000, required=False, widget=LeanTextarea(attrs={"rows": 2})
    )


class MergeForm(CleanTextMixin, WorkflowFormMixin, forms.Form):
    """Merge into an earlier issue of the same village, named by its number (#123). Which issues may
    take it is ``workflow.issue_merge``'s to say; its refusal shows beside the number."""

    workflow_fields = {"target_issue": "target"}

    target = forms.IntegerField(
        label=_("Number of the earlier issue"),
        min_value=1,
        help_text=_("Shown as #123 in the issue list and on the issue's page."),
        widget=LeanNumberInput,
    )

    def __init__(self, *args, issue, **kwargs):
        super().__init__(*args, **kwargs)
        self.issue = issue

    def clean_target(self):
        number = self.cleaned_data["target"]
        target = Issue.objects.filter(village_id=self.issue.village_id, pk=number).first()
        if target is None:
            raise ValidationError(_("No issue of this village has that number."))
        return target


class AgendaForm(CleanTextMixin, forms.Form):
    meeting = forms.ModelChoiceField(
        label=_("Meeting"),
        queryset=None,
        help_text=_("Scheduled meetings of roundtables that cover this issue's group."),
        widget=LeanSelect,
    )

    def __init__(self, *args, issue, **kwargs):
        super().__init__(*args, **kwargs)
        qs = Meeting.objects.filter(
            roundtable__village_id=issue.village_id, state=Meeting.State.SCHEDULED, signed_off_at__isnull=True
        ).select_related("roundtable")
        if issue.group_id:
            qs = qs.filter(Q(roundtable__group__isnull=True) | Q(roundtable__group_id=issue.group_id))
        self.fields["meeting"].queryset = qs.order_by("starts_at")


class VoteFields(CleanTextMixin, forms.Form):
    discussion = forms.CharField(
        label=_("Discussion notes"), max_length=5000, widget=LeanTextarea(attrs={"rows": 3})
    )
    votes_for = forms.IntegerField(label=_("Votes for"), min_value=0)
    votes_against = forms.IntegerField(label=_("Votes against"), min_value=0)
    votes_abstain = forms.IntegerField(label=_("Abstentions"), min_value=0)


class DecisionForm(VoteFields):
    text = forms.CharField(label=_("Resolution"), max_length=5000, widget=LeanTextarea(attrs={"rows": 3}))
    responsible = forms.ModelChoiceField(label=_("Responsible person"), queryset=None)
    due_date = forms.DateField(label=_("Due date"), widget=LeanDateInput(attrs={"type": "date"}))

    def __init__(self, *args, village, **kwargs):
        super().__init__(*args, **kwargs)
        self.village = village
        candidates = workflow.responsible_candidates(village)
        self.fields["responsible"].queryset = candidates.order_by("display_name")

    def clean_responsible(self):
        responsible = self.cleaned_data["responsible"]
        _as_validation_error(workflow.check_responsible, village=self.village, responsible=responsible)
        return responsible

    def clean_due_date(self):
        due = self.cleaned_data["due_date"]
        _as_validation_error(workflow.check_due_date, due)
        return due


class DeferForm(CleanTextMixin, WorkflowFormMixin, forms.Form):
    workflow_fields = {"meeting": "next_meeting"}

    discussion = forms.CharField(
        label=_("Discussion notes and why it is deferred"),
        max_length=5000,
        widget=LeanTextarea(attrs={"rows": 3}),
    )
    next_meeting = forms.ModelChoiceField(
        label=_("Put it on this later meeting (optional)"), queryset=None, required=False
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["next_meeting"].queryset = (
            Meeting.objects.filter(roundtable=meeting.roundtable, state=Meeting.State.SCHEDULED)
            .exclude(pk=meeting.pk)
            .order_by("starts_at")
        )


class ProgressForm(CleanTextMixin, forms.Form):
    percent = forms.IntegerField(label=_("Percent done"), min_value=0, max_value=100, widget=LeanNumberInput)
    note = forms.CharField(label=_("What was done"), max_length=3000, widget=LeanTextarea(attrs={"rows": 3}))
    note_public = public_note_field()
    photo = PhotoField()


class CompletionForm(CleanTextMixin, forms.Form):
    note = forms.CharField(
        label=_("Completion note with the evidence"),
        max_length=3000,
        widget=LeanTextarea(attrs={"rows": 3}),
    )
    note_public = public_note_field()
    photo = PhotoField()


class CommentForm(CleanTextMixin, forms.Form):
    note = forms.CharField(label=_("Comment"), max_length=3000, widget=LeanTextarea(attrs={"rows": 2}))
    public = forms.BooleanField(
        label=_("Show it to the public on the tracking page"), required=False, widget=LeanCheckboxInput
    )


class MeetingForm(CleanTextMixin, forms.ModelForm):
    entered_afterwards = forms.BooleanField(
        label=_("Held already, entered afterwards"),
        required=False,
        help_text=_(
            "Tick this for a meeting held on paper that you record now: give the time it was held, then "
            "enter its agenda, attendance and decisions. Nobody is reminded of it."
        ),
    )

    class Meta:
        model = Meeting
        fields = ["starts_at", "place", "chair"]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
        }

    def __init__(self, *args, roundtable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = roundtable.members.filter(is_active=True)
        self.fields["chair"].help_text = _(
            "Proposed by rotation between Party members and non-members; you may choose someone else."
        )
        self.fields["starts_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]

    def clean(self):
        cleaned = super().clean()
        starts_at = cleaned.get("starts_at")
        if starts_at is not None:
            try:
                check_meeting_time(
                    starts_at, entered_afterwards=cleaned.get("entered_afterwards", False), hint=True
                )
            except workflow.WorkflowError as exc:
                add_workflow_error(self, exc)
        return cleaned


class MoveMeetingForm(CleanTextMixin, forms.Form):
    starts_at = forms.DateTimeField(
        label=_("New time"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)

    def clean_starts_at(self):
        starts_at = self.cleaned_data["starts_at"]
        _as_validation_error(check_meeting_time, starts_at)
        return starts_at


class TopicForm(CleanTextMixin, forms.Form):
    topic = forms.CharField(label=_("Other topic"), max_length=200)


class AttendanceForm(CleanTextMixin, forms.Form):
    """One present / absent / excused choice per member, and who chaired when the chair is absent."""

    def __init__(self, *args, meeting, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        self.meeting = meeting
        for row in rows:
            label = row.member.name
            if row.member_id == meeting.chair_id:
                label = _("%(name)s (chair)") % {"name": row.member.name}
            self.fields[f"m{row.member_id}"] = forms.ChoiceField(
                label=label,
                choices=Attendance.Status.choices,
                widget=forms.RadioSelect,
                initial=row.status or None,
            )
        if meeting.chair_id is not None:
            self.fields["substitute_chair"] = forms.TypedChoiceField(
                label=_("Substitute chair"),
                choices=[("", "—"), *((row.member_id, row.member.name) for row in rows)],
                coerce=int,
                empty_value=None,
                required=False,
                initial=meeting.substitute_chair_id,
                help_text=_(
                    "Only when the chair, %(name)s, is not present: who chaired in their place, "
                    "among the members present."
                )
                % {"name": meeting.chair.name},
            )

    def statuses(self) -> dict[int, str]:
        return {row.member_id: self.cleaned_data[f"m{row.member_id}"] for row in self.rows}

    def substitute(self):
        pk = self.cleaned_data.get("substitute_chair")
        return next((row.member for row in self.rows if row.member_id == pk), None)

    def member_fields(self):
        return [self[f"m{row.member_id}"] for row in self.rows]


class MinutesForm(CleanTextMixin, forms.Form):
    minutes = forms.CharField(label=_("Minutes"), max_length=20000, widget=forms.Textarea(attrs={"rows": 8}))


class RoundtableMemberForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = RoundtableMember
        fields = ["name", "role", "is_party_member", "mobile", "email"]
