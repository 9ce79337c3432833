"""Where each number of the ranking table leads: the filtered list that it counts."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html

from dashboards.selectors import UNIT_VILLAGE, Frame


def _period_params(frame: Frame) -> dict:
    params = {"raised_from": frame.period.start.isoformat(), "raised_to": frame.period.end.isoformat()}
    if frame.category:
        params["category"] = frame.category
    return params


def issue_links(frame: Frame, village_code: str = "", township_code: str = "", *, bases=None) -> dict:
    """The issue and meeting lists behind raised, open, overdue, closed, escalated and meetings held."""
    bases = bases or _bases()
    base = bases["issues"]
    params = _period_params(frame)
    place = {"township": township_code} if township_code else {}
    if village_code:
        place = {"village": village_code}
    params.update(place)

    def url(**extra):
        return f"{base}?{urlencode({**params, **extra})}"

    return {
        "raised": url(),
        "open": url(open="on"),
        "overdue": url(overdue="on"),
        "closed": url(stage="closed"),
        "escalated": url(open="on", escalated="on"),
        "held": bases["meetings"]
        + "?"
        + urlencode(
            {
                **place,
                "state": "held",
                "start": frame.period.start.isoformat(),
                "end": frame.period.end.isoformat(),
            }
        ),
    }


CODE = "__code__"  # a slug no village or township has: reversed once, then each code put in its place


def _bases() -> dict:
    """The URLs the links are made of, each reversed once per page rather than once per village."""
    return {
        "issues": reverse("dashboards:issues"),
        "meetings": reverse("dashboards:meetings"),
        "landed": reverse("projects:village_list", kwargs={"code": CODE}),
        "talents": reverse("talent:village_list", kwargs={"code": CODE}),
        "village": reverse("dashboards:village", kwargs={"code": CODE}),
        "township": reverse("dashboards:township", kwargs={"code": CODE}),
    }


def row_links(rows: list[dict], frame: Frame, *, unit: str, query) -> dict:
    """Per row (by unit pk): a village's numbers open its lists; a township's open its own dashboard."""
    out = {}
    bases = _bases()
    suffix = f"?{query.urlencode()}" if query else ""
    for row in rows:
        unit_obj = row["unit"]
        if unit == UNIT_VILLAGE:
            links = issue_links(frame, unit_obj.code, bases=bases)
            links["landed"] = bases["landed"].replace(CODE, unit_obj.code)
            links["talents"] = bases["talents"].replace(CODE, unit_obj.code)
            links["unit"] = bases["village"].replace(CODE, unit_obj.code) + suffix
        else:
            target = bases["township"].replace(CODE, unit_obj.code) + suffix
            links = {"unit": target}
        out[unit_obj.pk] = links
    return out


def total_links(frame: Frame, *, village_code: str = "", township_code: str = "") -> dict:
    """The totals row opens the lists of every village in view: one village, a township, or all."""
    return issue_links(frame, village_code, township_code)


def ranking_table(rows, total, frame: Frame, *, unit: str, query, keys, total_place: dict) -> dict:
    """The ranking table as the template lays it out: each row's link, and each cell's value and link."""
    by_unit = row_links(rows, frame, unit=unit, query=query)

    def cells(row, links):
        return [
            {
                "key": key,
                "value": row[key],
                "link": links.get(key),
                "html": _cell_html(row[key], links.get(key)),
            }
            for key in keys
        ]

    return {
        "rows": [
            {
                "unit": row["unit"],
                "link": by_unit[row["unit"].pk]["unit"],
                "cells": cells(row, by_unit[row["unit"].pk]),
            }
            for row in rows
        ],
        "total": {"cells": cells(total, total_links(frame, **total_place))},
    }


def _cell_html(value, link):
    """A cell's markup, as the template would write it (a dash for no figure); built here because the
    ranking has hundreds of cells and a template's tags per cell were a fifth of the dashboard's time."""
    if value is None:
        return "—"
    if link:
        return format_html('<a href="{}">{}</a>', link, localize(value))
    return conditional_escape(localize(value))
