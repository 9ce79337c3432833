"""The lean widgets write the same HTML as Django's own templates (issue 13: render cost)."""

import pytest
from django import forms
from django.test.html import parse_html

from core.widgets import LeanCheckboxInput, LeanRadioSelect, LeanSelect, LeanTextarea, LeanTextInput
from roundtable.forms import RatingForm, ResidentOpinionForm, WithdrawForm
from roundtable.selectors import issue_list

BASES = {
    LeanTextInput: forms.TextInput,
    LeanSelect: forms.Select,
    LeanCheckboxInput: forms.CheckboxInput,
    LeanRadioSelect: forms.RadioSelect,
    LeanTextarea: forms.Textarea,
}


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


@pytest.mark.parametrize(
    "form_class, data",
    [
        (ResidentOpinionForm, None),
        (ResidentOpinionForm, {"stance": "oppose", "text": '路灯 "<b>&amp;\n第二行'}),
        (ResidentOpinionForm, {"stance": "nonsense", "text": ""}),
        (RatingForm, None),
        (RatingForm, {"score": "3", "comment": "<i>好</i>"}),
        (RatingForm, {"score": "9", "comment": ""}),
        (WithdrawForm, None),
        (WithdrawForm, {"note": '"不需要了" & <x>'}),
    ],
)
def test_tracking_page_forms_render_as_django_would(form_class, data):
    """Byte for byte (the browser tests and the forms' tests read these pages), blank, typed and refused."""
    form = form_class(data)
    form.is_valid()
    for bound_field in form.visible_fields():
        assert type(bound_field.field.widget) in BASES, bound_field.name
        assert str(bound_field) == _as_django(bound_field), bound_field.name


def test_lean_radio_select_leaves_grouped_choices_to_django():
    choices = [("Fruit", [("a", "Apple & <pear>"), ("b", "Banana")]), ("c", "Cherry")]
    for value in ("a", "c", None):
        lean = LeanRadioSelect(choices=choices, attrs={"class": "x"}).render("f", value, {"id": "id_f"})
        plain = forms.RadioSelect(choices=choices, attrs={"class": "x"}).render("f", value, {"id": "id_f"})
        assert lean == plain
    lean = LeanRadioSelect(choices=[("a", "A <b>")], attrs={"class": "x"}).render("f", "a", {})
    assert lean == forms.RadioSelect(choices=[("a", "A <b>")], attrs={"class": "x"}).render("f", "a", {})
