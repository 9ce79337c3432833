from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from noticeboard.services import attachment_clean
from roundtable.models import Meeting, Resolution


class BriefingForm(forms.Form):
    """A briefing's text, date, linked decisions and meetings, and one more attachment."""

    title = forms.CharField(label=_("Title"), max_length=120)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    body = forms.CharField(label=_("Text"), max_length=20000, widget=forms.Textarea(attrs={"rows": 8}))
    decisions = forms.ModelMultipleChoiceField(
        label=_("Decisions it reports"), queryset=Resolution.objects.none(), required=False
    )
    meetings = forms.ModelMultipleChoiceField(
        label=_("Meetings it reports"), queryset=Meeting.objects.none(), required=False
    )
    attachment = forms.FileField(
        label=_("Attach an image or PDF (optional)"),
        required=False,
        help_text=_("JPEG or PNG up to 5 MB (location data removed), or PDF up to 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )
    attachment_title = forms.CharField(label=_("Caption of the attachment"), max_length=120, required=False)

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decisions"].queryset = (
            Resolution.objects.filter(issue__village__in=villages, adopted=True)
            .select_related("issue")
            .order_by("-created_at")[:200]
        )
        self.fields["decisions"].queryset = Resolution.objects.filter(
            pk__in=[r.pk for r in self.fields["decisions"].queryset]
        ).select_related("issue")
        meetings = (
            Meeting.objects.filter(roundtable__village__in=villages)
            .exclude(state=Meeting.State.CANCELLED)
            .select_related("roundtable")
            .order_by("-starts_at")[:100]
        )
        self.fields["meetings"].queryset = Meeting.objects.filter(
            pk__in=[m.pk for m in meetings]
        ).select_related("roundtable")
        self.fields["decisions"].label_from_instance = lambda r: f"{r.issue.title} · {r.created_at:%Y-%m-%d}"

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        cleaned, kind = attachment_clean(upload)
        return (cleaned, kind)


class SuggestionForm(forms.Form):
    """A visitor's suggestion; the name is optional and never published."""

    text = forms.CharField(
        label=_("Your suggestion"), max_length=3000, widget=forms.Textarea(attrs={"rows": 4})
    )
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

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if len(text) < 4:
            raise ValidationError(_("Write a few words more."))
        return text


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("Public reply"), max_length=3000, widget=forms.Textarea(attrs={"rows": 2})
    )
