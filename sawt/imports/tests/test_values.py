import datetime as dt
import zoneinfo

import pytest
from django.utils import translation

from sawt.imports.values import (
    ValueProblem,
    cell_key,
    cell_text,
    parse_datetime,
    parse_whole,
    score_lookup,
)

RIYADH = zoneinfo.ZoneInfo("Asia/Riyadh")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("4", 4),
        (" 4 ", 4),
        ("٤", 4),
        ("۴", 4),
        ("4.0", 4),
        ("١٠", 10),
        (7, 7),
        (3.0, 3),
        ("-1", -1),
    ],
)
def test_parse_whole_reads_every_digit_script(value, expected):
    assert parse_whole(value) == expected


@pytest.mark.parametrize("value", ["4.5", "four", "", True, 2.5, "1e3", "٤٫٥"])
def test_parse_whole_refuses_what_is_not_a_whole_number(value):
    with pytest.raises(ValueProblem, match="is not a whole number"):
        parse_whole(value)


def test_score_lookup_knows_usual_spellings_and_nothing_outside_the_scale():
    table = score_lookup(1, 5)
    assert table["٥"] == table["5"] == table[5] == table[5.0] == table["5.0"] == 5
    assert "6" not in table
    assert "0" not in table


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-06-15", dt.datetime(2022, 6, 15, tzinfo=RIYADH)),
        ("2022-06-15 14:30", dt.datetime(2022, 6, 15, 14, 30, tzinfo=RIYADH)),
        ("2022-06-15T14:30:05", dt.datetime(2022, 6, 15, 14, 30, 5, tzinfo=RIYADH)),
        ("2022-06-15T14:30:05.250", dt.datetime(2022, 6, 15, 14, 30, 5, 250000, tzinfo=RIYADH)),
        ("2022-06-15T11:30:00Z", dt.datetime(2022, 6, 15, 11, 30, tzinfo=dt.UTC)),
        ("2022-06-15 14:30+03:00", dt.datetime(2022, 6, 15, 11, 30, tzinfo=dt.UTC)),
        ("٢٠٢٢-٠٦-١٥ ١٤:٣٠", dt.datetime(2022, 6, 15, 14, 30, tzinfo=RIYADH)),
        ("\u200f2022-06-15\u200f", dt.datetime(2022, 6, 15, tzinfo=RIYADH)),
    ],
)
def test_parse_datetime_reads_iso_8601_with_riyadh_as_the_local_zone(text, expected):
    parsed = parse_datetime(text)
    assert parsed == expected
    assert parsed.tzinfo is not None


def test_parse_datetime_takes_xlsx_dates_and_datetimes_as_local_time():
    assert parse_datetime(dt.datetime(2022, 6, 15, 9, 0)) == dt.datetime(
        2022, 6, 15, 9, 0, tzinfo=RIYADH
    )
    assert parse_datetime(dt.date(2022, 6, 15)) == dt.datetime(2022, 6, 15, tzinfo=RIYADH)


def test_parse_datetime_names_a_date_in_another_form():
    with pytest.raises(ValueProblem) as caught:
        parse_datetime("15/06/2022")
    assert caught.value.message == (
        "“15/06/2022” is not a date in ISO 8601 form; write it like 2022-06-15 or 2022-06-15 14:30."
    )


@pytest.mark.parametrize("text", ["2022-02-30", "2022-13-01", "2022-06-15 25:00"])
def test_parse_datetime_names_an_impossible_date(text):
    with pytest.raises(ValueProblem) as caught:
        parse_datetime(text)
    assert caught.value.message == f"“{text}” is not a real date or time."


def test_parse_datetime_refuses_a_number():
    with pytest.raises(ValueProblem) as caught:
        parse_datetime(44727)
    assert caught.value.message == "“44727” is not a date; write it like 2022-06-15."


def test_cell_text_drops_control_characters_but_keeps_lines():
    assert cell_text(" سطر\x00 أول\nسطر ثانٍ\x1f ") == "سطر أول\nسطر ثانٍ"
    assert cell_text(None) == ""
    assert cell_text(4.0) == "4"


def test_cell_key_drops_direction_marks_and_makes_digits_ascii():
    assert cell_key("\u200fR-١٢٣\u200e") == "R-123"
    assert cell_key(1001) == "1001"
