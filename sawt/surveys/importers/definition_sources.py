"""Where a journey definition comes from: sawt's YAML, or another survey tool's file."""

from __future__ import annotations

from pathlib import Path

from sawt.imports.problems import ProblemCollector
from sawt.imports.readers import refuse
from sawt.surveys.importers.definition import Definition, parse_definition
from sawt.surveys.importers.tools import (
    ToolTarget,
    apply_overlay,
    check_target,
    foreign_definition,
)

# `sawt import-survey --from …`: sawt's own YAML (the default), or a tool's survey.
DEFINITION_SOURCES = ("sawt", "xlsform", "limesurvey")


def read_definition(
    path: Path, source: str = "sawt", target: ToolTarget | None = None
) -> tuple[Definition | None, ProblemCollector]:
    """The file read and checked as a Definition, and the problems found (not yet raised)."""
    if source == "sawt":
        problems = ProblemCollector(unit="line")
        if path.is_file() and (foreign := foreign_definition(path)):
            raise refuse(foreign, unit="line")
        return parse_definition(path, problems), problems
    if source not in DEFINITION_SOURCES or target is None:
        raise ValueError(f"unknown definition source {source!r} or no target")
    problems = ProblemCollector(unit="row")
    check_target(target, problems)
    problems.raise_if_any()
    if not path.is_file():
        raise refuse(_not_found(path))
    if source == "xlsform":
        from sawt.surveys.importers.xlsform import parse_xlsform

        definition = parse_xlsform(path, target, problems)
    else:
        from sawt.surveys.importers.limesurvey import parse_limesurvey

        definition = parse_limesurvey(path, target, problems)
    problems.raise_if_any()
    if definition is not None and target.overlay is not None:
        apply_overlay(definition, target.overlay)
    return definition, problems


def _not_found(path: Path) -> str:
    from django.utils.translation import gettext as _

    return _("The file “%(name)s” was not found.") % {"name": path.name}
