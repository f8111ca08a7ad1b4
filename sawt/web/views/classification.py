"""The review queue (complaints the model was unsure of) and candidate themes, with their writes.

Reads go through sawt.classification.selectors on a journey fetched through the person's scope
(another agency's journey or complaint is a 404); every write checks permissions, then calls
one service, then redirects with 303 so a reload never posts twice.
"""

from __future__ import annotations

from typing import Any

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
from sawt.classification.selectors import (
    PeriodFiling,
    categories_for_review,
    classifier_latest,
    period_filing,
    review_queue,
    theme_fingerprint,
    theme_set_for,
)
from sawt.classification.services import (
    RETRAIN_JOB,
    retrain_enqueue,
    review_settle,
    theme_promote,
)
from sawt.classification.theme_services import themes_compute_enqueue
from sawt.complaints.selectors import complaints_for
from sawt.core.access import can, require
from sawt.core.exceptions import ApplicationError
from sawt.core.i18n import isolated
from sawt.core.periods import parse_period
from sawt.jobs.models import Job
from sawt.jobs.selectors import job_latest
from sawt.reports.charts import bar_svg
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


def _model_facts(model: Any, filing: PeriodFiling) -> dict[str, Any] | None:
    """What the header says about the model, in figures ready to print. Two sources, said as
    such: coverage and precision were measured in cross-validation on labelled examples; the
    period's counts are what the model actually filed and what actually waits now."""
    if model is None:
        return None
    threshold = model.scores.get("threshold") or {}
    return {
        "model": model,
        "macro_f1": _decimal(model.scores.get("macro_f1")),
        "coverage": _percent(threshold.get("coverage") or 0.0),
        "precision": _percent(threshold.get("precision")),
        "threshold": _decimal(model.threshold, threshold=True),
        "filed": _ltr(f"{filing.filed_by_model:,}"),
        "waiting": _ltr(f"{filing.waiting:,}"),
    }


def _review(request: HttpRequest, journey: Journey, period: str, status: int = 200) -> HttpResponse:
    items, waiting = review_queue(journey=journey, period=period, limit=QUEUE_PAGE)
    categories = categories_for_review(journey)
    # One number per category for the whole page, so a key always means the same category.
    # Keyed by id or None, so a complaint without a prediction looks up None and finds none.
    shortcuts: dict[int | None, int] = {c.pk: n for n, c in enumerate(categories[:9], 1)}
    rtl = translation.get_language_bidi()
    rows = []
    for position, item in enumerate(items):
        complaint = item.complaint
        confidence = complaint.prediction_confidence or 0.0
        rows.append(
            {
                "complaint": complaint,
                "group_size": item.group_size,
                "suggested": complaint.prediction,
                "suggested_key": shortcuts.get(complaint.prediction_id),
                "confidence": _percent(confidence),
                "bar": bar_svg(confidence, rtl=rtl),
                "others": [
                    (c, shortcuts.get(c.pk)) for c in categories if c.pk != complaint.prediction_id
                ],
                "next": items[position + 1].complaint.pk if position + 1 < len(items) else None,
            }
        )
    context = {
        "journey": journey,
        "period": period,
        "facts": _model_facts(
            classifier_latest(journey=journey), period_filing(journey=journey, period=period)
        ),
        "job": job_latest(kind=RETRAIN_JOB, dedupe_key=journey.slug),
        "rows": rows,
        "waiting": waiting,
        "may_review": can(request.user, "category.assign"),
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
    messages.success(
        request,
        ngettext(
            "%(count)d complaint filed under “%(category)s”.",
            "%(count)d complaints filed under “%(category)s”.",
            len(settled),
        )
        % {"count": len(settled), "category": isolated(category.name)},
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
