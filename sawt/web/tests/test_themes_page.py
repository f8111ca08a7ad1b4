"""Candidate themes: the page, the switch between sources, promoting a theme, roles, scoping."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from sawt.catalog.choices import CategorySource
from sawt.catalog.models import GapCategory
from sawt.complaints.models import Complaint
from sawt.core.access import Role
from sawt.jobs.models import Job
from sawt.jobs.services import jobs_run_pending
from sawt.surveys.models import Answer
from sawt.testing import factories as f

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
    raise AssertionError([t["top_terms"] for t in response.context["themes"]])


def computed(client, url=THEMES):
    """The page once its themes were computed: the first view queues the work, a worker does
    it, the next view serves the stored result."""
    client.get(url)
    jobs_run_pending()
    return client.get(url)


def test_the_page_lists_the_themes_largest_first(world):
    response = computed(login(Role.ANALYST))
    assert response.status_code == 200
    sizes = [t["size"] for t in response.context["themes"]]
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
    response = computed(login(Role.ANALYST), THEMES + "?source=survey")
    assert response.status_code == 200
    theme = parking_theme(response)
    assert theme["answer_ids"] and not theme["complaint_ids"]
    assert 'aria-current="page">' in response.content.decode()


def test_promoting_a_theme_makes_a_category_and_labels_its_members(world):
    client = login(Role.ANALYST)
    theme = parking_theme(computed(client))
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
    theme = parking_theme(computed(client, THEMES + "?source=survey"))
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
    response = computed(client)
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
    response = computed(client)
    html = response.content.decode()
    assert 'lang="en"' in html and "Candidate themes" in html
    interface = re.sub(r"<blockquote[^>]*>.*?</blockquote>", "", html, flags=re.S)
    interface = re.sub(r'<li class="chip" dir="auto">[^<]*</li>', "", interface)
    # The switch to Arabic and the brand's mark are meant to be in Arabic on every page.
    assert set(re.findall(r"[\u0600-\u06ff]+", interface)) == {"العربية", "صوت"}


def test_themes_page_query_budget(world, django_assert_max_num_queries):
    client = login(Role.ANALYST)
    computed(client)
    with django_assert_max_num_queries(10):
        assert client.get(THEMES).status_code == 200


@pytest.fixture
def clusterings(monkeypatch):
    """How many times the clustering ran (it is the costly part: seconds on a large journey)."""
    from sawt.textanalytics import themes

    calls = []
    real = themes.discover_themes

    def counted(texts, **kwargs):
        calls.append(len(texts))
        return real(texts, **kwargs)

    monkeypatch.setattr(themes, "discover_themes", counted)
    return calls


def test_a_page_view_never_clusters_and_the_first_one_queues_the_work(world, clusterings):
    client = login(Role.ANALYST)
    first = client.get(THEMES)
    html = first.content.decode()
    assert first.status_code == 200 and clusterings == []
    assert 'data-themes="computing"' in html and 'http-equiv="refresh"' in html
    job = Job.objects.get(kind="classifier.themes")
    assert (job.payload["journey"], job.payload["period"], job.payload["source"]) == (
        "permits",
        PERIOD,
        "complaints",
    )
    client.get(THEMES)
    assert Job.objects.filter(kind="classifier.themes").count() == 1  # not queued twice
    jobs_run_pending()
    assert len(clusterings) == 1


def test_a_second_view_serves_the_stored_themes(world, clusterings):
    client = login(Role.ANALYST)
    stored = computed(client)
    again = client.get(THEMES)
    assert len(clusterings) == 1
    assert 'data-themes="fresh"' in again.content.decode()
    assert 'http-equiv="refresh"' not in again.content.decode()
    assert again.context["themes"] == stored.context["themes"]
    assert jobs_run_pending() == 0  # nothing was queued by the second view


def test_a_change_of_the_data_leads_to_a_recomputation(world, clusterings):
    client = login(Role.ANALYST)
    computed(client)
    f.ComplaintFactory(journey=world["journey"], text="المواقف ممتلئة عند المركز", received_at=WHEN)

    stale = client.get(THEMES)

    html = stale.content.decode()
    assert 'data-themes="refreshing"' in html and stale.context["themes"]  # still shown
    assert 'http-equiv="refresh"' not in html  # a half-typed promotion is never reloaded away
    assert len(clusterings) == 1
    jobs_run_pending()
    assert len(clusterings) == 2
    assert 'data-themes="fresh"' in client.get(THEMES).content.decode()


def test_another_period_or_source_is_its_own_set(world, clusterings):
    client = login(Role.ANALYST)
    computed(client)
    computed(client, THEMES + "?source=survey")
    assert len(clusterings) == 2
    client.get(THEMES)
    client.get(THEMES + "?source=survey")
    assert len(clusterings) == 2


def test_settling_and_promoting_refresh_the_stored_themes_in_the_background(world, clusterings):
    from sawt.classification.services import theme_promote

    client = login(Role.ANALYST)
    theme = parking_theme(computed(client))
    analyst = f.user_with_role(Role.ANALYST, username="promoter")
    ids = [int(pk) for pk in theme["complaint_ids"].split(",")]
    theme_promote(
        journey=world["journey"], name_ar="مواقف", code="parking", complaint_ids=ids, actor=analyst
    )
    refresh = Job.objects.get(kind="classifier.themes_refresh")
    assert refresh.payload == {"journey": "permits"} and refresh.run_after is not None
    # Due at once here (its delay gathers a burst of settles into one run).
    Job.objects.filter(pk=refresh.pk).update(run_after=None)
    jobs_run_pending()
    assert len(clusterings) == 2
    assert 'data-themes="fresh"' in client.get(THEMES).content.decode()


def test_a_failed_computation_says_so_without_reloading(world, monkeypatch):
    from sawt.textanalytics import themes

    def broken(texts, **kwargs):
        raise MemoryError("out of memory")

    monkeypatch.setattr(themes, "discover_themes", broken)
    client = login(Role.ANALYST)
    client.get(THEMES)
    jobs_run_pending()
    html = client.get(THEMES).content.decode()
    assert 'data-job-status="failed"' in html and 'http-equiv="refresh"' not in html
    assert "MemoryError: out of memory" in html
    assert Job.objects.filter(kind="classifier.themes").count() == 1  # not queued again
