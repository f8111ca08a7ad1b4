"""Candidate themes: the page, the switch between sources, promoting a theme, roles, scoping."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from sawt.accounts.choices import Role
from sawt.catalog.choices import CategorySource
from sawt.catalog.models import GapCategory
from sawt.complaints.models import Complaint
from sawt.core import factories as f
from sawt.surveys.models import Answer

pytestmark = pytest.mark.django_db

PERIOD = "2022-06"
THEMES = f"/journeys/permits/{PERIOD}/themes/"
PROMOTE = f"{THEMES}promote/"
WHEN = dt.datetime(2022, 6, 12, 11, 0, tzinfo=timezone.get_default_timezone())

# What no category of the taxonomy covers: the parking at the service centre, worded many ways.
PARKING = [
    "لا توجد مواقف سيارات كافية عند مركز الخدمة",
    "مواقف السيارات عند مركز الخدمة ممتلئة دائما",
    "صعوبة إيجاد مواقف سيارات قرب مركز الخدمة",
    "مواقف السيارات في مركز الخدمة قليلة جدا",
    "لم أجد موقفا لسيارتي عند مركز الخدمة",
    "مركز الخدمة بلا مواقف سيارات للمراجعين",
    "أمضيت نصف ساعة أبحث عن موقف سيارة عند مركز الخدمة",
    "مواقف سيارات مركز الخدمة محجوزة للموظفين فقط",
]
# Scattered texts on unrelated matters.
OTHERS = [
    "الموقع الإلكتروني بطيء في المساء",
    "الموظف لم يشرح المتطلبات",
    "رسالة التأكيد وصلت متأخرة",
    "الاستمارة طويلة ومعقدة",
]


@pytest.fixture
def world():
    ours, theirs = f.AgencyFactory(code="ours"), f.AgencyFactory(code="theirs")
    journey = f.JourneyFactory(slug="permits", agency=ours)
    f.JourneyFactory(slug="licences", agency=theirs)
    f.GapCategoryFactory(journey=journey, code="delay", position=1)
    complaints = [
        f.ComplaintFactory(journey=journey, text=text, received_at=WHEN) for text in PARKING
    ] + [f.ComplaintFactory(journey=journey, text=text, received_at=WHEN) for text in OTHERS]
    survey = f.SurveyFactory(journey=journey, period=PERIOD)
    question = f.QuestionFactory(survey=survey, kind="text", scale_min=None, scale_max=None)
    answers = [
        f.AnswerFactory(question=question, response__survey=survey, score=None, text=text)
        for text in PARKING
    ]
    return {
        "journey": journey,
        "complaints": complaints,
        "answers": answers,
        "ours": ours,
        "theirs": theirs,
    }


def login(role, agency=None):
    client = Client()
    client.force_login(f.user_with_role(role, agency=agency, username=f"u-{role}"))
    return client


def parking_theme(response):
    """The theme (as the page lists it) that gathers the parking texts."""
    for theme in response.context["themes"]:
        if any("مواقف" in text or "موقف" in text for text in theme["examples"]):
            return theme
    raise AssertionError([t["view"].theme.top_terms for t in response.context["themes"]])


def test_the_page_lists_the_themes_largest_first(world):
    response = login(Role.ANALYST).get(THEMES)
    assert response.status_code == 200
    sizes = [t["view"].theme.size for t in response.context["themes"]]
    assert sizes and sizes == sorted(sizes, reverse=True)
    theme = parking_theme(response)
    assert len(theme["examples"]) <= 3
    html = response.content.decode()
    assert 'class="chip"' in html
    assert f'action="{PROMOTE}"' in html
    ids = {int(pk) for pk in theme["complaint_ids"].split(",")}
    parking = {c.pk for c in world["complaints"][: len(PARKING)]}
    assert len(ids & parking) >= len(PARKING) // 2


def test_the_survey_switch_lists_open_answers(world):
    response = login(Role.ANALYST).get(THEMES + "?source=survey")
    assert response.status_code == 200
    theme = parking_theme(response)
    assert theme["answer_ids"] and not theme["complaint_ids"]
    assert 'aria-current="page">' in response.content.decode()


def test_promoting_a_theme_makes_a_category_and_labels_its_members(world):
    client = login(Role.ANALYST)
    theme = parking_theme(client.get(THEMES))
    response = client.post(
        PROMOTE,
        {
            "name_ar": "مواقف السيارات",
            "name_en": "Parking",
            "code": "",
            "source": "complaints",
            "complaint_ids": theme["complaint_ids"],
            "answer_ids": "",
            "theme": "1",
        },
    )
    assert response.status_code == 303
    assert response["Location"] == f"/journeys/permits/{PERIOD}/"
    category = GapCategory.objects.get(journey=world["journey"], code="parking")
    assert category.name_ar == "مواقف السيارات"
    members = Complaint.objects.filter(category=category)
    ids = {int(pk) for pk in theme["complaint_ids"].split(",")}
    assert set(members.values_list("pk", flat=True)) == ids
    assert set(members.values_list("category_source", flat=True)) == {CategorySource.ANALYST}
    html = client.get(response["Location"]).content.decode()
    assert "مواقف السيارات" in html  # the message, and the new reason in the ranking


def test_promoting_open_answers_labels_them(world):
    client = login(Role.ANALYST)
    theme = parking_theme(client.get(THEMES + "?source=survey"))
    response = client.post(
        PROMOTE,
        {
            "name_ar": "مواقف السيارات",
            "code": "parking",
            "source": "survey",
            "answer_ids": theme["answer_ids"],
        },
    )
    assert response.status_code == 303
    labelled = Answer.objects.filter(category__code="parking")
    assert labelled.count() == len(theme["answer_ids"].split(","))


def test_ids_of_another_journey_are_ignored(world):
    foreign = f.ComplaintFactory(journey__slug="elsewhere", text="مواقف السيارات", received_at=WHEN)
    mine = world["complaints"][0]
    response = login(Role.ANALYST).post(
        PROMOTE,
        {"name_ar": "مواقف", "code": "parking", "complaint_ids": f"{mine.pk},{foreign.pk}"},
    )
    assert response.status_code == 303
    foreign.refresh_from_db()
    mine.refresh_from_db()
    assert foreign.category is None and mine.category.code == "parking"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name_ar": "", "code": "parking"}, "Arabic name"),
        ({"name_ar": "تأخير", "code": "delay"}, "delay"),
    ],
)
def test_a_refused_promotion_is_400_and_changes_nothing(world, fields, message):
    client = login(Role.ANALYST)
    client.post("/i18n/setlang/", {"language": "en", "next": THEMES})
    before = GapCategory.objects.count()
    ids = ",".join(str(c.pk) for c in world["complaints"])
    response = client.post(PROMOTE, {**fields, "complaint_ids": ids, "theme": "1"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert GapCategory.objects.count() == before
    assert not Complaint.objects.filter(category__isnull=False).exists()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AGENCY_MEMBER])
def test_readers_see_themes_without_forms_and_cannot_promote(world, role):
    client = login(role, agency=world["ours"] if role == Role.AGENCY_MEMBER else None)
    response = client.get(THEMES)
    assert response.status_code == 200 and response.context["themes"]
    assert PROMOTE not in response.content.decode()
    refused = client.post(PROMOTE, {"name_ar": "مواقف", "code": "parking"})
    assert refused.status_code == 403
    assert not GapCategory.objects.filter(code="parking").exists()


def test_another_agency_gets_404(world):
    client = login(Role.AGENCY_MEMBER, agency=world["theirs"])
    assert client.get(THEMES).status_code == 404
    assert client.post(PROMOTE, {"name_ar": "مواقف", "code": "parking"}).status_code == 404


def test_unknown_source_or_bad_period_is_404(world):
    client = login(Role.ANALYST)
    assert client.get(THEMES + "?source=tweets").status_code == 404
    assert client.get("/journeys/permits/2022-13/themes/").status_code == 404


def test_the_english_page_has_no_arabic_interface_text(world):
    client = login(Role.ANALYST)
    client.post("/i18n/setlang/", {"language": "en", "next": THEMES})
    response = client.get(THEMES)
    html = response.content.decode()
    assert 'lang="en"' in html and "Candidate themes" in html
    interface = re.sub(r"<blockquote[^>]*>.*?</blockquote>", "", html, flags=re.S)
    interface = re.sub(r'<li class="chip" dir="auto">[^<]*</li>', "", interface)
    # The switch to Arabic and the brand's mark are meant to be in Arabic on every page.
    assert set(re.findall(r"[\u0600-\u06ff]+", interface)) == {"العربية", "صوت"}


def test_themes_page_query_budget(world, django_assert_max_num_queries):
    client = login(Role.ANALYST)
    with django_assert_max_num_queries(10):
        assert client.get(THEMES).status_code == 200
