"""Text as people type it, made safe to store and to put in a header: no control characters.

A NUL byte breaks PostgreSQL, a CR/LF in a title breaks an e-mail subject (BadHeaderError on every retry);
neither belongs in anything a person types. Forms refuse them with a clear message; text that must become
one line (subjects, headers, log lines) goes through ``one_line``.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# C0 controls but tab, LF and CR; DEL; C1 controls.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BREAKS = re.compile(r"[\r\n\t\u2028\u2029]")


def validate_text(value: str) -> None:
    """For text areas: line breaks and tabs are fine, other control characters are not."""
    if value and _CONTROLS.search(value):
        raise ValidationError(
            _("Remove the invisible control characters from this text (e.g. pasted from another program)."),
            code="control_characters",
        )


def validate_one_line(value: str) -> None:
    """For one-line fields: no control characters and no line breaks."""
    validate_text(value)
    if value and _BREAKS.search(value):
        raise ValidationError(_("Write this on one line."), code="line_break")


def strip_controls(text: str) -> str:
    """The text without control characters (for look-ups of what someone is typing, never stored)."""
    return _CONTROLS.sub("", text or "")


def one_line(text: str, limit: int | None = None) -> str:
    """The text on one line: line breaks and controls become spaces, runs of spaces one space."""
    text = " ".join(_BREAKS.sub(" ", _CONTROLS.sub(" ", str(text or ""))).split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


class CleanTextMixin:
    """For a form: every text field refuses control characters; one-line inputs refuse line breaks too."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not isinstance(field, forms.CharField):
                continue
            multiline = isinstance(field.widget, forms.Textarea)
            field.validators.append(validate_text if multiline else validate_one_line)


def listing(values) -> str:
    """Items of a list in one line: 甲、乙、丙 in Chinese, "a, b, c" in English."""
    from django.utils.translation import pgettext

    return pgettext("list separator", ", ").join(str(v) for v in values)
