"""Form plumbing shared by the registries: date widget, service errors on forms, line formsets, filters."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def apply_errors(form, exc: ValidationError) -> None:
    """Puts a service's ValidationError on the form: on its field when the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class BaseLineFormSet(forms.BaseInlineFormSet):
    """Inline lines (funding, milestones, members): blank extras ignored; lines go to services as dicts."""

    def lines(self) -> list[dict]:
        out = []
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            if self.can_delete and self._should_delete_form(form):
                if form.instance.pk:
                    out.append({"id": form.instance.pk, "delete": True})
                continue
            data = {k: v for k, v in form.cleaned_data.items() if k not in ("id", "DELETE", self.fk.name)}
            data["id"] = form.instance.pk
            out.append(data)
        return out


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("An .xlsx or .csv file laid out like the template; at most 5 MB and 2,000 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


class SearchFilterSet(django_filters.FilterSet):
    """A free-text `q` over a few fields, and a village choice limited to what the user may see."""

    search_fields: tuple[str, ...] = ("name",)
    q = django_filters.CharFilter(method="search", label=_("Search"))

    def __init__(self, *args, villages=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, flt in self.filters.items():
            if name == "o":
                flt.extra["empty_label"] = _("Default order")
            elif isinstance(flt, django_filters.ChoiceFilter | django_filters.ModelChoiceFilter):
                flt.extra["empty_label"] = _("All")
        if "village" in self.filters:
            if villages is None:
                del self.filters["village"]
            else:
                self.filters["village"].queryset = villages

    def search(self, queryset, name, value):
        query = Q()
        for field in self.search_fields:
            query |= Q(**{f"{field}__icontains": value.strip()})
        return queryset.filter(query)
