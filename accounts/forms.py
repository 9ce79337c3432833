from django import forms

from accounts.models import User


class ProfileForm(forms.ModelForm):
    """What a signed-in user may change about themselves."""

    class Meta:
        model = User
        fields = ["display_name", "mobile", "language"]
