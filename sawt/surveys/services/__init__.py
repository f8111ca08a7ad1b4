"""Writes on surveys: journey definitions and responses come in through these services only."""

from sawt.surveys.services.definition import DefinitionImport, survey_definition_import
from sawt.surveys.services.responses import responses_import

__all__ = ["DefinitionImport", "responses_import", "survey_definition_import"]
