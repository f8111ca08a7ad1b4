"""Writes on the gap register: record gaps, decide recommendations, move them along the pipeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from sawt.catalog.models import Agency, GapCategory, Journey, Stage
from sawt.complaints.models import Complaint
from sawt.core.access import authorize, role_of
from sawt.core.audit import actor_label, actor_user, audit_record
from sawt.core.events import event_announce
from sawt.core.exceptions import ApplicationError
from sawt.core.periods import parse_period
from sawt.gaps.choices import RecommendationStatus
from sawt.gaps.models import (
    Gap,
    GapComment,
    Recommendation,
    RecommendationEdit,
    RecommendationEvent,
)
from sawt.gaps.transitions import ALLOWED_MOVES, can_move, role_may_move
from sawt.surveys.choices import SCORED_KINDS
from sawt.surveys.models import Question
from sawt.textanalytics.arabic import redact_pii
from sawt.workshops.models import WorkshopNote


def _refuse_foreign(journey_ids: Iterable[int], journey: Journey, message: str) -> None:
    if any(jid != journey.pk for jid in journey_ids):
        raise ApplicationError(message % {"journey": journey.slug})


def _check_evidence(
    *,
    journey: Journey,
    stage: Stage | None,
    category: GapCategory | None,
    complaints: list[Complaint],
    questions: list[Question],
    workshop_notes: list[WorkshopNote],
) -> None:
    # A gap may only point at evidence from its own journey, or a register would mix services.
    checks: list[tuple[Iterable[int], str]] = [
        (
            [stage.journey_id] if stage else [],
            _("The stage belongs to another journey than “%(journey)s”."),
        ),
        (
            [category.journey_id] if category else [],
            _("The gap category belongs to another journey than “%(journey)s”."),
        ),
        (
            (c.journey_id for c in complaints),
            _("Some complaints belong to another journey than “%(journey)s”."),
        ),
        (
            (q.survey.journey_id for q in questions),
            _("Some survey items belong to another journey than “%(journey)s”."),
        ),
        (
            (n.workshop.journey_id for n in workshop_notes),
            _("Some workshop notes belong to another journey than “%(journey)s”."),
        ),
    ]
    for journey_ids, message in checks:
        _refuse_foreign(journey_ids, journey, message)


@transaction.atomic
def gap_create(
    *,
    journey: Journey,
    period: str,
    feedback_ar: str,
    feedback_en: str = "",
    stage: Stage | None = None,
    category: GapCategory | None = None,
    complaints: Iterable[Complaint] = (),
    questions: Iterable[Question] = (),
    workshop_notes: Iterable[WorkshopNote] = (),
    actor: Any,
) -> Gap:
    """Record a gap of a journey with the next number in that journey and link its evidence."""
    authorize(actor, "gap.create", journey)
    period = period.strip() if isinstance(period, str) else period
    parse_period(period)
    feedback_ar, feedback_en = feedback_ar.strip(), feedback_en.strip()
    if not feedback_ar:
        raise ApplicationError(_("A gap needs the customers' feedback in Arabic."))
    complaints, questions = list(complaints), list(questions)
    workshop_notes = list(workshop_notes)
    _check_evidence(
        journey=journey,
        stage=stage,
        category=category,
        complaints=complaints,
        questions=questions,
        workshop_notes=workshop_notes,
    )
    # Locking the journey row serialises numbering: two analysts cannot both take number n+1.
    Journey.objects.select_for_update().filter(pk=journey.pk).first()
    last = Gap.objects.filter(journey=journey).aggregate(last=Max("number"))["last"] or 0
    gap = Gap.objects.create(
        journey=journey,
        period=period,
        number=last + 1,
        feedback_ar=feedback_ar,
        feedback_en=feedback_en,
        stage=stage,
        category=category,
    )
    gap.complaints.add(*complaints)
    gap.questions.add(*questions)
    gap.workshop_notes.add(*workshop_notes)
    audit_record(
        actor=actor,
        action="gap.create",
        obj=gap,
        data={
            "journey": journey.slug,
            "period": period,
            "number": gap.number,
            "complaints": len(complaints),
            "questions": [q.code for q in questions],
            "workshop_notes": len(workshop_notes),
        },
    )
    event_announce("gap.created", gap)
    return gap


def targets_from_evidence(gap: Gap) -> dict[str, Any]:
    """What a recommendation on `gap` should move, read from the gap's evidence: its scored
    survey items, its stage and its complaint category (the form's defaults)."""
    items = gap.questions.filter(kind__in=SCORED_KINDS).values_list("code", flat=True)
    return {
        "items": sorted(set(items)),
        "stage": gap.stage.code if gap.stage else None,
        "category": gap.category.code if gap.category else None,
    }


def _clean_targets(journey: Journey, targets: dict[str, Any]) -> dict[str, Any]:
    """`targets` with every code checked against the journey: an item asked in one of its
    surveys and scored, one of its stages, one of its complaint categories."""
    unknown = set(targets) - {"items", "stage", "category"}
    if unknown:
        raise ApplicationError(
            _("Unknown targets: %(keys)s.") % {"keys": ", ".join(sorted(unknown))}
        )
    items = sorted({str(code).strip() for code in targets.get("items") or [] if str(code).strip()})
    stage = (targets.get("stage") or "").strip() or None
    category = (targets.get("category") or "").strip() or None
    known = set(
        Question.objects.filter(survey__journey=journey, kind__in=SCORED_KINDS).values_list(
            "code", flat=True
        )
    )
    if missing := [code for code in items if code not in known]:
        raise ApplicationError(
            _("No scored survey item of “%(journey)s” has the code: %(codes)s.")
            % {"journey": journey.slug, "codes": ", ".join(missing)}
        )
    if stage and not journey.stages.filter(code=stage).exists():
        raise ApplicationError(
            _("The journey “%(journey)s” has no stage “%(code)s”.")
            % {"journey": journey.slug, "code": stage}
        )
    if category and not journey.gap_categories.filter(code=category).exists():
        raise ApplicationError(
            _("The journey “%(journey)s” has no gap category “%(code)s”.")
            % {"journey": journey.slug, "code": category}
        )
    return {"items": items, "stage": stage, "category": category}


def _when(at: dt.datetime | None) -> dt.datetime:
    """`at`, or now; a naive time is read in the ministry's time zone, as the forms show it."""
    if at is None:
        return timezone.now()
    return timezone.make_aware(at) if timezone.is_naive(at) else at


@transaction.atomic
def recommendation_create(
    *,
    gap: Gap,
    text_ar: str,
    text_en: str = "",
    owner: Agency,
    due_date: dt.date | None = None,
    targets: dict[str, Any] | None = None,
    actor: Any,
    at: dt.datetime | None = None,
) -> Recommendation:
    """Propose the decision that closes a gap; its history starts with a '' → proposed event.

    `targets` (items, stage, category: what it should move) default to the gap's evidence."""
    authorize(actor, "recommendation.create", gap)
    text_ar, text_en = text_ar.strip(), text_en.strip()
    if not text_ar:
        raise ApplicationError(_("A recommendation needs the decision in Arabic."))
    at = _when(at)
    targets = _clean_targets(
        gap.journey, targets_from_evidence(gap) if targets is None else targets
    )
    recommendation = Recommendation.objects.create(
        gap=gap,
        text_ar=text_ar,
        text_en=text_en,
        owner=owner,
        due_date=due_date,
        targets=targets,
        status=RecommendationStatus.PROPOSED,
    )
    RecommendationEvent.objects.create(
        recommendation=recommendation,
        from_status="",
        to_status=RecommendationStatus.PROPOSED,
        at=at,
        actor=actor_user(actor),
        actor_label=actor_label(actor),
    )
    audit_record(
        actor=actor,
        action="recommendation.create",
        obj=recommendation,
        data={
            "gap": gap.pk,
            "owner": owner.code,
            "due_date": due_date.isoformat() if due_date else None,
            "targets": targets,
        },
    )
    return recommendation


def _label(status: str) -> str:
    return (
        str(RecommendationStatus(status).label) if status in RecommendationStatus.values else status
    )


def _conflict(current: Recommendation) -> ApplicationError:
    return ApplicationError(
        _(
            "Someone else changed this recommendation while you were looking at it; it is "
            "now “%(stored)s”. Nothing of yours was saved: check it and decide again."
        )
        % {"stored": _label(current.status)},
        problems=["conflict"],
    )


def _check_move(
    current: Recommendation, to_status: str, expected_status: str, expected_version: int | None
) -> None:
    if to_status not in RecommendationStatus.values:
        raise ApplicationError(
            _("“%(status)s” is not a recommendation status.") % {"status": to_status}
        )
    if current.status == expected_status and expected_version not in (None, current.version):
        # Same status, yet changed meanwhile (edited, or moved away and back): still a conflict.
        raise _conflict(current)
    if current.status != expected_status:
        # The person decided on a status that is no longer there; applying the move anyway
        # would silently overwrite a colleague's change.
        raise ApplicationError(
            _(
                "This recommendation is now “%(stored)s”, not “%(expected)s”: someone else "
                "changed it meanwhile. Reload it and decide again."
            )
            % {"stored": _label(current.status), "expected": _label(expected_status)},
            problems=["conflict"],
        )
    if not can_move(current.status, to_status):
        allowed = ", ".join(_label(s) for s in ALLOWED_MOVES.get(current.status, ())) or "—"
        raise ApplicationError(
            _(
                "A recommendation cannot move from “%(current)s” to “%(target)s”; from "
                "“%(current)s” it may move to: %(allowed)s."
            )
            % {"current": _label(current.status), "target": _label(to_status), "allowed": allowed}
        )


def _check_time(current: Recommendation, at: dt.datetime) -> None:
    # Events are read in time order, so a change dated before the last one would reorder history.
    last = current.events.order_by("-at", "-id").values_list("at", flat=True).first()
    if last is not None and at < last:
        raise ApplicationError(
            _("A status change cannot be dated before the previous one (%(last)s).")
            % {"last": last.isoformat()}
        )
    if at > timezone.now():
        raise ApplicationError(_("A status change cannot be dated in the future."))


# Asked when a recommendation is to be verified; the metrics engine answers with its impact
# result (sawt.metrics.impact, connected in MetricsConfig.ready). A signal, not an import: the
# register sits below the metrics in the app layers (docs/decisions/0008-app-layers.md), as
# `announced` lets the webhooks hear of changes without the apps importing them.
# kwargs: recommendation; a receiver returns the recommendation's impact entry (a dict).
impact_requested = Signal()
# The verdicts of a tested result (sawt.metrics.impact_stats.TESTED): something was compared.
TESTED_VERDICTS = ("improved", "no_change", "worse")


def _verified_impact(current: Recommendation) -> dict[str, Any]:
    """The impact result a move to `verified` rests on, computed now; refused when nothing it
    should move can be tested yet. Here, in the service, so that every door (the gap page, the
    API, the command line, a loader) obeys the same rule."""
    answers: list[tuple[Any, Any]] = impact_requested.send(Recommendation, recommendation=current)
    impact: dict[str, Any] | None = next(
        (answer for _receiver, answer in answers if isinstance(answer, dict)), None
    )
    if impact is None or impact.get("verdict") not in TESTED_VERDICTS:
        raise ApplicationError(
            _(
                "A recommendation can be verified only with its impact result, and there is "
                "none yet: nothing it should move can be compared before and after its "
                "implementation (no survey period since, too few answers, or no items, stage "
                "or complaint category to check). Wait for the next period's figures, or "
                "record what it should move."
            ),
            problems=["impact"],
        )
    return impact


@transaction.atomic
def recommendation_transition(
    *,
    recommendation: Recommendation,
    to_status: str,
    expected_status: str,
    actor: Any,
    at: dt.datetime | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Recommendation:
    """Move a recommendation to `to_status` if still `expected_status` and the move is allowed.

    With `expected_version` (what the person's page showed) any change since then is a conflict.
    """
    # The row lock makes compare-and-move atomic: a concurrent mover waits, then sees our status.
    current = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    # Ownership is checked on the locked row: the owner may have changed since the page loaded.
    authorize(actor, "recommendation.transition", current)
    _check_move(current, to_status, expected_status, expected_version)
    if actor is not None and not role_may_move(role_of(actor), current.status, to_status):
        raise PermissionDenied(_("Your role does not allow this status change."))
    at = _when(at)
    _check_time(current, at)
    impact = _verified_impact(current) if to_status == RecommendationStatus.VERIFIED else None
    from_status = current.status
    current.status = to_status
    current.version += 1
    current.save(update_fields=["status", "version", "updated_at"])
    RecommendationEvent.objects.create(
        recommendation=current,
        from_status=from_status,
        to_status=to_status,
        at=at,
        actor=actor_user(actor),
        actor_label=actor_label(actor),
        note=note.strip(),
        impact=impact,
    )
    audit_record(
        actor=actor,
        action="recommendation.transition",
        obj=current,
        data={
            "from": from_status,
            "to": to_status,
            "version": current.version,
            "at": at.isoformat(),
            **({"verdict": impact["verdict"]} if impact else {}),
        },
    )
    event_announce("recommendation.status_changed", current, from_status=from_status, at=at)
    return current


def _shown(value: Any) -> Any:
    if isinstance(value, Agency):
        return value.code
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@transaction.atomic
def recommendation_update(
    *,
    recommendation: Recommendation,
    expected_version: int,
    text_ar: str,
    text_en: str = "",
    owner: Agency,
    due_date: dt.date | None,
    targets: dict[str, Any] | None = None,
    actor: Any,
) -> Recommendation:
    """Change a recommendation's text, owner, due date or targets (None: unchanged) if nobody
    changed it since `version`."""
    authorize(actor, "recommendation.update", recommendation)
    current = (
        Recommendation.objects.select_for_update().select_related("owner").get(pk=recommendation.pk)
    )
    if current.version != expected_version:
        raise _conflict(current)
    text_ar, text_en = text_ar.strip(), text_en.strip()
    if not text_ar:
        raise ApplicationError(_("A recommendation needs the decision in Arabic."))
    wanted: dict[str, Any] = {
        "text_ar": text_ar,
        "text_en": text_en,
        "owner": owner,
        "due_date": due_date,
    }
    if targets is not None:
        wanted["targets"] = _clean_targets(current.gap.journey, targets)
        # Stored before targets had their full shape ({}): read as "nothing", so saving the
        # same nothing is no change.
        stored = current.targets or {}
        current.targets = {
            "items": sorted(stored.get("items") or []),
            "stage": stored.get("stage") or None,
            "category": stored.get("category") or None,
        }
    changes = {
        field: [_shown(getattr(current, field)), _shown(value)]
        for field, value in wanted.items()
        if getattr(current, field) != value
    }
    if not changes:
        return current
    for field, value in wanted.items():
        setattr(current, field, value)
    current.version += 1
    current.save(update_fields=[*wanted, "version", "updated_at"])
    RecommendationEdit.objects.create(
        recommendation=current, at=timezone.now(), actor=actor_user(actor), changes=changes
    )
    audit_record(
        actor=actor,
        action="recommendation.update",
        obj=current,
        data={"changes": changes, "version": current.version},
    )
    return current


@transaction.atomic
def gap_comment_add(*, gap: Gap, text: str, actor: Any) -> GapComment:
    """Add a remark to a gap's history, with personal data (IDs, phones, e-mails) redacted."""
    authorize(actor, "gap.comment", gap)
    text = redact_pii(text.strip())
    if not text:
        raise ApplicationError(_("A comment cannot be empty."))
    comment = GapComment.objects.create(
        gap=gap, author=actor_user(actor), text=text, created_at=timezone.now()
    )
    audit_record(actor=actor, action="gap.comment", obj=comment, data={"gap": gap.pk})
    return comment
