import datetime as dt
import zipfile
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import translation

from sawt.imports.problems import ImportFailed, ProblemCollector
from sawt.imports.readers import detect_encoding, open_table
from sawt.imports.tests.helpers import write_xlsx

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def read(path: Path) -> tuple[list[str], list[tuple[int, dict]], ProblemCollector]:
    problems = ProblemCollector()
    with open_table(path, problems=problems) as table:
        return table.header, list(table.records()), problems


def refusal(path: Path) -> list[str]:
    with pytest.raises(ImportFailed) as caught:
        *_, problems = read(path)
        problems.raise_if_any()
    return caught.value.lines()


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("utf8.csv", "utf-8-sig"),
        ("utf8_bom.csv", "utf-8-sig"),
        ("cp1256.csv", "cp1256"),
        ("utf16.txt", "utf-16"),
    ],
)
def test_detect_encoding(name, encoding):
    assert detect_encoding(FIXTURES / name) == encoding


@pytest.mark.parametrize(
    "name", ["utf8.csv", "utf8_bom.csv", "cp1256.csv", "utf16.txt", "semicolon.csv"]
)
def test_every_accepted_encoding_and_separator_reads_the_same(name):
    header, rows, problems = read(FIXTURES / name)
    # Column names are trimmed, lower-cased and freed of the BOM.
    assert header == ["respondent_id", "المنطقة", "q1"]
    assert [(n, r["respondent_id"], r["المنطقة"]) for n, r in rows] == [
        (2, "R1", "الرياض"),
        (3, "R2", "جدة"),
    ]
    assert not problems


def test_row_numbers_are_the_spreadsheet_rows_not_the_text_lines():
    _, rows, _ = read(FIXTURES / "multiline.csv")
    assert [(n, r["id"]) for n, r in rows] == [(2, "A"), (4, "B")]
    assert rows[0][1]["text"] == "سطر أول\nسطر ثانٍ"


def test_xlsx_keeps_dates_as_dates_and_numbers_as_numbers(tmp_path):
    path = write_xlsx(
        tmp_path / "book.xlsx",
        [
            ["ID", "when", "q1"],
            ["R1", dt.datetime(2022, 6, 15, 9, 30), 4],
            [None, None, None],
            ["R2", dt.date(2022, 6, 16), "٥"],
        ],
    )
    header, rows, problems = read(path)
    assert not problems
    assert header == ["id", "when", "q1"]
    assert rows == [
        (2, {"id": "R1", "when": dt.datetime(2022, 6, 15, 9, 30), "q1": 4}),
        (4, {"id": "R2", "when": dt.datetime(2022, 6, 16, 0, 0), "q1": "٥"}),
    ]


def test_xlsx_booleans_are_text_never_numbers(tmp_path):
    path = write_xlsx(tmp_path / "book.xlsx", [["id", "q1"], ["R1", True]])
    assert read(path)[1] == [(2, {"id": "R1", "q1": "TRUE"})]


def test_xlsx_is_parsed_with_defusedxml():
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML


def test_missing_file():
    assert refusal(FIXTURES / "nothing-here.csv")[1] == "The file “nothing-here.csv” was not found."


@override_settings(SAWT_IMPORT_MAX_BYTES=10)
def test_file_over_the_size_limit():
    assert refusal(FIXTURES / "utf8.csv")[1] == (
        "The file is too large (0.0 MB); the limit is 0.0 MB."
    )


@override_settings(SAWT_IMPORT_MAX_UNPACKED_BYTES=2 * 1024**2)
def test_workbook_that_unpacks_beyond_the_limit_is_refused_before_parsing(tmp_path):
    path = tmp_path / "big.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (3 * 1024**2))
    assert refusal(path)[1] == "The workbook unpacks to 3.0 MB, over the limit of 2.0 MB."


def test_workbook_part_packed_like_a_zip_bomb_is_refused_before_parsing(tmp_path):
    # A zip bomb in miniature: 3 MB of zeros compress to a few kilobytes.
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (3 * 1024**2))
    assert refusal(path)[1] == (
        "The workbook part “xl/worksheets/sheet1.xml” unpacks to 3.0 MB from 0.0 MB, over 100 "
        "times its packed size, as zip bombs do. Save it again from a spreadsheet program, or "
        "as CSV UTF-8, and try again."
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "err_old.xls",
            "This is an old Excel workbook (.xls). Save it as XLSX or as CSV UTF-8 and try again.",
        ),
        ("err_not_a_workbook.xlsx", "The file is named like an XLSX workbook but is not one."),
        ("err_damaged.xlsx", "The XLSX workbook is damaged and cannot be opened."),
        ("err_zip_not_workbook.xlsx", "The XLSX workbook is damaged and cannot be opened."),
        (
            "err_damaged_utf8.csv",
            "The file is saved as UTF-8 but has bytes that are not UTF-8 near line 3. "
            "Save it again as CSV UTF-8.",
        ),
        (
            "err_first_row_empty.csv",
            "row 1: The first row must hold the column names, but it is empty.",
        ),
        (
            "err_duplicate_column.csv",
            "row 1, column text: This column name appears more than once in the first row.",
        ),
        (
            "err_extra_cells.csv",
            "row 2: This row has more cells than the first row has column names.",
        ),
    ],
)
def test_file_level_errors(name, message):
    lines = refusal(FIXTURES / name)
    assert lines == ["The file was not imported because of 1 problem; nothing was saved.", message]


def test_a_csv_cell_over_the_field_limit_names_its_row(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("id,text\nA,short\nB," + "x" * 200_000 + "\n", encoding="utf-8")
    assert refusal(path)[1] == (
        "row 3: This row cannot be read as CSV (field larger than field limit (131072))."
    )


def test_progress_counting_reads_the_same_rows(tmp_path, capsys):
    problems = ProblemCollector()
    with open_table(FIXTURES / "multiline.csv", problems=problems, progress=True) as table:
        rows = list(table.rows())
    assert [n for n, _ in rows] == [2, 4]
    # The bar waits a second before showing, so a small file prints nothing at all.
    assert capsys.readouterr() == ("", "")


def test_a_workbook_with_xml_entities_is_refused(tmp_path):
    # "Billion laughs": entity expansion in the sheet XML must never be carried out.
    plain = write_xlsx(tmp_path / "plain.xlsx", [["id", "q1"], ["R1", 4]])
    hostile = tmp_path / "hostile.xlsx"
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(hostile, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = bomb.encode()
            target.writestr(item, data)
    # defusedxml stops at the entity declarations, before the first row.
    assert refusal(hostile)[1] == "The XLSX workbook is damaged and cannot be opened."
