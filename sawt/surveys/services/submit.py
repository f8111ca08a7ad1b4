"""response_submit: one respondent's answers from a form, stored exactly as an import stores them.

The public form (sawt.distribution and its pages) writes answers through this service only. The
values are checked by the import's own checks (`answers_check`, `attributes_check`: a score
within its question's scale, open text and attributes redacted of personal data), and land as
the same Response and Answer rows, so the database triggers keep the score counts, and the
summary, the journey page, the report and the classifier see the answers as soon as the
transaction commits.

Who acts: the form is anonymous by design. Its caller (sawt.distribution.services.form) passes
`actor=None`, the system, because the person holds a link, not an account: the link's token is
the credential, and that service checks the invitation's state (known, not expired, not opted
out, not yet completed) before calling this one. Anyone else who calls it as a person (an
analyst typing in a paper form, a future API) is checked like an import of responses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sawt.core.access import authorize
from sawt.core.audit import audit_record
from sawt.core.exceptions import ApplicationError
from sawt.imports.problems import RowProblem
from sawt.imports.values import cell_key, cell_text
from sawt.surveys.choices import QuestionKind
from sawt.surveys.importers.responses import RESPONDENT_MAX, answers_check, attributes_check
from sawt.surveys.models import Answer, Question, Response, Survey
from sawt.surveys.services.population import population_check
from sawt.surveys.services.tallies import tallies_update
from sawt.surveys.signals import responses_imported
from sawt.textanalytics.arabic import redact_pii


@dataclass(frozen=True)
class Submission:
    """What response_submit did: the respondent's response, and whether it was new."""

    response: Response
    created: bool


def response_submit(
    *,
    survey: Survey,
    respondent_id: str,
    submitted_at: dt.datetime,
    answers: Mapping[str, Any],
    reasons: Mapping[str, Any] | None = None,
    attributes: Mapping[str, Any] | None = None,
    actor: Any,
) -> Submission:
    """Store one respondent's answers ({question code: value}) with the import's checks.

    `reasons` ({scored question code: text}) say in words what went wrong with a low score; each
    is stored, redacted, as the text of that score's answer, beside the score (see
    `_answer_rows`). Submitting again for a respondent already stored changes nothing and
    returns the stored response (`created` False). A refused value raises ApplicationError
    whose problems name the question code (RowProblem with no row), and nothing is written."""
    authorize(actor, "survey.responses_import", survey)
    rid = cell_key(respondent_id)
    if not rid or len(rid) > RESPONDENT_MAX:
        raise ApplicationError(
            _("A respondent id of 1 to %(limit)s characters is required.")
            % {"limit": RESPONDENT_MAX}
        )
    stored = Response.objects.filter(survey=survey, respondent_id=rid).first()
    if stored is not None:
        return Submission(stored, created=False)
    questions = list(survey.questions.all())
    checked, refused = answers_check(questions, answers)
    texts = _reasons(questions, checked, reasons or {}, refused)
    if refused:
        raise ApplicationError(
            _("Some answers cannot be accepted."),
            problems=[RowProblem(None, code, message) for code, message in refused.items()],
        )
    if not checked:
        raise ApplicationError(_("Answer at least one question before sending."))
    with transaction.atomic():
        population_check(survey, adding=1)
        try:
            # A savepoint: a twin submitted at the same moment (a double click) loses here.
            with transaction.atomic():
                response = Response.objects.create(
                    survey=survey,
                    respondent_id=rid,
                    submitted_at=submitted_at,
                    attributes=attributes_check(attributes or {}),
                )
        except IntegrityError:
            return Submission(Response.objects.get(survey=survey, respondent_id=rid), False)
        Answer.objects.bulk_create(_answer_rows(response, questions, checked, texts))
        tallies_update(survey, response_ids=[response.pk], attributes=[response.attributes])
        audit_record(
            actor=actor,
            action="survey.response_submit",
            obj=response,
            data={"survey": survey.code, "answers": len(checked)},
        )
        if any(q.kind == QuestionKind.TEXT and q.code in checked for q in questions):
            # Stored themes are computed from open answers: classification, above this app,
            # refreshes them when told (signals.py), once this has committed. A failure to
            # queue that refresh must not undo someone's answers, hence robust.
            transaction.on_commit(
                lambda: responses_imported.send(sender=Response, survey=survey, actor=actor),
                robust=True,
            )
    return Submission(response, created=True)


def _reasons(
    questions: list[Question],
    answers: dict[str, Any],
    reasons: Mapping[str, Any],
    refused: dict[str, str],
) -> dict[str, str]:
    """The reasons given, redacted, by question code; one without its score is refused."""
    scored = {q.code for q in questions if q.kind != QuestionKind.TEXT}
    texts: dict[str, str] = {}
    for code, value in reasons.items():
        text = cell_text(value)
        if not text or code not in scored:
            continue
        if code not in answers:
            refused.setdefault(
                code, _("Choose a score for this question too, or leave the box below it empty.")
            )
            continue
        texts[code] = redact_pii(text)
    return texts


def _answer_rows(
    response: Response,
    questions: list[Question],
    answers: dict[str, Any],
    reasons: dict[str, str],
) -> list[Answer]:
    """One row per answer given. A reason shares its score's row (score and text together),
    so the score counts, the summary's ranking of open answers (open questions only) and the
    survey's definition are untouched by it, and it stays beside the item it explains."""
    rows = []
    for question in questions:
        value = answers.get(question.code)
        if value is None:
            continue
        if question.kind == QuestionKind.TEXT:
            rows.append(Answer(response=response, question=question, text=value))
        else:
            text = reasons.get(question.code, "")
            rows.append(Answer(response=response, question=question, score=value, text=text))
    return rows
