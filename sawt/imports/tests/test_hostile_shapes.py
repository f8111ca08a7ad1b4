"""One test per hostile shape a reader refuses or reads cheaply (the timing aim is in
test_hostile_files.py); each failed on the readers as they were (traceback, or minutes)."""

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import translation

from sawt.imports import readers, xlsx
from sawt.imports.problems import ImportFailed, ProblemCollector
from sawt.imports.readers import open_table
from sawt.imports.tests.helpers import write_xlsx
from sawt.imports.tests.hostile import number_cell, text_cell, write_xlsx_parts, xlsx_row
from sawt.imports.yamldoc import load_yaml


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def read(path: Path) -> tuple[list[str], list[tuple[int, list]], ProblemCollector]:
    problems = ProblemCollector()
    with open_table(path, problems=problems) as table:
        return table.header, [(n, list(c)) for n, c in table.rows()], problems


def refusal(path: Path) -> list[str]:
    with pytest.raises(ImportFailed) as caught:
        *_, problems = read(path)
        problems.raise_if_any()
    return caught.value.lines()


def yaml_refusal(path: Path) -> list[str]:
    with pytest.raises(ImportFailed) as caught:
        load_yaml(path, ProblemCollector(unit="line"))
    return caught.value.lines()


# --- XLSX -----------------------------------------------------------------------------------


def test_rows_keep_the_numbers_the_sheet_gives_them(tmp_path):
    path = write_xlsx_parts(
        tmp_path / "gaps.xlsx",
        ["id", "q1"],
        [xlsx_row([text_cell("A"), number_cell(4)], 7), "<row/>", xlsx_row([text_cell("B")])],
    )
    assert read(path)[1] == [(7, ["A", 4]), (9, ["B", None])]


def test_a_row_far_beyond_the_last_one_is_refused_at_once(tmp_path):
    path = write_xlsx_parts(
        tmp_path / "far.xlsx", ["id"], [xlsx_row([text_cell("A")], 999_999_999)]
    )
    assert refusal(path)[1] == (
        "The sheet has a row numbered 999,999,999, but a sheet has at most 1,048,576 rows: the "
        "workbook is damaged."
    )


def test_rows_out_of_order_are_refused(tmp_path):
    rows = [xlsx_row([text_cell("A")], 5), xlsx_row([text_cell("B")], 5)]
    path = write_xlsx_parts(tmp_path / "order.xlsx", ["id"], rows)
    assert refusal(path)[1] == (
        "row 5: The rows of the sheet are out of order after row 5: the workbook is damaged."
    )


def test_a_cell_beyond_the_last_column_is_refused(tmp_path):
    path = write_xlsx_parts(
        tmp_path / "wide.xlsx", ["id"], [xlsx_row(['<c r="XFE2"><v>1</v></c>'], 2)]
    )
    assert refusal(path)[1] == (
        "row 2: Row 2 has a cell beyond column XFD, the last a sheet can have: the workbook is "
        "damaged."
    )


def test_a_far_filled_cell_is_one_problem_and_blank_far_cells_cost_nothing(tmp_path):
    rows = [
        xlsx_row([text_cell("A"), '<c r="XFD2" t="inlineStr"><is><t> </t></is></c>'], 2),
        xlsx_row([text_cell("B"), '<c r="XFD3"><v>1</v></c>'], 3),
    ]
    _, read_rows, problems = read(write_xlsx_parts(tmp_path / "far.xlsx", ["id"], rows))
    assert read_rows == [(2, ["A"])]
    assert [(p.row, p.message) for p in problems.problems] == [
        (3, "This row has more cells than the first row has column names.")
    ]


def test_a_blank_first_row_is_an_empty_header(tmp_path):
    path = write_xlsx_parts(tmp_path / "late.xlsx", [], [xlsx_row([text_cell("id")], 2)])
    assert refusal(path)[1] == "row 1: The first row must hold the column names, but it is empty."


@override_settings(SAWT_IMPORT_MAX_PROBLEMS=3)
def test_reading_a_sheet_stops_at_the_problem_limit(tmp_path):
    rows = [xlsx_row([text_cell("A"), text_cell("x"), text_cell("extra")])] * 1000
    path = write_xlsx_parts(tmp_path / "bad.xlsx", ["id", "q1"], rows)
    lines = refusal(path)
    assert lines[0] == (
        "The file was not imported: reading stopped at row 4 after 3 problems, so the rows "
        "after it were not checked; nothing was saved."
    )


def test_too_many_parts_are_refused_from_the_zip_end_record(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_PARTS", 20)
    path = write_xlsx_parts(tmp_path / "parts.xlsx", ["id"], [], members=30)
    assert refusal(path)[1] == (
        "The workbook is made of 35 parts, far more than a workbook has (at most 20 are read). "
        "Save it again from a spreadsheet program, or as CSV UTF-8, and try again."
    )


def test_a_sheet_denser_than_any_spreadsheet_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx, "ELEMENTS_FLOOR", 0)
    path = write_xlsx_parts(tmp_path / "dense.xlsx", ["id"], ["<row>" + "<c/>" * 5000 + "</row>"])
    assert "cells and other XML elements" in refusal(path)[1]


def test_styles_shared_strings_and_booleans_read_as_before(tmp_path):
    # Written by openpyxl: shared strings, a date style, a boolean.
    path = write_xlsx(
        tmp_path / "book.xlsx",
        [["id", "when", "flag"], ["R1", dt.datetime(2022, 6, 15, 9, 30), True]],
    )
    assert read(path)[1] == [(2, ["R1", dt.datetime(2022, 6, 15, 9, 30), "TRUE"])]


def test_rich_text_shared_strings_join_their_runs_and_leave_phonetics_out(tmp_path):
    shared = [
        "<si><t>id</t></si><si><r><rPr><b/></rPr><t>نص </t></r><r><t>غامق</t></r>"
        "<rPh><t>x</t></rPh></si>"
    ]
    rows = ['<row r="2"><c t="s"><v>1</v></c></row>']
    path = write_xlsx_parts(tmp_path / "rich.xlsx", [], [], shared=shared)
    # The header row is written inline by the helper: rebuild with shared strings only.
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(tmp_path / "r.xlsx", "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                head = data[: data.index(b"<sheetData>") + len(b"<sheetData>")]
                data = head + b'<row r="1"><c t="s"><v>0</v></c></row>'
                data += rows[0].encode() + b"</sheetData></worksheet>"
            target.writestr(item, data)
    assert read(tmp_path / "r.xlsx")[:2] == (["id"], [(2, ["نص غامق"])])


# --- CSV ------------------------------------------------------------------------------------


def test_a_csv_line_longer_than_any_row_is_refused_without_reading_it_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_LINE_CHARS", 100)
    path = tmp_path / "line.csv"
    path.write_text("id,text\nA,short\n" + "x," * 100 + "\n", encoding="utf-8")
    assert refusal(path)[1] == (
        "row 3: This row has a line longer than 100 characters, far longer than a table's row; "
        "the file is not a table."
    )


def test_a_header_wider_than_a_spreadsheet_is_refused(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{n}" for n in range(16_385)) + "\n", encoding="utf-8")
    assert refusal(path)[1] == (
        "row 1: The first row has 16,385 columns; a table has at most 16,384."
    )


# --- YAML -----------------------------------------------------------------------------------


def test_yaml_anchors_and_aliases_are_refused_before_anything_expands(tmp_path):
    path = tmp_path / "laughs.yaml"
    path.write_text('a: &a ["lol", "lol"]\nb: [*a, *a]\n', encoding="utf-8")
    assert yaml_refusal(path)[1] == (
        "line 1: Anchors and aliases (&name, *name) are not allowed in a journey definition; "
        "write each value out in full."
    )


def test_yaml_nested_deeper_than_a_definition_is_refused(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("".join(" " * n + "a:\n" for n in range(30)) + " " * 30 + "b\n", "utf-8")
    assert yaml_refusal(path)[1] == (
        "line 21: The file is nested more than 20 levels deep; a journey definition needs four."
    )


def test_yaml_with_more_values_than_a_definition_is_refused(tmp_path):
    path = tmp_path / "wide.yaml"
    path.write_text("questions: [" + "1, " * 25_000 + "1]\n", encoding="utf-8")
    assert yaml_refusal(path)[1] == (
        "line 1: The file holds more than 20,000 values (keys, items and texts); a journey "
        "definition holds far fewer. Check that this is the right file."
    )


def test_a_very_long_key_is_shown_cut_short(tmp_path):
    path = tmp_path / "key.yaml"
    path.write_text("? " + "k" * 5000 + "\n: 1\n", encoding="utf-8")
    _, lines = load_yaml(path, ProblemCollector(unit="line"))
    assert list(lines) == ["", "k" * 59 + "…"]
