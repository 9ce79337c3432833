"""The lean widgets write the same HTML as Django's own templates (issue 13: render cost)."""

import pytest
from django import forms
from django.test.html import parse_html

from core.widgets import LeanCheckboxInput, LeanSelect, LeanTextInput
from roundtable.selectors import issue_list

BASES = {LeanTextInput: forms.TextInput, LeanSelect: forms.Select, LeanCheckboxInput: forms.CheckboxInput}


def _as_django(bound_field):
    widget = bound_field.field.widget
    widget.__class__ = BASES[type(widget)]
    try:
        return str(bound_field)
    finally:
        widget.__class__ = {v: k for k, v in BASES.items()}[widget.__class__]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {},
        {"q": '路灯 "<b>&amp;', "stage": "executing", "category": "other", "overdue": "on", "open": "on"},
        {"q": "x", "stage": "nonsense", "group": "999999", "escalated": "true"},
    ],
)
def test_issue_filter_renders_as_django_would(village, data):
    group = village.groups.create(name='第一组 <"&>', order=1)
    if "group" in data:
        data = {**data, "group": str(group.pk)}
    form = issue_list(village=village, data=data).form
    form.is_valid()
    for bound_field in form.visible_fields():
        assert type(bound_field.field.widget) in BASES, bound_field.name
        lean = str(bound_field)
        assert parse_html(lean) == parse_html(_as_django(bound_field)), bound_field.name


def test_lean_select_renders_optgroups_and_selection():
    choices = [("", "—"), ("Fruit", [("a", "Apple & <pear>"), ("b", "Banana")]), ("c", "Cherry")]
    for value in ("", "a", "c", None):
        lean = LeanSelect(choices=choices, attrs={"class": "x", "disabled": True}).render(
            "f", value, {"id": "id_f"}
        )
        plain = forms.Select(choices=choices, attrs={"class": "x", "disabled": True}).render(
            "f", value, {"id": "id_f"}
        )
        assert parse_html(lean) == parse_html(plain)
