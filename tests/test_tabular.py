"""Spreadsheets: exports that re-import unchanged and run no formula; imports refused fast when too big."""

import csv
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook, load_workbook

from core import tabular
from core.tabular import Column, read_table, table_response

COLUMNS = [Column("name", "name", required=True), Column("note", "note")]
TRICKY = [
    '=HYPERLINK("http://evil")',
    "+8613912345678",
    "-3 亩",
    "@SUM(A1)",
    "＝1+1",
    "＋1",
    "－1",
    "＠x",
    "'quoted already",
    "普通文字",
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def rows():
    return [{"name": f"行{i}", "note": text} for i, text in enumerate(TRICKY)]


def test_xlsx_export_types_formula_like_text_as_text():
    response = table_response(columns=COLUMNS, rows=rows(), fmt="xlsx", filename="t")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells] == TRICKY
    assert {c.data_type for c in cells} == {"s"}


def test_xlsx_export_reimports_unchanged():
    response = table_response(columns=COLUMNS, rows=rows(), fmt="xlsx", filename="t")
    table = read_table(SimpleUploadedFile("t.xlsx", response.content), COLUMNS)
    assert table == rows()


def test_csv_export_neutralises_fullwidth_signs_and_reimports_unchanged():
    response = table_response(columns=COLUMNS, rows=rows(), fmt="csv", filename="t")
    text = response.content.decode("utf-8-sig")
    notes = [line[1] for line in csv.reader(io.StringIO(text))][1:]
    assert all(not n.startswith(tabular.FORMULA_STARTS) for n in notes)
    assert "'＝1+1" in notes and "'＠x" in notes
    table = read_table(SimpleUploadedFile("t.csv", response.content), COLUMNS)
    assert table == rows()


def big_xlsx(n_rows: int) -> bytes:
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet()
    sheet.append(["name", "note"])
    for i in range(n_rows):
        sheet.append([f"行{i}", "x"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_import_with_too_many_rows_refused_after_reading_only_the_allowed_rows(monkeypatch):
    read = []
    original = tabular._cell

    def counting(value):
        read.append(value)
        return original(value)

    monkeypatch.setattr(tabular, "_cell", counting)
    upload = SimpleUploadedFile("big.xlsx", big_xlsx(10_000))
    with pytest.raises(ValidationError, match="At most 2000 rows can be imported at once"):
        read_table(upload, COLUMNS)
    assert len(read) <= 2 * (tabular.MAX_IMPORT_ROWS + 2)


def test_csv_with_too_many_rows_refused():
    text = "name,note\n" + "".join(f"行{i},x\n" for i in range(tabular.MAX_IMPORT_ROWS + 1))
    with pytest.raises(ValidationError, match="At most 2000 rows"):
        read_table(SimpleUploadedFile("big.csv", text.encode()), COLUMNS)


def test_import_of_exactly_the_allowed_rows_accepted():
    table = read_table(SimpleUploadedFile("ok.xlsx", big_xlsx(tabular.MAX_IMPORT_ROWS)), COLUMNS)
    assert len(table) == tabular.MAX_IMPORT_ROWS


def test_workbook_that_unpacks_too_big_refused_before_parsing(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_XLSX_UNPACKED_BYTES", 1024 * 1024)

    def never(*args, **kwargs):
        raise AssertionError("parsed a workbook that unpacks too big")

    monkeypatch.setattr(tabular, "load_workbook", never)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (2 * 1024 * 1024))
    assert len(out.getvalue()) < 10_000
    with pytest.raises(ValidationError, match="At most 2000 rows"):
        read_table(SimpleUploadedFile("bomb.xlsx", out.getvalue()), COLUMNS)


def test_not_a_workbook_refused_with_a_message():
    with pytest.raises(ValidationError, match="cannot be read as an Excel workbook"):
        read_table(SimpleUploadedFile("x.xlsx", b"PK\x03\x04 not really"), COLUMNS)


def test_sheet_declaring_too_many_rows_refused_before_parsing(monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("parsed a workbook whose sheet declares too many rows")

    wb = Workbook()  # a normal workbook records its dimension (A1:B201)
    for i in range(201):
        wb.active.append([f"行{i}", "x"])
    out = io.BytesIO()
    wb.save(out)
    data = out.getvalue()
    monkeypatch.setattr(tabular, "MAX_IMPORT_SCANNED_ROWS", 150)
    monkeypatch.setattr(tabular, "load_workbook", never)
    with pytest.raises(ValidationError, match="At most 2000 rows"):
        read_table(SimpleUploadedFile("big.xlsx", data), COLUMNS)
