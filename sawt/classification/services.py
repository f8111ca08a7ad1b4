"""Writes of reason classification: train a journey's model, classify its complaints and
open-text answers, group near-duplicates, settle the review queue, promote a theme.

Who sets a category is kept apart: an import or an analyst gives a label (`labelled` in the
summary); the model's guess counts only at or above its threshold and never overwrites a label.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from sawt.catalog.choices import LABEL_SOURCES, CategorySource
from sawt.catalog.models import GapCategory, Journey
from sawt.classification.label_services import category_assign
from sawt.classification.models import (
    TARGET_PRECISION_MAX,
    TARGET_PRECISION_MIN,
    ClassifierModel,
    ReviewSettings,
    ReviewSettle,
    ReviewSettleMember,
)
from sawt.classification.selectors import review_threshold, start_counts
from sawt.classification.tasks import CLASSIFY_JOB, DEEP_RETRAIN_JOB, RETRAIN_JOB
from sawt.classification.theme_services import themes_refresh_later
from sawt.complaints.models import Complaint
from sawt.core.access import authorize
from sawt.core.audit import actor_user, audit_record
from sawt.core.exceptions import ApplicationError
from sawt.jobs.models import Job
from sawt.jobs.services import job_enqueue
from sawt.surveys.choices import QuestionKind
from sawt.surveys.models import Answer

if TYPE_CHECKING:
    from sawt.textanalytics.classifier import TrainedModel

# The model code (scikit-learn, SciPy, joblib: ~0.5 s to load) is imported inside the functions
# that train, predict or group, never at module level: the web views and commands that only
# import this module would otherwise pay it at start-up.

BATCH = 5_000
# Near-duplicates: this close in wording (cosine of character n-grams, see
# textanalytics.duplicates) and each within this time of the previous copy.
NEAR_DUPLICATE = 0.9
RESEND_WINDOW = dt.timedelta(hours=72)
# A journey's model is retrained in the background once analysts have given this many new
# labels since it was trained (the button on the review page does it at any time) ...
RETRAIN_AFTER_LABELS = 20
# ... and after this many while it starts (some reason has fewer than START_LABELS labels, or
# there is no model yet): the fast model trains in seconds, and each of the first labels
# changes what it proposes next.
RETRAIN_AFTER_LABELS_STARTING = 5
# Learning value (review_priorities_update): other waiting complaints at least this close in
# wording (cosine of character n-grams of their content words, as near-duplicates are found
# at NEAR_DUPLICATE) count as "similar texts waiting" that one label teaches the model about.
NEIGHBOUR = 0.5
# Neighbours are sought among at most this many waiting complaints of a month, the least sure
# first (the rest count their near-duplicate group only): bounded work per retraining.
NEIGHBOUR_POOL = 5_000


def classifier_save(
    *,
    name: str,
    trained: TrainedModel,
    journey: Journey | None = None,
    source: str = "",
    actor: Any = None,
) -> ClassifierModel:
    """Store a trained model as the next version of `name`."""
    authorize(actor, "classifier.train", journey)
    name = name.strip()
    if not name:
        raise ApplicationError(_("A classifier needs a name."))
    with transaction.atomic():
        # Lock the name's versions so two trainings at once cannot both take version N+1.
        latest = (
            ClassifierModel.objects.select_for_update()
            .filter(name=name)
            .aggregate(v=Max("version"))["v"]
        )
        model = ClassifierModel.objects.create(
            name=name,
            version=(latest or 0) + 1,
            journey=journey,
            labels=trained.labels,
            training_size=trained.training_size,
            train_seconds=trained.train_seconds,
            scores=trained.report,
            threshold=trained.threshold,
            source=source[:255],
            created_by=actor_user(actor),
            artefact=trained.dumps(),
        )
        audit_record(
            actor=actor,
            action="classifier.train",
            obj=model,
            data={
                "name": name,
                "version": model.version,
                "examples": model.training_size,
                "macro_f1": trained.report.get("macro_f1"),
            },
        )
    return model


def _labelled_examples(journey: Journey) -> tuple[list[str], list[str]]:
    """Texts and category codes of a journey's human- and import-labelled feedback."""
    codes = dict(journey.gap_categories.values_list("id", "code"))
    texts, labels = [], []
    complaints = Complaint.objects.filter(journey=journey, category_source__in=LABEL_SOURCES)
    for text, category_id in complaints.values_list("text", "category_id").iterator(BATCH):
        texts.append(text)
        labels.append(codes[category_id])
    answers = _open_answers(journey).filter(category_source__in=LABEL_SOURCES)
    for text, category_id in answers.values_list("text", "category_id").iterator(BATCH):
        texts.append(text)
        labels.append(codes[category_id])
    return texts, labels


def _open_answers(journey: Journey) -> QuerySet[Answer]:
    return Answer.objects.filter(
        question__survey__journey=journey, question__kind=QuestionKind.TEXT
    ).exclude(text="")


def classifier_engine() -> str:
    """The engine the deployment trains with (SAWT_CLASSIFIER_ENGINE, resolved: "auto" is
    deep where `sawt[deep]` is installed)."""
    from sawt.textanalytics import engines

    try:
        return engines.resolve(getattr(settings, "SAWT_CLASSIFIER_ENGINE", engines.AUTO))
    except engines.EngineUnavailable:
        # Asked for deep where it is not installed: the fast model keeps the queue moving.
        return engines.FAST


def journey_classifier_train(
    *, journey: Journey, actor: Any = None, engine: str = "fast", progress: Any = None
) -> ClassifierModel:
    """Train the next version of a journey's model from every label its feedback carries,
    with `engine` (sawt.textanalytics.engines: fast, deep or auto)."""
    authorize(actor, "classifier.train", journey)
    texts, labels = _labelled_examples(journey)
    distinct = len(set(labels))
    if distinct < 2:
        raise ApplicationError(
            _(
                "The journey “%(journey)s” has %(count)d labelled example(s) in %(labels)d "
                "categor(ies); a model needs labelled examples of at least two categories."
            )
            % {"journey": journey.slug, "count": len(texts), "labels": distinct}
        )
    from sawt.textanalytics import engines

    trained = engines.train(texts, labels, engine=engine, progress=progress)
    return classifier_save(
        name=journey.slug,
        trained=trained,
        journey=journey,
        source=_("labelled complaints and open-text answers"),
        actor=actor,
    )


def _chunks(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def journey_classify(*, journey: Journey, model: ClassifierModel) -> dict[str, int]:
    """Predict a category for every complaint and open-text answer of the journey that no
    import or analyst labelled. Returns how many were accepted and how many wait for review."""
    if model.journey_id != journey.pk:
        raise ApplicationError(
            _("The classifier “%(name)s” was not trained for this journey.") % {"name": model}
        )
    from sawt.textanalytics.classifier import TrainedModel

    trained = TrainedModel.loads(model.artefact)
    # The analysts' target precision, read off this model's curve (or its own threshold).
    threshold = review_threshold(journey=journey, model=model)
    by_code = {c.code: c for c in journey.gap_categories.all()}
    counts = {"accepted": 0, "review": 0, "answers_accepted": 0}
    unlabelled = Complaint.objects.filter(journey=journey).exclude(
        category_source__in=LABEL_SOURCES
    )
    rows = list(unlabelled.values_list("id", "text"))
    for chunk in _chunks(rows):
        result = trained.predict([text for _id, text in chunk])
        updates = []
        for (pk, _text), code, conf in zip(chunk, result.labels, result.confidences, strict=True):
            category = by_code.get(code)  # None if the category was deleted since training
            accepted = category is not None and conf >= threshold
            updates.append(
                Complaint(
                    pk=pk,
                    prediction=category,
                    prediction_confidence=conf,
                    classifier_version=model.version,
                    category=category if accepted else None,
                    category_source=CategorySource.MODEL if accepted else "",
                    category_confidence=conf if accepted else None,
                )
            )
            counts["accepted" if accepted else "review"] += 1
        with transaction.atomic():
            _still_unlabelled(Complaint).bulk_update(
                updates,
                [
                    "prediction",
                    "prediction_confidence",
                    "classifier_version",
                    "category",
                    "category_source",
                    "category_confidence",
                ],
                batch_size=1_000,
            )
    counts["answers_accepted"] = _classify_answers(journey, threshold, trained, by_code)
    return counts


def _still_unlabelled(model: type[Complaint] | type[Answer]) -> QuerySet[Any]:
    """Where the model's writes go: rows no import or analyst labelled, re-checked by the UPDATE
    itself. Predicting takes a while after the ids were read, and an analyst may settle one
    meanwhile; bulk_update keeps this filter in each statement's WHERE, so that label stands
    (on PostgreSQL a row locked by the analyst is re-checked once the lock is released)."""
    return model.objects.exclude(category_source__in=LABEL_SOURCES)


def _classify_answers(
    journey: Journey,
    threshold: float,
    trained: TrainedModel,
    by_code: dict[str, GapCategory],
) -> int:
    """Open-text answers take the model's category only above the threshold; below it they
    stay uncategorised (they are reviewed through themes, not one by one)."""
    answers = _open_answers(journey).exclude(category_source__in=LABEL_SOURCES)
    rows = list(answers.values_list("id", "text"))
    accepted = 0
    for chunk in _chunks(rows):
        result = trained.predict([text for _id, text in chunk])
        updates = []
        for (pk, _text), code, conf in zip(chunk, result.labels, result.confidences, strict=True):
            category = by_code.get(code) if conf >= threshold else None
            accepted += category is not None
            updates.append(
                Answer(
                    pk=pk,
                    category=category,
                    category_source=CategorySource.MODEL if category else "",
                )
            )
        with transaction.atomic():
            _still_unlabelled(Answer).bulk_update(
                updates, ["category", "category_source"], batch_size=1_000
            )
    return accepted


def complaints_group(*, journey: Journey) -> int:
    """Group a journey's near-duplicate complaints: nearly the same words, and each received
    within RESEND_WINDOW of the one before it (a complaint sent again, or through a second
    channel). Two people who happen to write alike weeks apart are two complaints. Done month by
    month, as periods are, so the work per call stays bounded. Returns how many complaints
    share a group with another."""
    from sawt.textanalytics.duplicates import near_duplicate_groups

    by_month: dict[tuple[int, int], list[tuple[int, str, dt.datetime]]] = defaultdict(list)
    rows = Complaint.objects.filter(journey=journey).order_by("received_at", "id")
    for pk, text, received in rows.values_list("id", "text", "received_at").iterator(BATCH):
        local = timezone.localtime(received)  # the ministry's months, as periods are
        by_month[(local.year, local.month)].append((pk, text, received))
    updates, shared = [], 0
    for members in by_month.values():
        similar = near_duplicate_groups(
            [text for _pk, text, _at in members], threshold=NEAR_DUPLICATE
        )
        leaders = _within_window(members, similar)
        sizes: dict[int, int] = defaultdict(int)
        for leader in leaders:
            sizes[leader] += 1
        for (pk, _text, _at), leader in zip(members, leaders, strict=True):
            # A complaint alone keeps no group: rankings then count distinct groups over the
            # few complaints that have one, not over every complaint of the period.
            alone = sizes[leader] == 1
            updates.append(Complaint(pk=pk, duplicate_group=None if alone else leader))
            shared += not alone
    with transaction.atomic():
        Complaint.objects.bulk_update(updates, ["duplicate_group"], batch_size=1_000)
    return shared


def _within_window(members: list[tuple[int, str, dt.datetime]], similar: list[int]) -> list[int]:
    """Split each group of similar texts (members in time order) where RESEND_WINDOW passes
    with no new member; each part is led by the id of its first complaint."""
    leaders: list[int] = [0] * len(members)
    last: dict[int, tuple[int, dt.datetime]] = {}  # similar-group → (leader id, last arrival)
    for index, ((pk, _text, received), group) in enumerate(zip(members, similar, strict=True)):
        leader, previous = last.get(group, (pk, received))
        if received - previous > RESEND_WINDOW:
            leader = pk
        last[group] = (leader, received)
        leaders[index] = leader
    return leaders


def journey_retrain(
    *, journey: Journey, actor: Any = None, engine: str = "fast", progress: Any = None
) -> dict[str, Any]:
    """Train, classify and group: what the background jobs and the demo do."""
    model = journey_classifier_train(journey=journey, actor=actor, engine=engine, progress=progress)
    return _classify_and_group(journey, model)


def _classify_and_group(journey: Journey, model: ClassifierModel) -> dict[str, Any]:
    counts = journey_classify(journey=journey, model=model)
    counts["grouped"] = complaints_group(journey=journey)
    # After grouping: a complaint's learning value counts the group it would settle.
    counts["prioritised"] = review_priorities_update(journey=journey)
    return {"classifier": str(model), "version": model.version, **counts}


def review_priorities_update(*, journey: Journey) -> int:
    """Write each waiting complaint's learning value, which orders the review queue.

        review_priority = (1 - confidence) * log(1 + n)

    `1 - confidence` is how unsure the model is of its best guess (a complaint it is sure of
    teaches it little). `n` is how many waiting texts the label speaks for: the complaint's
    near-duplicate group (settled together: every unlabelled member) plus the other waiting
    complaints of the same month within NEIGHBOUR in wording (a label of one teaches the model
    about texts worded like it). The logarithm keeps a large group from burying every lone
    complaint: a group of 3 weighs twice a lone one (log 4 / log 2), a group of 15 four times.
    So an unsure complaint with many like it comes first, then an unsure one alone or a less
    unsure one with many like it. Returns how many complaints were given a priority."""
    from sawt.textanalytics.duplicates import comparison_text, similar_pairs
    from sawt.textanalytics.stopwords import is_stopword

    waiting = Complaint.objects.filter(
        journey=journey, category__isnull=True, prediction__isnull=False
    )
    fields = ("id", "text", "prediction_confidence", "duplicate_group", "received_at")
    by_month: dict[tuple[int, int], list[tuple[Any, ...]]] = defaultdict(list)
    for row in waiting.values_list(*fields).iterator(BATCH):
        local = timezone.localtime(row[4])
        by_month[(local.year, local.month)].append(row)
    sizes = dict(
        Complaint.objects.filter(journey=journey, duplicate_group__isnull=False)
        .exclude(category_source__in=LABEL_SOURCES)
        .values_list("duplicate_group")
        .annotate(n=Count("id"))
    )
    updates = []
    for rows in by_month.values():
        rows.sort(key=lambda row: (row[2], row[0]))  # the least sure first
        pool = rows[:NEIGHBOUR_POOL]
        groups = [row[3] or row[0] for row in pool]
        content = [
            " ".join(w for w in comparison_text(row[1]).split() if not is_stopword(w))
            for row in pool
        ]
        neighbours = [0] * len(rows)
        for i, j in zip(*similar_pairs(content, NEIGHBOUR), strict=True):
            if groups[i] != groups[j]:  # a group's own members are counted by its size
                neighbours[i] += 1
                neighbours[j] += 1
        for row, near in zip(rows, neighbours, strict=True):
            pk, _text, confidence, group = row[:4]
            n = (sizes.get(group, 1) if group is not None else 1) + near
            priority = (1.0 - confidence) * math.log1p(n)
            updates.append(Complaint(pk=pk, review_priority=round(priority, 6)))
    with transaction.atomic():
        Complaint.objects.bulk_update(updates, ["review_priority"], batch_size=1_000)
    return len(updates)


def _group_members(complaint: Complaint) -> QuerySet[Complaint]:
    if complaint.duplicate_group is None:
        return Complaint.objects.filter(pk=complaint.pk)
    return Complaint.objects.filter(
        journey_id=complaint.journey_id, duplicate_group=complaint.duplicate_group
    )


@transaction.atomic
def review_settle(*, complaint: Complaint, category: GapCategory, actor: Any) -> list[Complaint]:
    """An analyst confirms or corrects a complaint's category; its near-duplicates that no one
    labelled yet take the same label. Returns the complaints labelled. What each carried
    before is kept (ReviewSettle), so `review_undo` can put it back."""
    authorize(actor, "category.assign", complaint)
    members = list(
        _group_members(complaint)
        .exclude(Q(category_source__in=LABEL_SOURCES) & ~Q(pk=complaint.pk))
        .select_related("journey")
    )
    record = ReviewSettle.objects.create(
        journey_id=complaint.journey_id,
        complaint=complaint,
        category=category,
        actor=actor_user(actor),
    )
    ReviewSettleMember.objects.bulk_create(
        ReviewSettleMember(
            settle=record,
            complaint=member,
            category_id=member.category_id,
            category_source=member.category_source,
            category_confidence=member.category_confidence,
        )
        for member in members
    )
    settled = [
        category_assign(obj=member, category=category, source=CategorySource.ANALYST, actor=actor)
        for member in members
    ]
    _maybe_retrain(complaint.journey, actor)
    themes_refresh_later(journey=complaint.journey, actor=actor)
    return settled


def review_settle_latest(*, journey: Journey, actor: Any) -> ReviewSettle | None:
    """The person's newest settle of the journey (what the page offers to undo)."""
    user = actor_user(actor)
    if user is None:
        return None
    return ReviewSettle.objects.filter(journey=journey, actor=user).order_by("-id").first()


@transaction.atomic
def review_undo(*, settle: ReviewSettle, actor: Any) -> list[Complaint]:
    """Put back what a settle changed: each complaint it labelled takes again the category,
    source and confidence it had before. A complaint labelled since by anyone (another
    category, or a later settle) keeps that later label. Returns the complaints restored."""
    # Locked, so two undos of one settle (two tabs, a double click) cannot both restore.
    settle = (
        ReviewSettle.objects.select_for_update()
        .select_related("complaint__journey")
        .get(pk=settle.pk)
    )
    authorize(actor, "category.assign", settle.complaint)
    if settle.undone_at is not None:
        raise ApplicationError(_("This settle was already undone; nothing was changed."))
    later = ReviewSettleMember.objects.filter(
        settle__journey_id=settle.journey_id, settle__id__gt=settle.pk, settle__undone_at=None
    ).values_list("complaint_id", flat=True)
    restored = []
    for member in settle.members.select_related("complaint"):
        complaint = member.complaint
        still_ours = (
            complaint.category_id == settle.category_id
            and complaint.category_source == CategorySource.ANALYST
            and settle.category_id is not None
        )
        if not still_ours or later.filter(complaint_id=complaint.pk).exists():
            continue
        complaint.category_id = member.category_id
        # A category whose row was deleted since (SET_NULL) leaves nothing to restore.
        complaint.category_source = member.category_source if member.category_id else ""
        complaint.category_confidence = member.category_confidence if member.category_id else None
        complaint.save(
            update_fields=["category", "category_source", "category_confidence", "updated_at"]
        )
        restored.append(complaint)
    settle.undone_at = timezone.now()
    settle.undone_by = actor_user(actor)
    settle.save(update_fields=["undone_at", "undone_by", "updated_at"])
    audit_record(
        actor=actor,
        action="review.undo",
        obj=settle,
        data={
            "journey": settle.complaint.journey.slug,
            "category": settle.category.code if settle.category else "",
            "restored": [c.pk for c in restored],
        },
    )
    themes_refresh_later(journey=settle.complaint.journey, actor=actor)
    return restored


def review_threshold_set(
    *, journey: Journey, target_precision: float | None, actor: Any
) -> ReviewSettings:
    """Set the precision a journey's model must reach before it files a complaint alone
    (None: back to the default), then file the journey's feedback again in the background."""
    authorize(actor, "classifier.train", journey)
    if target_precision is not None and not (
        TARGET_PRECISION_MIN <= target_precision <= TARGET_PRECISION_MAX
    ):
        raise ApplicationError(
            _("A target precision must lie between %(low)s%% and %(high)s%%.")
            % {
                "low": round(100 * TARGET_PRECISION_MIN),
                "high": round(100 * TARGET_PRECISION_MAX),
            }
        )
    with transaction.atomic():
        current = ReviewSettings.objects.select_for_update().filter(journey=journey).first()
        previous = current.target_precision if current else None
        review_settings, _created = ReviewSettings.objects.update_or_create(
            journey=journey,
            defaults={"target_precision": target_precision, "updated_by": actor_user(actor)},
        )
        audit_record(
            actor=actor,
            action="review.threshold_set",
            obj=review_settings,
            data={"journey": journey.slug, "from": previous, "to": target_precision},
        )
        # Every waiting or model-filed complaint is judged again against the new threshold.
        classify_enqueue(journey=journey, actor=actor)
    return review_settings


def labels_since(journey: Journey, since: dt.datetime | None) -> int:
    """Analyst labels given since a moment (the last training), complaints only."""
    labelled = Complaint.objects.filter(journey=journey, category_source=CategorySource.ANALYST)
    if since is not None:
        labelled = labelled.filter(updated_at__gt=since)
    return labelled.count()


def _maybe_retrain(journey: Journey, actor: Any) -> None:
    latest = ClassifierModel.objects.filter(journey=journey).order_by("-version").first()
    counts = start_counts(journey=journey)
    every = RETRAIN_AFTER_LABELS
    if latest is None or any(count.short for count in counts):
        # Starting: retrain sooner (a fast model trains in seconds; see the constant).
        every = min(every, RETRAIN_AFTER_LABELS_STARTING)
    if latest is None and sum(count.labelled >= 2 for count in counts) < 2:
        # Nothing a model could learn yet: its cross-validation needs two reasons with two
        # examples each at least (one example alone leaves a fold with a single class).
        return
    if labels_since(journey, latest.created_at if latest else None) >= every:
        retrain_enqueue(journey=journey, actor=actor)


def _journey_job(kind: str, journey: Journey, actor: Any) -> Job:
    # One queued job of each kind per journey: pressing twice, or two imports, queue one run.
    return job_enqueue(
        kind=kind, payload={"journey": journey.slug}, actor=actor, dedupe_key=journey.slug
    )


def retrain_enqueue(*, journey: Journey, actor: Any = None) -> Job:
    """Queue a background retraining of the journey's model (one queued at a time)."""
    authorize(actor, "classifier.train", journey)
    return _journey_job(RETRAIN_JOB, journey, actor)


def deep_retrain_enqueue(*, journey: Journey, actor: Any = None) -> Job | None:
    """Queue training the deep engine's model in the background, after a fast retraining, when
    the deployment trains deep (SAWT_CLASSIFIER_ENGINE resolves to it); None otherwise."""
    authorize(actor, "classifier.train", journey)
    from sawt.textanalytics import engines

    if classifier_engine() != engines.DEEP:
        return None
    return _journey_job(DEEP_RETRAIN_JOB, journey, actor)


def classify_enqueue(*, journey: Journey, actor: Any = None) -> Job | None:
    """Queue classifying the journey's unlabelled feedback with its newest model (after an
    import). Nothing to do, and None, while the journey has no model."""
    authorize(actor, "classifier.train", journey)
    if not ClassifierModel.objects.filter(journey=journey).exists():
        return None
    return _journey_job(CLASSIFY_JOB, journey, actor)


def journey_reclassify(*, journey: Journey) -> dict[str, Any]:
    """Classify and group with the journey's newest model, without training."""
    model = ClassifierModel.objects.filter(journey=journey).order_by("-version").first()
    if model is None:
        raise ApplicationError(
            _("The journey “%(journey)s” has no classifier yet.") % {"journey": journey.slug}
        )
    return _classify_and_group(journey, model)


@transaction.atomic
def theme_promote(
    *,
    journey: Journey,
    name_ar: str,
    name_en: str = "",
    code: str = "",
    complaint_ids: Iterable[int] = (),
    answer_ids: Iterable[int] = (),
    actor: Any,
) -> GapCategory:
    """Make a discovered theme a gap category of the journey; its members become labelled
    examples of it (source analyst), so the next model learns it."""
    authorize(actor, "theme.promote", journey)
    name_ar, name_en = name_ar.strip(), name_en.strip()
    if not name_ar:
        raise ApplicationError(_("A new category needs an Arabic name."))
    code = slugify(code or name_en, allow_unicode=False)[:64]
    if not code:
        raise ApplicationError(
            _("A new category needs a code (Latin letters, digits and hyphens) or an English name.")
        )
    if journey.gap_categories.filter(code=code).exists():
        raise ApplicationError(
            _("The journey already has a category with the code “%(code)s”.") % {"code": code}
        )
    position = (journey.gap_categories.aggregate(p=Max("position"))["p"] or 0) + 1
    category = GapCategory.objects.create(
        journey=journey, code=code, name_ar=name_ar, name_en=name_en, position=position
    )
    complaints = Complaint.objects.filter(journey=journey, pk__in=list(complaint_ids)).exclude(
        category_source__in=LABEL_SOURCES
    )
    answers = (
        _open_answers(journey)
        .filter(pk__in=list(answer_ids))
        .exclude(category_source__in=LABEL_SOURCES)
        .select_related("question__survey__journey")
    )
    members: list[Complaint | Answer] = [*complaints.select_related("journey"), *answers]
    for member in members:
        category_assign(obj=member, category=category, source=CategorySource.ANALYST, actor=actor)
    audit_record(
        actor=actor,
        action="theme.promote",
        obj=category,
        data={"journey": journey.slug, "code": code, "members": len(members)},
    )
    themes_refresh_later(journey=journey, actor=actor)  # its members left the candidates
    return category
