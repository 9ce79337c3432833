"""The lean widgets write the same HTML as Django's own templates (issue 13: render cost)."""

import pytest
from django import forms
from django.test.html import parse_html

from core.widgets import (
    LeanCheckboxInput,
    LeanDateInput,
    LeanNumberInput,
    LeanRadioSelect,
    LeanSelect,
    LeanTextarea,
    LeanTextInput,
)
from roundtable import forms as roundtable_forms
from roundtable.selectors import issue_list

BASES = {
    LeanTextInput: forms.TextInput,
    LeanSelect: forms.Select,
    LeanCheckboxInput: forms.CheckboxInput,
    LeanRadioSelect: forms.RadioSelect,
    LeanNumberInput: forms.NumberInput,
    LeanDateInput: forms.DateInput,
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


def _assert_same_as_django(form):
    for bound_field in form.visible_fields():
        if type(bound_field.field.widget) not in BASES:
            continue  # a file input keeps Django's template
        lean = str(bound_field)
        assert parse_html(lean) == parse_html(_as_django(bound_field)), bound_field.name


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"note": 'line one\n<b>"two" & three</b>', "note_public": "on", "reason": "", "percent": "x"},
        {"note": "", "reason": "because", "percent": "40", "public": "on", "target": "-3"},
    ],
)
def test_issue_page_action_forms_render_as_django_would(data):
    for form_class in (
        roundtable_forms.NoteForm,
        roundtable_forms.ReasonForm,
        roundtable_forms.PublicReasonForm,
        roundtable_forms.CommentForm,
        roundtable_forms.ProgressForm,
        roundtable_forms.CompletionForm,
        roundtable_forms.OpinionReplyForm,
    ):
        form = form_class(data)
        if data is not None:
            form.is_valid()
        _assert_same_as_django(form)
    opinion = roundtable_forms.OpinionForm(
        data and {"party": '东边 <"&>', "source": "meeting", "stance": "nonsense", "text": data["note"]}
    )
    if data is not None:
        opinion.is_valid()
    _assert_same_as_django(opinion)


def test_issue_page_forms_with_a_date_or_a_number_render_as_django_would():
    import datetime

    for value in (None, "", "2026-02-30", datetime.date(2026, 3, 1)):
        form = roundtable_forms.ConsultationForm(initial={"closes_on": value, "summary": "<i>x</i>"})
        _assert_same_as_django(form)
    merge = roundtable_forms.MergeForm({"target": "0"}, issue=None)  # below min_value: never looked up
    merge.is_valid()
    _assert_same_as_django(merge)


def test_lean_textarea_keeps_a_leading_newline_and_escapes():
    for value in (None, "", "\nfirst line", "<script>&"):
        lean = LeanTextarea(attrs={"rows": 2}).render("t", value, {"id": "id_t", "required": True})
        plain = forms.Textarea(attrs={"rows": 2}).render("t", value, {"id": "id_t", "required": True})
        assert parse_html(lean) == parse_html(plain)
        assert lean.endswith(plain[plain.index(">") :]), value


@pytest.mark.parametrize(
    "form_class, data",
    [
        (roundtable_forms.ResidentOpinionForm, None),
        (roundtable_forms.ResidentOpinionForm, {"stance": "oppose", "text": '路灯 "<b>&amp;\n第二行'}),
        (roundtable_forms.ResidentOpinionForm, {"stance": "nonsense", "text": ""}),
        (roundtable_forms.RatingForm, None),
        (roundtable_forms.RatingForm, {"score": "3", "comment": "<i>好</i>"}),
        (roundtable_forms.RatingForm, {"score": "9", "comment": ""}),
        (roundtable_forms.WithdrawForm, None),
        (roundtable_forms.WithdrawForm, {"note": '"不需要了" & <x>'}),
    ],
)
def test_tracking_page_forms_render_as_django_would(form_class, data):
    """Blank, typed and refused; every field in a lean widget."""
    form = form_class(data)
    form.is_valid()
    for bound_field in form.visible_fields():
        assert type(bound_field.field.widget) in BASES, bound_field.name
    _assert_same_as_django(form)


def test_lean_radio_select_renders_as_django_would():
    choices = [("Fruit", [("a", "Apple & <pear>"), ("b", "Banana")]), ("c", "Cherry")]
    for value in ("a", "c", None):
        lean = LeanRadioSelect(choices=choices, attrs={"class": "x"}).render("f", value, {"id": "id_f"})
        plain = forms.RadioSelect(choices=choices, attrs={"class": "x"}).render("f", value, {"id": "id_f"})
        assert parse_html(lean) == parse_html(plain)
    for attrs in ({}, {"id": "id_f", "required": True}):
        lean = LeanRadioSelect(choices=[("a", "A <b>"), (1, "一")], attrs={"class": "x"}).render(
            "f", "a", attrs
        )
        plain = forms.RadioSelect(choices=[("a", "A <b>"), (1, "一")], attrs={"class": "x"}).render(
            "f", "a", attrs
        )
        assert parse_html(lean) == parse_html(plain)


@pytest.mark.parametrize("value", ["", "b", "2", None, ["b"], "missing"])
def test_lean_select_without_groups_renders_as_django_would(value):
    """The flat path (written straight from the choices): escaping, numbers, an empty value, and only the
    first of two equal values selected."""
    choices = [("", "全部 <all>"), ("a", 'A "&" <b>'), ("b", "B"), ("b", "B again"), (2, "二"), (None, "无")]
    for attrs in ({"id": "id_f"}, {"id": "id_f", "required": True, "class": "x"}):
        lean = LeanSelect(choices=choices, attrs={"data-x": "1"}).render("f", value, attrs)
        plain = forms.Select(choices=choices, attrs={"data-x": "1"}).render("f", value, attrs)
        assert parse_html(lean) == parse_html(plain)
    selected = LeanSelect(choices=choices).render("f", "b", {})
    assert selected.count(" selected") == 1 and '<option value="b" selected>B</option>' in selected


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [None, {"village": "", "township": ""}, {"township": "nonsense", "village": "<x>", "state": "held"}],
)
def test_dashboard_list_filters_render_as_django_would(village, other_village, data):
    """The cross-village lists' filters over the villages a district official reads (names only)."""
    from accounts.models import Membership
    from dashboards.forms import IssueListForm, MeetingListForm
    from dashboards.permissions import dashboard_places
    from tests.factories import TownshipFactory, VillageFactory, make_user

    other = TownshipFactory(district=village.township.district, name='乙镇 "<&>"', code="yi")
    VillageFactory(township=other, name="乙村 <b>", code="yi-1")
    places = dashboard_places(
        make_user(Membership.Role.DISTRICT_OFFICIAL, district=village.township.district)
    )
    assert [p.code for p in places] == sorted(
        [p.code for p in places], key=lambda c: ({"yi-1": other.name}.get(c, village.township.name), c)
    )
    assert {p.township.code for p in places} == {village.township.code, "yi"}
    if data is not None:
        data = {**data, "village": data["village"] or other_village.code}
    for form in (IssueListForm(data, villages=places), MeetingListForm(data, villages=places)):
        if data is not None:
            form.is_valid()
        _assert_same_as_django(form)
        assert "乙村 &lt;b&gt;" in str(form["village"])


@pytest.mark.django_db
def test_a_model_choice_select_reads_its_choices_in_one_query(village):
    """A model choice select reads its choices once, without a COUNT before it; the cadre's group filter
    shows the village's groups from the kept list (villages.selectors.group_choices), without a query,
    exactly as Django's select writes them from the queryset."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    village.groups.create(name="第一组", order=1)
    village.groups.create(name="第二组 <b>", order=2)

    def group_form(widget):
        class GroupForm(forms.Form):
            group = forms.ModelChoiceField(
                queryset=village.groups.all(), empty_label="所有小组", required=False, widget=widget
            )

        return GroupForm()

    lean = group_form(LeanSelect)
    with CaptureQueriesContext(connection) as queries:
        html = str(lean["group"])
    assert len(queries.captured_queries) == 1, [q["sql"] for q in queries.captured_queries]
    assert "第二组 &lt;b&gt;" in html and parse_html(html) == parse_html(_as_django(lean["group"]))

    from django.utils import translation

    with translation.override("zh-hans"):
        form = issue_list(village=village, data={}).form
        with CaptureQueriesContext(connection) as queries:
            kept = str(form["group"])
        assert not queries.captured_queries
        django = group_form(forms.Select)
        django.fields["group"].empty_label = form.fields["group"].empty_label
        assert parse_html(kept) == parse_html(str(django["group"]))
