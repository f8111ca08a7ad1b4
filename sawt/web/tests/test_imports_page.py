"""The imports page: the CLI's services through the browser, all or nothing, scoped by role,
run in the background with a status page that follows the import."""

import re
import stat
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import translation

from sawt.catalog.models import Journey
from sawt.complaints.models import Complaint
from sawt.core import access
from sawt.core.access import Role
from sawt.core.models import AuditEvent
from sawt.imports.tests.helpers import counts, write_xlsx
from sawt.jobs.models import Job
from sawt.jobs.services import jobs_run_pending
from sawt.surveys.models import Response, Survey
from sawt.surveys.services import survey_definition_import
from sawt.testing import factories as f

SAWT = Path(__file__).resolve().parents[2]
DEFINITIONS = SAWT / "surveys/tests/fixtures/definition"
RESPONSES = SAWT / "surveys/tests/fixtures/responses"
COMPLAINTS = SAWT / "complaints/tests/fixtures"
URL = "/imports/"
pytestmark = pytest.mark.django_db


def upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes())


@pytest.fixture
def survey() -> Survey:
    with translation.override("en"):
        return survey_definition_import(path=DEFINITIONS / "valid.yaml").survey  # "permits"


def login(client: Client, role: str, agency=None) -> Client:
    client.force_login(f.user_with_role(role, agency=agency))
    return client


@pytest.fixture
def analyst(client: Client) -> Client:
    return login(client, Role.ANALYST)


@pytest.fixture(autouse=True)
def uploads(tmp_path, settings) -> Path:
    """Uploads wait in this test's own SAWT_HOME."""
    settings.SAWT_HOME = tmp_path
    return tmp_path / "uploads"


def written() -> dict:
    """Rows of every kind an import writes (queueing the job is audited too: not counted)."""
    rows = counts()
    rows["core.AuditEvent"] -= AuditEvent.objects.filter(action="job.enqueue").count()
    return rows


def imported(client: Client, data: dict):
    """Post the form, let a worker run the import, and read the status page it leads to."""
    response = client.post(URL, data)
    assert response.status_code == 303, response.content.decode()[:500]
    assert response["Location"].startswith(URL)
    jobs_run_pending()
    return client.get(response["Location"])


def test_page_has_a_labelled_form_in_arabic(analyst, survey):
    response = analyst.get(URL)
    html = response.content.decode()
    assert response.status_code == 200 and 'lang="ar"' in html
    assert "استيراد ملف" in html and 'enctype="multipart/form-data"' in html
    for field in ("kind", "survey", "journey", "file"):
        assert f'for="id_{field}"' in html
    assert "csrfmiddlewaretoken" in html and survey.code in html


def test_good_responses_file_is_imported(analyst, survey):
    analyst.post("/i18n/setlang/", {"language": "en", "next": URL})
    data = {"kind": "responses", "survey": survey.pk, "file": upload(RESPONSES / "valid.csv")}
    response = imported(analyst, data)
    assert response.status_code == 200
    assert "3 rows read: 3 created, 0 updated, 0 unchanged." in response.content.decode()
    assert Response.objects.filter(survey=survey).count() == 3
    # The same file again changes nothing, as with the command line.
    data["file"] = upload(RESPONSES / "valid.csv")
    html = imported(analyst, data).content.decode()
    assert "3 rows read: 0 created, 0 updated, 3 unchanged." in html


def test_good_definition_and_complaints_are_imported(analyst):
    definition = {"kind": "definition", "file": upload(DEFINITIONS / "valid.yaml")}
    assert imported(analyst, definition).status_code == 200
    journey = Journey.objects.get(slug="permits")
    data = {"kind": "complaints", "journey": journey.pk, "file": upload(COMPLAINTS / "valid.csv")}
    response = imported(analyst, data)
    assert response.status_code == 200 and "permits" in response.content.decode()
    assert Complaint.objects.filter(journey=journey).count() > 0


def test_the_request_only_queues_the_import(analyst, survey, monkeypatch):
    def never(**kwargs):
        raise AssertionError("the import must not run inside the request")

    monkeypatch.setattr("sawt.surveys.services.responses_import", never)
    data = {"kind": "responses", "survey": survey.pk, "file": upload(RESPONSES / "valid.csv")}
    response = analyst.post(URL, data)
    assert response.status_code == 303
    job = Job.objects.get()
    assert response["Location"] == f"/imports/{job.pk}/"
    assert (job.status, job.payload["name"], job.payload["survey"]) == (
        "queued",
        "valid.csv",
        survey.code,
    )


def test_a_waiting_import_says_so_and_refreshes_itself(analyst, survey):
    data = {"kind": "responses", "survey": survey.pk, "file": upload(RESPONSES / "valid.csv")}
    page = analyst.get(analyst.post(URL, data)["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and 'data-job-status="queued"' in html
    assert '<meta http-equiv="refresh" content="2">' in html
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []  # no inline script (CSP)
    jobs_run_pending()
    html = analyst.get(page.request["PATH_INFO"]).content.decode()
    assert 'data-job-status="succeeded"' in html and 'http-equiv="refresh"' not in html


def test_a_running_import_shows_its_progress(analyst, survey):
    analyst.post("/i18n/setlang/", {"language": "en", "next": URL})
    data = {"kind": "responses", "survey": survey.pk, "file": upload(RESPONSES / "valid.csv")}
    status = analyst.post(URL, data)["Location"]
    Job.objects.update(status="running", progress_stage="reading", progress_done=12000)
    assert "12000 rows read so far" in analyst.get(status).content.decode()
    Job.objects.update(progress_stage="saving", progress_done=5000, progress_total=11990)
    html = analyst.get(status).content.decode()
    assert "Saving: 5000 of 11990 rows saved." in html
    assert '<progress max="11990" value="5000">' in html


def test_an_import_whose_worker_died_says_so(analyst, survey):
    analyst.post("/i18n/setlang/", {"language": "en", "next": URL})
    data = {"kind": "responses", "survey": survey.pk, "file": upload(RESPONSES / "valid.csv")}
    status = analyst.post(URL, data)["Location"]
    Job.objects.update(status="failed", error="Its worker (vm, pid 7) stopped.\n  details")
    html = analyst.get(status).content.decode()
    assert "The file was not imported" in html and "Its worker (vm, pid 7) stopped." in html
    assert "details" not in html


def test_the_upload_waits_owner_only_and_is_deleted_once_imported(analyst, survey, uploads):
    data = {"kind": "responses", "survey": survey.pk, "file": upload(RESPONSES / "valid.csv")}
    analyst.post(URL, data)
    job = Job.objects.get()
    stored = uploads / job.payload["file"]
    assert (
        stored.name == "valid.csv" and stored.read_bytes() == (RESPONSES / "valid.csv").read_bytes()
    )
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(uploads.stat().st_mode) == 0o700
    assert len(stored.parent.name) == 32  # a random directory of its own
    jobs_run_pending()
    assert not stored.exists() and not stored.parent.exists()


def test_a_refused_file_is_deleted_too(analyst, survey, uploads):
    bad = upload(RESPONSES / "err_score_outside_scale.csv")
    imported(analyst, {"kind": "responses", "survey": survey.pk, "file": bad})
    assert list(uploads.iterdir()) == []


def test_bad_file_lists_row_problems_and_writes_nothing(analyst, survey):
    before = written()
    analyst.post("/i18n/setlang/", {"language": "en", "next": URL})
    bad = upload(RESPONSES / "err_score_outside_scale.csv")
    response = imported(analyst, {"kind": "responses", "survey": survey.pk, "file": bad})
    html = response.content.decode()
    assert response.status_code == 200 and 'data-job-status="failed"' in html
    assert "nothing was saved" in html and '<th scope="col">Row</th>' in html
    # Row 2 (the first data row, header = 1), column e1 is outside the 1–5 scale.
    assert "<td>2</td><td><bdi>e1</bdi></td>" in html
    assert written() == before


def test_a_message_starting_with_a_latin_value_keeps_the_pages_direction(analyst, survey):
    # «excellent» ليس عدداً صحيحاً: with dir="auto" the browser would lay this Arabic
    # sentence out left to right, because its first strong letter is Latin.
    path = RESPONSES / "err_score_not_number.csv"
    text = path.read_text(encoding="utf-8").replace("ممتاز", "excellent")
    bad = SimpleUploadedFile("latin.csv", text.encode())
    html = imported(analyst, {"kind": "responses", "survey": survey.pk, "file": bad})
    html = html.content.decode()
    problems = html[html.index('class="import-problems"') :]
    assert 'dir="auto"' not in problems
    assert "«<bdi>excellent</bdi>»" in problems


def test_bad_yaml_lists_lines(analyst):
    before = written()
    bad = upload(DEFINITIONS / "err_unknown_key.yaml")
    response = imported(analyst, {"kind": "definition", "file": bad})
    assert response.status_code == 200 and "السطر" in response.content.decode()
    assert written() == before


def test_only_the_person_who_started_an_import_sees_it(client, survey):
    owner = login(Client(), Role.ANALYST)
    data = {"kind": "responses", "survey": survey.pk, "file": upload(RESPONSES / "valid.csv")}
    status = owner.post(URL, data)["Location"]
    assert owner.get(status).status_code == 200
    assert login(Client(), Role.ANALYST).get(status).status_code == 404
    assert login(Client(), Role.VIEWER).get(status).status_code == 404
    assert login(Client(), Role.ADMINISTRATOR).get(status).status_code == 200
    assert Client().get(status).status_code == 302  # to the login page
    assert owner.get(f"/imports/{Job.objects.get().pk + 1}/").status_code == 404


def test_the_imports_page_lists_the_persons_latest_imports(analyst, survey):
    data = {"kind": "responses", "survey": survey.pk, "file": upload(RESPONSES / "valid.csv")}
    status = analyst.post(URL, data)["Location"]
    html = analyst.get(URL).content.decode()
    assert f'href="{status}"' in html and "<bdi>valid.csv</bdi>" in html


@override_settings(SAWT_IMPORT_MAX_BYTES=100)
def test_oversized_file_is_refused_before_parsing(analyst, survey, monkeypatch):
    def never(**kwargs):
        raise AssertionError("the service must not be called")

    monkeypatch.setattr("sawt.surveys.services.responses_import", never)
    big = SimpleUploadedFile("big.csv", b"respondent_id,overall\n" + b"P-1,4\n" * 100)
    response = analyst.post(URL, {"kind": "responses", "survey": survey.pk, "file": big})
    assert response.status_code == 413
    assert "الملف كبير جداً" in response.content.decode()
    assert Response.objects.count() == 0


def test_wrong_extension_is_refused(analyst, survey):
    renamed = upload(RESPONSES / "valid.csv", name="valid.exe")
    response = analyst.post(URL, {"kind": "responses", "survey": survey.pk, "file": renamed})
    assert response.status_code == 400 and Response.objects.count() == 0


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AGENCY_MEMBER])
def test_viewer_and_agency_member_are_refused(client, survey, role):
    agency = survey.journey.agency if role == Role.AGENCY_MEMBER else None
    login(client, role, agency=agency)
    assert client.get(URL).status_code == 403
    data = {"kind": "responses", "survey": survey.pk, "file": upload(RESPONSES / "valid.csv")}
    assert client.post(URL, data).status_code == 403
    assert Response.objects.count() == 0


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_another_agencys_journey_is_refused(client, survey, monkeypatch):
    # Even were agency members allowed to import complaints, another agency's journey is not
    # a choice they have: the form's choices come from scoping.
    allowed = {**access.ALLOWED, "complaint.import": frozenset(Role.values)}
    monkeypatch.setattr(access, "ALLOWED", allowed)
    login(client, Role.AGENCY_MEMBER, agency=f.AgencyFactory())
    assert survey.journey.slug not in client.get(URL).content.decode()
    data = {
        "kind": "complaints",
        "journey": survey.journey.pk,
        "file": upload(COMPLAINTS / "valid.csv"),
    }
    response = client.post(URL, data)
    assert response.status_code == 400 and Complaint.objects.count() == 0


def test_post_without_csrf_token_is_refused(survey):
    client = Client(enforce_csrf_checks=True)
    login(client, Role.ANALYST)
    data = {"kind": "responses", "survey": survey.pk, "file": upload(RESPONSES / "valid.csv")}
    assert client.post(URL, data).status_code == 403
    assert Response.objects.count() == 0


def test_xlsx_upload_is_read_like_the_command_line_reads_it(analyst, survey, tmp_path):
    rows = [["respondent_id", "submitted_at", "overall", "s1", "e1", "n1"]]
    rows += [["X-1", "2022-06-03", 4, 5, 4, 3], ["X-2", "2022-06-03", 9, 5, 4, 3]]
    book = write_xlsx(tmp_path / "responses.xlsx", rows)
    data = {"kind": "responses", "survey": survey.pk, "file": upload(book)}
    html = imported(analyst, data).content.decode()
    assert 'data-job-status="failed"' in html and "<td>3</td><td><bdi>overall</bdi></td>" in html
    assert Response.objects.count() == 0


@override_settings(SAWT_IMPORT_MAX_BYTES=100)
def test_oversized_body_is_refused_from_its_declared_length(analyst, survey):
    # The declared length alone decides: the body is never read, so never stored.
    data = {"kind": "responses", "survey": survey.pk, "file": upload(RESPONSES / "valid.csv")}
    response = analyst.post(URL, data, CONTENT_LENGTH=str(10 * 1024**3))
    assert response.status_code == 413 and Response.objects.count() == 0


def test_messages_keep_the_direction_of_the_language_they_were_written_in(analyst, survey):
    # Sent while reading English, read later in Arabic: the English sentences stay left to
    # right inside the Arabic page (and Arabic ones right to left inside an English page).
    analyst.post("/i18n/setlang/", {"language": "en", "next": URL})
    bad = upload(RESPONSES / "err_score_outside_scale.csv")
    status = analyst.post(URL, {"kind": "responses", "survey": survey.pk, "file": bad})
    jobs_run_pending()
    analyst.post("/i18n/setlang/", {"language": "ar", "next": URL})
    html = analyst.get(status["Location"]).content.decode()
    assert 'lang="ar"' in html.split(">", 2)[1]  # the page
    assert '<p lang="en" dir="ltr">The file was not imported because of' in html
    assert '<td lang="en" dir="ltr">' in html


def test_an_import_kept_waiting_by_another_is_tried_again_later(analyst, survey, monkeypatch):
    from sawt.imports.db import ImportBusy

    def busy(**kwargs):
        raise ImportBusy()

    monkeypatch.setattr("sawt.surveys.services.responses_import", busy)
    analyst.post("/i18n/setlang/", {"language": "en", "next": URL})
    data = {"kind": "responses", "survey": survey.pk, "file": upload(RESPONSES / "valid.csv")}
    status = analyst.post(URL, data)["Location"]
    jobs_run_pending()
    job = Job.objects.get()
    assert (job.status, job.attempts) == ("queued", 1) and job.run_after is not None
    assert job.error_summary.startswith("Another import is writing to the database")
    html = analyst.get(status).content.decode()
    assert "will be tried again at" in html and "(attempt 2 of 3)" in html
    assert 'http-equiv="refresh"' in html
