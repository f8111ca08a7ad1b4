import datetime as dt
import zoneinfo
from pathlib import Path

import pytest
from django.utils import translation

from sawt.catalog.choices import CategorySource
from sawt.catalog.models import GapCategory
from sawt.complaints.models import Complaint
from sawt.complaints.services import complaints_import
from sawt.core.exceptions import ApplicationError
from sawt.core.models import AuditEvent
from sawt.imports.problems import ImportFailed
from sawt.imports.tests.helpers import counts, snapshot, write_xlsx
from sawt.surveys.services import survey_definition_import

FIXTURES = Path(__file__).parent / "fixtures"
DEFINITION = Path(__file__).resolve().parents[2] / "surveys/tests/fixtures/definition/valid.yaml"
RIYADH = zoneinfo.ZoneInfo("Asia/Riyadh")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def journey(db):
    with translation.override("en"):
        survey_definition_import(path=DEFINITION)  # journey "permits", categories slow, unclear
        yield


def run(path: Path):
    return complaints_import(journey_slug="permits", path=path)


def stored() -> dict[str, tuple]:
    return {
        c.complaint_id: (
            c.received_at,
            c.channel,
            c.text,
            c.category.code if c.category else None,
            c.category_source,
        )
        for c in Complaint.objects.select_related("category")
    }


VALID = {
    "K-1": (
        dt.datetime(2022, 6, 2, 10, 0, tzinfo=RIYADH),
        "بلدي",
        "الطلب متأخر منذ أسبوعين ولم يصلني رد",
        "slow",
        "import",
    ),
    # Personal data is redacted before anything is stored.
    "K-2": (
        dt.datetime(2022, 6, 3, tzinfo=RIYADH),
        "مركز الاتصال",
        "رقم جوالي [جوال] وهويتي [رقم_هوية] ولم يتواصل معي أحد",
        None,
        "",
    ),
    "K-3": (
        dt.datetime(2022, 6, 4, 8, 30, tzinfo=RIYADH),
        "",
        "المتطلبات غير مذكورة في الدليل،\nولا أعرف ماذا أرفق",
        "unclear",
        "import",
    ),
}


@pytest.mark.parametrize("name", ["valid.csv", "valid_cp1256.csv", "valid_bom.csv"])
def test_valid_file_in_every_accepted_encoding(name):
    result = run(FIXTURES / name)
    assert (result.rows, result.created, result.updated, result.unchanged) == (3, 3, 0, 0)
    assert stored() == VALID
    assert AuditEvent.objects.get(action="complaint.import").data["created"] == 3


def test_xlsx_with_dates_and_arabic_indic_digits_in_ids(tmp_path):
    path = write_xlsx(
        tmp_path / "complaints.xlsx",
        [
            ["Complaint_ID", "received_at", "text", "channel", "category"],
            ["K-١", dt.datetime(2022, 6, 5, 13, 0), "لم يصل الرد", "بلدي", "slow"],
            [2002, dt.date(2022, 6, 6), "الدليل ناقص", None, None],
        ],
    )
    run(path)
    assert stored() == {
        "K-1": (
            dt.datetime(2022, 6, 5, 13, 0, tzinfo=RIYADH),
            "بلدي",
            "لم يصل الرد",
            "slow",
            "import",
        ),
        "2002": (dt.datetime(2022, 6, 6, tzinfo=RIYADH), "", "الدليل ناقص", None, ""),
    }


def test_importing_the_same_file_twice_changes_nothing_the_second_time():
    run(FIXTURES / "valid.csv")
    before = snapshot()
    result = run(FIXTURES / "valid.csv")
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert snapshot() == before


def test_a_changed_row_is_updated_in_place(tmp_path):
    run(FIXTURES / "valid.csv")
    ids = dict(Complaint.objects.values_list("complaint_id", "id"))
    path = tmp_path / "again.csv"
    path.write_text(
        "complaint_id,received_at,text,channel,category\n"
        "K-1,2022-06-02 10:00,الطلب متأخر منذ أسبوعين ولم يصلني رد,تطبيق بلدي,slow\n"
        "K-4,2022-06-09,شكوى جديدة,,\n",
        encoding="utf-8",
    )
    result = run(path)
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    assert Complaint.objects.get(complaint_id="K-1").channel == "تطبيق بلدي"
    assert Complaint.objects.get(complaint_id="K-1").pk == ids["K-1"]
    assert stored()["K-2"] == VALID["K-2"]  # absent from the file: left alone


def test_an_analysts_category_is_never_overwritten_by_a_file():
    run(FIXTURES / "valid.csv")
    unclear = GapCategory.objects.get(code="unclear")
    Complaint.objects.filter(complaint_id="K-1").update(
        category=unclear, category_source=CategorySource.ANALYST
    )
    assert run(FIXTURES / "valid.csv").unchanged == 3
    assert stored()["K-1"][3:] == ("unclear", "analyst")


def test_a_category_from_the_file_replaces_a_models_guess():
    run(FIXTURES / "valid.csv")
    unclear = GapCategory.objects.get(code="unclear")
    Complaint.objects.filter(complaint_id="K-1").update(
        category=unclear, category_source=CategorySource.MODEL, category_confidence=0.6
    )
    assert run(FIXTURES / "valid.csv").updated == 1
    complaint = Complaint.objects.get(complaint_id="K-1")
    assert (complaint.category.code, complaint.category_source) == ("slow", "import")
    assert complaint.category_confidence is None


def test_unknown_journey():
    with translation.override("en"), pytest.raises(ApplicationError) as caught:
        complaints_import(journey_slug="nowhere", path=FIXTURES / "valid.csv")
    assert caught.value.message == "No journey has the slug “nowhere”."


@pytest.mark.parametrize(
    ("name", "problems"),
    [
        (
            "err_missing_columns.csv",
            [
                "row 1: The column “received_at” is missing from the first row.",
                "row 1: The column “text” is missing from the first row.",
            ],
        ),
        (
            "err_complaint_id_blank.csv",
            ["row 2, column complaint_id: A complaint_id is required on every row."],
        ),
        (
            "err_complaint_id_too_long.csv",
            ["row 2, column complaint_id: A complaint_id is at most 100 characters."],
        ),
        (
            "err_complaint_id_duplicate.csv",
            ["row 3, column complaint_id: The complaint “K-1” already appears on row 2."],
        ),
        (
            "err_received_blank.csv",
            ["row 2, column received_at: The date the complaint was received is required."],
        ),
        (
            "err_received_not_iso.csv",
            [
                "row 2, column received_at: “2/6/2022” is not a date in ISO 8601 form; write it "
                "like 2022-06-15 or 2022-06-15 14:30."
            ],
        ),
        (
            "err_received_impossible.csv",
            ["row 2, column received_at: “2022-06-31 10:00” is not a real date or time."],
        ),
        ("err_text_blank.csv", ["row 2, column text: The complaint text is required."]),
        (
            "err_channel_too_long.csv",
            ["row 2, column channel: A channel is at most 50 characters."],
        ),
        (
            "err_unknown_category.csv",
            [
                "row 2, column category: “qawaem” is not a gap category of this journey; the "
                "codes are: slow, unclear."
            ],
        ),
    ],
)
def test_each_documented_complaints_error(name, problems):
    run(FIXTURES / "valid.csv")
    before, everything = counts(), snapshot()
    with translation.override("en"), pytest.raises(ImportFailed) as caught:
        run(FIXTURES / name)
    count = len(problems)
    noun = "problem" if count == 1 else "problems"
    assert caught.value.lines() == [
        f"The file was not imported because of {count} {noun}; nothing was saved.",
        *problems,
    ]
    assert counts() == before
    assert snapshot() == everything


def test_a_journey_without_categories_says_so(tmp_path):
    GapCategory.objects.all().delete()
    with translation.override("en"), pytest.raises(ImportFailed) as caught:
        run(FIXTURES / "err_unknown_category.csv")
    assert caught.value.lines()[1] == (
        "row 2, column category: “qawaem” is not a gap category of this journey, which has no "
        "gap categories yet."
    )
