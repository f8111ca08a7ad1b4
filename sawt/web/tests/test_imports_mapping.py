"""The imports page's column mapping: a complaints file sawt cannot read as its own is shown
(sheets, first rows, a choice of column for each of sawt's), the analyst's choices are saved
for the journey and the file imported with them; the journey's later files use them."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from sawt.complaints.models import Complaint, SavedMapping
from sawt.core.access import Role
from sawt.core.models import AuditEvent
from sawt.jobs.services import jobs_run_pending
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db
URL = "/imports/"
HEADER = ["رقم البلاغ", "تاريخ الاستلام", "الموضوع", "قناة الورود", "اسم المستفيد"]
ROWS = [
    ["B-1", "03/07/2022", "تأخر إصدار الرخصة", "بلدي", "محمد"],
    ["B-2", "١٤٤٣/١٢/٠٤ هـ", "لم يرد أحد على الاتصال", "الاتصال الموحد 940", "سارة"],
]


@pytest.fixture(autouse=True)
def uploads(tmp_path, settings) -> Path:
    settings.SAWT_HOME = tmp_path
    return tmp_path / "uploads"


@pytest.fixture
def journey():
    return f.JourneyFactory()


@pytest.fixture
def analyst(client: Client) -> Client:
    client.force_login(f.user_with_role(Role.ANALYST))
    return client


def workbook(tmp_path: Path, name: str = "export.xlsx", rows=None) -> SimpleUploadedFile:
    """A ministry's export: a summary sheet first, the complaints on the second under two
    title lines, Arabic headers, dd/mm/yyyy and Hijri dates."""
    book = openpyxl.Workbook()
    book.active.title = "ملخص"
    book.active.append(["عدد البلاغات", 2])
    sheet = book.create_sheet("البلاغات")
    sheet.append(["تقرير البلاغات الواردة"])
    sheet.append(["الفترة: يوليو 2022"])
    sheet.append(HEADER)
    for row in rows or ROWS:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return SimpleUploadedFile(name, path.read_bytes())


def upload(client: Client, journey, file, **extra) -> str:
    response = client.post(
        URL, {"kind": "complaints", "journey": journey.pk, "file": file, **extra}
    )
    assert response.status_code == 303, response.content.decode()[:800]
    return response["Location"]


def choices(**overrides) -> dict:
    data = {
        "action": "save",
        "sheet": "البلاغات",
        "header_row": "3",
        "col_complaint_id": "رقم البلاغ",
        "col_received_at": "تاريخ الاستلام",
        "col_text": "الموضوع",
        "col_channel": "قناة الورود",
        "col_category": "",
        "date_format": "dd/mm/yyyy",
        "calendar": "gregorian",
        "channel_values": "بلدي = balady-portal\nالاتصال الموحد 940 = call-centre",
        "drop": ["اسم المستفيد"],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def preview_url(client, journey, tmp_path) -> str:
    location = upload(client, journey, workbook(tmp_path))
    assert location.startswith("/imports/map/"), location
    return location


def test_a_file_sawt_cannot_read_is_previewed_with_aliases_chosen(analyst, journey, tmp_path):
    location = preview_url(analyst, journey, tmp_path)
    html = analyst.get(location, {"sheet": "البلاغات", "header_row": "3"}).content.decode()
    # Both sheets offered, the first rows shown, the header row marked.
    assert "ملخص" in html and "البلاغات" in html and "تقرير البلاغات الواردة" in html
    assert 'class="header-row"' in html and "تأخر إصدار الرخصة" in html
    # Known names are chosen already; the text column (an unknown name) is left to the analyst.
    assert re.search(
        r'name="col_complaint_id"[^>]*>.*?<option value="رقم البلاغ" selected', html, re.S
    )
    assert re.search(
        r'name="col_received_at"[^>]*>.*?<option value="تاريخ الاستلام" selected', html, re.S
    )
    assert re.search(r'name="col_channel"[^>]*>.*?<option value="قناة الورود" selected', html, re.S)
    assert not re.search(r'name="col_text"[^>]*>.*?<option value="الموضوع" selected', html, re.S)
    assert 'lang="ar"' in html and "csrfmiddlewaretoken" in html
    assert Complaint.objects.count() == 0 and SavedMapping.objects.count() == 0


def test_the_header_row_is_guessed_from_known_names(analyst, journey, tmp_path):
    location = preview_url(analyst, journey, tmp_path)
    html = analyst.get(location, {"sheet": "البلاغات"}).content.decode()
    assert re.search(r'name="header_row" value="3"', html)


def test_saving_stores_the_mapping_and_imports_with_it(analyst, journey, tmp_path, uploads):
    location = preview_url(analyst, journey, tmp_path)
    response = analyst.post(location, choices())
    assert response.status_code == 303, response.content.decode()[:2000]
    saved = SavedMapping.objects.get(journey=journey)
    assert saved.profile["columns"]["text"] == "الموضوع"
    assert saved.profile["dates"] == {"calendar": "gregorian", "format": "dd/mm/yyyy"}
    assert AuditEvent.objects.filter(action="complaint.mapping_save").count() == 1
    jobs_run_pending()
    status = analyst.get(response["Location"]).content.decode()
    assert 'data-job-status="succeeded"' in status, status[-3000:]
    got = {c.complaint_id: c for c in Complaint.objects.filter(journey=journey)}
    assert set(got) == {"B-1", "B-2"}
    local = {k: timezone.localtime(c.received_at).date() for k, c in got.items()}
    # 03/07/2022 is 3 July; ١٤٤٣/١٢/٠٤ هـ (Umm al-Qura) is 3 July 2022 too.
    assert local == {"B-1": date(2022, 7, 3), "B-2": date(2022, 7, 3)}
    assert got["B-1"].channel == "balady-portal" and got["B-2"].channel == "call-centre"
    assert got["B-1"].text == "تأخر إصدار الرخصة"
    assert "محمد" not in str(Complaint.objects.values_list("text", flat=True))
    # The upload is gone once imported, and the preview cannot be replayed.
    assert not any(p.is_dir() for p in uploads.iterdir())
    assert analyst.get(location).status_code == 404


def test_a_second_upload_uses_the_saved_mapping(analyst, journey, tmp_path):
    analyst.post(preview_url(analyst, journey, tmp_path), choices())
    jobs_run_pending()
    rows = [["B-3", "05/07/2022", "الموقع لا يعمل", "بلدي", "علي"]]
    location = upload(analyst, journey, workbook(tmp_path, "july.xlsx", rows))
    assert re.fullmatch(r"/imports/\d+/", location), location
    jobs_run_pending()
    assert "succeeded" in analyst.get(location).content.decode()
    third = Complaint.objects.get(complaint_id="B-3")
    assert third.channel == "balady-portal"
    # The page shows it, with its YAML, which reads as a --mapping file.
    page = analyst.get(URL).content.decode()
    assert "import-mappings" in page and f"/imports/mappings/{journey.slug}/mapping.yaml" in page
    download = analyst.get(f"/imports/mappings/{journey.slug}/mapping.yaml")
    assert download.status_code == 200
    profile = yaml.safe_load(download.content.decode())
    assert profile["columns"]["complaint_id"] == "رقم البلاغ" and profile["header_row"] == 3
    from sawt.imports.mapping import profile_from_dict

    assert profile_from_dict(profile).date_format == "dd/mm/yyyy"


def test_map_columns_reopens_the_preview_with_the_saved_choices(analyst, journey, tmp_path):
    analyst.post(preview_url(analyst, journey, tmp_path), choices())
    jobs_run_pending()
    location = upload(analyst, journey, workbook(tmp_path, "again.xlsx"), map_columns="on")
    assert location.startswith("/imports/map/")
    html = analyst.get(location).content.decode()
    assert re.search(r'name="col_text"[^>]*>.*?<option value="الموضوع" selected', html, re.S)


def test_the_saved_mapping_can_be_removed(analyst, journey, tmp_path):
    analyst.post(preview_url(analyst, journey, tmp_path), choices())
    response = analyst.post(f"/imports/mappings/{journey.slug}/remove/")
    assert response.status_code == 303
    assert not SavedMapping.objects.exists()
    assert AuditEvent.objects.filter(action="complaint.mapping_delete").count() == 1
    assert analyst.get(f"/imports/mappings/{journey.slug}/mapping.yaml").status_code == 404


def test_a_mapping_is_the_journeys_own(analyst, journey, tmp_path):
    analyst.post(preview_url(analyst, journey, tmp_path), choices())
    other = f.JourneyFactory()
    # Another journey's upload is not read with it: it is previewed.
    assert upload(analyst, other, workbook(tmp_path, "b.xlsx")).startswith("/imports/map/")


def test_a_file_in_sawts_own_shape_is_imported_without_a_preview(analyst, journey, tmp_path):
    csv = b"complaint_id,received_at,text\nK-1,2022-06-02,late\n"
    location = upload(analyst, journey, SimpleUploadedFile("own.csv", csv))
    assert re.fullmatch(r"/imports/\d+/", location)


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"col_text": "رقم البلاغ"}, "col_text", "already chosen for complaint_id"),
        ({"col_text": ""}, "col_text", "holds text"),
        ({"col_text": "no such column"}, "col_text", "no such column"),
        ({"drop": ["الموضوع"]}, "drop", "chosen for text"),
        ({"channel_values": "بلدي"}, "channel_values", "Line 1"),
        ({"header_row": "0"}, "header_row", ""),
    ],
)
def test_bad_choices_are_refused_naming_the_field(
    analyst, journey, tmp_path, overrides, field, words
):
    location = preview_url(analyst, journey, tmp_path)
    analyst.cookies["django_language"] = "en"
    response = analyst.post(location, choices(**overrides))
    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(rf'id="id_{field}_error"|aria-describedby="[^"]*id_{field}_error', html), html[
        -3000:
    ]
    assert words in html
    assert not SavedMapping.objects.exists() and Complaint.objects.count() == 0


def test_a_header_row_without_the_columns_is_refused(analyst, journey, tmp_path):
    location = preview_url(analyst, journey, tmp_path)
    # Row 1 of the sheet is a title: its one "column" cannot be the complaints' columns.
    response = analyst.post(location, choices(header_row="1"))
    assert response.status_code == 400 and not SavedMapping.objects.exists()


def test_a_forged_or_anothers_preview_is_not_found(analyst, journey, tmp_path, client):
    location = preview_url(analyst, journey, tmp_path)
    assert analyst.get("/imports/map/" + "0" * 32 + "/").status_code == 404
    assert analyst.get("/imports/map/..%2F..%2Fetc/").status_code == 404
    assert analyst.post("/imports/map/" + "a" * 32 + "/", choices()).status_code == 404
    other = Client()
    other.force_login(f.user_with_role(Role.ANALYST))
    assert other.get(location).status_code == 404
    assert other.post(location, choices()).status_code == 404
    assert not SavedMapping.objects.exists()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AGENCY_MEMBER])
def test_viewer_and_agency_member_are_refused(client, journey, role):
    client.force_login(
        f.user_with_role(role, agency=journey.agency if role == Role.AGENCY_MEMBER else None)
    )
    assert client.get("/imports/map/" + "a" * 32 + "/").status_code == 403
    assert client.get(f"/imports/mappings/{journey.slug}/mapping.yaml").status_code == 403
    assert client.post(f"/imports/mappings/{journey.slug}/remove/").status_code == 403


def test_previews_are_bounded_per_session(analyst, journey, tmp_path, uploads):
    for n in range(5):
        upload(analyst, journey, workbook(tmp_path, f"f{n}.xlsx"))
    assert sum(1 for p in uploads.iterdir() if p.is_dir()) == 3


def test_an_abandoned_preview_is_deleted(analyst, journey, tmp_path, uploads):
    import os

    preview_url(analyst, journey, tmp_path)
    (old,) = [p for p in uploads.iterdir() if p.is_dir()]
    os.utime(old / ".preview", (0, 0))
    analyst.logout()
    other = Client()
    other.force_login(f.user_with_role(Role.ANALYST))
    preview_url(other, journey, tmp_path)
    assert not old.exists()


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\x01garbage", b"PK\x03\x04broken zip", b'{"json": 1}', "،؛\n".encode() * 3],
)
def test_hostile_files_never_cost_a_500(analyst, journey, content):
    response = analyst.post(
        URL,
        {
            "kind": "complaints",
            "journey": journey.pk,
            "map_columns": "on",
            "file": SimpleUploadedFile("x.xlsx" if content.startswith(b"PK") else "x.csv", content),
        },
    )
    assert response.status_code in (303, 400)
    if response.status_code == 303 and response["Location"].startswith("/imports/map/"):
        page = analyst.get(response["Location"])
        assert page.status_code in (200, 400)
        again = analyst.post(response["Location"], choices(sheet=None))
        assert again.status_code in (303, 400)


def test_the_preview_is_in_english_too(analyst, journey, tmp_path):
    location = preview_url(analyst, journey, tmp_path)
    arabic = analyst.get(location).content.decode()
    assert 'dir="rtl"' in arabic and "أيّ عمود هو أيّ عمود" in arabic and "— لا شيء —" in arabic
    analyst.cookies["django_language"] = "en"
    html = analyst.get(location).content.decode()
    assert 'lang="en"' in html and "Which column is which" in html
    assert "Save mapping for this journey and import" in html and "Row of the column names" in html
