"""Reads of reason classification: a journey's models, its review queue, candidate themes.

Each takes a journey the caller already fetched through the person's scope (sawt.core.access):
the web views look it up with `journeys_for(user)` first, so another agency's journey is a 404
before anything here runs."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db.models import BigIntegerField, Count, F, Max, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from sawt.catalog.choices import LABEL_SOURCES, CategorySource
from sawt.catalog.models import GapCategory, Journey
from sawt.classification.models import ClassifierModel, ThemeSet
from sawt.complaints.models import Complaint
from sawt.core.exceptions import ApplicationError
from sawt.core.periods import period_bounds
from sawt.surveys.choices import QuestionKind
from sawt.surveys.models import Answer

# Themes are looked for among at most this many texts (the least certain first): clustering
# is for finding what the taxonomy misses, and a few thousand texts show it.
THEME_SAMPLE = 5_000


def classifier_latest(*, journey: Journey) -> ClassifierModel | None:
    """The journey's newest model (without its artefact, which pages never need)."""
    return (
        ClassifierModel.objects.filter(journey=journey)
        .defer("artefact")
        .order_by("-version")
        .first()
    )


def classifier_list() -> QuerySet[ClassifierModel]:
    """Every stored model, by name then newest version first (without their artefacts)."""
    return ClassifierModel.objects.defer("artefact").order_by("name", "-version")


def classifier_get(*, name: str, version: int | None = None) -> ClassifierModel:
    """The model `name` at `version` (the newest by default); refused naming those there are."""
    models = ClassifierModel.objects.filter(name=name).order_by("-version")
    model = models.filter(version=version).first() if version else models.first()
    if model is None:
        known = sorted(set(ClassifierModel.objects.values_list("name", flat=True)))
        raise ApplicationError(
            _("No classifier “%(name)s”%(version)s. Trained models: %(known)s.")
            % {
                "name": name,
                "version": f" v{version}" if version else "",
                "known": ", ".join(known) or "—",
            }
        )
    return model


def _period_complaints(journey: Journey, period: str | None) -> QuerySet[Complaint]:
    complaints = Complaint.objects.filter(journey=journey)
    if period:
        start, end = period_bounds(period)
        complaints = complaints.filter(received_at__gte=start, received_at__lt=end)
    return complaints


@dataclass(frozen=True)
class ReviewItem:
    complaint: Complaint
    group_size: int  # complaints settled at once (near-duplicates not yet labelled)


def _waiting(journey: Journey, period: str | None) -> QuerySet[Complaint]:
    return _period_complaints(journey, period).filter(
        category__isnull=True, prediction__isnull=False
    )


def review_waiting(*, journey: Journey, period: str | None = None) -> int:
    """How many near-duplicate groups wait for a person (what the journey page links with)."""
    group = Coalesce(F("duplicate_group"), F("id"), output_field=BigIntegerField())
    return _waiting(journey, period).aggregate(n=Count(group, distinct=True))["n"]


@dataclass(frozen=True)
class PeriodFiling:
    """What the model did with a period's complaints, as counted now (not as cross-validated)."""

    filed_by_model: int  # filed under a reason by the model alone
    waiting: int  # complaints below the threshold that no one has labelled yet


def period_filing(*, journey: Journey, period: str | None = None) -> PeriodFiling:
    """How many of the period's complaints the model filed alone and how many wait."""
    counts = _period_complaints(journey, period).aggregate(
        filed=Count("id", filter=Q(category_source=CategorySource.MODEL)),
        waiting=Count("id", filter=Q(category__isnull=True, prediction__isnull=False)),
    )
    return PeriodFiling(filed_by_model=counts["filed"], waiting=counts["waiting"])


def review_queue(
    *, journey: Journey, period: str | None = None, limit: int = 50
) -> tuple[list[ReviewItem], int]:
    """Complaints whose prediction fell below the threshold, least sure first; one item per
    near-duplicate group. Returns (items, how many groups wait in all)."""
    waiting = _waiting(journey, period)
    seen: set[int] = set()
    items: list[Complaint] = []
    ordered = waiting.select_related("prediction").order_by("prediction_confidence", "id")
    for complaint in ordered.iterator(500):
        group = complaint.duplicate_group or complaint.pk
        if group in seen:
            continue
        seen.add(group)
        items.append(complaint)
        if len(items) >= limit:
            break
    return _with_group_sizes(journey, items), review_waiting(journey=journey, period=period)


def _with_group_sizes(journey: Journey, complaints: list[Complaint]) -> list[ReviewItem]:
    """How many complaints a settle would label: every member of the group no one labelled,
    the ones the model already filed included (as `review_settle` does)."""
    groups = {c.duplicate_group for c in complaints if c.duplicate_group is not None}
    sizes = dict(
        Complaint.objects.filter(journey=journey, duplicate_group__in=groups)
        .exclude(category_source__in=LABEL_SOURCES)
        .values_list("duplicate_group")
        .annotate(n=Count("id"))
    )
    return [ReviewItem(c, sizes.get(c.duplicate_group, 1)) for c in complaints]


def theme_candidates(journey: Journey, period: str | None, source: str) -> list[tuple]:
    """(kind, id, text) of feedback no category covers: uncategorised, or only a model's guess
    below its threshold (the least certain first), at most THEME_SAMPLE of them."""
    if source == "survey":
        return [
            ("answer", pk, text)
            for pk, text in _open_answers(journey, period).values_list("id", "text")[:THEME_SAMPLE]
        ]
    complaints = (
        _period_complaints(journey, period)
        .filter(category__isnull=True)
        .order_by(F("prediction_confidence").asc(nulls_first=True), "id")
    )
    return [
        ("complaint", pk, text) for pk, text in complaints.values_list("id", "text")[:THEME_SAMPLE]
    ]


def _open_answers(journey: Journey, period: str | None) -> QuerySet[Answer]:
    answers = Answer.objects.filter(
        question__survey__journey=journey, question__kind=QuestionKind.TEXT, category=None
    ).exclude(text="")
    return answers.filter(question__survey__period=period) if period else answers


# Bump when what a theme set is computed from changes: every stored set is then stale.
_FINGERPRINT_VERSION = 1


def theme_fingerprint(*, journey: Journey, period: str, source: str) -> str:
    """A digest of the data a period's candidate themes are computed from, cheap enough to
    take on every page view: the uncovered texts (how many, which ids), every text's last
    change, the journey's reasons and its newest model. Equal digests, same themes."""
    uncovered = Q(category__isnull=True)
    if source == "survey":
        texts = Answer.objects.filter(
            question__survey__journey=journey,
            question__survey__period=period,
            question__kind=QuestionKind.TEXT,
        ).exclude(text="")
        # Answers are never edited in place: a changed response's answers are new rows.
        facts = texts.aggregate(
            n=Count("id"),
            last=Max("id"),
            open=Count("id", filter=uncovered),
            ids=Sum("id", filter=uncovered),
        )
    else:
        facts = _period_complaints(journey, period).aggregate(
            n=Count("id"),
            last=Max("id"),
            changed=Max("updated_at"),
            open=Count("id", filter=uncovered),
            ids=Sum("id", filter=uncovered),
        )
    taxonomy = journey.gap_categories.aggregate(n=Count("id"), last=Max("id"))
    model = ClassifierModel.objects.filter(journey=journey).aggregate(last=Max("id"))
    basis = (_FINGERPRINT_VERSION, source, period, sorted(facts.items()), taxonomy, model)
    return hashlib.sha256(repr(basis).encode()).hexdigest()[:32]


def theme_set_for(*, journey: Journey, period: str, source: str) -> ThemeSet | None:
    """The journey's stored candidate themes for the period and source, if ever computed."""
    return ThemeSet.objects.filter(journey=journey, period=period, source=source).first()


def categories_for_review(journey: Journey) -> list[GapCategory]:
    return list(journey.gap_categories.all())
