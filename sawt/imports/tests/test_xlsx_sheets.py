"""Reading a sheet other than the first, by position or by name."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from tqdm import tqdm

from sawt.imports.problems import ImportFailed
from sawt.imports.xlsx import sheet_names, sheet_rows


def _book(path: Path) -> Path:
    book = Workbook()
    first = book.active
    first.title = "survey"
    first.append(["type", "name"])
    book.create_sheet("Choices").append(["list_name", "name", "label"])
    book.create_chartsheet("chart")
    book.create_sheet("settings").append(["form_id"])
    book.save(path)
    return path


def _read(path: Path, sheet: int | str | None) -> list[list[object]]:
    with tqdm(disable=True) as bar, sheet_rows(path, bar, sheet) as rows:
        return [cells for _number, cells in rows]


def test_sheets_are_named_in_order_without_chartsheets(tmp_path: Path) -> None:
    assert sheet_names(_book(tmp_path / "f.xlsx")) == ["survey", "Choices", "settings"]


def test_a_sheet_is_read_by_position_or_by_name_without_regard_to_case(tmp_path: Path) -> None:
    path = _book(tmp_path / "f.xlsx")
    assert _read(path, None) == [["type", "name"]]
    assert _read(path, 1) == [["list_name", "name", "label"]]
    assert _read(path, "choices") == [["list_name", "name", "label"]]
    assert _read(path, " SETTINGS ") == [["form_id"]]


def test_an_unknown_sheet_is_refused_naming_the_sheets(tmp_path: Path) -> None:
    path = _book(tmp_path / "f.xlsx")
    with pytest.raises(ImportFailed) as failed:
        _read(path, "external_choices")
    assert "external_choices" in failed.value.problems[0].message
    assert "survey, Choices, settings" in failed.value.problems[0].message
    with pytest.raises(ImportFailed) as failed:
        _read(path, 7)
    assert "8" in failed.value.problems[0].message


def test_sheet_names_of_a_damaged_file_is_a_clear_refusal(tmp_path: Path) -> None:
    path = tmp_path / "f.xlsx"
    path.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    with pytest.raises(ImportFailed):
        sheet_names(path)
