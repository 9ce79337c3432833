"""Importing registries from spreadsheets: upload → dry-run preview with each row's errors → confirm.

The parsed rows wait between preview and confirm in the server-side session under a random token, never
in the browser; confirm validates them again and saves all of them in one transaction, or none. The
registries (projects, talent) bring their columns, row validation and save; this is the shared part.
"""

import secrets
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError

SESSION_KEY = "registry_imports"
MAX_PENDING = 3


@dataclass
class RowResult:
    """One spreadsheet row after the dry run."""

    line: int
    values: dict
    errors: list[str] = field(default_factory=list)
    payload: dict | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def stash(request, *, kind: str, village_id: int, rows: list[dict], filename: str) -> str:
    """Keeps parsed rows in the session under a fresh random token (the last few imports only)."""
    token = secrets.token_urlsafe(16)
    pending = dict(request.session.get(SESSION_KEY, {}))
    for old in list(pending)[: max(0, len(pending) - MAX_PENDING + 1)]:
        pending.pop(old)
    pending[token] = {"kind": kind, "village": village_id, "rows": rows, "filename": filename}
    request.session[SESSION_KEY] = pending
    return token


def unstash(request, token: str, *, kind: str, village_id: int) -> dict | None:
    """The stashed import if it exists and was made for this kind of registry and village."""
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if not entry or entry.get("kind") != kind or entry.get("village") != village_id:
        return None
    return entry


def drop(request, token: str) -> None:
    pending = dict(request.session.get(SESSION_KEY, {}))
    pending.pop(token, None)
    request.session[SESSION_KEY] = pending


def errors_of(exc: ValidationError, labels: dict[str, str]) -> list[str]:
    """A ValidationError as readable lines, each prefixed with its column's header."""
    if hasattr(exc, "error_dict"):
        out = []
        for name, errors in exc.message_dict.items():
            prefix = f"{labels[name]}：" if name in labels else ""
            out.extend(f"{prefix}{message}" for message in errors)
        return out
    return list(exc.messages)


def form_errors(form: forms.Form, labels: dict[str, str]) -> list[str]:
    out = []
    for name, errors in form.errors.items():
        prefix = f"{labels[name]}：" if name in labels else ""
        out.extend(f"{prefix}{message}" for message in errors)
    return out
