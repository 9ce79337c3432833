"""Display helpers shared by the tables and forms: percentages, sortable headers, checkbox groups, and
tables that stack into cards on a phone."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from html import unescape

from django import template
from django.forms import CheckboxSelectMultiple
from django.utils.html import escape
from django.utils.safestring import mark_safe

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


@register.filter(expects_localtime=True)
def ymd(value) -> str:
    """``|date:"Y-m-d"`` (a datetime in the current time zone): the same text without reading the format
    letter by letter on every call, as lists show one a row (issue 13)."""
    return _strftime(value, "%Y-%m-%d")


@register.filter(expects_localtime=True)
def ymd_hm(value) -> str:
    """``|date:"Y-m-d H:i"``, as `ymd`."""
    return _strftime(value, "%Y-%m-%d %H:%M")


def _strftime(value, pattern: str) -> str:
    if value in (None, ""):
        return ""
    try:
        return value.strftime(pattern)
    except (AttributeError, ValueError):
        return ""


@register.filter
def is_multi_checkbox(bound_field) -> bool:
    return isinstance(bound_field.field.widget, CheckboxSelectMultiple)


# --- stacked tables: a table on a desktop, one card per row on a phone ----------------------------

_SECTION = re.compile(r"<(thead|tbody|tfoot)\b[^>]*>(.*?)</\1\s*>", re.S | re.I)
_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr\s*>", re.S | re.I)
_HEAD_CELL = re.compile(r"<th\b([^>]*)>(.*?)</th\s*>", re.S | re.I)
_CELL_OPEN = re.compile(r"<(td|th)\b([^>]*)>", re.I)
_TABLE_OPEN = re.compile(r"<table\b([^>]*)>", re.I)
_TAG = re.compile(r"<[^>]*>")
_COLSPAN = re.compile(r"""\bcolspan\s*=\s*["']?(\d+)""", re.I)
_CLASS = re.compile(r"""\bclass\s*=\s*(["'])(.*?)\1""", re.I | re.S)
_SORT_ARROWS = str.maketrans("", "", "▲▼▴▾")


def _span(attrs: str) -> int:
    if not attrs:
        return 1
    found = _COLSPAN.search(attrs)
    return max(1, int(found.group(1))) if found else 1


def _add_class(attrs: str, name: str) -> str:
    found = _CLASS.search(attrs)
    if found:
        quote, value = found.group(1), found.group(2)
        return attrs[: found.start()] + f"class={quote}{value} {name}{quote}" + attrs[found.end() :]
    return f' class="{name}"' + attrs


def _column_labels(html: str) -> list[str]:
    """The text of each column's header, from the first row of <thead> (colspans repeated)."""
    for section in _SECTION.finditer(html):
        if section.group(1).lower() != "thead":
            continue
        row = _ROW.search(section.group(2))
        if not row:
            return []
        labels = []
        for cell in _HEAD_CELL.finditer(row.group(1)):
            text = " ".join(unescape(_TAG.sub(" ", cell.group(2))).translate(_SORT_ARROWS).split())
            labels.extend([text] * _span(cell.group(1)))
        return labels
    return []


def _label_row(row: str, labels: list[str], title: int) -> str:
    """Each body cell of one row gets its column's label (given escaped); a cell spanning every column gets
    none."""
    out, last, column = [], 0, 0
    for cell in _CELL_OPEN.finditer(row):
        name, attrs = cell.group(1), cell.group(2)
        span = _span(attrs)
        if span < len(labels) and "data-label" not in attrs.lower():
            label = labels[column] if column < len(labels) else ""
            attrs = f' data-label="{label}"' + attrs
            if column == title:
                attrs = _add_class(attrs, "stack-title")
        out.append(row[last : cell.start()] + f"<{name}{attrs}>")
        last = cell.end()
        column += span
    out.append(row[last:])
    return "".join(out)


def stack_table(html: str, title: int = 1) -> str:
    """Mark a rendered <table> to stack on a phone: class ``stack`` and a ``data-label`` on each cell.

    The labels are the column headers' text, so a phone shows each value beside its name (the CSS reads
    ``attr(data-label)``); column `title` (1-based) heads each card. Only the table's own header row is
    read: a table without <thead> is returned unchanged.
    """
    labels = _column_labels(html)
    if not labels:
        return html
    opened = _TABLE_OPEN.search(html)
    if opened:
        start = f"<table{_add_class(opened.group(1), 'stack')}>"
        html = html[: opened.start()] + start + html[opened.end() :]

    escaped = [escape(label) for label in labels]  # once, not once a cell

    def body(section: re.Match) -> str:
        if section.group(1).lower() == "thead":
            return section.group(0)
        return _ROW.sub(lambda row: _label_row(row.group(0), escaped, title - 1), section.group(0))

    return _SECTION.sub(body, html)


class StackTableNode(template.Node):
    def __init__(self, nodelist, title):
        self.nodelist, self.title = nodelist, title

    def render(self, context):
        title = int(self.title.resolve(context)) if self.title is not None else 1
        return mark_safe(stack_table(self.nodelist.render(context), title))  # noqa: S308 — our own rendered HTML


@register.tag
def stacktable(parser, token):
    """``{% stacktable [title=N] %}<table>…</table>{% endstacktable %}``: see `stack_table`."""
    bits = token.split_contents()[1:]
    title = None
    for bit in bits:
        key, _, value = bit.partition("=")
        if key != "title" or not value:
            raise template.TemplateSyntaxError("stacktable takes only title=N")
        title = parser.compile_filter(value)
    nodelist = parser.parse(("endstacktable",))
    parser.delete_first_token()
    return StackTableNode(nodelist, title)


def local_ymd(moment, pattern: str = "%Y-%m-%d", tz=None) -> str:
    """``|date:"Y-m-d"`` of a moment in the current time zone (or ``tz``), for tables written in Python.
    A table of 50 rows writes 150 dates: it passes the time zone it looked up once (``current_tz()``);
    the look-up and ``strftime`` were 17 µs a date, 5 % of a district's list (issue 13)."""
    if not moment:
        return ""
    local = moment.astimezone(tz or current_tz())
    if pattern == "%Y-%m-%d":
        return f"{local.year:04d}-{local.month:02d}-{local.day:02d}"
    return local.strftime(pattern)


def current_tz():
    """The current time zone, looked up once for a table's dates."""
    from django.utils import timezone

    return timezone.get_current_timezone()


def stacked_table(columns, rows, *, empty: str, css: str, title: int = 1) -> str:
    """A table written in Python as ``{% stacktable title=N %}`` would mark the template's: class ``stack``,
    every body cell labelled with its column's name, column ``title`` (1-based) heading each card on a phone.
    ``rows``: (the row's opening tag or None, its cells already escaped); ``empty``: the one row's text when
    there are none. Lists of 25–50 rows written through the template engine and read again by
    ``stack_table`` were half of their pages' time (issue 13)."""
    labels = [f' data-label="{escape(c)}"' for c in columns]
    labels[title - 1] += ' class="stack-title"'
    body = [
        (row_open or "<tr>")
        + "".join(f"<td{label}>{cell}</td>" for label, cell in zip(labels, cells, strict=True))
        + "</tr>"
        for row_open, cells in rows
    ] or [f'<tr><td colspan="{len(columns)}">{escape(empty)}</td></tr>']
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in columns)
    css = f"{css} stack" if css else "stack"
    return mark_safe(  # noqa: S308 — every cell escaped by the caller, the labels here
        f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


@register.filter
def listing(values) -> str:
    """Joins a list with the language's separator (、 in Chinese, a comma in English); text is escaped."""
    from django.utils.html import conditional_escape

    from core.text import listing as join

    return join(conditional_escape(v) for v in values)
