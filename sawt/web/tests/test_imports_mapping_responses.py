"""The imports page's column mapping for survey responses (sawt's own table): a file sawt
cannot read as its table is shown with a choice of column for the respondent, the time and
each question, saved for the journey and imported with it; the journey's later files use it."""

from __future__ import annotations

import re
from datetime import date

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from sawt.complaints.models import SavedMapping
from sawt.core.access import Role
from sawt.core.models import AuditEvent
from sawt.jobs.models import Job
from sawt.jobs.services import jobs_run_pending
from sawt.surveys.models import Answer, Response
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db
URL = "/imports/"
Q1_AR = "ما مدى رضاك عن سرعة الخدمة؟"
HEADER = ["رقم الهوية", "تاريخ الرد", Q1_AR, "تقييم الموظف", "الاسم"]
ROWS = [
    ["R-1", "03/07/2022", "5", "4", "محمد"],
    ["R-2", "14/07/2022", "2", "3", "سارة"],
]


@pytest.fixture(autouse=True)
def uploads(tmp_path, settings):
    settings.SAWT_HOME = tmp_path
    return tmp_path / "uploads"


@pytest.fixture
def survey():
    survey = f.SurveyFactory(period="2022-07")
    f.QuestionFactory(survey=survey, code="q1", text_ar=Q1_AR, text_en="How fast was it?")
    f.QuestionFactory(
        survey=survey, code="q2", text_ar="ما رأيك في الموظف؟", text_en="How was the employee?"
    )
    return survey


@pytest.fixture
def analyst(client: Client) -> Client:
    client.force_login(f.user_with_role(Role.ANALYST))
    return client


def csv_file(header=None, rows=None, name="responses.csv") -> SimpleUploadedFile:
    lines = [",".join(header or HEADER)] + [",".join(r) for r in rows or ROWS]
    return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode())


def upload(client: Client, survey, file, **extra) -> str:
    response = client.post(URL, {"kind": "responses", "survey": survey.pk, "file": file, **extra})
    assert response.status_code == 303, response.content.decode()[:800]
    return response["Location"]


def choices(**overrides) -> dict:
    data = {
        "action": "save",
        "header_row": "1",
        "col_respondent_id": "رقم الهوية",
        "col_submitted_at": "تاريخ الرد",
        "col_q1": Q1_AR,
        "col_q2": "تقييم الموظف",
        "date_format": "dd/mm/yyyy",
        "calendar": "gregorian",
        "drop": ["الاسم"],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def selected(html: str, field: str, value: str) -> bool:
    pattern = rf'name="{field}"[^>]*>(?:(?!</select>).)*<option value="{re.escape(value)}" selected'
    return re.search(pattern, html, re.S) is not None


def test_a_file_without_respondent_id_is_previewed_with_questions_to_choose(analyst, survey):
    location = upload(analyst, survey, csv_file())
    assert location.startswith("/imports/map/"), location
    html = analyst.get(location).content.decode()
    # A choice for the respondent, the time and each question, labelled with its text.
    assert 'name="col_respondent_id"' in html and 'name="col_q1"' in html
    assert 'name="col_q2"' in html and "ما رأيك في الموظف؟ (q2)" in html
    assert 'name="channel_values"' not in html
    # The alias and the question's text are chosen already; the unknown names are not.
    assert selected(html, "col_submitted_at", "تاريخ الرد")
    assert selected(html, "col_q1", Q1_AR)
    assert not selected(html, "col_respondent_id", "رقم الهوية")
    assert not selected(html, "col_q2", "تقييم الموظف")
    assert "R-1" in html and Response.objects.count() == 0
    assert "ردود الاستبيان <bdi>" in html and "المستجيب (respondent_id)" in html
    assert not SavedMapping.objects.exists()
    analyst.cookies["django_language"] = "en"
    english = analyst.get(location).content.decode()
    assert "How was the employee? (q2)" in english and "Respondent (respondent_id)" in english


def test_saving_stores_the_mapping_and_imports_with_it(analyst, survey):
    location = upload(analyst, survey, csv_file())
    response = analyst.post(location, choices())
    assert response.status_code == 303, response.content.decode()[:3000]
    saved = SavedMapping.objects.get(journey=survey.journey, kind="responses")
    assert saved.profile["columns"] == {
        "respondent_id": "رقم الهوية",
        "submitted_at": "تاريخ الرد",
        "q1": Q1_AR,
        "q2": "تقييم الموظف",
    }
    assert saved.profile["drop"] == ["الاسم"]
    assert AuditEvent.objects.filter(action="survey.mapping_save").count() == 1
    jobs_run_pending()
    status = analyst.get(response["Location"]).content.decode()
    assert 'data-job-status="succeeded"' in status, status[-3000:]
    got = {r.respondent_id: r for r in Response.objects.filter(survey=survey)}
    assert set(got) == {"R-1", "R-2"}
    days = {k: timezone.localtime(r.submitted_at).date() for k, r in got.items()}
    assert days == {"R-1": date(2022, 7, 3), "R-2": date(2022, 7, 14)}
    scores = {
        (a.response.respondent_id, a.question.code): a.score
        for a in Answer.objects.select_related("response", "question")
    }
    assert scores == {("R-1", "q1"): 5, ("R-1", "q2"): 4, ("R-2", "q1"): 2, ("R-2", "q2"): 3}
    # The dropped column (a name) is never stored.
    assert all("محمد" not in str(r.attributes) for r in got.values())


def test_a_later_file_of_the_journey_uses_the_saved_mapping(analyst, survey):
    analyst.post(upload(analyst, survey, csv_file()), choices())
    jobs_run_pending()
    later = f.SurveyFactory(journey=survey.journey, period="2022-08")
    f.QuestionFactory(survey=later, code="q1", text_ar=Q1_AR)
    f.QuestionFactory(survey=later, code="q2")
    rows = [["R-9", "02/08/2022", "1", "2", "علي"]]
    location = upload(analyst, later, csv_file(rows=rows))
    assert not location.startswith("/imports/map/"), location
    job = Job.objects.order_by("-pk").first()
    assert job.payload["mapping"]["columns"]["respondent_id"] == "رقم الهوية"
    jobs_run_pending()
    (response,) = Response.objects.filter(survey=later)
    assert response.respondent_id == "R-9"
    assert timezone.localtime(response.submitted_at).date() == date(2022, 8, 2)
    assert sorted(response.answers.values_list("score", flat=True)) == [1, 2]
    # Ticking "Choose which column is which" shows the saved choices again.
    again = upload(analyst, later, csv_file(rows=rows), map_columns="on")
    html = analyst.get(again).content.decode()
    assert selected(html, "col_respondent_id", "رقم الهوية") and selected(
        html, "col_q2", "تقييم الموظف"
    )


def test_a_file_sawt_reads_is_imported_at_once(analyst, survey):
    header = ["respondent_id", "submitted_at", "q1", "q2"]
    location = upload(analyst, survey, csv_file(header, [["R-1", "2022-07-03", "5", "4"]]))
    assert location.startswith("/imports/") and not location.startswith("/imports/map/")
    assert not SavedMapping.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"col_q2": Q1_AR},
            "col_q2",
            "is already chosen for q1",
        ),
        ({"col_respondent_id": ""}, "col_respondent_id", "respondent_id"),
        (
            {"col_q1": "", "col_q2": ""},
            "col_q1",
            "at least one question",
        ),
    ],
)
def test_bad_choices_are_refused_beside_the_field(analyst, survey, overrides, field, message):
    analyst.cookies["django_language"] = "en"
    location = upload(analyst, survey, csv_file())
    response = analyst.post(location, choices(**overrides))
    assert response.status_code == 400
    html = response.content.decode()
    # The message sits in the field's own block, before its select.
    block = re.search(rf"<div[^>]*>(?:(?!</div>).)*name=\"{field}\"", html, re.S)
    assert block is not None and message in block.group(0), html[-4000:]
    assert not SavedMapping.objects.exists() and Response.objects.count() == 0


def test_download_and_remove(analyst, survey):
    analyst.post(upload(analyst, survey, csv_file()), choices())
    slug = survey.journey.slug
    page = analyst.get(URL).content.decode()
    assert f"/imports/mappings/{slug}/responses/mapping.yaml" in page
    download = analyst.get(f"/imports/mappings/{slug}/responses/mapping.yaml")
    assert download.status_code == 200
    assert f"{slug}-responses-mapping.yaml" in download["Content-Disposition"]
    data = yaml.safe_load(download.content.decode())
    assert data["columns"]["q2"] == "تقييم الموظف" and data["dates"]["format"] == "dd/mm/yyyy"
    # The journey's complaints mapping is another one: none here.
    assert analyst.get(f"/imports/mappings/{slug}/mapping.yaml").status_code == 404
    removed = analyst.post(f"/imports/mappings/{slug}/responses/remove/")
    assert removed.status_code == 303
    assert not SavedMapping.objects.exists()
    assert AuditEvent.objects.filter(action="survey.mapping_delete").count() == 1


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AGENCY_MEMBER])
def test_viewer_and_agency_member_are_refused(client, survey, role):
    agency = survey.journey.agency if role == Role.AGENCY_MEMBER else None
    client.force_login(f.user_with_role(role, agency=agency))
    slug = survey.journey.slug
    assert client.get(f"/imports/mappings/{slug}/responses/mapping.yaml").status_code == 403
    assert client.post(f"/imports/mappings/{slug}/responses/remove/").status_code == 403
    response = client.post(
        URL, {"kind": "responses", "survey": survey.pk, "file": csv_file(), "map_columns": "on"}
    )
    assert response.status_code == 403
    assert not SavedMapping.objects.exists()


def test_another_tools_export_is_not_previewed(analyst, survey):
    location = upload(analyst, survey, csv_file(), source="kobo", map_columns="on")
    assert not location.startswith("/imports/map/")
    assert Job.objects.get().payload["mapping"] is None


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\x01garbage", b"PK\x03\x04broken zip", b'{"json": 1}', "،؛\n".encode() * 3],
)
def test_hostile_files_never_cost_a_500(analyst, survey, content):
    name = "x.xlsx" if content.startswith(b"PK") else "x.csv"
    response = analyst.post(
        URL,
        {
            "kind": "responses",
            "survey": survey.pk,
            "map_columns": "on",
            "file": SimpleUploadedFile(name, content),
        },
    )
    assert response.status_code in (303, 400)
    if response.status_code == 303 and response["Location"].startswith("/imports/map/"):
        assert analyst.get(response["Location"]).status_code in (200, 400)
        again = analyst.post(response["Location"], choices())
        assert again.status_code in (303, 400)
