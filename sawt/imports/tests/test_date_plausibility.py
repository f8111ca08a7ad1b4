"""No silent wrong data: dates that cannot be right are row problems (issue 12, item 4), and the
value readers round-trip every format and calendar (property-based, hypothesis)."""

import datetime as dt
import zoneinfo
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import translation
from hijridate import Gregorian
from hypothesis import given, settings
from hypothesis import strategies as st

from sawt.complaints.models import Complaint
from sawt.complaints.services import complaints_import
from sawt.core.digits import arabic_digits
from sawt.imports.problems import ImportFailed
from sawt.imports.tests.helpers import snapshot
from sawt.imports.values import (
    DateReader,
    DateRule,
    DateWindow,
    ValueProblem,
    cell_key,
    clean_text,
    excel_serial,
)
from sawt.surveys.services import responses_import, survey_definition_import

ROOT = Path(__file__).resolve().parents[3]
DEFINITION = ROOT / "sawt/surveys/tests/fixtures/definition/valid.yaml"
RIYADH = zoneinfo.ZoneInfo("Asia/Riyadh")
MARKS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def refused_lines(call) -> list[str]:
    with pytest.raises(ImportFailed) as caught:
        call()
    return caught.value.lines()


@pytest.fixture
def journey(db):
    with translation.override("en"):
        survey_definition_import(path=DEFINITION)  # journey permits, survey permits-2022-06


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "file.csv"
    path.write_text(text, encoding="utf-8")
    return path


# --- The examples, through the importers ------------------------------------------


@pytest.mark.usefixtures("journey")
def test_a_hijri_date_is_refused_with_the_hint_instead_of_stored_as_1443(tmp_path):
    path = write(
        tmp_path,
        "complaint_id,received_at,text\nC-1,2022-06-03,ok\nC-2,1443-12-04 09:15,late\n",
    )
    before = snapshot()
    with translation.override("en"):
        lines = refused_lines(lambda: complaints_import(journey_slug="permits", path=path))
    assert lines == [
        "The file was not imported because of 1 problem; nothing was saved.",
        "row 3, column received_at: “1443-12-04 09:15” is in the year 1443: this looks like a "
        "Hijri date; give the calendar in a mapping (dates: calendar: hijri).",
    ]
    assert snapshot() == before


@pytest.mark.usefixtures("journey")
def test_early_and_future_dates_are_row_problems(tmp_path):
    path = write(
        tmp_path,
        "complaint_id,received_at,text\nC-1,1980-01-01,old\nC-2,2999-01-01,later\n",
    )
    with translation.override("en"):
        lines = refused_lines(lambda: complaints_import(journey_slug="permits", path=path))
    assert lines[1:] == [
        "row 2, column received_at: “1980-01-01” is before 1990; a date this early is a "
        "mistake in the file.",
        "row 3, column received_at: “2999-01-01” is in the future.",
    ]
    assert Complaint.objects.count() == 0


@pytest.mark.usefixtures("journey")
def test_a_response_far_outside_the_surveys_period_is_a_row_problem(tmp_path):
    path = write(
        tmp_path,
        "respondent_id,submitted_at,overall\nP-1,2022-07-31,4\nP-2,2022-08-02,4\n",
    )
    with translation.override("en"):
        lines = refused_lines(lambda: responses_import(survey_code="permits-2022-06", path=path))
    assert lines[1:] == [
        "row 3, column submitted_at: “2022-08-02” is more than 31 days outside the survey's "
        "period (2022-06-01 to 2022-06-30); check the date, or that this is the right survey.",
    ]


@pytest.mark.usefixtures("journey")
@override_settings(SAWT_IMPORT_DATE_SLACK_DAYS=60)
def test_the_slack_is_a_setting(tmp_path):
    path = write(tmp_path, "respondent_id,submitted_at,overall\nP-2,2022-08-02,4\n")
    assert responses_import(survey_code="permits-2022-06", path=path).created == 1


@pytest.mark.usefixtures("journey")
def test_hijri_dates_through_a_calendar_are_stored_as_their_gregorian_day(tmp_path):
    from sawt.imports.mapping import MappingProfile

    path = write(
        tmp_path,
        "respondent_id,submitted_at,overall\nP-1,١٤٤٣/١١/٠٤ هـ,4\nP-2,1443-11-05 09:15,4\n",
    )
    profile = MappingProfile(calendar="hijri")
    responses_import(survey_code="permits-2022-06", path=path, mapping=profile)
    from sawt.surveys.models import Response

    times = dict(Response.objects.values_list("respondent_id", "submitted_at"))
    assert times["P-1"] == dt.datetime(2022, 6, 3, tzinfo=RIYADH)
    assert times["P-2"] == dt.datetime(2022, 6, 4, 9, 15, tzinfo=RIYADH)


def test_direction_marks_make_no_other_channel():
    assert cell_key("\u200fbalady-portal\u200f") == "balady-portal"
    assert cell_key("\u2067balady-portal\u2069") == "balady-portal"


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.mark.usefixtures("english")
def test_readers_name_what_is_wrong():
    with pytest.raises(ValueProblem, match="not a real Hijri date"):
        DateRule("yyyy/mm/dd", "hijri")("1443/02/30")
    with pytest.raises(ValueProblem, match="Umm al-Qura calendar covers"):
        DateRule("yyyy/mm/dd", "hijri")("2022/06/15")
    with pytest.raises(ValueProblem, match="not a date written as dd/mm/yyyy"):
        DateRule("dd/mm/yyyy")("June 3rd")
    assert excel_serial(True) is None
    assert excel_serial("abc") is None
    assert excel_serial(0) is None


# --- Properties ---------------------------------------------------------------------------

DAYS = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2076, 11, 16))
TIMES = st.times().map(lambda t: t.replace(microsecond=0))
FORMATS = {
    "dd/mm/yyyy HH:MM:SS": "%d/%m/%Y %H:%M:%S",
    "%d-%m-%Y %H:%M:%S": "%d-%m-%Y %H:%M:%S",
    "mm/dd/yyyy HH:MM:SS": "%m/%d/%Y %H:%M:%S",
    "yyyy.mm.dd HH:mm:ss": "%Y.%m.%d %H:%M:%S",
}


@settings(max_examples=200, deadline=None)
@given(day=DAYS, time=TIMES, spec=st.sampled_from(sorted(FORMATS)), arabic=st.booleans())
def test_gregorian_formats_round_trip(day, time, spec, arabic):
    moment = dt.datetime.combine(day, time)
    text = moment.strftime(FORMATS[spec])
    text = arabic_digits(text) if arabic else text
    assert DateRule(spec)(text) == moment.replace(tzinfo=RIYADH)


@settings(max_examples=200, deadline=None)
@given(day=DAYS, mark=st.sampled_from(["", " هـ", "هـ"]), arabic=st.booleans())
def test_hijri_dates_round_trip(day, mark, arabic):
    hijri = Gregorian(day.year, day.month, day.day).to_hijri()
    text = f"{hijri.year}/{hijri.month:02d}/{hijri.day:02d}{mark}"
    text = arabic_digits(text) if arabic else text
    calendar = "gregorian" if mark else "hijri"  # a marked cell says its calendar itself
    assert DateRule("yyyy/mm/dd", calendar)(text) == dt.datetime(
        day.year, day.month, day.day, tzinfo=RIYADH
    )


@settings(max_examples=200, deadline=None)
@given(day=DAYS, time=TIMES)
def test_excel_serials_round_trip(day, time):
    moment = dt.datetime.combine(day, time)
    serial = (moment - dt.datetime(1899, 12, 30)).total_seconds() / 86400
    assert DateRule(serials=True)(serial) == moment.replace(tzinfo=RIYADH)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(MARKS + "٠١٢۳۴")))
def test_cleaning_is_idempotent_and_leaves_no_marks_or_other_digits(text):
    for clean in (cell_key, clean_text):
        once = clean(text)
        assert clean(once) == once
        assert not set(once) & set(MARKS)
        assert not set(once) & set("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹")


@settings(max_examples=200, deadline=None)
@given(when=st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2026, 1, 1)))
def test_plausible_dates_pass_and_hijri_looking_years_get_the_hint(when):
    window = DateWindow(now=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    window.check(when.replace(tzinfo=RIYADH), "x")
    hijri_like = when.replace(year=1400 + when.year % 60, month=1, day=1, tzinfo=RIYADH)
    with translation.override("en"), pytest.raises(ValueProblem, match="looks like a Hijri"):
        DateReader(window=window)(hijri_like)
