"""Labels: sorting one complaint or open-text answer into a journey's gap category.

The review queue, the themes page and the demo label through `category_assign`; imports and
the model write their categories in bulk. It lives in classification, above complaints and
surveys, because it writes on both (in catalog it made catalog and those apps import each
other)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import transaction
from django.utils.translation import gettext as _

from sawt.catalog.choices import CategorySource
from sawt.catalog.models import GapCategory, Journey
from sawt.complaints.models import Complaint
from sawt.core.access import authorize
from sawt.core.audit import audit_record
from sawt.core.exceptions import ApplicationError
from sawt.surveys.choices import QuestionKind
from sawt.surveys.models import Answer

# A complaint or an open-text answer: category_assign returns what it was given.
Labelled = TypeVar("Labelled", bound=Complaint | Answer)


def _journey_of(obj: Complaint | Answer) -> Journey:
    if isinstance(obj, Complaint):
        return obj.journey
    if isinstance(obj, Answer):
        if obj.question.kind != QuestionKind.TEXT:
            raise ApplicationError(
                _("Only open-text answers can be sorted into gap categories; “%(code)s” is scored.")
                % {"code": obj.question.code}
            )
        return obj.question.survey.journey
    raise ApplicationError(_("Only complaints and open-text answers carry a gap category."))


def _check(
    *, journey: Journey, category: GapCategory | None, source: str, confidence: float | None
) -> None:
    if source not in CategorySource.values:
        raise ApplicationError(
            _("“%(source)s” is not a category source; use one of: %(allowed)s.")
            % {"source": source, "allowed": ", ".join(CategorySource.values)}
        )
    if category is not None and category.journey_id != journey.pk:
        raise ApplicationError(
            _("The gap category “%(code)s” belongs to another journey.") % {"code": category.code}
        )
    if confidence is not None and not 0 <= confidence <= 1:
        raise ApplicationError(_("A confidence must lie between 0 and 1."))


@transaction.atomic
def category_assign(
    *,
    obj: Labelled,
    category: GapCategory | None,
    source: str,
    actor: Any,
    confidence: float | None = None,
) -> Labelled:
    """Set (or clear, with `category=None`) the gap category of a complaint or open-text answer."""
    authorize(actor, "category.assign", obj)
    journey = _journey_of(obj)
    _check(journey=journey, category=category, source=source, confidence=confidence)
    previous = obj.category.code if obj.category is not None else ""
    obj.category = category
    # The database requires an empty source exactly when there is no category.
    obj.category_source = source if category is not None else ""
    fields = ["category", "category_source"]
    if isinstance(obj, Complaint):
        # A person's label replaces a model's guess, so its confidence must not linger.
        obj.category_confidence = confidence if category is not None else None
        fields += ["category_confidence", "updated_at"]
    obj.save(update_fields=fields)
    audit_record(
        actor=actor,
        action="category.assign",
        obj=obj,
        data={
            "journey": journey.slug,
            "from": previous,
            "to": category.code if category is not None else "",
            "source": obj.category_source,
            "confidence": confidence,
        },
    )
    return obj
