"""docs/examples/sample.csv imports as the README shows, and the same seed draws it again."""

import collections
from pathlib import Path

import pytest
from django.utils import translation

from sawt.distribution.models import Invitee
from sawt.distribution.services.sample import sample_import
from sawt.surveys.services import survey_definition_import

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"
pytestmark = pytest.mark.django_db


def test_the_example_sample_as_the_readme_imports_it():
    survey = survey_definition_import(path=EXAMPLES / "contractor-classification.yaml").survey
    with translation.override("en"):
        result = sample_import(
            survey_code=survey.code,
            path=EXAMPLES / "sample.csv",
            sample=6,
            seed=2022,
            strata="region",
            actor=None,
        )
        again = sample_import(
            survey_code=survey.code,
            path=EXAMPLES / "sample.csv",
            sample=6,
            seed=2022,
            strata="region",
            actor=None,
        )
        # Row 14 repeats row 2's mobile number under another reference.
        assert result.summary() == (
            "13 rows read, 12 could be asked; 6 drawn at random, stratified by “region” "
            "(seed 2022); 6 people invited; 1 duplicate in the file dropped (row 14)."
        )
    # Riyadh 6 of 12, Jeddah 4, Dammam 2: three, two and one of the six places.
    assert collections.Counter(Invitee.objects.values_list("stratum", flat=True)) == {
        "الرياض": 3,
        "جدة": 2,
        "الدمام": 1,
    }
    assert again.invited == 0 and len(again.already_invited_rows) == 6
    # The definition set its sample size by hand: the invitations leave it alone.
    survey.refresh_from_db()
    assert survey.sample_size == 3650
