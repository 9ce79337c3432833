"""What each chart draws, as plain data for the static script (the same numbers as the tables beside)."""

from django.utils.encoding import force_str
from django.utils.translation import gettext as _

from dashboards.selectors import DISPUTE_LABELS
from roundtable.workflow import stage_name


def _num(value):
    return None if value is None else float(value)


def chart_data(data: dict, *, unit: str) -> list[dict]:
    """One entry per chart: id, title, categories, series [{name, data, stack?}], horizontal?"""
    steps = [stage_name(row["stage"]) for row in data["steps"]]
    issues = data["issues"]
    names = [row["unit"].name for row in data["rows"]]
    charts = [
        {
            "id": "chart-stages",
            "title": _("Open matters by step"),
            "categories": steps,
            "series": [
                {"name": _("open"), "data": list(issues["by_stage"].values())},
                {"name": _("overdue"), "data": list(issues["overdue_by_stage"].values())},
            ],
        },
        {
            "id": "chart-steps",
            "title": _("Days in each step"),
            "categories": steps,
            "series": [
                {"name": _("median days"), "data": [_num(r["median"]) for r in data["steps"]]},
                {"name": _("90th percentile days"), "data": [_num(r["p90"]) for r in data["steps"]]},
            ],
        },
        {
            "id": "chart-ranking",
            "title": _("Matters raised and closed"),
            "categories": names,
            "horizontal": True,
            "series": [
                {"name": _("raised"), "data": [r["raised"] for r in data["rows"]]},
                {"name": _("closed"), "data": [r["closed"] for r in data["rows"]]},
            ],
        },
        {
            "id": "chart-satisfaction",
            "title": _("Satisfaction ratings"),
            "categories": [str(n) for n in range(1, 6)],
            "series": [{"name": _("ratings"), "data": list(data["ratings"]["distribution"].values())}],
        },
        {
            "id": "chart-disputes",
            "title": _("Disputes and petitions resolved"),
            "categories": [row["month"].strftime("%Y-%m") for row in data["disputes"]],
            "series": [
                {"name": force_str(label), "data": [row[kind] for row in data["disputes"]], "stack": "d"}
                for kind, label in DISPUTE_LABELS.items()
            ],
        },
        {
            "id": "chart-funds",
            "title": _("Funds intended and landed"),
            "categories": [force_str(r["label"]) for r in data["registry"].funds_by_source],
            "series": [
                {
                    "name": _("intended"),
                    "data": [_num(r["intended"]) for r in data["registry"].funds_by_source],
                },
                {"name": _("landed"), "data": [_num(r["landed"]) for r in data["registry"].funds_by_source]},
            ],
        },
    ]
    return charts
