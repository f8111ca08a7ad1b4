"""The review queue (complaints the model was unsure of) and candidate themes, with their writes.

Reads go through sawt.classification.selectors on a journey fetched through the person's scope
(another agency's journey or complaint is a 404); every write checks permissions, then calls
one service, then redirects with 303 so a reload never posts twice.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from sawt.catalog.models import Journey
from sawt.classification.models import ReviewSettle
from sawt.classification.selectors import (
    START_LABELS,
    PeriodFiling,
    categories_for_review,
    curve_point,
    new_source_proposals,
    period_filing,
    retrain_jobs,
    review_model,
    review_queue,
    review_settles_recent,
    start_proposals,
    start_tally,
    target_choices,
    theme_fingerprint,
    theme_set_for,
    threshold_at,
)
from sawt.classification.services import (
    RETRAIN_JOB,
    retrain_enqueue,
    review_settle,
    review_settle_latest,
    review_threshold_set,
    review_undo,
    theme_promote,
)
from sawt.classification.tasks import DEEP_RETRAIN_JOB
from sawt.classification.theme_services import themes_compute_enqueue
from sawt.complaints.selectors import complaints_for
from sawt.core.access import can, require
from sawt.core.exceptions import ApplicationError
from sawt.core.i18n import isolated
from sawt.core.periods import parse_period
from sawt.jobs.models import Job
from sawt.reports.charts import bar_svg
from sawt.textanalytics.thresholds import TARGET_PRECISION
from sawt.web import selectors
from sawt.web.classification_forms import SettleForm, ThemePromoteForm
from sawt.web.params import bad_request

# Items per page of the queue: a sitting's work; the rest come up as these are settled.
QUEUE_PAGE = 50
THEME_SOURCES = ("complaints", "survey")
EXAMPLES_SHOWN = 3
# A themes page with nothing stored yet reloads itself this often while they are computed.
THEMES_REFRESH_SECONDS = 5


def _journey(request: HttpRequest, slug: str, period: str) -> Journey:
    """The journey if the person may see it and the period is well formed; otherwise a 404."""
    journey = selectors.journey_for_user(user=request.user, slug=slug)
    try:
        parse_period(period)
    except ApplicationError as exc:
        raise Http404(exc.message) from exc
    return journey


def _see_other(url: str) -> HttpResponseRedirect:
    # 303: the browser fetches the page with GET, whatever the method of the form was.
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _ltr(text: str) -> SafeString:
    # Isolated left-to-right, so "94%" and "0.39" keep their order inside an Arabic sentence.
    return format_html('<bdi dir="ltr">{}</bdi>', text)


def _percent(fraction: float | None) -> SafeString | None:
    return None if fraction is None else _ltr(f"{round(100 * fraction)}%")


def _decimal(value: float | None, *, threshold: bool = False) -> SafeString:
    """Two decimals, written the same in both languages (a template's floatformat is not);
    four for a threshold that two would round up to a misleading 1.00."""
    if value is None:
        return _ltr("—")
    return _ltr(f"{value:.4f}" if threshold and 0.995 <= value < 1 else f"{value:.2f}")


def _model_facts(model: Any, filing: PeriodFiling, target: float | None) -> dict[str, Any] | None:
    """What the header says about the model, in figures ready to print. Two sources, said as
    such: coverage and precision were measured in cross-validation on labelled examples; the
    period's counts are what the model actually filed and what actually waits now. With a
    target precision the analysts set, the threshold and its figures come from the model's
    out-of-fold curve at that target."""
    if model is None:
        return None
    threshold = model.scores.get("threshold") or {}
    value = threshold_at(model, target)
    coverage, precision = threshold.get("coverage") or 0.0, threshold.get("precision")
    if target is not None and (point := curve_point(model.scores, value)) is not None:
        precision, coverage = point
    return {
        "model": model,
        "macro_f1": _decimal(model.scores.get("macro_f1")),
        "coverage": _percent(coverage),
        "precision": _percent(precision),
        "threshold": _decimal(value, threshold=True),
        "filed": _ltr(f"{filing.filed_by_model:,}"),
        "waiting": _ltr(f"{filing.waiting:,}"),
    }


def _rows(
    entries: list[tuple[Any, Any, int]], categories: list[Any], *, stage: str
) -> list[dict[str, Any]]:
    """The page's items: (complaint, suggested category or None, near-duplicates settled with
    it). A suggestion shows the model's confidence in it; without one every reason is a choice."""
    # One number per category for the whole page, so a key always means the same category.
    # Keyed by id or None, so a complaint without a suggestion looks up None and finds none.
    shortcuts: dict[int | None, int] = {c.pk: n for n, c in enumerate(categories[:9], 1)}
    rtl = translation.get_language_bidi()
    rows = []
    for position, (complaint, suggested, group_size) in enumerate(entries):
        confidence = complaint.prediction_confidence or 0.0
        suggested_id = suggested.pk if suggested is not None else None
        following = entries[position + 1][0].pk if position + 1 < len(entries) else None
        rows.append(
            {
                "complaint": complaint,
                "group_size": group_size,
                "suggested": suggested,
                "suggested_key": shortcuts.get(suggested_id),
                "confidence": _percent(confidence) if suggested is not None else None,
                "bar": bar_svg(confidence, rtl=rtl) if suggested is not None else "",
                "others": [(c, shortcuts.get(c.pk)) for c in categories if c.pk != suggested_id],
                "next": following,
                "stage": stage,
            }
        )
    return rows


def _threshold_facts(model: Any, target: float | None) -> dict[str, Any] | None:
    """The review threshold's form: each precision analysts may ask for, with what the model
    would then do (out of fold), ready to print."""
    if model is None:
        return None
    _effective, choices = target_choices(model=model, target=target)
    rows = [
        {
            "value": f"{choice.target:.2f}",
            "target": _percent(choice.target),
            "coverage": _percent(choice.coverage),
            "precision": _percent(choice.precision),
            "current": choice.current,
        }
        for choice in choices
    ]
    current = next(row for row in rows if row["current"])
    return {"default": target is None, "choices": rows, "current": current}


def _review(request: HttpRequest, journey: Journey, period: str, status: int = 200) -> HttpResponse:
    categories = categories_for_review(journey)
    model = review_model(journey=journey)
    # The analysts' target precision comes with the model (selectors.review_model).
    target = getattr(model, "target", None)
    may_review = can(request.user, "category.assign")
    jobs = retrain_jobs(journey=journey)
    # "Label 5 of each to start": while a reason has fewer labels, the page opens with
    # complaints proposed for the reasons still short (sawt.classification.selectors).
    # A channel new to the model (selectors.NewSource) starts the same way, with its own
    # complaints proposed.
    tally = start_tally(journey=journey, period=period, categories=categories)
    counts = tally.counts
    short = any(count.short for count in counts)
    starting = short or bool(tally.new_sources)
    proposals = start_proposals(journey=journey, period=period, counts=counts) if short else []
    if tally.new_sources:
        seen = {p.complaint.duplicate_group or p.complaint.pk for p in proposals}
        proposals += new_source_proposals(
            journey=journey, period=period, sources=tally.new_sources, seen=seen
        )
    proposed = {p.complaint.pk for p in proposals}
    items, waiting = review_queue(journey=journey, period=period, limit=QUEUE_PAGE)
    queue = [
        (i.complaint, i.complaint.prediction, i.group_size)
        for i in items
        if i.complaint.pk not in proposed
    ]
    context = {
        "journey": journey,
        "period": period,
        "facts": _model_facts(model, period_filing(journey=journey, period=period), target),
        "threshold": _threshold_facts(model, target),
        "job": jobs.get(RETRAIN_JOB),
        "deep_job": jobs.get(DEEP_RETRAIN_JOB),
        "start": {
            "short": short,
            "new_sources": tally.new_sources,
            "counts": counts,
            "complete": [count for count in counts if not count.short],
            "needed": START_LABELS,
            "rows": _rows(
                [(p.complaint, p.category, p.group_size) for p in proposals],
                categories,
                stage="start",
            ),
        }
        if starting
        else None,
        "rows": _rows(queue, categories, stage="queue"),
        "waiting": waiting,
        # Right after a settle or an undo (a message is pending), the person's latest settles,
        # each with its Undo; a plain visit spends no query on them.
        "recent": review_settles_recent(journey=journey, user=request.user)
        if may_review and list(messages.get_messages(request))
        else [],
        "may_review": may_review,
        "may_train": can(request.user, "classifier.train"),
    }
    return render(request, "web/review.html", context, status=status)


@login_required
def review_page(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    """The complaints of the period the model was unsure of, least sure first."""
    return _review(request, _journey(request, slug, period), period)


@require_POST
@login_required
def review_settle_view(request: HttpRequest, slug: str, period: str, pk: int) -> HttpResponse:
    """Confirm or correct one queued complaint's category (its near-duplicates follow)."""
    journey = _journey(request, slug, period)
    complaint = get_object_or_404(complaints_for(request.user).filter(journey=journey), pk=pk)
    require(request.user, "category.assign", complaint)
    form = SettleForm(request.POST)
    if not form.is_valid():
        return bad_request(request, form)
    code = form.cleaned_data["category"]
    category = journey.gap_categories.filter(code=code).first()
    if category is None:
        messages.error(
            request,
            _("“%(code)s” is not a category of this journey; nothing was changed.")
            % {"code": isolated(code[:64])},
        )
        return _review(request, journey, period, status=400)
    try:
        settled = review_settle(complaint=complaint, category=category, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _review(request, journey, period, status=400)
    latest = review_settle_latest(journey=journey, actor=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)d complaint filed under “%(category)s”.",
            "%(count)d complaints filed under “%(category)s”.",
            len(settled),
        )
        % {"count": len(settled), "category": isolated(category.name)},
        # The page shows an Undo button beside this message (web/_review_flash.html).
        extra_tags=f"undo-{latest.pk}" if latest is not None else "",
    )
    url = reverse("web:review", args=[journey.slug, period])
    # The next item as the page showed it: settling does not reorder the rest of the queue.
    following = form.cleaned_data["next"]
    return _see_other(url + (f"#item-{following}" if following else "#queue"))


@require_POST
@login_required
def review_retrain(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    """Queue a retraining of the journey's model in the background."""
    journey = _journey(request, slug, period)
    require(request.user, "classifier.train", journey)
    try:
        retrain_enqueue(journey=journey, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _review(request, journey, period, status=400)
    messages.success(
        request, _("Retraining was queued; this page shows its progress when you reload it.")
    )
    return _see_other(reverse("web:review", args=[journey.slug, period]))


@require_POST
@login_required
def review_undo_view(request: HttpRequest, slug: str, period: str, pk: int) -> HttpResponse:
    """Put back what one settle changed (the complaints labelled since by anyone stay)."""
    journey = _journey(request, slug, period)
    settle = get_object_or_404(
        ReviewSettle.objects.filter(
            journey=journey, complaint__in=complaints_for(request.user).filter(journey=journey)
        ),
        pk=pk,
    )
    require(request.user, "category.assign", settle.complaint)
    try:
        restored = review_undo(settle=settle, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _review(request, journey, period, status=400)
    messages.success(
        request,
        ngettext(
            "Undone: %(count)d complaint is back as it was before.",
            "Undone: %(count)d complaints are back as they were before.",
            len(restored),
        )
        % {"count": len(restored)},
    )
    return _see_other(reverse("web:review", args=[journey.slug, period]) + "#queue")


class ThresholdForm(forms.Form):
    """A target precision (a fraction, e.g. 0.95), or "default"."""

    target = forms.CharField(max_length=10)

    def clean_target(self) -> float | None:
        value = self.cleaned_data["target"].strip()
        if value == "default":
            return None
        try:
            return float(value)
        except ValueError:
            raise forms.ValidationError(_("Choose one of the precisions offered.")) from None


@require_POST
@login_required
def review_threshold_view(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    """Set the precision the journey's model must reach to file a complaint alone."""
    journey = _journey(request, slug, period)
    require(request.user, "classifier.train", journey)
    form = ThresholdForm(request.POST)
    if not form.is_valid():
        return bad_request(request, form)
    target = form.cleaned_data["target"]
    try:
        review_threshold_set(journey=journey, target_precision=target, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _review(request, journey, period, status=400)
    messages.success(
        request,
        _(
            "The model now files a complaint alone at a precision of %(target)s; the complaints "
            "are being filed again in the background."
        )
        % {"target": isolated(f"{round(100 * (target or TARGET_PRECISION))}%")},
    )
    return _see_other(reverse("web:review", args=[journey.slug, period]))


def _themes(
    request: HttpRequest,
    journey: Journey,
    period: str,
    source: str,
    *,
    status: int = 200,
    submitted: dict[str, Any] | None = None,
) -> HttpResponse:
    # The stored themes, as they are: clustering runs in the background, once per change of
    # the data (sawt.classification.theme_services), never on a page view.
    stored = theme_set_for(journey=journey, period=period, source=source)
    current = theme_fingerprint(journey=journey, period=period, source=source)
    fresh = stored is not None and stored.fingerprint == current
    job = None if fresh else _themes_job(request, journey, period, source, current)
    context = {
        "journey": journey,
        "period": period,
        "source": source,
        "theme_set": stored,
        "fresh": fresh,
        "job": job,
        "refresh_seconds": THEMES_REFRESH_SECONDS,
        "themes": [
            {
                "n": n,
                "size": theme["size"],
                "top_terms": theme["top_terms"],
                "examples": theme["examples"][:EXAMPLES_SHOWN],
                "complaint_ids": ",".join(map(str, theme["complaint_ids"])),
                "answer_ids": ",".join(map(str, theme["answer_ids"])),
            }
            for n, theme in enumerate(stored.themes if stored else [], start=1)
        ],
        # A refused form comes back with what was typed, on the theme it was typed for.
        "submitted": submitted or {},
        "may_promote": can(request.user, "theme.promote"),
    }
    return render(request, "web/themes.html", context, status=status)


def _themes_job(
    request: HttpRequest, journey: Journey, period: str, source: str, fingerprint: str
) -> Job | None:
    """The job computing these themes, queued now if none is queued or running."""
    try:
        return themes_compute_enqueue(
            journey=journey,
            period=period,
            source=source,
            fingerprint=fingerprint,
            actor=request.user,
        )
    except DatabaseError:
        # A busy database (SQLite during a long import): the page shows what is stored, and
        # the next view queues the work.
        return None


@login_required
def themes_page(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    """Groups of similar feedback that no category of the journey covers yet."""
    journey = _journey(request, slug, period)
    source = request.GET.get("source", "complaints")
    if source not in THEME_SOURCES:
        raise Http404(source)
    return _themes(request, journey, period, source)


@require_POST
@login_required
def theme_promote_view(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    """Make a theme a category of the journey; its texts become labelled examples of it."""
    journey = _journey(request, slug, period)
    require(request.user, "theme.promote", journey)
    form = ThemePromoteForm(request.POST)
    if not form.is_valid():
        return bad_request(request, form)
    data = form.cleaned_data
    source = data["source"] or "complaints"
    fields = {name: data[name] for name in ("name_ar", "name_en", "code")}
    try:
        # The service keeps only ids of this journey's feedback: posted ids are not trusted.
        category = theme_promote(
            journey=journey,
            **fields,
            complaint_ids=data["complaint_ids"],
            answer_ids=data["answer_ids"],
            actor=request.user,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        theme = str(data["theme"] or "")
        submitted = {**fields, "theme": theme, "error": exc.message}
        return _themes(request, journey, period, source, status=400, submitted=submitted)
    filed = category.complaints.count() + category.answers.count()
    messages.success(
        request,
        ngettext(
            "The category “%(category)s” was added; %(count)d text is filed under it.",
            "The category “%(category)s” was added; %(count)d texts are filed under it.",
            filed,
        )
        % {"category": isolated(category.name), "count": filed},
    )
    return _see_other(reverse("web:journey", args=[journey.slug, period]))
