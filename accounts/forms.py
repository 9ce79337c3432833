from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class LanguageSelect(forms.Select):
    """Each language is named in itself (简体中文, English) and marked so for screen readers."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        if value:
            option["attrs"]["lang"] = value
        return option


class ProfileForm(forms.ModelForm):
    """What a signed-in user may change about themselves, including how they are told of things."""

    class Meta:
        model = User
        fields = ["display_name", "mobile", "language", "notify_by_email", "notify_by_sms"]
        widgets = {"language": LanguageSelect}

    def clean(self):
        data = super().clean()
        if data.get("notify_by_sms") and not data.get("mobile") and "mobile" not in self.errors:
            self.add_error("mobile", _("Enter a mobile number to receive text messages."))
        return data
