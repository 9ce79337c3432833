"""The dashboards' filter forms. Bad input shows a translated error and the default figures, never a 500."""

import datetime

from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext_lazy as _

from core import clock
from core.widgets import LeanCheckboxInput, LeanDateInput, LeanNumberInput, LeanSelect
from dashboards.selectors import Period, month_period, period_of
from roundtable.models import STEPS, Issue, Meeting, Stage

PERIODS = [
    ("month", _("this month")),
    ("quarter", _("this quarter")),
    ("year", _("this year")),
    ("custom", _("custom range")),
]
MAX_RANGE_DAYS = 3660


class DateInput(LeanDateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class _Choices(BaseChoiceIterator):
    """Choices already in Django's form ((value, label) pairs), which a field then takes as they are: a
    plain list of a district's 400 villages was normalised pair by pair, for the field and again for its
    widget, on every request (issue 13)."""

    def __init__(self, pairs):
        self.pairs = pairs

    def __iter__(self):
        return iter(self.pairs)

    def __len__(self):
        return len(self.pairs)


def _village_choices(villages, empty):
    return _Choices([("", empty), *[(v.code, v.name) for v in villages]])


class DashboardFilterForm(forms.Form):
    """Period, village and category of the dashboard."""

    period = forms.ChoiceField(
        widget=LeanSelect, label=_("Period"), choices=PERIODS, required=False, initial="year"
    )
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())
    village = forms.ChoiceField(widget=LeanSelect, label=_("Village"), required=False)
    category = forms.ChoiceField(
        widget=LeanSelect,
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *Issue.Category.choices],
    )

    def __init__(self, data=None, *args, villages=(), show_village=True, **kwargs):
        if data is not None and not data.get("period"):
            # The page shows this year when no period is asked for: so must the select.
            data = data.copy()
            data["period"] = "year"
        super().__init__(data, *args, **kwargs)
        self.villages = {v.code: v for v in villages}
        self.fields["village"].choices = _village_choices(villages, _("All villages"))
        if not show_village:
            del self.fields["village"]

    def clean(self):
        data = super().clean()
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("Give both dates of the custom range."))
            if start > end:
                self.add_error("end", _("The end of the range comes before its start."))
            elif (end - start).days > MAX_RANGE_DAYS:
                self.add_error("end", _("A range may cover ten years at most."))
        return data

    def chosen_period(self) -> Period:
        """The period asked for, or this year when the form is empty or invalid."""
        if not self.is_bound or not self.is_valid():
            return period_of("year")
        d = self.cleaned_data
        return period_of(d.get("period") or "year", start=d.get("start"), end=d.get("end"))

    def chosen_village(self):
        if self.is_bound and self.is_valid() and self.cleaned_data.get("village"):
            return self.villages.get(self.cleaned_data["village"])
        return None

    def chosen_category(self) -> str:
        return self.cleaned_data.get("category", "") if self.is_bound and self.is_valid() else ""


class MonthForm(forms.Form):
    """The month of the monthly report (YYYY-MM); last month by default."""

    month = forms.DateField(label=_("Month"), required=False, input_formats=["%Y-%m"])

    def period(self) -> Period:
        month = self.cleaned_data.get("month") if self.is_bound and self.is_valid() else None
        if month is None:
            month = clock.localdate().replace(day=1) - datetime.timedelta(days=1)
        return month_period(month)


class PlaceMixin:
    """A township and a village filter over the villages the user may read."""

    def _places(self, villages):
        self.villages = {v.code: v for v in villages}
        townships = {v.township.code: v.township for v in villages}
        self.fields["village"].choices = _village_choices(villages, _("All villages"))
        self.fields["township"].choices = [("", _("All townships"))] + [
            (t.code, t.name) for t in sorted(townships.values(), key=lambda t: t.name)
        ]
        if len(townships) < 2:
            self.fields["township"].widget = forms.HiddenInput()

    def village_ids(self) -> list[int]:
        """The villages chosen (one, a township's, or all), or none when the filters are invalid."""
        if self.is_bound and not self.is_valid():
            return []
        d = self.cleaned_data if self.is_bound else {}
        villages = list(self.villages.values())
        if d.get("township"):
            villages = [v for v in villages if v.township.code == d["township"]]
        if d.get("village"):
            villages = [v for v in villages if v.code == d["village"]]
        return [v.pk for v in villages]


class IssueListForm(PlaceMixin, forms.Form):
    """Filters of the cross-village issue list (also the overdue and escalated lists)."""

    township = forms.ChoiceField(widget=LeanSelect, label=_("Township"), required=False)
    village = forms.ChoiceField(widget=LeanSelect, label=_("Village"), required=False)
    stage = forms.ChoiceField(
        widget=LeanSelect, label=_("Stage"), required=False, choices=[("", _("All stages")), *Stage.choices]
    )
    category = forms.ChoiceField(
        widget=LeanSelect,
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *Issue.Category.choices],
    )
    raised_from = forms.DateField(label=_("Raised from"), required=False, widget=DateInput())
    raised_to = forms.DateField(label=_("Raised until"), required=False, widget=DateInput())
    min_age = forms.IntegerField(
        label=_("In the step for at least (days)"),
        required=False,
        min_value=0,
        max_value=MAX_RANGE_DAYS,
        widget=LeanNumberInput,
    )
    open = forms.BooleanField(label=_("Open only"), required=False, widget=LeanCheckboxInput)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False, widget=LeanCheckboxInput)
    escalated = forms.BooleanField(label=_("Escalated only"), required=False, widget=LeanCheckboxInput)

    def __init__(self, *args, villages=(), steps_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        self._places(villages)
        if steps_only:
            self.fields["stage"].choices = [("", _("All steps")), *[(s.value, s.label) for s in STEPS]]
            self.fields["stage"].label = _("Step")

    def clean(self):
        data = super().clean()
        start, end = data.get("raised_from"), data.get("raised_to")
        if start and end and start > end:
            self.add_error("raised_to", _("The end of the range comes before its start."))
        return data


class MeetingListForm(PlaceMixin, forms.Form):
    """Filters of the cross-village meeting list."""

    township = forms.ChoiceField(widget=LeanSelect, label=_("Township"), required=False)
    village = forms.ChoiceField(widget=LeanSelect, label=_("Village"), required=False)
    state = forms.ChoiceField(
        widget=LeanSelect,
        label=_("State"),
        required=False,
        choices=[("", _("All states")), *Meeting.State.choices],
    )
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._places(villages)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end of the range comes before its start."))
        return data
