"""The imports page: the CLI's services through the browser, all or nothing, scoped by role."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import translation

from sawt.accounts import permissions
from sawt.accounts.choices import Role
from sawt.catalog.models import Journey
from sawt.complaints.models import Complaint
from sawt.core import factories as f
from sawt.imports.tests.helpers import counts, write_xlsx
from sawt.surveys.models import Response, Survey
from sawt.surveys.services import survey_definition_import

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
        return survey_definition_import(path=DEFINITIONS / "valid.yaml")  # journey "permits"


def login(client: Client, role: str, agency=None) -> Client:
    client.force_login(f.user_with_role(role, agency=agency))
    return client


@pytest.fixture
def analyst(client: Client) -> Client:
    return login(client, Role.ANALYST)


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
    response = analyst.post(URL, data)
    assert response.status_code == 200
    assert "3 rows read: 3 created, 0 updated, 0 unchanged." in response.content.decode()
    assert Response.objects.filter(survey=survey).count() == 3
    # The same file again changes nothing, as with the command line.
    data["file"] = upload(RESPONSES / "valid.csv")
    html = analyst.post(URL, data).content.decode()
    assert "3 rows read: 0 created, 0 updated, 3 unchanged." in html


def test_good_definition_and_complaints_are_imported(analyst):
    definition = {"kind": "definition", "file": upload(DEFINITIONS / "valid.yaml")}
    assert analyst.post(URL, definition).status_code == 200
    journey = Journey.objects.get(slug="permits")
    data = {"kind": "complaints", "journey": journey.pk, "file": upload(COMPLAINTS / "valid.csv")}
    response = analyst.post(URL, data)
    assert response.status_code == 200 and "permits" in response.content.decode()
    assert Complaint.objects.filter(journey=journey).count() > 0


def test_bad_file_lists_row_problems_and_writes_nothing(analyst, survey):
    before = counts()
    analyst.post("/i18n/setlang/", {"language": "en", "next": URL})
    bad = upload(RESPONSES / "err_score_outside_scale.csv")
    response = analyst.post(URL, {"kind": "responses", "survey": survey.pk, "file": bad})
    html = response.content.decode()
    assert response.status_code == 422
    assert "nothing was saved" in html and '<th scope="col">Row</th>' in html
    # Row 2 (the first data row, header = 1), column e1 is outside the 1–5 scale.
    assert '<td>2</td><td dir="auto">e1</td>' in html
    assert counts() == before


def test_bad_yaml_lists_lines(analyst):
    before = counts()
    bad = upload(DEFINITIONS / "err_unknown_key.yaml")
    response = analyst.post(URL, {"kind": "definition", "file": bad})
    assert response.status_code == 422 and "السطر" in response.content.decode()
    assert counts() == before


@override_settings(SAWT_IMPORT_MAX_BYTES=100)
def test_oversized_file_is_refused_before_parsing(analyst, survey, monkeypatch):
    def never(**kwargs):
        raise AssertionError("the service must not be called")

    monkeypatch.setattr("sawt.web.views.imports.responses_import", never)
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
    allowed = {**permissions.ALLOWED, "complaint.import": frozenset(Role.values)}
    monkeypatch.setattr(permissions, "ALLOWED", allowed)
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
    response = analyst.post(URL, {"kind": "responses", "survey": survey.pk, "file": upload(book)})
    html = response.content.decode()
    assert response.status_code == 422 and '<td>3</td><td dir="auto">overall</td>' in html
    assert Response.objects.count() == 0


@override_settings(SAWT_IMPORT_MAX_BYTES=100)
def test_oversized_body_is_refused_from_its_declared_length(analyst, survey):
    # The declared length alone decides: the body is never read, so never stored.
    data = {"kind": "responses", "survey": survey.pk, "file": upload(RESPONSES / "valid.csv")}
    response = analyst.post(URL, data, CONTENT_LENGTH=str(10 * 1024**3))
    assert response.status_code == 413 and Response.objects.count() == 0
