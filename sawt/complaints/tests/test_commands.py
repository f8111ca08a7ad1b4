import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from sawt.complaints.models import Complaint
from sawt.surveys.services import survey_definition_import

FIXTURES = Path(__file__).parent / "fixtures"
DEFINITION = Path(__file__).resolve().parents[2] / "surveys/tests/fixtures/definition/valid.yaml"
pytestmark = pytest.mark.django_db


def sawt(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as leaving:
        return int(leaving.code), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_import_complaints_prints_the_counts_then_the_columns_read():
    # Issue 12: the summary line stays first; a second line says what each column was read as.
    survey_definition_import(path=DEFINITION)
    with translation.override("en"):
        result = sawt("import_complaints", "--journey", "permits", str(FIXTURES / "valid.csv"))
    assert result == (
        0,
        "Complaints for journey “permits”: 3 rows read: 3 created, 0 updated, 0 unchanged.\n"
        "Columns: complaint_id, received_at, text, channel, category.\n",
        "",
    )


def test_a_refused_file_exits_1_and_names_row_and_column():
    survey_definition_import(path=DEFINITION)
    with translation.override("en"):
        status, out, err = sawt(
            "import_complaints", "--journey", "permits", str(FIXTURES / "err_text_blank.csv")
        )
    assert (status, out) == (1, "")
    assert err == (
        "The file was not imported because of 1 problem; nothing was saved.\n"
        "row 2, column text: The complaint text is required.\n"
    )
    assert Complaint.objects.count() == 0


def test_unknown_journey_in_arabic_by_default():
    status, _, err = sawt("import_complaints", "--journey", "x", str(FIXTURES / "valid.csv"))
    assert (status, err) == (1, "لا توجد رحلة بالمعرّف «x».\n")


def test_lang_en_gives_english():
    status, _, err = sawt(
        "import_complaints", "--journey", "x", "--lang", "en", str(FIXTURES / "valid.csv")
    )
    assert (status, err) == (1, "No journey has the slug “x”.\n")
