"""Addresses of a matter's staff page written without ``reverse()`` per row (issue 13: lists of 25–50)."""

from django.urls import reverse


def issue_url_root() -> str:
    """What every address of roundtable:issue starts with, before the village's code: a row links to
    ``<root><village code>/issues/<number>/``."""
    return reverse("roundtable:issue", kwargs={"code": "x", "pk": 1}).removesuffix("x/issues/1/")
