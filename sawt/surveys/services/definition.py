"""survey_definition_import: a journey definition (YAML) written in place, keyed on codes."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from sawt.catalog.models import Agency, GapCategory, Journey, Stage
from sawt.core.access import authorize
from sawt.core.audit import audit_record
from sawt.imports.db import import_lock, import_transaction, waits_its_turn
from sawt.imports.problems import ProblemCollector
from sawt.imports.results import ImportResult
from sawt.surveys.importers import Definition
from sawt.surveys.importers.definition import NamedSpec, QuestionSpec
from sawt.surveys.importers.definition_sources import read_definition
from sawt.surveys.importers.tools import ToolTarget
from sawt.surveys.models import Question, ScoreCount, Survey
from sawt.surveys.services.population import population_problem
from sawt.surveys.signals import definition_checking, definition_written


@dataclass(frozen=True)
class DefinitionImport:
    """What survey_definition_import did: the survey written, and what changed (in items)."""

    survey: Survey
    result: ImportResult
    # What a survey tool's file held that sawt left out, one line each.
    skipped: tuple[str, ...] = ()


@dataclass
class _Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0


@waits_its_turn
def survey_definition_import(
    *,
    path: Path,
    actor: Any = None,
    source: str = "sawt",
    target: ToolTarget | None = None,
) -> DefinitionImport:
    """Create or update a journey, its stages, gap categories, survey and questions from YAML,
    or (`source` "xlsform", "limesurvey") from a survey tool's file into `target`."""
    authorize(actor, "survey.definition_import")
    definition, problems = read_definition(path, source, target)
    problems.raise_if_any()
    assert definition is not None
    with import_transaction():
        _take_turns(definition)
        if source != "sawt":
            _complete_from_database(definition, problems)
            problems.raise_if_any()
        _check_against_database(definition, problems)
        problems.raise_if_any()
        tally = _Tally()
        survey = _write(definition, tally)
        for _receiver, outcome in definition_written.send(
            sender=Survey, definition=definition, survey=survey
        ):
            if outcome in ("created", "updated", "unchanged"):
                setattr(tally, outcome, getattr(tally, outcome) + 1)
        result = ImportResult(
            rows=definition.item_count(),
            created=tally.created,
            updated=tally.updated,
            unchanged=tally.unchanged,
            removed=tally.removed,
        )
        # A re-run that changes nothing leaves the database exactly as it was: no audit row.
        if result.changed:
            audit_record(
                actor=actor,
                action="survey.definition_import",
                obj=survey,
                data={
                    "journey": definition.journey_slug,
                    "file": path.name,
                    **({"from": source} if source != "sawt" else {}),
                    **result.as_dict(),
                },
            )
    return DefinitionImport(survey, result, tuple(definition.skipped))


def _take_turns(definition: Definition) -> None:
    # Definitions create agencies and journeys by code: two at once would both create one
    # (PostgreSQL; SQLite's write lock already serialises them). Imports of responses or
    # complaints into this journey or survey hold its lock: wait for them too.
    import_lock("definition")
    import_lock(f"journey:{definition.journey_slug}")
    import_lock(f"survey:{definition.survey.code}")


def _complete_from_database(definition: Definition, problems: ProblemCollector) -> None:
    """What a tool's file cannot hold, from what sawt already has: the journey's names, agency
    and gap categories, the stages the file does not name (kept after the file's), and the
    survey's sample and population sizes. A new journey takes the form's title for a name and
    needs --agency."""
    journey = Journey.objects.filter(slug=definition.journey_slug).select_related("agency").first()
    code = definition.agency.code or (journey.agency.code if journey else "")
    if not code:
        problems.add(
            None,
            "--agency",
            _(
                "The journey “%(journey)s” is new: say which agency it belongs to with "
                "--agency CODE."
            )
            % {"journey": definition.journey_slug},
        )
        return
    agency = Agency.objects.filter(code=code).first()
    definition.agency = NamedSpec(
        code,
        agency.name_ar if agency else code,
        agency.name_en if agency else "",
        "--agency",
    )
    if journey is not None:
        definition.journey_name = (journey.name_ar, journey.name_en)
        in_file = {s.code.lower() for s in definition.stages}
        definition.stages += [
            NamedSpec(s.code, s.name_ar, s.name_en, "stages")
            for s in journey.stages.order_by("position", "id")
            if s.code.lower() not in in_file
        ]
        definition.categories = [
            NamedSpec(c.code, c.name_ar, c.name_en, "gap_categories")
            for c in journey.gap_categories.order_by("position", "id")
        ]
    elif not definition.journey_name[0]:
        definition.journey_name = (definition.journey_slug, definition.journey_name[1])
    survey = Survey.objects.filter(code=definition.survey.code).first()
    if survey is not None:
        definition.survey = replace(
            definition.survey,
            sample_size=survey.sample_size if survey.sample_size_by_hand else None,
            population_size=survey.population_size,
        )


def _check_against_database(definition: Definition, problems: ProblemCollector) -> None:
    """What only the stored data can tell: clashing survey codes and items that cannot go."""
    spec = definition.survey

    def add(path: str, message: str) -> None:
        problems.add(definition.lines.get(path), path, message)

    # The apps above surveys check the parts of the file that are theirs (`invitations:`).
    definition_checking.send(sender=Survey, definition=definition, problem=add)
    other = Survey.objects.filter(code=spec.code).select_related("journey").first()
    if other and (other.journey.slug != definition.journey_slug or other.period != spec.period):
        add(
            "survey.code",
            _("The survey code “%(code)s” already belongs to journey “%(journey)s”, %(period)s.")
            % {"code": spec.code, "journey": other.journey.slug, "period": other.period},
        )
    same_month = Survey.objects.filter(
        journey__slug=definition.journey_slug, period=spec.period
    ).exclude(code=spec.code)
    for clash in same_month:
        add(
            "survey.period",
            _("This journey already has a survey for %(period)s, with the code “%(code)s”.")
            % {"period": spec.period, "code": clash.code},
        )
    journey = Journey.objects.filter(slug=definition.journey_slug).first()
    if journey is None:
        return
    survey = other if other and other.journey_id == journey.pk else None
    if survey is not None:
        _check_questions(definition, survey, add)
        problem = population_problem(
            survey_code=spec.code,
            population=spec.population_size,
            responses=survey.responses.count(),
        )
        if problem:
            add("survey.population_size", problem)
    kept_stages = {s.code.lower() for s in definition.stages}
    for stage in journey.stages.all():
        if stage.code.lower() not in kept_stages:
            # This survey's own questions move with the file; other surveys' ones hold the stage.
            uses = _uses(stage, skip={Question: models.Q(survey=survey)} if survey else {})
            if uses:
                add("stages", _kept_message("stage", stage.code, uses))
    kept_categories = {c.code.lower() for c in definition.categories}
    for category in journey.gap_categories.all():
        if category.code.lower() not in kept_categories and (uses := _uses(category)):
            add("gap_categories", _kept_message("category", category.code, uses))


def _check_questions(definition: Definition, survey: Survey, add: Any) -> None:
    in_file = {q.code.lower(): q for q in definition.questions}
    for question in survey.questions.all():
        spec = in_file.get(question.code.lower())
        if spec is None:
            if uses := _uses(question):
                add("questions", _kept_message("question", question.code, uses))
            continue
        scale = (question.scale_min, question.scale_max) if question.scale_min is not None else None
        if (spec.kind != question.kind or spec.scale != scale) and question.answers.exists():
            add(
                f"{spec.path}.kind" if spec.kind != question.kind else f"{spec.path}.scale",
                _(
                    "Question “%(code)s” already has answers, so its kind and scale cannot "
                    "change; give the new version a new code."
                )
                % {"code": question.code},
            )


def _kept_message(kind: str, code: str, uses: list[str]) -> str:
    # One whole sentence per kind of item, so each language can build its own.
    messages = {
        "stage": _(
            "The stage “%(code)s” is no longer in the file but cannot be removed, because it "
            "is still used by: %(uses)s. Put it back in the file."
        ),
        "category": _(
            "The gap category “%(code)s” is no longer in the file but cannot be removed, "
            "because it is still used by: %(uses)s. Put it back in the file."
        ),
        "question": _(
            "The question “%(code)s” is no longer in the file but cannot be removed, because "
            "it is still used by: %(uses)s. Put it back in the file."
        ),
    }
    return messages[kind] % {"code": code, "uses": ", ".join(uses)}


def _uses(obj: models.Model, skip: dict[type[models.Model], models.Q] | None = None) -> list[str]:
    """What still points at `obj`, as `answers (256)`; every kind of reference counts."""
    found = []
    for relation in obj._meta.related_objects:
        model = relation.related_model
        if isinstance(model, str):  # "self" before the app registry resolves it; never here
            continue
        if model is ScoreCount:
            continue  # derived from the answers, which are counted themselves
        queryset = model._default_manager.filter(**{relation.field.name: obj})
        if skip and model in skip:
            queryset = queryset.exclude(skip[model])
        if count := queryset.count():
            found.append(f"{model._meta.verbose_name_plural} ({count})")
    return found


def _save(model: type[models.Model], existing: Any, values: dict[str, Any], tally: _Tally) -> Any:
    """Create, or update only the fields that differ, so an identical re-run writes nothing."""
    if existing is None:
        tally.created += 1
        return model._default_manager.create(**values)
    changed = [name for name, value in values.items() if getattr(existing, name) != value]
    if not changed:
        tally.unchanged += 1
        return existing
    for name in changed:
        setattr(existing, name, values[name])
    existing.save(update_fields=[*changed, "updated_at"])
    tally.updated += 1
    return existing


def _write(definition: Definition, tally: _Tally) -> Survey:
    spec = definition.agency
    agency = _save(
        Agency,
        Agency.objects.filter(code=spec.code).first(),
        {"code": spec.code, "name_ar": spec.name_ar, "name_en": spec.name_en},
        tally,
    )
    name_ar, name_en = definition.journey_name
    journey = _save(
        Journey,
        Journey.objects.filter(slug=definition.journey_slug).first(),
        {
            "slug": definition.journey_slug,
            "name_ar": name_ar,
            "name_en": name_en,
            "agency_id": agency.pk,
        },
        tally,
    )
    stages = _write_named(Stage, journey, definition.stages, tally)
    _write_named(GapCategory, journey, definition.categories, tally)
    s = definition.survey
    existing = Survey.objects.filter(code=s.code).first()
    survey = _save(
        Survey,
        existing,
        {
            "code": s.code,
            "journey_id": journey.pk,
            "period": s.period,
            **_sample_size(s.sample_size, existing),
            "population_size": s.population_size,
        },
        tally,
    )
    _write_questions(survey, definition.questions, stages, tally)
    # Stages and categories go last: by now no question of this survey points at them.
    _remove_missing(journey.stages.all(), {x.code.lower() for x in definition.stages}, tally)
    _remove_missing(
        journey.gap_categories.all(), {x.code.lower() for x in definition.categories}, tally
    )
    return survey


def _sample_size(given: int | None, existing: Survey | None) -> dict[str, Any]:
    """A sample size in the file is set by hand; without one, the survey's sample is the number
    of people sawt invited (sawt.distribution keeps it), which a re-import leaves as it is.
    A number set by hand before and now gone no longer holds: it becomes unknown (None) until
    invitations count it again."""
    if given is not None:
        return {"sample_size": given, "sample_size_by_hand": True}
    kept = existing.sample_size if existing and not existing.sample_size_by_hand else None
    return {"sample_size": kept, "sample_size_by_hand": False}


def _write_named(
    model: type[Stage] | type[GapCategory], journey: Journey, specs: list[NamedSpec], tally: _Tally
) -> dict[str, Any]:
    existing = {x.code.lower(): x for x in model.objects.filter(journey=journey)}
    saved = {}
    for position, spec in enumerate(specs):
        values = {
            "journey_id": journey.pk,
            "code": spec.code,
            "name_ar": spec.name_ar,
            "name_en": spec.name_en,
            "position": position,
        }
        saved[spec.code.lower()] = _save(model, existing.get(spec.code.lower()), values, tally)
    return saved


def _write_questions(
    survey: Survey, specs: list[QuestionSpec], stages: dict[str, Stage], tally: _Tally
) -> None:
    existing = {q.code.lower(): q for q in survey.questions.all()}
    for position, spec in enumerate(specs):
        stage = stages[spec.stage_code.lower()] if spec.stage_code else None
        values = {
            "survey_id": survey.pk,
            "code": spec.code,
            "kind": spec.kind,
            "text_ar": spec.text_ar,
            "text_en": spec.text_en,
            "scale_min": spec.scale[0] if spec.scale else None,
            "scale_max": spec.scale[1] if spec.scale else None,
            "stage_id": stage.pk if stage else None,
            "position": position,
            "choices": spec.choices,
            "source_key": spec.source_key,
            "na_values": spec.na_values,
        }
        _save(Question, existing.get(spec.code.lower()), values, tally)
    _remove_missing(survey.questions.all(), {q.code.lower() for q in specs}, tally)


def _remove_missing(queryset: models.QuerySet, kept: set[str], tally: _Tally) -> None:
    # Only unused items reach this point: _check_against_database refused the others.
    for item in queryset:
        if item.code.lower() not in kept:
            item.delete()
            tally.removed += 1
