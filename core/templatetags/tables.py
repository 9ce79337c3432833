"""Display helpers shared by the registry tables and forms: percentages, sortable headers, checkbox groups."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.forms import CheckboxSelectMultiple

register = template.Library()


def to_decimal(value) -> Decimal | None:
    """The value as a Decimal, or None when it is empty or not a number."""
    if value is None or value == "":
        return None
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None


def trim(value: Decimal, places: int) -> str:
    """Rounded to at most `places` decimals, trailing zeros dropped, thousands grouped."""
    q = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{q:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@register.filter
def pct(value) -> str:
    number = to_decimal(value)
    if number is None:
        return "—"
    return f"{trim(number, 1)}%"


@register.filter
def signed_pct(value) -> str:
    number = to_decimal(value)
    if number is None:
        return "—"
    return f"{'+' if number > 0 else ''}{trim(number, 1)}%"


@register.filter
def whole(value) -> int:
    """A progress percentage as a whole number for <progress> and <meter>."""
    number = to_decimal(value)
    return int(number.to_integral_value(rounding=ROUND_HALF_UP)) if number is not None else 0


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


@register.filter
def is_multi_checkbox(bound_field) -> bool:
    return isinstance(bound_field.field.widget, CheckboxSelectMultiple)


@register.filter
def listing(values) -> str:
    """Joins a list with the language's separator (、 in Chinese, a comma in English); text is escaped."""
    from django.utils.html import conditional_escape

    from core.text import listing as join

    return join(conditional_escape(v) for v in values)
