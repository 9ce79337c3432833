"""Form widgets that write their HTML in Python instead of through the template engine.

Django renders every widget, and every ``<option>`` of a select, through its own small templates; on a list
page whose filter form has a few selects that is a fifth of the page's time (issue 13). These produce the
same HTML (same attributes, same escaping) from the same ``get_context``, with ``format_html``."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


def _attrs(widget: dict, **first) -> str:
    return flatatt({**first, **widget["attrs"]})


def _input(self, name, value, attrs):
    widget = self.get_context(name, value, attrs)["widget"]
    first = {"type": widget["type"], "name": widget["name"]}
    if widget["value"] is not None:
        first["value"] = str(widget["value"])
    return format_html("<input{}>", _attrs(widget, **first))


class LeanTextInput(forms.TextInput):
    def render(self, name, value, attrs=None, renderer=None):
        return _input(self, name, value, attrs)


class LeanCheckboxInput(forms.CheckboxInput):
    def render(self, name, value, attrs=None, renderer=None):
        return _input(self, name, value, attrs)


class LeanNumberInput(forms.NumberInput):
    def render(self, name, value, attrs=None, renderer=None):
        return _input(self, name, value, attrs)


class LeanDateInput(forms.DateInput):
    def render(self, name, value, attrs=None, renderer=None):
        return _input(self, name, value, attrs)


class LeanTextarea(forms.Textarea):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        # Django's template starts the content on a new line (which the browser drops).
        return format_html(
            "<textarea{}>\n{}</textarea>", _attrs(widget, name=widget["name"]), widget["value"] or ""
        )


class LeanSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = []
        for group_name, options, _index in widget["optgroups"]:
            rendered = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((str(o["value"]), flatatt(o["attrs"]), o["label"]) for o in options),
            )
            parts.append(
                format_html('<optgroup label="{}">{}</optgroup>', group_name, rendered)
                if group_name
                else rendered
            )
        return format_html(
            "<select{}>{}</select>",
            _attrs(widget, name=widget["name"]),
            format_html_join("", "{}", ((p,) for p in parts)),
        )
