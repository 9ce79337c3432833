"""Spreadsheets in and out: CSV and XLSX exports, import templates, and reading uploaded tables.

Shared by the project and talent registries. Exports neutralise cells that a spreadsheet would run as a
formula (CSV/formula injection); imports map headers in either language, or the column keys, to keys.
"""

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

MAX_IMPORT_ROWS = 2000
MAX_IMPORT_BYTES = 5 * 1024 * 1024
# Blank rows count too, up to this many; and what the workbook may unpack to.
MAX_IMPORT_SCANNED_ROWS = 20 * MAX_IMPORT_ROWS
MAX_XLSX_UNPACKED_BYTES = 20 * 1024 * 1024
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"')
_UNIQUE_STRINGS = re.compile(rb'uniqueCount="(\d+)"')
FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    """One column of a table: its key, its (lazily translated) header, how to read it off an object."""

    key: str
    label: object
    get: Callable | None = None
    required: bool = False
    help: object = ""

    def header(self) -> str:
        return f"{force_str(self.label)}{'*' if self.required else ''}"


# What a spreadsheet may run as a formula when a cell starts with it; fullwidth signs too, which
# spreadsheets in Chinese locales fold to their ASCII twins.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _value(value):
    """Cells as a spreadsheet should store them: numbers as numbers, dates as dates, the rest as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | Decimal | float | datetime.date):
        return value
    return force_str(value)


def _safe(value):
    """A CSV cell that no spreadsheet runs as a formula: an apostrophe before a formula sign.

    (CSV has no cell types; read_table takes the apostrophe off again, so an export re-imports unchanged.)
    """
    value = _value(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _text_cell(ws, value: str) -> WriteOnlyCell:
    """A text cell that stays text: openpyxl would take a value starting with "=" for a formula."""
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    return cell


def _header_cell(ws, value: str, font: Font) -> WriteOnlyCell:
    cell = _text_cell(ws, value)
    cell.font = font
    return cell


def table_response(*, columns: list[Column], rows: Iterable, fmt: str, filename: str) -> HttpResponse:
    """A CSV (UTF-8 with a BOM, which Excel needs for Chinese) or XLSX download of these rows."""
    headers = [c.header() for c in columns]
    values = ([_value(c.get(row) if c.get else row.get(c.key)) for c in columns] for row in rows)
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(headers)
        for line in values:
            writer.writerow([v.isoformat() if isinstance(v, datetime.date) else _safe(v) for v in line])
    elif fmt == "xlsx":
        # Write-only: rows go straight to the file instead of a grid of cell objects (50,000 issues in a
        # few seconds rather than forty).
        wb = Workbook(write_only=True)
        ws = wb.create_sheet(filename[:31])
        for i, column in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(column.header()) * 2 + 2))
        ws.freeze_panes = "A2"
        bold = Font(bold=True)
        ws.append([_header_cell(ws, header, bold) for header in headers])
        for line in values:
            ws.append([_text_cell(ws, v) if isinstance(v, str) and v.startswith("=") else v for v in line])
        buffer = io.BytesIO()
        wb.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    else:
        raise ValueError(fmt)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}.{fmt}"
    return response


def template_response(*, columns: list[Column], fmt: str, filename: str) -> HttpResponse:
    """An empty import template; the XLSX one has a second sheet explaining every column."""
    if fmt == "csv":
        return table_response(columns=columns, rows=[], fmt="csv", filename=filename)
    wb = Workbook()
    ws = wb.active
    ws.title = _("data")
    ws.append([c.header() for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(12, min(40, len(column.header()) * 2 + 2))
    notes = wb.create_sheet(_("how to fill in"))
    notes.append([_("column"), _("required"), _("what to enter")])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for column in columns:
        notes.append([force_str(column.label), _("yes") if column.required else "", force_str(column.help)])
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["C"].width = 90
    buffer = io.BytesIO()
    wb.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}.xlsx"
    return response


def _one_of(choices, extra="") -> str:
    text = _("One of: %(choices)s.") % {"choices": "、".join(force_str(label) for _v, label in choices)}
    return f"{text} {force_str(extra)}".strip()


one_of = lazy(_one_of, str)


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


# --- reading -----------------------------------------------------------------------------------


def _normalise(header) -> str:
    return force_str(header or "").strip().rstrip("*").strip().lower()


def header_map(columns: list[Column]) -> dict[str, str]:
    """Every accepted spelling of each header (key, Chinese, English) → the column key."""
    mapping = {}
    for column in columns:
        mapping[_normalise(column.key)] = column.key
        for language in ("zh-hans", "en"):
            with translation.override(language):
                mapping[_normalise(force_str(column.label))] = column.key
    return mapping


def _unquote(text: str) -> str:
    """A CSV cell as this portal exported it: the apostrophe before a formula sign taken off again."""
    if text[:1] == "'" and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return format(Decimal(str(value)).normalize(), "f")
    return str(value).strip()


def _too_many_rows() -> ValidationError:
    return ValidationError(
        _("At most %(n)s rows can be imported at once. Split the file and import it in parts.")
        % {"n": MAX_IMPORT_ROWS},
        code="too_many_rows",
    )


def _limited(rows: Iterable[list]) -> list[list]:
    """The non-blank rows, read only until there are more than the import takes (header + rows).

    A sheet of 340,000 rows is refused after reading about 2,000 of them, not after all.
    """
    table = []
    for seen, row in enumerate(rows, start=1):
        if seen > MAX_IMPORT_SCANNED_ROWS:
            raise _too_many_rows()
        if any(cell for cell in row):
            table.append(row)
            if len(table) > MAX_IMPORT_ROWS + 1:
                raise _too_many_rows()
    return table


def _xlsx_precheck(archive: zipfile.ZipFile) -> None:
    unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        # A few MB that unpack to hundreds: far more than the rows an import takes (or a zip bomb).
        raise _too_many_rows()
    # Before openpyxl parses anything (it reads every shared string up front): the sheets' own
    # dimension records and the shared strings' count, from the first bytes of each part.
    for info in archive.infolist():
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
            with archive.open(info) as part:
                found = _DIMENSION.search(part.read(4096))
            if found and int(found.group(1)) > MAX_IMPORT_SCANNED_ROWS:
                raise _too_many_rows()
        elif info.filename == "xl/sharedStrings.xml":
            with archive.open(info) as part:
                found = _UNIQUE_STRINGS.search(part.read(1024))
            if found and int(found.group(1)) > MAX_IMPORT_SCANNED_ROWS * 5:
                raise _too_many_rows()


def _xlsx_rows(data: bytes) -> list[list[str]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _xlsx_precheck(archive)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
        raise ValidationError(_("This file cannot be read as an Excel workbook (.xlsx).")) from exc
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors for a broken file
        raise ValidationError(_("This file cannot be read as an Excel workbook (.xlsx).")) from exc
    try:
        ws = wb.worksheets[0]
        return _limited([_cell(v) for v in row] for row in ws.iter_rows(values_only=True))
    except ValidationError:
        raise
    except Exception as exc:
        raise ValidationError(_("This file cannot be read as an Excel workbook (.xlsx).")) from exc
    finally:
        wb.close()


def read_table(upload, columns: list[Column], ignore: Iterable[Column] = ()) -> list[dict[str, str]]:
    """The uploaded CSV or XLSX as a list of {column key: text}; blank lines skipped.

    Columns in `ignore` (an export's extras) are skipped. Raises ValidationError for an unreadable
    file, unknown or missing required columns, or too many rows.
    """
    if upload.size > MAX_IMPORT_BYTES:
        raise ValidationError(_("The file is larger than 5 MB."))
    name = (upload.name or "").lower()
    data = upload.read(MAX_IMPORT_BYTES + 1)
    if name.endswith(".xlsx"):
        table = _xlsx_rows(data)
    elif name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValidationError(_("This CSV file is neither UTF-8 nor GBK encoded."))
        table = _limited(
            [_unquote(c.strip()) for c in row] for row in csv.reader(io.StringIO(text.replace("\0", "")))
        )
    else:
        raise ValidationError(_("Upload a .xlsx or .csv file."))
    if not table:
        raise ValidationError(_("The file is empty."))
    mapping = header_map(columns)
    ignored = set(header_map(list(ignore)))
    headers = table[0]
    keys, unknown = [], []
    for header in headers:
        key = mapping.get(_normalise(header))
        if header and key is None and _normalise(header) not in ignored:
            unknown.append(str(header))
        keys.append(key)
    if unknown:
        raise ValidationError(
            _("Unknown columns: %(names)s. Use the template's headers.") % {"names": "、".join(unknown)}
        )
    missing = [force_str(c.label) for c in columns if c.required and c.key not in keys]
    if missing:
        raise ValidationError(_("Required columns are missing: %(names)s.") % {"names": "、".join(missing)})
    rows = table[1:]
    out = []
    for row in rows:
        record = dict.fromkeys((c.key for c in columns), "")
        for key, value in zip(keys, row, strict=False):
            if key:
                record[key] = value
        out.append(record)
    return out


# --- form fields that read what people type into spreadsheets ----------------------------------

TRUE_WORDS = {"1", "y", "yes", "true", "是", "有", "√", "✓", "x"}
FALSE_WORDS = {"", "0", "n", "no", "false", "否", "无", "不是"}


def _choice_lookup(choices) -> dict[str, str]:
    lookup = {}
    for value, label in choices:
        lookup[str(value).lower()] = value
        for language in ("zh-hans", "en"):
            with translation.override(language):
                lookup[force_str(label).strip().lower()] = value
    return lookup


class LooseChoiceField(forms.CharField):
    """A choice typed as its code or its label in either language."""

    def __init__(self, *, choices, **kwargs):
        self.choices = list(choices)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return ""
        found = _choice_lookup(self.choices).get(value.strip().lower())
        if found is None:
            raise ValidationError(
                _("“%(value)s” is not one of: %(choices)s.")
                % {"value": value, "choices": "、".join(force_str(label) for _v, label in self.choices)}
            )
        return found


class LooseMultipleChoiceField(LooseChoiceField):
    """Several choices separated by 、 , ; or spaces."""

    def clean(self, value):
        value = forms.CharField.clean(self, value)
        parts = [p for p in _split(value) if p]
        lookup = _choice_lookup(self.choices)
        out, bad = [], []
        for part in parts:
            found = lookup.get(part.lower())
            (out if found else bad).append(found or part)
        if bad:
            raise ValidationError(
                _("“%(value)s” is not one of: %(choices)s.")
                % {
                    "value": "、".join(bad),
                    "choices": "、".join(force_str(label) for _v, label in self.choices),
                }
            )
        return list(dict.fromkeys(out))


def _split(value: str) -> list[str]:
    for sep in ("、", "，", ",", "；", ";", "/", "|"):
        value = value.replace(sep, " ")
    return [p.strip() for p in value.split()]


class LooseBooleanField(forms.CharField):
    """Yes or no typed as 是/否, yes/no, 1/0, Y/N; empty is no."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        value = (super().clean(value) or "").strip().lower()
        if value in TRUE_WORDS:
            return True
        if value in FALSE_WORDS:
            return False
        raise ValidationError(_("Enter 是 or 否 (yes or no)."))


class LooseDecimalField(forms.DecimalField):
    """A number that may carry thousands separators, spaces or a trailing 元/亩."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace(",", "").replace("，", "").replace(" ", "").rstrip("元亩").strip()
        return super().to_python(value)


DATE_INPUTS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d", "%Y-%m-%dT%H:%M:%S"]


class LooseDateField(forms.DateField):
    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_INPUTS)
        super().__init__(**kwargs)
