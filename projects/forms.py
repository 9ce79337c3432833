"""Forms of the project registries; they validate, the services write."""

import django_filters
from django import forms
from django.db import models
from django.db.models import Q
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.filters import OrderingFilter
from core.forms import DATE, BaseLineFormSet, SearchFilterSet
from projects.models import CollectiveIncome, Cooperative, Funding, Milestone, Partner, Project, Resource
from projects.services import allowed_statuses
from roundtable.models import Issue, Roundtable
from villages.models import Village


def money_widget():
    return forms.NumberInput(attrs={"min": "0", "step": "0.01", "inputmode": "decimal"})


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = [
            "name",
            "category",
            "status",
            "planning_partner",
            "partners",
            "other_villages",
            "origin_issue",
            "land_area_mu",
            "start_date",
            "end_date",
            "description",
            "is_public",
        ]
        widgets = {
            "start_date": DATE,
            "end_date": DATE,
            "partners": forms.CheckboxSelectMultiple,
            "other_villages": forms.CheckboxSelectMultiple,
            "land_area_mu": forms.NumberInput(attrs={"min": "0", "step": "0.01", "inputmode": "decimal"}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, **kwargs)
        self.village = village
        self.instance.village = village
        partners = Partner.objects.filter(township_id=village.township_id).order_by("name")
        self.fields["planning_partner"].queryset = partners
        self.fields["partners"].queryset = partners
        self.fields["other_villages"].queryset = Village.objects.filter(
            township_id=village.township_id
        ).exclude(pk=village.pk)
        self.fields["origin_issue"].queryset = Issue.objects.filter(village=village).order_by("-created_at")
        current = self.instance.status if self.instance.pk else None
        allowed = set(allowed_statuses(current))
        self.fields["status"].choices = [(v, label) for v, label in Project.Status.choices if v in allowed]

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        return data


class FundingForm(forms.ModelForm):
    class Meta:
        model = Funding
        fields = [
            "source",
            "amount_intended",
            "amount_landed",
            "land_mu",
            "date",
            "note",
            "over_intended_confirmed",
        ]
        widgets = {
            "amount_intended": money_widget(),
            "amount_landed": money_widget(),
            "land_mu": forms.NumberInput(attrs={"min": "0", "step": "0.01", "inputmode": "decimal"}),
            "date": DATE,
        }


FundingFormSet = inlineformset_factory(
    Project,
    Funding,
    form=FundingForm,
    formset=BaseLineFormSet,
    extra=2,
    can_delete=True,
    can_delete_extra=False,
)


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due_date", "done_date", "progress", "note", "order"]
        widgets = {
            "due_date": DATE,
            "done_date": DATE,
            "progress": forms.NumberInput(attrs={"min": "0", "max": "100", "step": "5"}),
        }


MilestoneFormSet = inlineformset_factory(
    Project,
    Milestone,
    form=MilestoneForm,
    formset=BaseLineFormSet,
    extra=2,
    can_delete=True,
    can_delete_extra=False,
)


def _https_urls(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class PartnerForm(forms.ModelForm):
    class Meta:
        model = Partner
        formfield_callback = _https_urls
        fields = [
            "name",
            "kind",
            "description",
            "contact_name",
            "website",
            "since",
            "villages",
            "roundtables",
        ]
        widgets = {
            "since": DATE,
            "villages": forms.CheckboxSelectMultiple,
            "roundtables": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "villages": _("Only villages you keep are listed; links made by other villages stay."),
        }

    def __init__(self, *args, township, my_villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.township = township
        mine = Village.objects.filter(pk__in=[v.pk for v in my_villages])
        self.fields["villages"].queryset = mine
        self.fields["roundtables"].queryset = Roundtable.objects.filter(village__in=mine).select_related(
            "village"
        )
        self.fields["roundtables"].label_from_instance = lambda r: f"{r.village.name} · {r.name}"
        if self.instance.pk:
            self.initial["villages"] = [v for v in self.instance.villages.all() if v in mine]
            self.initial["roundtables"] = [
                r for r in self.instance.roundtables.all() if r.village_id in {v.pk for v in mine}
            ]


class CooperativeForm(forms.ModelForm):
    class Meta:
        model = Cooperative
        fields = ["name", "kind", "members", "founded", "leader", "products"]
        widgets = {"founded": DATE}


class ResourceForm(forms.ModelForm):
    class Meta:
        model = Resource
        fields = ["name", "kind", "area_mu", "location", "description"]
        widgets = {
            "area_mu": forms.NumberInput(attrs={"min": "0", "step": "0.01", "inputmode": "decimal"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }


class IncomeForm(forms.ModelForm):
    class Meta:
        model = CollectiveIncome
        fields = ["year", "amount", "note"]
        widgets = {"amount": money_widget()}
        help_texts = {"year": _("Entering a year again corrects it.")}

    def validate_unique(self):
        # Recording a year that exists corrects it (income_set); no duplicate error.
        pass


# --- list filters ------------------------------------------------------------------------------


class ProjectFilter(SearchFilterSet):
    search_fields = ("name", "description")
    village = django_filters.ModelChoiceFilter(
        queryset=Village.objects.none(), label=_("Village"), method="in_village"
    )
    category = django_filters.ChoiceFilter(choices=Project.Category.choices, label=_("Category"))
    status = django_filters.ChoiceFilter(choices=Project.Status.choices, label=_("Status"))
    o = OrderingFilter(
        fields=(
            ("name", "name"),
            ("village__code", "village"),
            ("status", "status"),
            ("start_date", "start"),
            ("intended_total", "intended"),
            ("landed_total", "landed"),
        ),
        field_labels={
            "name": pgettext_lazy("of a thing", "Name"),
            "village": _("Village"),
            "status": _("Status"),
            "start": _("Start date"),
            "intended": _("Intended"),
            "landed": _("Landed"),
        },
        label=_("Sort by"),
    )

    class Meta:
        model = Project
        fields = ["q", "village", "category", "status"]

    def in_village(self, queryset, name, value):
        return queryset.filter(Q(village=value) | Q(other_villages=value))


class CooperativeFilter(SearchFilterSet):
    search_fields = ("name", "products", "leader")
    village = django_filters.ModelChoiceFilter(queryset=Village.objects.none(), label=_("Village"))
    kind = django_filters.ChoiceFilter(choices=Cooperative.Kind.choices, label=_("Kind"))
    o = OrderingFilter(
        fields=(
            ("name", "name"),
            ("village__code", "village"),
            ("members", "members"),
            ("founded", "founded"),
        ),
        field_labels={
            "name": pgettext_lazy("of a thing", "Name"),
            "village": _("Village"),
            "members": _("Members"),
            "founded": _("Founded"),
        },
        label=_("Sort by"),
    )

    class Meta:
        model = Cooperative
        fields = ["q", "village", "kind"]


class ResourceFilter(SearchFilterSet):
    search_fields = ("name", "description", "location")
    village = django_filters.ModelChoiceFilter(queryset=Village.objects.none(), label=_("Village"))
    kind = django_filters.ChoiceFilter(choices=Resource.Kind.choices, label=_("Kind"))
    o = OrderingFilter(
        fields=(("name", "name"), ("village__code", "village"), ("kind", "kind"), ("area_mu", "area")),
        field_labels={
            "name": pgettext_lazy("of a thing", "Name"),
            "village": _("Village"),
            "kind": _("Kind"),
            "area": _("Area"),
        },
        label=_("Sort by"),
    )

    class Meta:
        model = Resource
        fields = ["q", "village", "kind"]


class PartnerFilter(SearchFilterSet):
    search_fields = ("name", "description")
    kind = django_filters.ChoiceFilter(choices=Partner.Kind.choices, label=_("Kind"))
    village = django_filters.ModelChoiceFilter(
        queryset=Village.objects.none(), label=_("Village"), field_name="villages"
    )
    o = OrderingFilter(
        fields=(("name", "name"), ("kind", "kind"), ("since", "since")),
        field_labels={"name": pgettext_lazy("of a thing", "Name"), "kind": _("Kind"), "since": _("Since")},
        label=_("Sort by"),
    )

    class Meta:
        model = Partner
        fields = ["q", "kind", "village"]
