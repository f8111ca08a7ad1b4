"""Project-wide guards: migrations match the models, periods parse strictly."""

import pytest
from django.core.management import call_command
from django.utils import translation

from sawt.core.exceptions import ApplicationError
from sawt.core.periods import parse_period, previous_period


@pytest.mark.django_db
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_period_bounds_and_previous():
    start, end = parse_period("2022-12")
    assert (str(start), str(end)) == ("2022-12-01", "2023-01-01")
    assert previous_period("2022-01") == "2021-12"


@pytest.mark.parametrize("bad", ["2022-6", "2022-13", "22-06", "June 2022", "2022-06-01", ""])
def test_impossible_periods_are_refused_with_the_expected_form(bad):
    with translation.override("en"), pytest.raises(ApplicationError, match="YYYY-MM"):
        parse_period(bad)
