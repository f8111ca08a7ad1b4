"""sawt import-sample: who a survey asks, from a file, all of them or a reproducible sample."""

import collections
import datetime as dt
import io
import random
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from sawt.core.exceptions import ApplicationError
from sawt.core.models import AuditEvent
from sawt.distribution.contacts import contact_hash
from sawt.distribution.models import Invitee, SampleDraw
from sawt.distribution.sampling import Candidate, allocate, draw
from sawt.distribution.services.optouts import optout_record
from sawt.distribution.services.sample import sample_import
from sawt.imports.problems import ImportFailed
from sawt.imports.tests.helpers import write_xlsx
from sawt.imports.tests.hostile import number_cell, text_cell, write_xlsx_parts, xlsx_row
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db
HEADER = "reference_id,mobile,email,completed_at,language,region,grade\n"


@pytest.fixture
def survey():
    return f.SurveyFactory(code="permits-2022-06", sample_size=None, sample_size_by_hand=False)


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def csv_file(tmp_path: Path, body: str, name: str = "sample.csv", header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8")
    return path


def people(count: int, regions: dict[str, int] | None = None) -> str:
    """`count` distinct people, their regions in the given sizes (or all in one region)."""
    regions = regions or {"riyadh": count}
    lines, n = [], 0
    for region, size in regions.items():
        for _ in range(size):
            n += 1
            lines.append(f"REQ-{n:05d},05{n:08d},,2022-06-{1 + n % 28:02d},ar,{region},A\n")
    return "".join(lines)


def imported(survey, path, **options):
    return sample_import(survey_code=survey.code, path=path, actor=None, **options)


def sawt(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as leaving:
        return int(leaving.code), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


# --- Reading the file -----------------------------------------------------------------------


def test_everyone_in_the_file_is_invited_with_normalised_contacts(survey, tmp_path, english):
    path = csv_file(
        tmp_path,
        "R1,٠٥٠١٢٣٤٥٦٧,,2022-06-01 10:30,ar,الرياض,A\n"
        "R2,+966 55 123 4567,Ahmed@Example.COM,2022-06-02,EN,جدة,B\n"
        "R3,,sara@example.com,,,,\n",
    )
    result = imported(survey, path)
    assert result.summary() == "3 rows read, 3 could be asked; everyone taken; 3 people invited."
    r1, r2, r3 = Invitee.objects.order_by("reference_id")
    assert (r1.mobile, r1.email, r1.language) == ("+966501234567", "", "ar")
    assert r1.mobile_hash == contact_hash("+966501234567") and r1.email_hash == ""
    assert r1.service_completed_at == dt.datetime(2022, 6, 1, 7, 30, tzinfo=dt.UTC)
    assert r1.attributes == {"region": "الرياض", "grade": "A"} and r1.stratum == ""
    assert (r2.mobile, r2.email, r2.language) == ("+966551234567", "ahmed@example.com", "en")
    assert r2.email_hash == contact_hash("ahmed@example.com")
    assert (r3.mobile, r3.mobile_hash, r3.service_completed_at, r3.attributes) == ("", "", None, {})
    draw_ = SampleDraw.objects.get()
    assert (draw_.population, draw_.drawn, draw_.seed, draw_.strata) == (3, 3, None, "")
    survey.refresh_from_db()
    assert survey.sample_size == 3


def test_an_xlsx_file_with_numeric_cells_reads_like_its_csv(survey, tmp_path):
    path = write_xlsx(
        tmp_path / "sample.xlsx",
        [
            ["Reference_ID", "Mobile", "completed_at"],
            [1001, 501234567, dt.datetime(2022, 6, 1, 9, 0)],
            ["1002", 966551234567, None],
        ],
    )
    assert imported(survey, path).invited == 2
    assert sorted(Invitee.objects.values_list("reference_id", "mobile")) == [
        ("1001", "+966501234567"),
        ("1002", "+966551234567"),
    ]


def test_every_bad_row_is_named_by_row_and_column_and_nothing_is_saved(survey, tmp_path, english):
    path = csv_file(
        tmp_path,
        "R1,0112345678,,,,,\n"  # a landline
        "R2,0501234567,not-an-address,,,,\n"
        ",0551234567,,,,,\n"
        "R4,,,,,,\n"
        "R5,0561234567,,yesterday,,,\n"
        "R6,0571234567,,,fr,,\n"
        "R7,0581234567,,,,,\n",
    )
    with pytest.raises(ImportFailed) as refused:
        imported(survey, path)
    assert refused.value.lines() == [
        "The file was not imported because of 6 problems; nothing was saved.",
        "row 2, column mobile: “0112345678” is a landline number; an invitation needs a mobile "
        "number (05…).",
        "row 3, column email: “not-an-address” is not an e-mail address; write it like "
        "name@example.com.",
        "row 4, column reference_id: A reference_id is required on every row.",
        "row 5: This row has neither a mobile number nor an e-mail address.",
        "row 6, column completed_at: “yesterday” is not a date in ISO 8601 form; write it like "
        "2022-06-15 or 2022-06-15 14:30.",
        "row 7, column language: The language is “ar” (Arabic) or “en” (English), not “fr”.",
    ]
    assert Invitee.objects.count() == SampleDraw.objects.count() == AuditEvent.objects.count() == 0


def test_a_file_without_reference_or_contact_columns_is_refused(survey, tmp_path, english):
    path = csv_file(tmp_path, "x,y\n", header="id,phone\n")
    with pytest.raises(ImportFailed) as refused:
        imported(survey, path)
    assert refused.value.lines()[1:] == [
        "row 1: The column “reference_id” is missing from the first row.",
        "row 1: The first row needs a column “mobile” or a column “email” (or both): the "
        "invitations go to them.",
    ]


def test_strata_must_name_an_attribute_column(survey, tmp_path, english):
    path = csv_file(tmp_path, people(3))
    with pytest.raises(ImportFailed) as refused:
        imported(survey, path, sample=2, seed=1, strata="city")
    assert refused.value.lines()[1] == (
        "row 1: The sample is to be stratified by “city”, but no attribute column has that "
        "name; the attribute columns are: region, grade."
    )


def test_attributes_lose_personal_data_like_other_imports(survey, tmp_path):
    path = csv_file(tmp_path, "R1,0501234567,,,,call 0551234567,A\n")
    imported(survey, path)
    assert "0551234567" not in str(Invitee.objects.get().attributes)


# --- Who is dropped, and said so ------------------------------------------------------------


def test_duplicates_in_the_file_are_dropped_and_reported_by_row(survey, tmp_path, english):
    path = csv_file(
        tmp_path,
        "R1,0501234567,a@example.com,,,,\n"
        "R1,0559999999,,,,,\n"  # the same reference
        "R3,+966501234567,,,,,\n"  # the same mobile, written otherwise
        "R4,,A@Example.com,,,,\n"  # the same e-mail, in other letters
        "R5,0551234567,,,,,\n",
    )
    result = imported(survey, path)
    assert result.summary() == (
        "5 rows read, 2 could be asked; everyone taken; 2 people invited; "
        "3 duplicates in the file dropped (rows 3, 4, 5)."
    )
    assert sorted(Invitee.objects.values_list("reference_id", flat=True)) == ["R1", "R5"]


def test_people_already_invited_to_the_survey_are_dropped_and_reported(survey, tmp_path, english):
    imported(survey, csv_file(tmp_path, "R1,0501234567,,,,,\nR2,,b@example.com,,,,\n", "a.csv"))
    second = csv_file(
        tmp_path,
        "R1,0561234567,,,,,\n"  # the same reference
        "R9,0501234567,,,,,\n"  # the same person under another reference
        "R10,0571234567,B@example.com,,,,\n"  # the same e-mail
        "R11,0581234567,,,,,\n",
        "b.csv",
    )
    result = imported(survey, second)
    assert result.summary() == (
        "4 rows read, 4 could be asked; everyone taken; 1 person invited; "
        "3 already invited to this survey and dropped (rows 2, 3, 4)."
    )
    assert Invitee.objects.count() == 3
    survey.refresh_from_db()
    assert survey.sample_size == 3


def test_the_same_person_may_be_invited_to_another_survey(survey, tmp_path):
    other = f.SurveyFactory()
    path = csv_file(tmp_path, "R1,0501234567,,,,,\n")
    imported(survey, path)
    imported(other, path)
    assert Invitee.objects.filter(mobile="+966501234567").count() == 2


def test_people_who_opted_out_are_skipped_and_reported(survey, tmp_path, english):
    optout_record(contact="+966501234567", channel="sms", source="request", actor=None)
    optout_record(contact="b@example.com", channel="email", source="reply", actor=None)
    path = csv_file(
        tmp_path,
        "R1,0501234567,,,,,\nR2,0551234567,B@example.com,,,,\nR3,0561234567,,,,,\n",
    )
    result = imported(survey, path)
    assert result.summary() == (
        "3 rows read, 1 could be asked; everyone taken; 1 person invited; "
        "2 opted out and skipped (rows 2, 3)."
    )
    assert list(Invitee.objects.values_list("reference_id", flat=True)) == ["R3"]


def test_long_lists_of_rows_are_cut_short(survey, tmp_path, english):
    path = csv_file(tmp_path, "R1,0501234567,,,,,\n" * 15)
    assert (
        result_rows(imported(survey, path).summary()) == "rows 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, …"
    )


def result_rows(summary: str) -> str:
    return summary.split("(")[1].rstrip(").")


# --- Drawing a sample -----------------------------------------------------------------------


def test_a_seeded_sample_is_reproducible_whatever_the_row_order(tmp_path):
    body = people(200)
    lines = body.splitlines(keepends=True)
    random.Random(3).shuffle(lines)
    chosen = []
    for n, text in enumerate([body, "".join(lines), body]):
        survey = f.SurveyFactory(sample_size=None, sample_size_by_hand=False)
        result = imported(survey, csv_file(tmp_path, text, f"{n}.csv"), sample=20, seed=42)
        assert (result.population, result.drawn, result.invited, result.seed) == (200, 20, 20, 42)
        chosen.append(set(survey.invitees.values_list("reference_id", flat=True)))
        survey.refresh_from_db()
        assert survey.sample_size == 20
    assert chosen[0] == chosen[1] == chosen[2]
    other = f.SurveyFactory()
    imported(other, csv_file(tmp_path, body, "other.csv"), sample=20, seed=43)
    assert set(other.invitees.values_list("reference_id", flat=True)) != chosen[0]


def test_the_same_file_and_seed_again_change_nothing(survey, tmp_path, english):
    path = csv_file(tmp_path, people(50))
    first = imported(survey, path, sample=10, seed=7)
    before = (Invitee.objects.count(), SampleDraw.objects.count(), AuditEvent.objects.count())
    again = imported(survey, path, sample=10, seed=7)
    assert before == (10, 1, 1)
    assert (
        Invitee.objects.count(),
        SampleDraw.objects.count(),
        AuditEvent.objects.count(),
    ) == before
    assert (again.invited, sorted(again.already_invited_rows)) == (0, first_rows(first, survey))
    assert "0 people invited; 10 already invited" in again.summary()


def first_rows(result, survey):
    # Row numbers of the people drawn the first time: REQ-00007 is on row 8.
    return sorted(
        int(ref[4:]) + 1 for ref in survey.invitees.values_list("reference_id", flat=True)
    )


def test_without_a_seed_one_is_drawn_recorded_and_said(survey, tmp_path, english):
    result = imported(survey, csv_file(tmp_path, people(30)), sample=5)
    assert result.seed is not None and SampleDraw.objects.get().seed == result.seed
    assert f"5 drawn at random (seed {result.seed})" in result.summary()


def test_a_sample_larger_than_the_file_takes_everyone_and_says_so(survey, tmp_path, english):
    result = imported(survey, csv_file(tmp_path, people(4)), sample=10, seed=1)
    assert result.summary() == (
        "4 rows read, 4 could be asked; a sample of 10 was asked for, but only 4 could be "
        "asked: everyone was taken; 4 people invited."
    )
    assert SampleDraw.objects.get().seed is None


def test_a_stratified_sample_keeps_each_stratum_s_share(survey, tmp_path, english):
    path = csv_file(tmp_path, people(100, {"riyadh": 50, "jeddah": 30, "dammam": 20}))
    result = imported(survey, path, sample=10, seed=5, strata="Region")
    assert "10 drawn at random, stratified by “region” (seed 5)" in result.summary()
    shares = collections.Counter(survey.invitees.values_list("stratum", flat=True))
    assert shares == {"riyadh": 5, "jeddah": 3, "dammam": 2}
    assert SampleDraw.objects.get().strata == "region"


def test_strata_without_a_sample_record_each_person_s_stratum(survey, tmp_path):
    imported(survey, csv_file(tmp_path, people(3, {"a": 2, "b": 1})), strata="region")
    assert sorted(survey.invitees.values_list("stratum", flat=True)) == ["a", "a", "b"]


def test_largest_remainder_allocation():
    # 10 of 20 in strata of 7, 7 and 6: 3.5, 3.5, 3 → 3, 3, 3 and the place left to a .5.
    assert allocate({"a": 7, "b": 7, "c": 6}, 10) == {"a": 4, "b": 3, "c": 3}
    # 10 of 1000: 6.66, 2.22, 1.12 → 6, 2, 1 and the place left to the largest remainder.
    assert allocate({"x": 666, "y": 222, "z": 112}, 10) == {"x": 7, "y": 2, "z": 1}
    # A stratum too small for a whole place may get none; the shares always add up to n.
    assert allocate({"big": 990, "tiny": 10}, 5) == {"big": 5, "tiny": 0}
    assert allocate({"a": 2, "b": 3}, 9) == {"a": 2, "b": 3}


def test_the_draw_is_a_simple_random_sample():
    # Every person's chance of being drawn is n/N: over 2,000 seeds, 5 of 50 each time, each
    # person is drawn about 200 times (binomial sd ≈ 13; the bounds are over 6 sd away).
    candidates = [Candidate(f"R{i}", "", i) for i in range(50)]
    times = collections.Counter(i for seed in range(2000) for i in draw(candidates, 5, seed, False))
    assert len(times) == 50 and 120 < min(times.values()) and max(times.values()) < 280


def test_sample_and_seed_are_checked(survey, tmp_path, english):
    path = csv_file(tmp_path, people(3))
    for options, message in [
        ({"sample": 0}, "The sample size must be a whole number above zero."),
        ({"seed": 1}, "A seed only matters for a random sample"),
        ({"sample": 2, "seed": -1}, "The seed must be a whole number from 0 to"),
        ({"sample": 2, "seed": 2**63}, "The seed must be a whole number from 0 to"),
    ]:
        with pytest.raises(ApplicationError) as refused:
            imported(survey, path, **options)
        assert refused.value.message.startswith(message)
    assert Invitee.objects.count() == 0


# --- The survey's sample size, who may import, the audit ------------------------------------


def test_a_sample_size_set_by_hand_stays(tmp_path):
    survey = f.SurveyFactory(sample_size=400, sample_size_by_hand=True)
    imported(survey, csv_file(tmp_path, people(3)))
    survey.refresh_from_db()
    assert survey.sample_size == 400


def test_only_analysts_and_administrators_import_samples(survey, tmp_path):
    path = csv_file(tmp_path, people(2))
    for role in ("viewer",):
        with pytest.raises(PermissionDenied):
            sample_import(survey_code=survey.code, path=path, actor=f.user_with_role(role))
    analyst = f.user_with_role("analyst")
    assert sample_import(survey_code=survey.code, path=path, actor=analyst).invited == 2
    event = AuditEvent.objects.get(action="survey.sample_import")
    assert event.actor == analyst and SampleDraw.objects.get().created_by == analyst
    assert event.data == {
        "file": "sample.csv",
        "rows": 2,
        "population": 2,
        "drawn": 2,
        "invited": 2,
        "seed": None,
        "strata": "",
        "duplicates": 0,
        "opted_out": 0,
        "already_invited": 0,
    }
    # The audit trail holds counts, never a contact.
    assert "+9665" not in str(event.data) and "05000" not in str(event.data)


# --- Files that attack ----------------------------------------------------------------------


@override_settings(SAWT_IMPORT_MAX_PROBLEMS=3)
def test_a_file_of_bad_rows_stops_at_the_problem_limit(survey, tmp_path, english):
    path = csv_file(tmp_path, "R1,12,,,,,\n" * 50_000)
    with pytest.raises(ImportFailed) as refused:
        imported(survey, path)
    assert refused.value.stopped_at == 4 and Invitee.objects.count() == 0


@override_settings(SAWT_IMPORT_MAX_BYTES=1000)
def test_a_file_over_the_size_limit_is_refused_unread(survey, tmp_path, english):
    with pytest.raises(ImportFailed) as refused:
        imported(survey, csv_file(tmp_path, people(100)))
    assert "too large" in refused.value.lines()[1]


def test_a_zip_bomb_is_refused(survey, tmp_path, english):
    row = xlsx_row([text_cell("R1"), number_cell(12)])
    body = (row * 1000 for _ in range(1000))
    path = write_xlsx_parts(tmp_path / "bomb.xlsx", ("reference_id", "mobile"), body)
    with pytest.raises(ImportFailed) as refused:
        imported(survey, path)
    assert "unpacks" in " ".join(refused.value.lines())


# --- The command ----------------------------------------------------------------------------


def test_the_command_prints_one_line(survey, tmp_path):
    path = csv_file(tmp_path, people(20, {"a": 10, "b": 10}))
    with translation.override("en"):
        result = sawt(
            "import_sample", "--survey", survey.code, "--sample", "4", "--seed", "9",
            "--strata", "region", "--no-progress", str(path),
        )  # fmt: skip
    assert result == (
        0,
        f"Sample for survey “{survey.code}”: 20 rows read, 20 could be asked; 4 drawn at "
        "random, stratified by “region” (seed 9); 4 people invited.\n",
        "",
    )


def test_the_command_lists_problems_and_exits_1_in_arabic_by_default(survey, tmp_path):
    path = csv_file(tmp_path, "R1,0112345678,,,,,\n")
    status, out, err = sawt("import_sample", "--survey", survey.code, str(path))
    assert (status, out) == (1, "")
    assert err.splitlines() == [
        "لم يُستورد الملف بسبب مشكلة واحدة، ولم يُحفظ منه شيء.",
        "الصف 2، العمود mobile: «0112345678» رقم هاتف ثابت؛ تحتاج الدعوة إلى رقم جوال (05…).",
    ]
    assert Invitee.objects.count() == 0


def test_the_command_speaks_english_when_asked(survey, tmp_path):
    path = csv_file(tmp_path, people(2))
    status, _out, err = sawt("import_sample", "--survey", "nope", "--lang", "en", str(path))
    assert (status, err) == (1, "No survey has the code “nope”.\n")
    status, _out, err = sawt(
        "import_sample", "--survey", survey.code, "--seed", "3", "--lang", "en", str(path)
    )
    assert status == 1 and err.startswith("A seed only matters for a random sample")


def test_the_result_line_reads_in_arabic(survey, tmp_path):
    optout_record(contact="+966551234567", channel="sms", source="request", actor=None)
    path = csv_file(
        tmp_path, "R1,0501234567,,,,,\nR1,0501234568,,,,,\nR3,0551234567,,,,,\n" + people(3)
    )
    status, out, _err = sawt("import_sample", "--survey", survey.code, str(path))
    assert (status, out) == (
        0,
        f"عينة الاستبيان «{survey.code}»: قُرئت 6 صفوف، ويمكن دعوة 4 منها؛ أُخذ الجميع؛ "
        "دُعي 4 أشخاص؛ استُبعد صف مكرر في الملف (الصف 3)؛ "
        "تُخطّي شخص طلب عدم التواصل (الصف 4).\n",
    )


def test_a_sample_of_exactly_everyone_takes_everyone_plainly(survey, tmp_path, english):
    result = imported(survey, csv_file(tmp_path, people(4)), sample=4, seed=1)
    assert result.summary() == "4 rows read, 4 could be asked; everyone taken; 4 people invited."
