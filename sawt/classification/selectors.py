"""Reads of reason classification: a journey's models, its review queue, candidate themes.

Each takes a journey the caller already fetched through the person's scope (sawt.core.access):
the web views look it up with `journeys_for(user)` first, so another agency's journey is a 404
before anything here runs."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BigIntegerField,
    CharField,
    Count,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from sawt.catalog.choices import LABEL_SOURCES, CategorySource
from sawt.catalog.models import GapCategory, Journey
from sawt.classification.models import (
    ClassifierModel,
    ReviewSettings,
    ReviewSettle,
    ThemeSet,
)
from sawt.complaints.models import Complaint
from sawt.core.exceptions import ApplicationError
from sawt.core.periods import period_bounds
from sawt.jobs.models import Job
from sawt.surveys.choices import QuestionKind
from sawt.surveys.models import Answer
from sawt.textanalytics.thresholds import TARGET_PRECISION, threshold_for

# Themes are looked for among at most this many texts (the least certain first): clustering
# is for finding what the taxonomy misses, and a few thousand texts show it.
THEME_SAMPLE = 5_000
# "Label 5 of each to start": while a reason of the journey has fewer labels (imported or given
# by an analyst) than this, the review page opens with proposals for the reasons still short.
START_LABELS = 5
# At most this many complaints are proposed at once in the start stage (a sitting's work).
START_PROPOSALS = 20
# The precisions analysts choose from on the review page (the default, 0.9, among them).
TARGET_CHOICES = (0.7, 0.8, 0.85, 0.9, 0.95, 0.99)


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
    """Complaints whose prediction fell below the threshold, those a label teaches the model
    most first (uncertain, with many similar texts waiting); one item per near-duplicate
    group. Returns (items, how many groups wait in all)."""
    waiting = _waiting(journey, period)
    seen: set[int] = set()
    items: list[Complaint] = []
    # Learning value first (see services.review_priorities_update); complaints without one yet
    # (0: classified before it existed) follow, least sure first.
    ordered = waiting.select_related("prediction").order_by(
        "-review_priority", "prediction_confidence", "id"
    )
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


# The review threshold: the analysts' target precision, read off a model's curve.


def review_model(*, journey: Journey) -> ClassifierModel | None:
    """The journey's newest model, as classifier_latest, carrying the analysts' target precision
    as `target` (None: the default), read in the same query."""
    target = ReviewSettings.objects.filter(journey=OuterRef("journey")).values("target_precision")
    return (
        ClassifierModel.objects.filter(journey=journey)
        .defer("artefact")
        .annotate(target=Subquery(target[:1]))
        .order_by("-version")
        .first()
    )


def retrain_jobs(*, journey: Journey) -> dict[str, Job]:
    """The latest job of each kind that retrains the journey's model (fast, deep), by kind, in
    one query (as sawt.jobs.selectors.job_latest finds each)."""
    from sawt.classification.tasks import DEEP_RETRAIN_JOB, RETRAIN_JOB

    mine = Job.objects.filter(kind__in=[RETRAIN_JOB, DEEP_RETRAIN_JOB], dedupe_key=journey.slug)
    latest = mine.values("kind").annotate(last=Max("id")).values("last").order_by()
    return {job.kind: job for job in Job.objects.filter(pk__in=latest).select_related("created_by")}


def review_target(*, journey: Journey) -> float | None:
    """The precision the analysts set for the journey's model, or None (the default)."""
    found = ReviewSettings.objects.filter(journey=journey).values_list("target_precision")
    row = found.first()
    return row[0] if row else None


def review_threshold(*, journey: Journey, model: ClassifierModel) -> float:
    """The confidence at or above which `model` files a journey's complaint alone: the lowest
    threshold whose out-of-fold precision reached the analysts' target, or the model's own
    threshold (chosen at TARGET_PRECISION) when they set none or the model has no curve."""
    return threshold_at(model, review_target(journey=journey))


def threshold_at(model: ClassifierModel, target: float | None) -> float:
    """The threshold that reaches `target` precision by the model's curve (see above)."""
    if target is None or not model.scores.get("threshold_curve"):
        return model.threshold
    return threshold_for(model.scores, target)


def curve_point(report: dict, threshold: float) -> tuple[float | None, float] | None:
    """(precision, coverage) out of fold of accepting at `threshold`, by the model's curve:
    the point of the lowest cut at or above it (what `coverage_at` reads); above every cut the
    model files nothing alone (precision None: of nothing). None without a curve."""
    points = [p for p in report.get("threshold_curve", []) if p[0] >= threshold]
    if not points:
        return None if not report.get("threshold_curve") else (None, 0.0)
    _threshold, precision, coverage = min(points, key=lambda p: p[0])
    return precision, coverage


@dataclass(frozen=True)
class TargetChoice:
    target: float
    threshold: float
    precision: float | None  # out of fold, at the threshold the target gives
    coverage: float | None  # share the model would file alone, out of fold
    current: bool


def target_choices(
    *, model: ClassifierModel, target: float | None
) -> tuple[float, list[TargetChoice]]:
    """The effective target and, for each precision analysts may choose, what the model would
    do with it (threshold, precision and coverage, out of fold)."""
    effective = target if target is not None else TARGET_PRECISION
    values = sorted({*TARGET_CHOICES, effective})
    choices = []
    for value in values:
        # The default is the model's own threshold, as everywhere else.
        threshold = threshold_at(model, None if target is None and value == effective else value)
        point = curve_point(model.scores, threshold)
        choices.append(
            TargetChoice(
                target=value,
                threshold=threshold,
                precision=point[0] if point else None,
                coverage=point[1] if point else None,
                current=value == effective,
            )
        )
    return effective, choices


# "Label 5 of each to start".


@dataclass(frozen=True)
class StartCount:
    category: GapCategory
    labelled: int

    @property
    def short(self) -> bool:
        return self.labelled < START_LABELS


def start_counts(
    *, journey: Journey, categories: list[GapCategory] | None = None
) -> list[StartCount]:
    """How many labelled examples (imported or an analyst's, complaints and open answers: what
    a model trains on) each reason of the journey has."""
    return start_tally(journey=journey, period=None, categories=categories).counts


@dataclass(frozen=True)
class NewSource:
    """A channel whose complaints wait for a person but which has given the model fewer than
    START_LABELS labelled examples: a new intake (a new form, an app, a call centre) writes
    differently, and a few labels of its own teach the model more than any other."""

    channel: str
    labelled: int
    waiting: int


@dataclass(frozen=True)
class StartTally:
    counts: list[StartCount]
    new_sources: list[NewSource]


def start_tally(
    *, journey: Journey, period: str | None, categories: list[GapCategory] | None = None
) -> StartTally:
    """Labelled examples per reason (see start_counts) and, with a period, the channels new to
    the model (NewSource), in one query: the page counts its queries."""
    categories = categories if categories is not None else categories_for_review(journey)
    labelled = (
        Complaint.objects.filter(journey=journey, category_source__in=LABEL_SOURCES)
        .values_list("category_id", "channel")
        .annotate(n=Count("id"))
        .order_by()
    )
    answers = (
        Answer.objects.filter(question__survey__journey=journey, category_source__in=LABEL_SOURCES)
        .values_list("category_id", Value("", output_field=CharField()))
        .annotate(n=Count("id"))
        .order_by()
    )
    parts = labelled.union(answers, all=True)
    if period is not None:
        # Waiting complaints have no category: their rows come back with category_id None.
        waiting = (
            _waiting(journey, period)
            .exclude(channel="")
            .values_list("category_id", "channel")
            .annotate(n=Count("id"))
            .order_by()
        )
        parts = labelled.union(answers, waiting, all=True)
    counts: dict[int, int] = defaultdict(int)
    by_channel: dict[str, int] = defaultdict(int)
    waiting_by_channel: dict[str, int] = {}
    for category_id, channel, n in parts:
        if category_id is None:
            waiting_by_channel[channel] = n
            continue
        counts[category_id] += n
        by_channel[channel] += n
    new_sources = [
        NewSource(channel, by_channel[channel], n)
        for channel, n in sorted(waiting_by_channel.items())
        if by_channel[channel] < START_LABELS
    ]
    return StartTally([StartCount(c, counts[c.pk]) for c in categories], new_sources)


def new_source_proposals(
    *, journey: Journey, period: str, sources: list[NewSource], seen: set[int]
) -> list[StartProposal]:
    """For each new channel, as many of its waiting complaints as it lacks labels, those a
    label teaches the model most first (review_priority); one per near-duplicate group."""
    wanted = {s.channel: START_LABELS - s.labelled for s in sources}
    rows = (
        _waiting(journey, period)
        .filter(channel__in=list(wanted))
        .select_related("prediction")
        .order_by("-review_priority", "prediction_confidence", "id")[: START_PROPOSALS * 10]
    )
    picked: list[Complaint] = []
    for complaint in rows:
        group = complaint.duplicate_group or complaint.pk
        if wanted[complaint.channel] <= 0 or group in seen:
            continue
        seen.add(group)
        wanted[complaint.channel] -= 1
        picked.append(complaint)
        if len(picked) >= START_PROPOSALS:
            break
    sized = _with_group_sizes(journey, picked)
    return [
        StartProposal(c, c.prediction, item.group_size)
        for c, item in zip(picked, sized, strict=True)
    ]


@dataclass(frozen=True)
class StartProposal:
    complaint: Complaint
    # The reason it is proposed for (the model's best guess), or None: picked to show the
    # variety of the complaints, before any model can guess.
    category: GapCategory | None
    group_size: int = 1


def start_proposals(
    *, journey: Journey, period: str | None, counts: list[StartCount]
) -> list[StartProposal]:
    """Complaints to label first while reasons are short of examples: for each short reason,
    the unlabelled complaints the model is surest belong to it (highest probability among
    those it guessed that reason for); then, for what that leaves short (no model, or a reason
    the model never guesses), a spread of different complaints of the period, one per
    candidate theme when themes were computed, else evenly through the period, so analysts
    meet every kind of complaint quickly. One complaint per near-duplicate group."""
    short = {c.category.pk: START_LABELS - c.labelled for c in counts if c.short}
    if not short:
        return []
    unlabelled = Complaint.objects.filter(journey=journey).exclude(
        category_source__in=LABEL_SOURCES
    )
    proposals: list[StartProposal] = []
    seen: set[int] = set()
    wanted = dict(short)
    guessed = (
        unlabelled.filter(prediction_id__in=list(short))
        .select_related("prediction")
        .order_by("-prediction_confidence", "id")[: START_PROPOSALS * 10]
    )
    for complaint in guessed:
        group = complaint.duplicate_group or complaint.pk
        guess = complaint.prediction_id
        if guess is None or wanted.get(guess, 0) <= 0 or group in seen:
            continue
        seen.add(group)
        wanted[guess] -= 1
        proposals.append(StartProposal(complaint, complaint.prediction))
        if len(proposals) >= START_PROPOSALS:
            break
    spread = min(sum(n for n in wanted.values() if n > 0), START_PROPOSALS - len(proposals))
    if spread > 0:
        for complaint in _spread(journey, period, unlabelled, spread, seen):
            proposals.append(StartProposal(complaint, None))
    sized = _with_group_sizes(journey, [p.complaint for p in proposals])
    return [
        StartProposal(p.complaint, p.category, item.group_size)
        for p, item in zip(proposals, sized, strict=True)
    ]


def _spread(
    journey: Journey, period: str | None, unlabelled: QuerySet[Complaint], n: int, seen: set[int]
) -> list[Complaint]:
    """Up to n different complaints: the first of each candidate theme of the period (largest
    theme first), else complaints evenly spaced through the period."""
    pool = _period_complaints(journey, period).filter(pk__in=unlabelled.values("pk"))
    ids: list[int] = []
    themes = theme_set_for(journey=journey, period=period, source="complaints") if period else None
    for theme in themes.themes if themes else []:
        ids.extend(theme["complaint_ids"][:3])  # a few per theme: some may be labelled since
    if ids:
        found = {c.pk: c for c in pool.filter(pk__in=ids)}
        picked: list[Complaint] = []
        for theme in themes.themes if themes else []:
            for pk in theme["complaint_ids"][:3]:
                complaint = found.get(pk)
                if complaint is not None and (complaint.duplicate_group or pk) not in seen:
                    seen.add(complaint.duplicate_group or pk)
                    picked.append(complaint)
                    break
            if len(picked) >= n:
                break
        if picked:
            return picked
    every = list(pool.order_by("received_at", "id").values_list("id", flat=True)[:THEME_SAMPLE])
    if not every:
        return []
    step = max(1, len(every) // n)
    chosen = every[::step][:n]
    return list(pool.filter(pk__in=chosen).order_by("received_at", "id"))


def review_settles_recent(*, journey: Journey, user: Any, limit: int = 5) -> list[ReviewSettle]:
    """The person's latest settles of the journey, newest first, with how many complaints each
    labelled (what the page offers to undo)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        ReviewSettle.objects.filter(journey=journey, actor=user)
        .select_related("complaint", "category")
        .annotate(size=Count("members"))
        .order_by("-id")[:limit]
    )
