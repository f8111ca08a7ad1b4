"""The engine-specific fast path, run on whichever engine the suite uses (CI runs both)."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F, TextField
from django.db.models.functions import Cast

from sawt.imports.db import (
    JoinedText,
    bulk_insert,
    bulk_update,
    delete_where_in,
    import_transaction,
)
from sawt.surveys.models import Answer, Response
from sawt.testing.factories import QuestionFactory, ResponseFactory, SurveyFactory

pytestmark = pytest.mark.django_db
WHEN = dt.datetime(2022, 6, 15, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=3)))


def test_bulk_insert_stores_what_the_orm_reads_back():
    survey = SurveyFactory()
    rows = [
        (survey.pk, "R1", WHEN, {"region": "الرياض", "grade": "١"}),
        (survey.pk, "R2", None, {}),
    ]
    with transaction.atomic():
        inserted = bulk_insert(
            Response, ("survey_id", "respondent_id", "submitted_at", "attributes"), rows
        )
    assert inserted == 2
    stored = {r.respondent_id: r for r in Response.objects.all()}
    assert stored["R1"].submitted_at == WHEN
    assert stored["R1"].attributes == {"region": "الرياض", "grade": "١"}
    assert stored["R2"].submitted_at is None
    assert stored["R2"].attributes == {}
    # Stored the way Django stores them, so ORM filters find them.
    assert Response.objects.filter(submitted_at__date=dt.date(2022, 6, 15)).count() == 1
    assert Response.objects.filter(attributes__region="الرياض").count() == 1


def test_bulk_insert_keeps_text_with_tabs_newlines_and_backslashes():
    question = QuestionFactory(kind="text", scale_min=None, scale_max=None)
    response = ResponseFactory(survey=question.survey)
    text = "سطر\tأول\nسطر ثانٍ \\N و\\ شرطة"
    with transaction.atomic():
        bulk_insert(
            Answer,
            ("response_id", "question_id", "score", "text", "category_id", "category_source"),
            [(response.pk, question.pk, None, text, None, "")],
        )
    assert Answer.objects.get().text == text


def test_bulk_insert_goes_through_the_database_checks():
    question = QuestionFactory(scale_min=1, scale_max=5)
    response = ResponseFactory(survey=question.survey)
    columns = ("response_id", "question_id", "score", "text", "category_id", "category_source")
    # The trigger of migration 0003 refuses a score outside the question's scale.
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_insert(Answer, columns, [(response.pk, question.pk, 6, "", None, "")])
    assert Answer.objects.count() == 0


def test_bulk_update_and_delete_where_in():
    survey = SurveyFactory()
    first, second = ResponseFactory(survey=survey), ResponseFactory(survey=survey)
    with transaction.atomic():
        updated = bulk_update(
            Response, ("submitted_at", "attributes"), [(first.pk, WHEN, {"channel": "تطبيق"})]
        )
    assert updated == 1
    first.refresh_from_db()
    assert (first.submitted_at, first.attributes) == (WHEN, {"channel": "تطبيق"})
    assert delete_where_in(Response, "id", [second.pk]) == 1
    assert list(Response.objects.values_list("pk", flat=True)) == [first.pk]


def test_joined_text_joins_a_group():
    question = QuestionFactory()
    response = ResponseFactory(survey=question.survey)
    other = QuestionFactory(survey=question.survey)
    Answer.objects.create(response=response, question=question, score=4)
    Answer.objects.create(response=response, question=other, score=2)
    joined = (
        Response.objects.values("id")
        .annotate(all=JoinedText(Cast(F("answers__score"), TextField()), "|"))
        .get()["all"]
    )
    assert sorted(joined.split("|")) == ["2", "4"]


def test_import_transaction_is_all_or_nothing():
    survey = SurveyFactory()
    with pytest.raises(RuntimeError), import_transaction():
        bulk_insert(Response, ("survey_id", "respondent_id", "attributes"), [(survey.pk, "R1", {})])
        raise RuntimeError("stop")
    assert Response.objects.count() == 0
    assert connection.vendor in {"sqlite", "postgresql"}
