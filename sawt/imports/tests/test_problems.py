import pytest
from django.test import override_settings
from django.utils import translation

from sawt.core.exceptions import ApplicationError
from sawt.imports.problems import (
    ImportFailed,
    ProblemCollector,
    RowProblem,
    application_error_lines,
    format_problem,
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_format_problem_names_row_and_column_as_a_spreadsheet_does():
    assert format_problem(RowProblem(7, "q3", "Bad.")) == "row 7, column q3: Bad."
    assert format_problem(RowProblem(7, None, "Bad.")) == "row 7: Bad."
    assert format_problem(RowProblem(None, "q3", "Bad.")) == "column q3: Bad."
    assert format_problem(RowProblem(None, None, "Bad.")) == "Bad."


def test_format_problem_names_lines_and_key_paths_for_yaml():
    problem = RowProblem(12, "questions[3].scale", "Bad.")
    assert format_problem(problem, "line") == "line 12, questions[3].scale: Bad."


@override_settings(SAWT_IMPORT_MAX_PROBLEMS=3)
def test_collector_keeps_the_first_problems_and_counts_the_rest():
    problems = ProblemCollector()
    for row in range(2, 10):
        problems.add(row, "q1", "Bad.")
    assert len(problems.problems) == 3
    assert problems.count == 8
    with pytest.raises(ImportFailed) as caught:
        problems.raise_if_any()
    assert caught.value.lines() == [
        "The file was not imported because of 8 problems; nothing was saved.",
        "row 2, column q1: Bad.",
        "row 3, column q1: Bad.",
        "row 4, column q1: Bad.",
        "… and 5 more problems (only the first 3 are listed).",
    ]


def test_an_empty_collector_raises_nothing():
    ProblemCollector().raise_if_any()


def test_import_failed_is_an_application_error_carrying_its_problems():
    error = ImportFailed([RowProblem(2, "s1", "Bad.")])
    assert isinstance(error, ApplicationError)
    assert error.problems == [RowProblem(2, "s1", "Bad.")]
    assert error.message == "The file was not imported because of 1 problem; nothing was saved."


def test_application_error_lines_show_a_plain_error_as_its_message():
    assert application_error_lines(ApplicationError("No survey.")) == ["No survey."]
