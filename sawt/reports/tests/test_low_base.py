"""Honest numbers for a small journey: an item answered by fewer than 30 people is marked."""

from __future__ import annotations

import pytest

from sawt.reports.pdf import report_pdf
from sawt.reports.selectors import report_get
from sawt.reports.tests.pdftext import page_with, pages_of
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def journey():
    """One stage, two items: `wide` answered by 30 people (not a low base), `narrow` by 12."""
    journey = f.JourneyFactory(slug="licences", name_ar="رحلة التراخيص", name_en="Licences")
    stage = f.StageFactory(journey=journey, name_ar="التقديم", name_en="Application")
    survey = f.SurveyFactory(journey=journey, period="2022-06", sample_size=300)
    wide = f.QuestionFactory(survey=survey, stage=stage, text_en="Wide item", text_ar="بند واسع")
    narrow = f.QuestionFactory(survey=survey, stage=stage, text_en="Narrow item", text_ar="بند ضيق")
    for i in range(30):
        response = f.ResponseFactory(survey=survey)
        f.AnswerFactory(response=response, question=wide, score=4 + i % 2)
        if i < 12:
            f.AnswerFactory(response=response, question=narrow, score=2 + i % 3)
    return journey


def test_a_low_base_item_is_marked_in_both_languages(journey):
    report = report_get(period="2022-06", journey_slug="licences")
    for lang, mark, n in (("ar", "قاعدة صغيرة", "ن = 12"), ("en", "low base", "n = 12")):
        pages = pages_of(report_pdf(report, lang=lang, digits="latin"))
        title = "مراحل الرحلة الأساسية" if lang == "ar" else "The journey's stages"
        journey_map = pages[page_with(pages, title)]
        # The narrow item, and its stage, whose smallest n is the narrow item's 12.
        assert journey_map.pdfium.count(mark) == 2, lang
        assert n in journey_map
        assert "4.5" in journey_map.pdfium and "3.0" in journey_map.pdfium
