"""Forms of the talent registries; they validate, the services write."""

import django_filters
from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.filters import OrderingFilter
from core.forms import DATE, BaseLineFormSet, SearchFilterSet
from roundtable.models import Roundtable
from talent.models import (
    AdvisoryCouncil,
    CommitteeMember,
    CommitteeTerm,
    CouncilMember,
    Education,
    Gender,
    Skill,
    Talent,
)
from villages.models import Village


class TalentForm(forms.ModelForm):
    skills = forms.MultipleChoiceField(
        label=_("Skills"), choices=Skill.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Talent
        fields = [
            "name",
            "gender",
            "birth_year",
            "education",
            "skills",
            "specialty",
            "mobile",
            "id_number",
            "consent_date",
            "is_party_member",
            "is_returned",
            "is_reserve_cadre",
            "assessment",
            "roundtable",
        ]
        widgets = {
            "consent_date": DATE,
            "mobile": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "id_number": forms.TextInput(attrs={"autocomplete": "off"}),
            "birth_year": forms.NumberInput(attrs={"min": "1920", "max": "2100"}),
        }

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.village = village
        self.fields["roundtable"].queryset = Roundtable.objects.filter(village=village)
        if self.instance.pk:
            self.initial["skills"] = self.instance.skill_codes


class CouncilForm(forms.ModelForm):
    class Meta:
        model = AdvisoryCouncil
        fields = ["name", "founded", "description"]
        widgets = {"founded": DATE, "description": forms.Textarea(attrs={"rows": 3})}


class CouncilMemberForm(forms.ModelForm):
    class Meta:
        model = CouncilMember
        fields = ["name", "role", "talent", "occupation", "joined"]
        widgets = {"joined": DATE}


class CouncilMemberFormSet(BaseLineFormSet):
    def __init__(self, *args, village: Village, **kwargs):
        self.village = village
        super().__init__(*args, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["talent"].queryset = Talent.objects.filter(village=self.village).order_by("name")


CouncilMembers = inlineformset_factory(
    AdvisoryCouncil,
    CouncilMember,
    form=CouncilMemberForm,
    formset=CouncilMemberFormSet,
    extra=3,
    can_delete=True,
    can_delete_extra=False,
)


class TermForm(forms.ModelForm):
    class Meta:
        model = CommitteeTerm
        fields = ["year", "elected_on", "petitions", "note"]
        widgets = {"elected_on": DATE, "note": forms.Textarea(attrs={"rows": 2})}

    def validate_unique(self):
        # The service checks the (village, year) pair with the village set.
        pass


class CommitteeMemberForm(forms.ModelForm):
    class Meta:
        model = CommitteeMember
        fields = ["name", "role", "gender", "birth_year", "education", "from_roundtable"]
        widgets = {"birth_year": forms.NumberInput(attrs={"min": "1920", "max": "2100"})}


CommitteeMembers = inlineformset_factory(
    CommitteeTerm,
    CommitteeMember,
    form=CommitteeMemberForm,
    formset=BaseLineFormSet,
    extra=3,
    can_delete=True,
    can_delete_extra=False,
)


class YesNoAny(forms.Select):
    def __init__(self, attrs=None):
        super().__init__(attrs, choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))])

    def value_from_datadict(self, data, files, name):
        return {"true": True, "false": False}.get(data.get(name))

    def format_value(self, value):
        return [{True: "true", False: "false"}.get(value, "")]


YES_NO_ANY = YesNoAny()


class TalentFilter(SearchFilterSet):
    search_fields = ("name", "specialty")
    village = django_filters.ModelChoiceFilter(queryset=Village.objects.none(), label=_("Village"))
    skill = django_filters.ChoiceFilter(
        choices=Skill.choices, label=_("Skill"), field_name="skills__skill", distinct=True
    )
    education = django_filters.ChoiceFilter(choices=Education.choices, label=_("Education"))
    gender = django_filters.ChoiceFilter(choices=Gender.choices, label=_("Gender"))
    is_party_member = django_filters.BooleanFilter(label=_("Party member"), widget=YES_NO_ANY)
    is_returned = django_filters.BooleanFilter(label=_("Returned talent"), widget=YES_NO_ANY)
    is_reserve_cadre = django_filters.BooleanFilter(label=_("Reserve cadre"), widget=YES_NO_ANY)
    assessment = django_filters.ChoiceFilter(choices=Talent.Assessment.choices, label=_("Assessment"))
    o = OrderingFilter(
        fields=(
            ("name", "name"),
            ("village__code", "village"),
            ("birth_year", "birth_year"),
            ("updated_at", "updated"),
        ),
        field_labels={
            "name": pgettext_lazy("person", "Name"),
            "village": _("Village"),
            "birth_year": _("Birth year"),
            "updated": _("Last changed"),
        },
        label=_("Sort by"),
    )

    class Meta:
        model = Talent
        fields = [
            "q",
            "village",
            "skill",
            "education",
            "gender",
            "is_party_member",
            "is_returned",
            "is_reserve_cadre",
            "assessment",
        ]
