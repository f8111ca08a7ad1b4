"""A new source starts like a new journey: while complaints of a channel the model has few
labels from wait for a person, the review page asks for a few of them first."""

from __future__ import annotations

import pytest
from django.utils import translation

from sawt.catalog.choices import CategorySource
from sawt.classification import services
from sawt.classification.models import ClassifierModel
from sawt.classification.selectors import START_LABELS, new_source_proposals, start_tally
from sawt.classification.tests.test_first_labels import JUNE, TEXTS, _cats, _labelled, _waiting
from sawt.core.access import Role
from sawt.testing import factories as f
from sawt.web.tests.test_review_page import login

pytestmark = pytest.mark.django_db
PERIOD = "2022-06"
QUEUE = f"/journeys/permits/{PERIOD}/review/"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def analyst():
    return f.user_with_role(Role.ANALYST, username="analyst")


@pytest.fixture
def permits():
    journey = f.JourneyFactory(slug="permits")
    f.SurveyFactory(journey=journey, period=PERIOD)
    for position, code in enumerate(TEXTS):
        f.GapCategoryFactory(journey=journey, code=code, position=position)
    _labelled(journey)  # every reason has its examples, none through the app
    return journey


def _from_the_app(journey, n: int):  # type: ignore[no-untyped-def]
    reason = _cats(journey)["login"]
    text = "التطبيق ما يفتح الطلب رقم {}"
    return [_waiting(journey, text.format(i), reason, 0.4, channel="app") for i in range(n)]


def test_a_channel_with_waiting_complaints_and_few_labels_is_new(permits):
    waiting = _from_the_app(permits, 7)
    tally = start_tally(journey=permits, period=PERIOD)
    assert not any(count.short for count in tally.counts)
    (source,) = tally.new_sources
    assert (source.channel, source.labelled, source.waiting) == ("app", 0, 7)
    proposals = new_source_proposals(
        journey=permits, period=PERIOD, sources=tally.new_sources, seen=set()
    )
    # As many as the channel lacks, from its own waiting complaints.
    assert len(proposals) == START_LABELS
    assert {p.complaint.pk for p in proposals} <= {c.pk for c in waiting}


def test_the_channel_stops_being_new_once_it_has_its_labels(permits, analyst):
    waiting = _from_the_app(permits, 7)
    login_reason = _cats(permits)["login"]
    for complaint in waiting[:4]:
        services.review_settle(complaint=complaint, category=login_reason, actor=analyst)
    (source,) = start_tally(journey=permits, period=PERIOD).new_sources
    assert (source.labelled, source.waiting) == (4, 3)
    services.review_settle(complaint=waiting[4], category=login_reason, actor=analyst)
    assert start_tally(journey=permits, period=PERIOD).new_sources == []


def test_imported_labels_count_and_a_channel_with_nothing_waiting_is_not_new(permits):
    assert start_tally(journey=permits, period=PERIOD).new_sources == []  # nothing waits
    _from_the_app(permits, 2)
    assert [s.channel for s in start_tally(journey=permits, period=PERIOD).new_sources] == ["app"]
    for i in range(START_LABELS):  # labels imported from the channel are its examples
        f.ComplaintFactory(
            journey=permits,
            text=f"رسوم التطبيق {i}",
            received_at=JUNE,
            channel="app",
            category=_cats(permits)["fees"],
            category_source=CategorySource.IMPORT,
        )
    assert start_tally(journey=permits, period=PERIOD).new_sources == []


def test_the_review_page_opens_with_the_new_channel(permits, django_assert_max_num_queries):
    ClassifierModel.objects.create(
        name="permits", version=1, journey=permits, labels=list(TEXTS), training_size=18,
        train_seconds=0.1, threshold=0.9, artefact=b"",
    )  # fmt: skip
    waiting = _from_the_app(permits, 6)
    client = login(Role.ANALYST)
    html = client.get(QUEUE).content.decode()
    start = html.split('id="start"')[1].split("</section>")[0]
    assert "data-new-source" in start and ">app<" in start
    assert 'صُنّف <bdi dir="ltr">0</bdi> من <bdi dir="ltr">5</bdi>' in start  # Arabic first
    assert start.count("data-review-item") == START_LABELS
    assert f'id="item-{waiting[0].pk}"' in html
    # The start stage's budget, as for a new journey.
    with django_assert_max_num_queries(16):
        assert client.get(QUEUE).status_code == 200
