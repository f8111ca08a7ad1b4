"""The counts per (question, score) the database keeps always equal the answers themselves."""

import random

import pytest
from django.db.models import Count

from sawt.surveys.models import Answer, Response, ScoreCount
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db


def _kept():
    return {
        (q, s): c
        for q, s, c in ScoreCount.objects.filter(count__gt=0).values_list(
            "question_id", "score", "count"
        )
    }


def _grouped():
    rows = (
        Answer.objects.filter(score__isnull=False)
        .values_list("question_id", "score")
        .annotate(c=Count("*"))
        .order_by()
    )
    return {(q, s): c for q, s, c in rows}


def test_counts_follow_inserts_updates_and_deletes():
    survey = f.SurveyFactory()
    questions = [f.QuestionFactory(survey=survey) for _ in range(3)]
    text = f.QuestionFactory(survey=survey, kind="text", scale_min=None, scale_max=None)
    rng = random.Random(3)
    for i in range(40):
        response = f.ResponseFactory(survey=survey, respondent_id=f"r{i}")
        for q in questions:
            f.AnswerFactory(response=response, question=q, score=rng.randint(1, 5))
        f.AnswerFactory(response=response, question=text, score=None, text="نص")
    assert _kept() == _grouped() and sum(_kept().values()) == 120

    Answer.objects.filter(question=questions[0], score=5).update(score=1)
    assert _kept() == _grouped()

    Answer.objects.filter(question=questions[1], score__lte=2).delete()
    Response.objects.filter(respondent_id__in=["r1", "r2", "r3"]).delete()  # cascades
    assert _kept() == _grouped()


def test_bulk_import_keeps_counts(tmp_path):
    from sawt.surveys.services import responses_import

    survey = f.SurveyFactory(code="s1")
    q = f.QuestionFactory(survey=survey, code="q1")
    path = tmp_path / "r.csv"
    path.write_text("respondent_id,q1\n" + "".join(f"r{i},{i % 5 + 1}\n" for i in range(50)))
    responses_import(survey_code="s1", path=path)
    assert _kept() == _grouped() and _kept()[(q.id, 1)] == 10
    path.write_text("respondent_id,q1\n" + "".join(f"r{i},5\n" for i in range(50)))
    responses_import(survey_code="s1", path=path)  # every row changed
    assert _kept() == _grouped() == {(q.id, 5): 50}
