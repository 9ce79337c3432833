"""Form widgets that write their HTML in Python instead of through the template engine.

Django renders every widget, and every ``<option>`` of a select, through its own small templates; on a list
page whose filter form has a few selects that is a fifth of the page's time (issue 13). These produce the
same HTML (same attributes, same escaping) from the same ``get_context``, with ``format_html``."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


def _flat(attrs: dict) -> str:
    """Attributes as Django's attrs.html writes them: in their order, True as a bare name, False left out."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, str(value)),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


def _attrs(widget: dict, **first) -> str:
    return _flat({**first, **widget["attrs"]})


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


class LeanTextarea(forms.Textarea):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        return format_html(
            "<textarea{}>\n{}</textarea>", _attrs(widget, name=widget["name"]), widget["value"] or ""
        )


class LeanRadioSelect(forms.RadioSelect):
    """Radio buttons, each in its label, as Django's radio.html lays them out (choices in groups are left
    to Django's templates)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        if any(group for group, _options, _index in widget["optgroups"]):
            return super().render(name, value, attrs, renderer)
        options = [
            option for _group, group_options, _index in widget["optgroups"] for option in group_options
        ]
        rendered = format_html_join(
            "",
            "<div>\n    <label{}><input{}>\n {}</label>\n\n</div>",
            (
                (
                    _flat({"for": o["attrs"]["id"]} if o["attrs"].get("id") else {}),
                    _attrs(
                        o,
                        type=o["type"],
                        name=o["name"],
                        **({"value": str(o["value"])} if o["value"] is not None else {}),
                    ),
                    o["label"],
                )
                for o in options
            ),
        )
        outer = {key: widget["attrs"][key] for key in ("id", "class") if widget["attrs"].get(key)}
        return format_html("<div{}>{}\n</div>", _flat(outer), rendered)
