"""Every parameter of every page, given hostile values, is a 4xx at worst: never a 500.

Each page is requested as an administrator (who may do everything, so a POST reaches the
service) with valid values for every parameter but one, which gets each hostile value in turn:
a superscript digit ("²".isdigit() is true, int() refuses it), Arabic-Indic digits, a NUL byte
(PostgreSQL refuses it in text), 10,000 characters, negative and huge integers, a list, a
trailing newline, a missing value. URL parts get the same treatment. Run on both databases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone

from sawt.catalog.choices import CategorySource
from sawt.core.access import Role
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db

MISSING = object()
HOSTILE: list[Any] = [
    "²",
    "٣",
    "٢٠٢٢-06",
    "\x00",
    "x" * 10_000,
    "-1",
    "99999999999999999999999",
    "1,²,3",
    "2022-06\n",
    "",
    ["1", "2"],
    MISSING,
]
# URL parts cannot be missing or lists; a slash would change the route.
HOSTILE_PARTS = [v for v in HOSTILE if isinstance(v, str) and v and "/" not in v]
WHEN = dt.datetime(2022, 6, 12, 11, 0, tzinfo=timezone.get_default_timezone())


@dataclass
class Page:
    """One URL with its parts and parameters; `build` fills the valid values from the world."""

    route: str  # with {part} placeholders
    method: str = "get"
    parts: dict[str, str] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)

    def url(self, parts: dict[str, str]) -> str:
        return self.route.format(**{k: quote(v, safe="") for k, v in parts.items()})


@pytest.fixture
def world() -> dict[str, Any]:
    agency = f.AgencyFactory(code="ours")
    journey = f.JourneyFactory(slug="permits", agency=agency)
    stage = f.StageFactory(journey=journey, code="apply")
    category = f.GapCategoryFactory(journey=journey, code="delay")
    survey = f.SurveyFactory(journey=journey, period="2022-06")
    item = f.QuestionFactory(survey=survey, code="q1", stage=stage)
    f.AnswerFactory(question=item, response__survey=survey, score=4)
    complaint = f.ComplaintFactory(journey=journey, received_at=WHEN)
    f.ComplaintFactory(
        journey=journey, received_at=WHEN, category=category, category_source=CategorySource.IMPORT
    )
    note = f.WorkshopNoteFactory(workshop__journey=journey)
    gap = f.GapFactory(journey=journey, period="2022-06")
    rec = f.RecommendationFactory(gap=gap, owner=agency)
    return {
        "agency": agency,
        "journey": journey,
        "stage": stage,
        "category": category,
        "item": item,
        "complaint": complaint,
        "note": note,
        "gap": gap,
        "rec": rec,
    }


def _pages(w: dict[str, Any]) -> dict[str, Page]:
    jp = {"slug": "permits", "period": "2022-06"}
    gp = {"pk": str(w["gap"].pk)}
    rp = {**gp, "rec": str(w["rec"].pk)}
    r = f"r{w['rec'].pk}-"
    source = {"journey": "permits", "period": "2022-06"}
    return {
        "home": Page("/", params={"period": "2022-06"}),
        "portfolio": Page("/periods/{period}/", parts={"period": "2022-06"}),
        "journey": Page("/journeys/{slug}/{period}/", parts=jp),
        "category": Page(
            "/journeys/{slug}/{period}/categories/{code}/",
            parts={**jp, "code": "delay"},
            params={"source": "complaints", "page": "1"},
        ),
        "review": Page("/journeys/{slug}/{period}/review/", parts=jp),
        "review-retrain": Page("/journeys/{slug}/{period}/review/retrain/", "post", parts=jp),
        "review-settle": Page(
            "/journeys/{slug}/{period}/review/{pk}/",
            "post",
            parts={**jp, "pk": str(w["complaint"].pk)},
            params={"category": "delay", "next": "1"},
        ),
        "themes": Page("/journeys/{slug}/{period}/themes/", parts=jp, params={"source": "survey"}),
        "theme-promote": Page(
            "/journeys/{slug}/{period}/themes/promote/",
            "post",
            parts=jp,
            params={
                "source": "complaints",
                "name_ar": "مواقف السيارات",
                "name_en": "Parking",
                "code": "parking",
                "complaint_ids": str(w["complaint"].pk),
                "answer_ids": "",
                "theme": "1",
            },
        ),
        "imports": Page("/imports/", "post", params={"kind": "complaints", "journey": "1"}),
        "gaps": Page(
            "/gaps/",
            params={
                "journey": "permits",
                "stage": "apply",
                "agency": "ours",
                "status": "proposed",
                "period": "2022-06",
                "page": "1",
            },
        ),
        "gap-new": Page("/gaps/new/", params={**source, "category": "delay"}),
        "gap-new-item": Page("/gaps/new/", params={**source, "item": "q1"}),
        "gap-new-note": Page("/gaps/new/", params={**source, "note": str(w["note"].pk)}),
        "gap-new-post": Page(
            "/gaps/new/",
            "post",
            params={
                **source,
                "category": "delay",
                "feedback_ar": "ملاحظة",
                "feedback_en": "",
                "stage": str(w["stage"].pk),
            },
        ),
        "gap": Page("/gaps/{pk}/", parts=gp),
        "recommendation-add": Page(
            "/gaps/{pk}/recommendations/",
            "post",
            parts=gp,
            params={
                "text_ar": "قرار",
                "text_en": "",
                "owner": str(w["agency"].pk),
                "due_date": "2022-09-30",
            },
        ),
        "recommendation-move": Page(
            "/gaps/{pk}/recommendations/{rec}/move/",
            "post",
            parts=rp,
            params={"to_status": "rejected", "expected_status": "approved", "version": "7"},
        ),
        "recommendation-edit": Page(
            "/gaps/{pk}/recommendations/{rec}/edit/",
            "post",
            parts=rp,
            params={
                f"{r}text_ar": "قرار",
                f"{r}text_en": "",
                f"{r}owner": str(w["agency"].pk),
                f"{r}due_date": "2022-09-30",
                f"{r}version": "7",
            },
        ),
        "comment": Page("/gaps/{pk}/comments/", "post", parts=gp, params={"text": "تعليق"}),
        "report": Page(
            "/reports/{slug}/{period}/", parts=jp, params={"lang": "en", "digits": "latin"}
        ),
        "report-pdf": Page(
            "/reports/{slug}/{period}/pdf/", parts=jp, params={"lang": "en", "digits": "latin"}
        ),
        "login": Page(
            "/accounts/login/",
            "post",
            params={"username": "someone", "password": "wrong", "next": "/gaps/"},
        ),
        "admin-login": Page(
            "/admin/login/", "post", params={"username": "someone", "password": "wrong"}
        ),
        "set-language": Page("/i18n/setlang/", "post", params={"language": "en", "next": "/"}),
    }


def _request(client: Client, page: Page, parts: dict[str, str], params: dict[str, Any]) -> int:
    data = {k: v for k, v in params.items() if v is not MISSING}
    call: Callable[..., Any] = getattr(client, page.method)
    return call(page.url(parts), data).status_code


@pytest.fixture
def admin_client(world) -> Client:
    client = Client(raise_request_exception=True)
    client.force_login(f.user_with_role(Role.ADMINISTRATOR, username="boss"))
    return client


@pytest.fixture(autouse=True)
def no_pdf_rendering(monkeypatch):
    # The PDF is rendered only after every parameter was accepted; rendering it for each
    # hostile value would cost seconds and test nothing more.
    monkeypatch.setattr("sawt.reports.views.report_pdf", lambda *args, **kwargs: b"%PDF-1.7")


PAGES = [
    "home",
    "portfolio",
    "journey",
    "category",
    "review",
    "review-retrain",
    "review-settle",
    "themes",
    "theme-promote",
    "imports",
    "gaps",
    "gap-new",
    "gap-new-item",
    "gap-new-note",
    "gap-new-post",
    "gap",
    "recommendation-add",
    "recommendation-move",
    "recommendation-edit",
    "comment",
    "report",
    "report-pdf",
    "login",
    "admin-login",
    "set-language",
]


def test_every_page_is_in_the_list(world):
    assert sorted(_pages(world)) == sorted(PAGES)


@pytest.mark.parametrize("name", PAGES)
def test_no_hostile_value_gives_a_server_error(world, admin_client, name):
    page = _pages(world)[name]
    cases: list[tuple[str, dict[str, str], dict[str, Any]]] = []
    for part in page.parts:
        for value in HOSTILE_PARTS:
            cases.append((f"{part}={value!r:.40}", {**page.parts, part: value}, page.params))
    for param in page.params:
        for value in HOSTILE:
            shown = "missing" if value is MISSING else f"{value!r:.40}"
            cases.append((f"{param}={shown}", page.parts, {**page.params, param: value}))
    problems = []
    for label, parts, params in cases:
        try:
            status = _request(admin_client, page, parts, params)
        except Exception as exc:  # the test client re-raises what would be a 500
            problems.append(f"{label}: {type(exc).__name__}: {str(exc)[:120]}")
            continue
        if status >= 500:
            problems.append(f"{label}: {status}")
    assert problems == []
