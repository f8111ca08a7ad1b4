"""Writes on surveys: journey definitions and responses (imported, or submitted through the
public form) come in through these services only."""

from sawt.surveys.services.definition import DefinitionImport, survey_definition_import
from sawt.surveys.services.responses import responses_import
from sawt.surveys.services.submit import Submission, response_submit

__all__ = [
    "DefinitionImport",
    "Submission",
    "response_submit",
    "responses_import",
    "survey_definition_import",
]
