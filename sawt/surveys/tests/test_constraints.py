"""The database itself refuses impossible rows, whatever path writes them."""

import pytest
from django.db import IntegrityError, transaction

from sawt.testing import factories as f

pytestmark = pytest.mark.django_db


def _refused(**kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        f.AnswerFactory(**kwargs)


def test_score_outside_its_question_scale_is_refused():
    question = f.QuestionFactory(scale_min=1, scale_max=5)
    _refused(question=question, score=6, response=f.ResponseFactory(survey=question.survey))
    _refused(question=question, score=0, response=f.ResponseFactory(survey=question.survey))


def test_score_on_an_open_text_question_is_refused():
    question = f.QuestionFactory(kind="text", scale_min=None, scale_max=None)
    _refused(question=question, score=3, response=f.ResponseFactory(survey=question.survey))


def test_answer_to_another_surveys_question_is_refused():
    question = f.QuestionFactory()
    _refused(question=question, score=3, response=f.ResponseFactory())


def test_one_answer_per_question_per_response():
    question = f.QuestionFactory()
    response = f.ResponseFactory(survey=question.survey)
    f.AnswerFactory(question=question, response=response, score=4)
    _refused(question=question, response=response, score=2)


def test_score_update_outside_the_scale_is_refused():
    question = f.QuestionFactory(scale_min=1, scale_max=5)
    answer = f.AnswerFactory(question=question, response=f.ResponseFactory(survey=question.survey))
    with pytest.raises(IntegrityError), transaction.atomic():
        type(answer).objects.filter(pk=answer.pk).update(score=9)


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "satisfaction", "scale_min": None, "scale_max": None},
        {"kind": "satisfaction", "scale_min": 5, "scale_max": 1},
        {"kind": "nps", "scale_min": 0, "scale_max": 11},
        {"kind": "text", "scale_min": 1, "scale_max": 5},
        {"kind": "bogus"},
    ],
)
def test_impossible_questions_are_refused(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        f.QuestionFactory(**fields)


def test_period_must_be_a_real_month():
    with pytest.raises(IntegrityError), transaction.atomic():
        f.SurveyFactory(period="2022-13")
