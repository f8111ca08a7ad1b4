"""sawt import-survey FILE.yaml: create or update a journey definition."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from sawt.imports.commands import ImportCommand
from sawt.surveys.services import survey_definition_import


class Command(ImportCommand):
    help = (
        "Import or update a journey definition (YAML): stages, gap categories, survey, questions."
    )
    file_help = "the journey definition, a YAML file"
    progress_option = False

    def run(self, options: dict[str, Any]) -> str:
        imported = survey_definition_import(path=options["file"])
        return _("Survey “%(code)s” (%(period)s): %(summary)s") % {
            "code": imported.survey.code,
            "period": imported.survey.period,
            "summary": imported.result.summary("items"),
        }
