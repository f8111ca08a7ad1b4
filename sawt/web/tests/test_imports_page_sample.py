"""The imports page takes a survey's sample (the service users it asks) like `sawt import-sample`:
the survey, the sample size, the seed and the stratifying column, in the background."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sawt.core.access import Role
from sawt.distribution.models import Invitee, SampleDraw
from sawt.jobs.models import Job
from sawt.jobs.services import jobs_run_pending
from sawt.testing import factories as f

URL = "/imports/"
HEADER = "reference_id,mobile,region\n"
BODY = "".join(f"R{n},05{n:08d},{'north' if n % 2 else 'south'}\n" for n in range(1, 21))
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def uploads(tmp_path, settings) -> Path:
    settings.SAWT_HOME = tmp_path
    return tmp_path / "uploads"


@pytest.fixture
def survey():
    return f.SurveyFactory(sample_size=None, sample_size_by_hand=False)


@pytest.fixture
def analyst(client: Client) -> Client:
    client.force_login(f.user_with_role(Role.ANALYST))
    client.post("/i18n/setlang/", {"language": "en", "next": URL})
    return client


def sample_file(body: str = BODY) -> SimpleUploadedFile:
    return SimpleUploadedFile("people.csv", (HEADER + body).encode())


def test_the_form_offers_the_sample_and_its_draw(analyst, survey):
    html = analyst.get(URL).content.decode()
    assert '<option value="sample">Service users to invite to a survey (CSV or XLSX)' in html
    for field in ("sample", "seed", "strata"):
        assert f'for="id_{field}"' in html


def test_a_sample_is_drawn_in_the_background_and_reported(analyst, survey):
    data = {"kind": "sample", "survey": survey.pk, "sample": 6, "seed": 11, "strata": "region"}
    response = analyst.post(URL, {**data, "file": sample_file()})
    assert response.status_code == 303
    job = Job.objects.get()
    assert (job.payload["sample"], job.payload["seed"], job.payload["strata"]) == (6, 11, "region")
    jobs_run_pending()
    html = analyst.get(response["Location"]).content.decode()
    assert 'data-job-status="succeeded"' in html
    assert "20 rows read, 20 could be asked; 6 drawn at random, stratified by" in html
    assert (
        sorted(Invitee.objects.values_list("stratum", flat=True)) == ["north"] * 3 + ["south"] * 3
    )
    draw = SampleDraw.objects.get()
    assert (draw.population, draw.drawn, draw.seed, draw.strata) == (20, 6, 11, "region")
    # The same file and seed from the command line would draw these very people.
    first = set(Invitee.objects.values_list("reference_id", flat=True))
    analyst.post(URL, {**data, "file": sample_file()})
    jobs_run_pending()
    assert set(Invitee.objects.values_list("reference_id", flat=True)) == first


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "sample"}, "survey", "Choose the survey these people are invited to."),
        ({"sample": 0}, "sample", "Ensure this value is greater than or equal to 1."),
        ({"seed": 4}, "seed", "A seed only matters for a random sample"),
        ({"sample": 2, "seed": -1}, "seed", "greater than or equal to 0"),
        ({"sample": "many"}, "sample", "Enter a whole number."),
    ],
)
def test_a_wrong_draw_is_refused_with_the_field_named(analyst, survey, data, field, message):
    sent = {"kind": "sample", "survey": survey.pk, **data, "file": sample_file()}
    if data == {"kind": "sample"}:
        sent.pop("survey")
    response = analyst.post(URL, sent)
    html = response.content.decode()
    assert response.status_code == 400 and f'id="id_{field}_error"' in html
    assert message in html.split(f'id="id_{field}_error"')[1].split("</ul>")[0]
    assert Job.objects.count() == 0


def test_a_bad_row_is_listed_and_nothing_is_saved(analyst, survey):
    response = analyst.post(
        URL, {"kind": "sample", "survey": survey.pk, "file": sample_file("R1,0112345678,x\n")}
    )
    jobs_run_pending()
    html = analyst.get(response["Location"]).content.decode()
    assert 'data-job-status="failed"' in html and "nothing was saved" in html
    assert "<td>2</td><td><bdi>mobile</bdi></td>" in html and "landline" in html
    assert Invitee.objects.count() == 0


def test_a_viewer_may_not_import_a_sample(client, survey):
    client.force_login(f.user_with_role(Role.VIEWER))
    response = client.post(URL, {"kind": "sample", "survey": survey.pk, "file": sample_file()})
    assert response.status_code == 403 and Invitee.objects.count() == 0
