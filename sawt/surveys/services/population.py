"""One check for every door that sets a survey's population or adds responses to it: a
population smaller than the responses recorded is refused.

With N below n the finite population correction is zero, and every interval collapses to a
point ("4.00–4.00", "±0.00 corrected for a population of 5"): the figures would claim a census
of more people than exist. So the definition that sets such a population, and the import that
would push the responses past a known one, are refused whole, naming the survey and both
numbers, and nothing is written.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from sawt.core.exceptions import ApplicationError
from sawt.surveys.models import Response, Survey


def population_problem(*, survey_code: str, population: int | None, responses: int) -> str | None:
    """Why `population` cannot hold `responses` (a message to show), or None when it can."""
    if population is None or responses <= population:
        return None
    return _(
        "The survey “%(code)s” would have %(responses)s responses but a population of "
        "%(population)s: a population cannot be smaller than the responses from it. Correct "
        "population_size, or the responses."
    ) % {"code": survey_code, "responses": responses, "population": population}


def population_check(survey: Survey, *, adding: int) -> None:
    """Refuse `adding` new responses that would take `survey` past its known population."""
    if survey.population_size is None or not adding:
        return
    total = Response.objects.filter(survey=survey).count() + adding
    problem = population_problem(
        survey_code=survey.code, population=survey.population_size, responses=total
    )
    if problem:
        raise ApplicationError(problem)
