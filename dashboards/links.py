"""Where each number of the ranking table leads: the filtered list that it counts."""

from urllib.parse import urlencode

from django.urls import reverse

from dashboards.selectors import UNIT_VILLAGE, Frame


def _period_params(frame: Frame) -> dict:
    params = {"raised_from": frame.period.start.isoformat(), "raised_to": frame.period.end.isoformat()}
    if frame.category:
        params["category"] = frame.category
    return params


def issue_links(frame: Frame, village_code: str = "", township_code: str = "") -> dict:
    """The issue and meeting lists behind raised, open, overdue, closed, escalated and meetings held."""
    base = reverse("dashboards:issues")
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
        "held": reverse("dashboards:meetings")
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


def row_links(rows: list[dict], frame: Frame, *, unit: str, query) -> dict:
    """Per row (by unit pk): a village's numbers open its lists; a township's open its own dashboard."""
    out = {}
    for row in rows:
        unit_obj = row["unit"]
        if unit == UNIT_VILLAGE:
            links = issue_links(frame, unit_obj.code)
            links["landed"] = reverse("projects:village_list", kwargs={"code": unit_obj.code})
            links["talents"] = reverse("talent:village_list", kwargs={"code": unit_obj.code})
            links["unit"] = reverse("dashboards:village", kwargs={"code": unit_obj.code}) + (
                f"?{query.urlencode()}" if query else ""
            )
        else:
            target = reverse("dashboards:township", kwargs={"code": unit_obj.code})
            target += f"?{query.urlencode()}" if query else ""
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
        return [{"key": key, "value": row[key], "link": links.get(key)} for key in keys]

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
