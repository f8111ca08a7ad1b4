"""The review page's parts for the first labels: Undo after a settle, the review threshold
form, the start stage ("label 5 of each"), and a deep model's training shown as it runs."""

import re

import pytest
from django.utils import timezone

from sawt.catalog.choices import CategorySource
from sawt.classification.models import ReviewSettings, ReviewSettle
from sawt.classification.tasks import DEEP_RETRAIN_JOB
from sawt.complaints.models import Complaint
from sawt.core.access import Role
from sawt.jobs.models import Job
from sawt.testing import factories as f
from sawt.textanalytics.deep.finetune import FINE_TUNING
from sawt.web.tests.test_review_page import PERIOD, QUEUE, WHEN, login, queue, settle, world

pytestmark = pytest.mark.django_db
__all__ = ["queue", "world"]  # fixtures, used by name


def test_after_a_settle_the_message_offers_undo_which_restores(queue):
    client = login(Role.ANALYST)
    middle = queue["middle"]
    assert settle(client, middle, "fees").status_code == 303
    html = client.get(QUEUE).content.decode()
    record = ReviewSettle.objects.get()
    undo = f'action="{QUEUE}undo/{record.pk}/"'
    flash = html.split('class="flash"')[1].split("</ul>")[0]
    assert undo in flash and "تراجع" in flash  # the Undo button, in Arabic, in the message
    assert "recent-settles" in html  # with the person's latest settles
    assert undo not in client.get(QUEUE).content.decode()  # a plain visit: no message, no list

    response = client.post(f"{QUEUE}undo/{record.pk}/")
    assert response.status_code == 303
    middle.refresh_from_db()
    assert (middle.category, middle.category_source) == (None, "")
    assert client.post(f"{QUEUE}undo/{record.pk}/").status_code == 400  # already undone


def test_undo_is_refused_to_readers_and_other_agencies(queue):
    settle(login(Role.ANALYST), queue["middle"], "fees")
    record = ReviewSettle.objects.get()
    viewer = login(Role.VIEWER)
    assert viewer.post(f"{QUEUE}undo/{record.pk}/").status_code == 403
    theirs = login(Role.AGENCY_MEMBER, agency=queue["theirs"])
    assert theirs.post(f"{QUEUE}undo/{record.pk}/").status_code == 404
    queue["middle"].refresh_from_db()
    assert queue["middle"].category_source == CategorySource.ANALYST


def test_the_threshold_form_sets_the_journeys_target(queue):
    client = login(Role.ANALYST)
    html = client.get(QUEUE).content.decode()
    assert f'action="{QUEUE}threshold/"' in html
    assert re.search(r'value="0.90" checked', html)  # the default, chosen
    response = client.post(f"{QUEUE}threshold/", {"target": "0.95"})
    assert response.status_code == 303
    assert ReviewSettings.objects.get(journey=queue["journey"]).target_precision == 0.95
    html = client.get(QUEUE).content.decode()
    assert re.search(r'value="0.95" checked', html)
    assert 'name="target" value="default"' in html  # and a way back to the default
    assert client.post(f"{QUEUE}threshold/", {"target": "default"}).status_code == 303
    assert ReviewSettings.objects.get(journey=queue["journey"]).target_precision is None


def test_a_bad_threshold_is_refused_and_readers_cannot_set_one(queue):
    client = login(Role.ANALYST)
    response = client.post(f"{QUEUE}threshold/", {"target": "0.3"})
    assert response.status_code == 400
    assert "50%" in response.content.decode()
    assert client.post(f"{QUEUE}threshold/", {"target": "lots"}).status_code == 400
    viewer = login(Role.VIEWER)
    assert f'action="{QUEUE}threshold/"' not in viewer.get(QUEUE).content.decode()
    assert viewer.post(f"{QUEUE}threshold/", {"target": "0.95"}).status_code == 403
    assert not ReviewSettings.objects.exists()


def test_the_start_stage_shows_progress_until_each_reason_has_five_labels(world):
    journey, cats = world["journey"], world["cats"]
    # The world labels six of each: take "fees" down to two.
    fees = Complaint.objects.filter(journey=journey, category=cats["fees"])
    taken = Complaint.objects.filter(pk__in=list(fees.values_list("pk", flat=True)[:4]))
    taken.update(category=None, category_source="")
    client = login(Role.ANALYST)
    html = client.get(QUEUE).content.decode()
    assert 'id="start"' in html
    start = html.split('id="start"')[1].split("</section>")[0]
    assert re.search(r'<bdi dir="ltr">2</bdi> من <bdi dir="ltr">5</bdi>', start)
    # No model yet: as many different complaints as "fees" still needs, a form to file each.
    assert start.count("data-review-item") == 3
    assert start.count('class="review-form"') == 3
    taken.update(category=cats["fees"], category_source=CategorySource.IMPORT)
    assert 'id="start"' not in client.get(QUEUE).content.decode()


def test_a_deep_training_shows_its_progress(queue):
    job = Job.objects.create(
        kind=DEEP_RETRAIN_JOB,
        payload={"journey": "permits"},
        dedupe_key="permits",
        status="running",
        started_at=timezone.now(),
        progress_done=3,
        progress_total=10,
        progress_stage=FINE_TUNING,
    )
    client = login(Role.ANALYST)
    html = client.get(QUEUE).content.decode()
    assert 'data-deep-job-status="running"' in html
    assert '<progress id="deep-progress" max="10" value="3">' in html
    # After the encoder: the fast model beside it and the calibration, with no step count that
    # would read as starting over.
    Job.objects.filter(pk=job.pk).update(
        progress_stage="calibrating", progress_done=1, progress_total=2
    )
    later = client.get(QUEUE).content.decode()
    assert 'data-deep-job-status="running"' in later and "deep-progress" not in later


def test_the_page_keeps_its_query_budget_in_the_start_stage(world, django_assert_max_num_queries):
    f.ComplaintFactory(journey=world["journey"], text="شكوى لم تصنف بعد", received_at=WHEN)
    world["journey"].gap_categories.create(code="staff", name_ar="الموظفون", position=9)
    client = login(Role.ANALYST)
    with django_assert_max_num_queries(16):
        html = client.get(f"/journeys/permits/{PERIOD}/review/").content.decode()
    assert 'id="start"' in html


def test_a_target_no_cut_reaches_says_a_person_decides_every_complaint(queue):
    from sawt.classification.models import ClassifierModel

    model = ClassifierModel.objects.get(journey=queue["journey"])
    model.scores = {**model.scores, "threshold_curve": [[0.5, 0.8, 0.5], [0.0, 0.6, 1.0]]}
    model.save(update_fields=["scores"])
    client = login(Role.ANALYST)
    assert client.post(f"{QUEUE}threshold/", {"target": "0.95"}).status_code == 303
    html = client.get(QUEUE).content.decode()
    assert "يقرّر شخص في كل شكوى" in html
    assert "None" not in html
