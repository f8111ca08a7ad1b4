"""The imports page's "exported from" choice: a responses file from another tool is read by
that tool's source (`--from` on the command line)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sawt.core.access import Role
from sawt.jobs.models import Job
from sawt.jobs.services import jobs_run_pending
from sawt.surveys.models import Response
from sawt.surveys.tests.sources_helpers import EXAMPLES, contractors_survey
from sawt.testing import factories as f

URL = "/imports/"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def uploads(tmp_path, settings):
    settings.SAWT_HOME = tmp_path


@pytest.fixture
def analyst(client: Client) -> Client:
    client.force_login(f.user_with_role(Role.ANALYST))
    return client


def english(client: Client) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": URL})


def upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (EXAMPLES / name).read_bytes())


def test_the_form_offers_the_sources_in_arabic_first(analyst):
    html = analyst.get(URL).content.decode()
    assert 'for="id_source"' in html
    assert "مصدر الملف" in html
    for value in ("sawt", "kobo", "odk", "qualtrics"):
        assert f'value="{value}"' in html


def test_a_kobo_export_is_read_as_kobo(analyst):
    survey = contractors_survey()
    english(analyst)
    data = {"kind": "responses", "survey": survey.pk, "source": "kobo"}
    response = analyst.post(URL, {**data, "file": upload("responses-kobo.csv")})
    assert response.status_code == 303
    assert Job.objects.get().payload["source"] == "kobo"
    jobs_run_pending()
    html = analyst.get(response["Location"]).content.decode()
    assert "5 rows read: 5 created, 0 updated, 0 unchanged." in html
    assert Response.objects.filter(survey=survey).count() == 5


def test_without_a_choice_the_file_is_sawts_own(analyst):
    survey = contractors_survey()
    english(analyst)
    data = {"kind": "responses", "survey": survey.pk, "file": upload("responses.csv")}
    response = analyst.post(URL, data)
    assert Job.objects.get().payload["source"] == "sawt"
    jobs_run_pending()
    assert "5 created" in analyst.get(response["Location"]).content.decode()


def test_a_qualtrics_export_sent_as_sawts_own_is_refused_and_nothing_written(analyst):
    survey = contractors_survey()
    english(analyst)
    data = {"kind": "responses", "survey": survey.pk, "source": "sawt"}
    response = analyst.post(URL, {**data, "file": upload("responses-qualtrics.csv")})
    jobs_run_pending()
    assert analyst.get(response["Location"]).status_code == 200
    assert Job.objects.get().status == "failed"
    assert Response.objects.count() == 0


def test_an_unknown_source_is_a_form_error(analyst):
    survey = contractors_survey()
    data = {"kind": "responses", "survey": survey.pk, "source": "surveymonkey"}
    response = analyst.post(URL, {**data, "file": upload("responses.csv")})
    assert response.status_code == 400
    assert Job.objects.count() == 0


def test_a_source_takes_its_own_kind_of_file(analyst):
    survey = contractors_survey()
    english(analyst)
    data = {"kind": "responses", "survey": survey.pk, "source": "spss"}
    response = analyst.post(URL, {**data, "file": upload("responses.csv")})
    assert response.status_code == 400
    assert "This kind of import takes a file ending in .sav / .zsav." in response.content.decode()


def test_the_status_page_says_what_a_source_skipped_and_dropped(analyst):
    survey = contractors_survey()
    english(analyst)
    data = {"kind": "responses", "survey": survey.pk, "source": "qualtrics"}
    response = analyst.post(URL, {**data, "file": upload("responses-qualtrics.csv")})
    jobs_run_pending()
    html = analyst.get(response["Location"]).content.decode()
    assert "5 rows read: 5 created" in html
    assert "Rows skipped (previews): 1." in html
    assert "Rows skipped (unfinished responses): 1." in html
    assert "IPAddress" in html  # named among the columns dropped
