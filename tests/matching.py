"""Patterns for ``pytest.raises(match=...)`` that name the reason for a refusal by its message id.

``reason(msgid)`` looks the message up in the catalogues in the active language, so a test asserts which
refusal it got (not just that something was refused) and keeps passing when a translation is reworded.
"""

import re

from django.utils.translation import gettext


def reason(msgid: str, **params) -> str:
    """The translated message as a regular expression; placeholders not given in ``params`` match any text."""
    text = gettext(msgid)
    if params:
        return re.escape(text % params)
    return ".+?".join(re.escape(part) for part in re.split(r"%\(\w+\)[sd]", text))


def constraint(name: str) -> str:
    """An IntegrityError naming the database constraint (SQLite and PostgreSQL both give its name)."""
    return re.escape(name)
