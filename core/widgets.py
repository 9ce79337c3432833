"""Form widgets that write their HTML in Python instead of through the template engine.

Django renders every widget, and every ``<option>`` of a select, through its own small templates; on a list
page whose filter form has a few selects that is a fifth of the page's time (issue 13). These produce the
same HTML (same attributes, same escaping) from the same ``get_context``, with ``format_html``."""

import html

from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe


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
        # Read once (a model choice field's choices are a query), through iter(): list() of the choices
        # themselves would ask their length first, a COUNT query of its own.
        choices = list(iter(self.choices))
        if not self.allow_multiple_selected and not any(isinstance(c[1], (list, tuple)) for c in choices):
            return self._render_flat(name, value, attrs, choices)
        widget = self.get_context(name, value, attrs)["widget"]
        parts = []
        for group_name, options, _index in widget["optgroups"]:
            rendered = "".join(_option(o) for o in options)
            parts.append(
                format_html('<optgroup label="{}">{}</optgroup>', group_name, mark_safe(rendered))  # noqa: S308
                if group_name
                else rendered
            )
        return format_html(
            "<select{}>{}</select>",
            _attrs(widget, name=widget["name"]),
            mark_safe("".join(parts)),  # noqa: S308 — each part escaped by _option
        )

    def _render_flat(self, name, value, attrs, choices):
        """A select without groups, written straight from its choices: Django's ``optgroups`` builds a dict
        of attributes for each option, and a district official's village filter has 400 (issue 13). The
        same HTML: the first option whose value is one of the values is selected."""
        values = self.format_value(value)
        selected_done = False
        options = []
        for option_value, label in choices:
            option_value = "" if option_value is None else str(option_value)
            selected = not selected_done and option_value in values
            selected_done |= selected
            options.append(
                f'<option value="{_escape(option_value)}"{" selected" if selected else ""}>'
                f"{_escape(label)}</option>"
            )
        return format_html(
            "<select{}>{}</select>",
            flatatt({"name": name, **self.build_attrs(self.attrs, attrs)}),
            mark_safe("".join(options)),  # noqa: S308 — each value and label escaped above
        )


def _escape(text) -> str:
    """``conditional_escape`` without making a SafeString of each of a select's hundreds of values and
    labels: the same text (Django's ``escape`` is ``html.escape``)."""
    return text.__html__() if hasattr(text, "__html__") else html.escape(str(text))


def _option(option: dict) -> str:
    """One <option>, as format_html would write it (value and label escaped unless already safe); a plain
    string join, as a select may have dozens (issue 13)."""
    extra = flatatt(option["attrs"]) if option["attrs"] else ""
    value, label = conditional_escape(str(option["value"])), conditional_escape(option["label"])
    return f'<option value="{value}"{extra}>{label}</option>'


class LeanRadioSelect(forms.RadioSelect):
    """Radio buttons, each in its label, laid out as Django's radio.html does (choices in groups are left
    to Django's templates)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        if any(group for group, _options, _index in widget["optgroups"]):
            return super().render(name, value, attrs, renderer)
        rendered = "".join(
            _radio(option) for _group, options, _index in widget["optgroups"] for option in options
        )
        outer = {key: widget["attrs"][key] for key in ("id", "class") if widget["attrs"].get(key)}
        return format_html("<div{}>{}\n</div>", flatatt(outer), mark_safe(rendered))  # noqa: S308 — escaped


def _radio(option: dict) -> str:
    first = {"type": option["type"], "name": option["name"]}
    if option["value"] is not None:
        first["value"] = str(option["value"])
    label_for = flatatt({"for": option["attrs"]["id"]}) if option["attrs"].get("id") else ""
    return format_html(
        "<div>\n    <label{}><input{}>\n {}</label>\n\n</div>",
        label_for,
        _attrs(option, **first),
        option["label"],
    )
