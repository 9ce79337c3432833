"""Display helpers for the project registries: money in 万元/亿元, areas in 亩, income classes and chart."""

from decimal import Decimal

from django import template
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from core.templatetags.tables import to_decimal, trim
from projects.selectors import IncomeClass

register = template.Library()

YI = Decimal("100000000")
WAN = Decimal("10000")


@register.filter
def money(value) -> str:
    """An amount of yuan for reading: 2.1亿元, 612万元, 8,000元 in Chinese; ¥6,120,000 in English."""
    amount = to_decimal(value)
    if amount is None:
        return "—"
    if (get_language() or "").startswith("zh"):
        if abs(amount) >= YI:
            return _("%(amount)s hundred million yuan") % {"amount": trim(amount / YI, 2)}
        if abs(amount) >= WAN:
            return _("%(amount)s ten thousand yuan") % {"amount": trim(amount / WAN, 2)}
        return _("%(amount)s yuan") % {"amount": trim(amount, 2)}
    if amount == amount.to_integral_value():
        return f"¥{amount:,.0f}"
    return f"¥{amount:,.2f}"


@register.filter
def yuan(value) -> str:
    """An exact amount with grouped thousands and two decimals: 6,200,000.00."""
    amount = to_decimal(value)
    if amount is None:
        return "—"
    return f"{amount:,.2f}"


@register.filter
def mu(value) -> str:
    """An area: 5,200亩 / 5,200 mu."""
    area = to_decimal(value)
    if area is None:
        return "—"
    return pgettext("area", "%(area)s mu") % {"area": trim(area, 2)}


@register.filter
def income_label(cls: str) -> str:
    labels = {
        IncomeClass.SHELL: _("shell village"),
        IncomeClass.WEAK: _("weak village"),
        IncomeClass.SOUND: _("100,000 yuan or more"),
    }
    return labels.get(cls, "")


@register.filter
def income_badge(cls: str) -> str:
    return {
        IncomeClass.SHELL: "badge",
        IncomeClass.WEAK: "badge badge-warn",
        IncomeClass.SOUND: "badge badge-ok",
    }.get(cls, "badge badge-quiet")


@register.inclusion_tag("projects/_income_chart.html")
def income_chart(trend: list[dict]):
    """An inline SVG bar chart of a village's collective income (no script, nothing from elsewhere)."""
    slot, top, height = 64, 22, 120
    bars = []
    for i, row in enumerate(trend):
        h = round(height * row["height"] / 100)
        bars.append(
            {
                **row,
                "x": i * slot + 12,
                "y": top + height - h,
                "h": max(h, 1),
                "cx": i * slot + 32,
                "label_y": top + height - h - 6,
            }
        )
    return {
        "bars": bars,
        "width": max(len(trend), 1) * slot + 8,
        "base": top + height,
        "year_y": top + height + 18,
    }
