"""The review queue: its order, settling and correcting, refusals, roles, scoping, retraining."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from sawt.catalog.choices import CategorySource
from sawt.classification.models import ClassifierModel
from sawt.classification.services import RETRAIN_JOB, journey_retrain
from sawt.complaints.models import Complaint
from sawt.core.access import Role
from sawt.jobs.models import Job
from sawt.metrics.selectors import journey_summary
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db

PERIOD = "2022-06"
QUEUE = f"/journeys/permits/{PERIOD}/review/"
WHEN = dt.datetime(2022, 6, 10, 9, 0, tzinfo=timezone.get_default_timezone())

# Labelled examples the model learns from: three reasons, worded a few ways each.
EXAMPLES = {
    "statements": [
        "لم أجد القوائم المالية في النظام",
        "القوائم المالية غير موجودة عند رفع الطلب",
        "النظام لا يقبل القوائم المالية المدققة",
        "طلبوا القوائم المالية مرة أخرى رغم رفعها",
        "مشكلة في رفع القوائم المالية على المنصة",
        "القوائم المالية لم تظهر في الملف",
    ],
    "delay": [
        "تأخر الطلب أكثر من شهر دون رد",
        "الطلب متأخر ولم يصلني أي رد",
        "انتظرت طويلا وما زال الطلب قيد المراجعة",
        "تأخير كبير في معالجة الطلب",
        "مضى شهران والطلب بدون إجراء",
        "لماذا كل هذا التأخير في الرد على الطلب",
    ],
    "fees": [
        "الرسوم مرتفعة جدا مقارنة بالخدمة",
        "دفعت الرسوم مرتين بالخطأ",
        "لم تسترد الرسوم بعد إلغاء الطلب",
        "رسوم التصنيف غير واضحة",
        "طلبوا رسوما إضافية لم تذكر من قبل",
        "الرسوم تخصم دون إيصال",
    ],
}


@pytest.fixture
def world():
    ours, theirs = f.AgencyFactory(code="ours"), f.AgencyFactory(code="theirs")
    journey = f.JourneyFactory(slug="permits", agency=ours)
    other = f.JourneyFactory(slug="licences", agency=theirs)
    f.SurveyFactory(journey=journey, period=PERIOD)
    cats = {
        code: f.GapCategoryFactory(journey=journey, code=code, position=i)
        for i, code in enumerate(EXAMPLES)
    }
    for code, texts in EXAMPLES.items():
        for text in texts:
            f.ComplaintFactory(
                journey=journey,
                text=text,
                received_at=WHEN,
                category=cats[code],
                category_source=CategorySource.IMPORT,
            )
    return {"journey": journey, "other": other, "cats": cats, "ours": ours, "theirs": theirs}


def queued(journey, text, prediction, confidence, group=None):
    """A complaint the model was unsure of (set directly: the order must not depend on it)."""
    complaint = f.ComplaintFactory(journey=journey, text=text, received_at=WHEN, channel="بلدي")
    Complaint.objects.filter(pk=complaint.pk).update(
        prediction=prediction, prediction_confidence=confidence, duplicate_group=group
    )
    complaint.refresh_from_db()
    return complaint


@pytest.fixture
def queue(world):
    """A trained model, and three groups waiting: the least sure has three near-duplicates."""
    journey_retrain(journey=world["journey"], actor=None)
    cats, journey = world["cats"], world["journey"]
    unsure = queued(journey, "الطلب عالق منذ أسابيع والرسوم مدفوعة", cats["delay"], 0.31)
    for _ in range(2):
        queued(journey, "الطلب عالق منذ أسابيع والرسوم مدفوعة!", cats["delay"], 0.33, unsure.pk)
    Complaint.objects.filter(pk=unsure.pk).update(duplicate_group=unsure.pk)
    middle = queued(journey, "لا أعرف أين أرفع المستندات المطلوبة", cats["statements"], 0.35)
    surest = queued(journey, "المبلغ المطلوب غير مفهوم", cats["fees"], 0.38)
    return {**world, "unsure": unsure, "middle": middle, "surest": surest}


def login(role, agency=None, client=None):
    client = client or Client()
    client.force_login(f.user_with_role(role, agency=agency, username=f"u-{role}"))
    return client


def labelled(journey, code):
    ranking = journey_summary(journey_slug=journey.slug, period=PERIOD)["gap_categories"]
    return next(r["labelled"] for r in ranking["complaints"] if r["code"] == code)


def settle(client, complaint, code, **extra):
    return client.post(f"{QUEUE}{complaint.pk}/", {"category": code, **extra})


def test_the_queue_lists_the_least_sure_first_with_the_suggestion(queue):
    response = login(Role.ANALYST).get(QUEUE)
    assert response.status_code == 200
    html = response.content.decode()
    order = [int(pk) for pk in re.findall(r'id="item-(\d+)"', html)]
    assert order == [queue["unsure"].pk, queue["middle"].pk, queue["surest"].pk]
    assert response.context["waiting"] == 3
    assert 'data-waiting="3"' in html
    assert "×3" in html  # the least sure stands for its two near-duplicates as well
    suggested = queue["cats"]["delay"]
    assert f'name="category" value="{suggested.code}" class="primary confirm"' in html
    assert f"تأكيد: <bdi>{suggested.name_ar}</bdi>" in html  # Arabic by default; name isolated
    assert "31%" in html


def test_the_header_describes_the_model(queue):
    model = ClassifierModel.objects.get(journey=queue["journey"])
    html = login(Role.ANALYST).get(QUEUE).content.decode()
    assert f"<dd>{model.version}</dd>" in html
    assert f"{model.threshold:.2f}" in html
    assert f"{round(100 * model.scores['threshold']['coverage'])}%" in html


def test_confirming_settles_the_whole_group(queue):
    journey, code = queue["journey"], "delay"
    before = labelled(journey, code)
    client = login(Role.ANALYST)
    response = settle(client, queue["unsure"], code, next=queue["middle"].pk)
    assert response.status_code == 303
    assert response["Location"] == f"{QUEUE}#item-{queue['middle'].pk}"
    group = Complaint.objects.filter(duplicate_group=queue["unsure"].pk)
    assert group.count() == 3
    assert set(group.values_list("category__code", "category_source")) == {(code, "analyst")}
    assert labelled(journey, code) == before + 3
    response = client.get(QUEUE)
    assert response.context["waiting"] == 2
    assert "3 شكاوى" in " ".join(str(m) for m in response.context["messages"])


def test_correcting_files_under_another_category(queue):
    middle = queue["middle"]
    response = settle(login(Role.ANALYST), middle, "fees")
    assert response.status_code == 303 and response["Location"].endswith("#queue")
    middle.refresh_from_db()
    assert (middle.category.code, middle.category_source) == ("fees", "analyst")


def test_an_unknown_category_is_refused_and_nothing_changes(queue):
    before = list(Complaint.objects.order_by("pk").values_list("category_id", "category_source"))
    response = settle(login(Role.ANALYST), queue["middle"], "no-such-reason")
    assert response.status_code == 400
    assert "no-such-reason" in response.content.decode()
    after = list(Complaint.objects.order_by("pk").values_list("category_id", "category_source"))
    assert after == before


def test_a_category_of_another_journey_is_refused(queue):
    f.GapCategoryFactory(journey=queue["other"], code="elsewhere")
    response = settle(login(Role.ANALYST), queue["middle"], "elsewhere")
    assert response.status_code == 400
    queue["middle"].refresh_from_db()
    assert queue["middle"].category is None


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AGENCY_MEMBER])
def test_readers_see_the_queue_without_forms_and_cannot_post(queue, role):
    client = login(role, agency=queue["ours"] if role == Role.AGENCY_MEMBER else None)
    response = client.get(QUEUE)
    assert response.status_code == 200
    html = response.content.decode()
    assert queue["middle"].text in html
    assert "<form" not in html.split('id="queue"')[1]
    assert "/review/retrain/" not in html
    assert settle(client, queue["middle"], "fees").status_code == 403
    assert client.post(f"{QUEUE}retrain/").status_code == 403
    queue["middle"].refresh_from_db()
    assert queue["middle"].category is None
    assert not Job.objects.exists()


def test_another_agency_gets_404(queue):
    client = login(Role.AGENCY_MEMBER, agency=queue["theirs"])
    assert client.get(QUEUE).status_code == 404
    assert settle(client, queue["middle"], "fees").status_code == 404
    assert client.post(f"{QUEUE}retrain/").status_code == 404


def test_a_complaint_of_another_journey_is_404(queue):
    foreign = queued(queue["other"], "شكوى عن رحلة أخرى", None, 0.2)
    assert settle(login(Role.ANALYST), foreign, "fees").status_code == 404


def test_settling_needs_the_csrf_token(queue):
    client = login(Role.ANALYST, client=Client(enforce_csrf_checks=True))
    assert settle(client, queue["middle"], "fees").status_code == 403
    queue["middle"].refresh_from_db()
    assert queue["middle"].category is None
    page = client.get(QUEUE).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert settle(client, queue["middle"], "fees", csrfmiddlewaretoken=token).status_code == 303


def test_retrain_queues_a_job_and_the_page_shows_it(queue):
    client = login(Role.ANALYST)
    response = client.post(f"{QUEUE}retrain/")
    assert response.status_code == 303 and response["Location"] == QUEUE
    job = Job.objects.get(kind=RETRAIN_JOB)
    assert (job.status, job.dedupe_key, job.payload) == (
        "queued",
        "permits",
        {"journey": "permits"},
    )
    html = client.get(QUEUE).content.decode()
    assert 'data-job-status="queued"' in html


def test_without_a_model_the_page_says_so_and_offers_training(world):
    html = login(Role.ANALYST).get(QUEUE).content.decode()
    assert "لم يُدرَّب" in html
    assert f'action="{QUEUE}retrain/"' in html


def test_an_empty_queue_says_everything_is_settled(queue):
    Complaint.objects.filter(category__isnull=True).update(prediction=None)
    response = login(Role.ANALYST).get(QUEUE)
    assert response.context["waiting"] == 0
    assert 'class="empty"' in response.content.decode()


def test_the_english_page_has_no_arabic_interface_text(queue):
    client = login(Role.ANALYST)
    client.post("/i18n/setlang/", {"language": "en", "next": QUEUE})
    html = client.get(QUEUE).content.decode()
    assert 'lang="en"' in html and "Confirm: <bdi>Reason" in html
    # Arabic may appear only in data: complaint texts, the channel, and the names of things.
    data = {c.text for c in Complaint.objects.all()} | {"بلدي"}
    interface = re.sub(r"<blockquote[^>]*>.*?</blockquote>", "", html, flags=re.S)
    for text in data:
        interface = interface.replace(text, "")
    # The switch to Arabic and the brand's mark are meant to be in Arabic on every page.
    assert set(re.findall(r"[\u0600-\u06ff]+", interface)) == {"العربية", "صوت"}


def test_journey_page_links_to_the_queue_and_the_themes(queue):
    html = login(Role.VIEWER).get(f"/journeys/permits/{PERIOD}/").content.decode()
    assert f'href="{QUEUE}"' in html
    assert f"/journeys/permits/{PERIOD}/themes/?source=complaints" in html
    assert re.search(r"\b3\b", html.split(f'href="{QUEUE}"')[1].split("</a>")[0])


def test_queue_page_query_budget(queue, django_assert_max_num_queries):
    client = login(Role.ANALYST)
    with django_assert_max_num_queries(12):
        assert client.get(QUEUE).status_code == 200


def test_the_header_says_which_figures_are_cross_validated_and_which_are_counted(queue):
    """Coverage comes from cross-validation; what waits is counted in the period, and the
    sentence says so: never "settles 100% alone" above complaints waiting for a person."""
    model = ClassifierModel.objects.get(journey=queue["journey"])
    client = login(Role.ANALYST)
    client.cookies["django_language"] = "en"
    html = client.get(QUEUE).content.decode()
    coverage = f"{round(100 * model.scores['threshold']['coverage'])}%"
    text = re.sub(r"<[^>]+>", "", html)
    assert re.search(
        rf"Tested in cross-validation on the labelled examples, .* of {coverage} of", text
    )
    assert "The model settles" not in html
    waiting = Complaint.objects.filter(category__isnull=True, prediction__isnull=False).count()
    filed = Complaint.objects.filter(category_source=CategorySource.MODEL).count()
    sentence = re.search(r"<p[^>]*data-period-filing>(.*?)</p>", html, re.S).group(1)
    assert f'model alone, <bdi dir="ltr">{filed}</bdi>' in sentence
    assert f'waiting for a person, <bdi dir="ltr">{waiting}</bdi>' in sentence
    assert waiting == 5  # the three queued groups hold five complaints


def test_names_in_messages_are_isolated_from_the_sentence(queue):
    """An English reason name inside the Arabic message keeps its own order (FSI … PDI)."""
    fees = queue["cats"]["fees"]
    client = login(Role.ANALYST)
    settle(client, queue["middle"], "fees")
    shown = " ".join(str(m) for m in client.get(QUEUE).context["messages"])
    assert f"\u2068{fees.name_ar}\u2069" in shown


def test_a_retraining_waiting_to_be_retried_says_so(queue):
    from django.utils import timezone

    client = login(Role.ANALYST)
    client.post(f"{QUEUE}retrain/")
    client.post("/i18n/setlang/", {"language": "en", "next": QUEUE})
    Job.objects.filter(kind=RETRAIN_JOB).update(
        attempts=1, error="OperationalError: database is locked", run_after=timezone.now()
    )
    html = client.get(QUEUE).content.decode()
    assert 'data-job-status="queued"' in html
    assert "passing reason (<bdi>OperationalError: database is locked</bdi>)" in html
