"""Display helpers for the registries: money in 万元/亿元, areas in 亩, shares and income classes."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from projects.selectors import IncomeClass

register = template.Library()

YI = Decimal("100000000")
WAN = Decimal("10000")


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None


def _trim(value: Decimal, places: int) -> str:
    """Rounded to at most `places` decimals, trailing zeros dropped, thousands grouped."""
    q = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{q:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@register.filter
def money(value) -> str:
    """An amount of yuan for reading: 2.1亿元, 612万元, 8,000元 in Chinese; ¥6,120,000 in English."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    if (get_language() or "").startswith("zh"):
        if abs(amount) >= YI:
            return _("%(amount)s hundred million yuan") % {"amount": _trim(amount / YI, 2)}
        if abs(amount) >= WAN:
            return _("%(amount)s ten thousand yuan") % {"amount": _trim(amount / WAN, 2)}
        return _("%(amount)s yuan") % {"amount": _trim(amount, 2)}
    if amount == amount.to_integral_value():
        return f"¥{amount:,.0f}"
    return f"¥{amount:,.2f}"


@register.filter
def yuan(value) -> str:
    """An exact amount with grouped thousands and two decimals: 6,200,000.00."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    return f"{amount:,.2f}"


@register.filter
def mu(value) -> str:
    """An area: 5,200亩 / 5,200 mu."""
    area = _decimal(value)
    if area is None:
        return "—"
    return pgettext("area", "%(area)s mu") % {"area": _trim(area, 2)}


@register.filter
def pct(value) -> str:
    number = _decimal(value)
    if number is None:
        return "—"
    return f"{_trim(number, 1)}%"


@register.filter
def signed_pct(value) -> str:
    number = _decimal(value)
    if number is None:
        return "—"
    return f"{'+' if number > 0 else ''}{_trim(number, 1)}%"


@register.filter
def whole(value) -> int:
    """A progress percentage as a whole number for <progress> and <meter>."""
    number = _decimal(value)
    return int(number.to_integral_value(rounding=ROUND_HALF_UP)) if number is not None else 0


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


# --- navigation ----------------------------------------------------------------------------------


@register.inclusion_tag("projects/_nav.html", takes_context=True)
def registry_nav(context, section: str, village=None):
    """The registries' sub-navigation, for one village or for every village the user sees."""
    from talent.permissions import can_view_talent_registry
    from talent.selectors import talent_villages

    user = context["request"].user
    if village is not None:
        can_talent = can_view_talent_registry(user, village)
    else:
        can_talent = talent_villages(user).exists()
    return {"village": village, "section": section, "can_talent": can_talent}


@register.inclusion_tag("projects/_village_registries.html", takes_context=True)
def village_registry_links(context, village):
    """The workspace village page's registries card: counts and links."""
    from projects.permissions import can_edit_registry
    from projects.selectors import registry_counts
    from talent.models import Talent
    from talent.permissions import can_view_talent_registry

    user = context["request"].user
    can_talent = can_view_talent_registry(user, village)
    return {
        "village": village,
        "counts": registry_counts(village),
        "can_edit": can_edit_registry(user, village),
        "can_talent": can_talent,
        "talent_count": Talent.objects.filter(village=village).count() if can_talent else None,
    }


@register.inclusion_tag("projects/_township_registries.html", takes_context=True)
def township_registry_links(context):
    """Links to the township-wide registry lists, for users who see more than one village or are officials."""
    from accounts.selectors import scope_for
    from talent.selectors import talent_villages

    user = context["request"].user
    scope = scope_for(user)
    show = bool(scope.township_ids) or len(scope.village_roles) > 1
    return {"show": show, "can_talent": show and talent_villages(user).exists()}


@register.simple_tag(takes_context=True)
def sort_url(context, key: str) -> str:
    """This list ordered by `key`, or reversed when it already is; filters kept, back to page one."""
    query = context["request"].GET.copy()
    query["o"] = f"-{key}" if query.get("o") == key else key
    query.pop("page", None)
    return "?" + query.urlencode()


@register.simple_tag(takes_context=True)
def aria_sort(context, key: str) -> str:
    current = context["request"].GET.get("o", "")
    if current == key:
        return "ascending"
    if current == f"-{key}":
        return "descending"
    return "none"


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


@register.filter
def is_multi_checkbox(bound_field) -> bool:
    from django.forms import CheckboxSelectMultiple

    return isinstance(bound_field.field.widget, CheckboxSelectMultiple)
