"""The portfolio (every journey of a period) and the journey page with its drill-downs."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from sawt.classification.selectors import review_waiting
from sawt.core.access import can, role_of
from sawt.core.exceptions import ApplicationError
from sawt.core.numbers import Numbers
from sawt.core.periods import parse_period
from sawt.gaps.choices import RecommendationStatus
from sawt.metrics.segments import segment_params, segment_picker
from sawt.reports.charts import bar_svg
from sawt.reports.dataset import LOW_BASE, Category, journey_report
from sawt.reports.sections import journey_context, local
from sawt.surveys.models import Survey
from sawt.web import selectors

# Texts behind a category, per page of the drill-down.
PAGE_SIZE = 50


def _statuses(by_status: dict[str, int]) -> list[tuple[str, str, int]]:
    """(code, label, count) of the statuses present, in the pipeline's order."""
    return [
        (status, capfirst(str(RecommendationStatus(status).label)), n)
        for status, n in by_status.items()
        if n
    ]


def _portfolio(request: HttpRequest, period: str | None) -> HttpResponse:
    periods = selectors.periods_for_user(user=request.user)
    if period is None:
        period = request.GET.get("period") or (periods[0] if periods else None)
    if period is not None and period not in periods:
        raise Http404(period)
    portfolio = selectors.portfolio_for_user(user=request.user, period=period) if period else None
    lines = portfolio.lines if portfolio else ()
    codes = selectors.survey_codes_for_user(user=request.user, period=period) if period else {}
    context = {
        "role": role_of(request.user),
        "periods": periods,
        "period": period,
        "rows": [
            {
                "line": line,
                "statuses": _statuses(line.by_status),
                "survey_url": reverse("web:survey", args=[codes[line.slug]])
                if line.slug in codes
                else None,
            }
            for line in lines
        ],
        "compared": sum(1 for line in lines if line.change),
        "alpha": portfolio.alpha if portfolio else None,
    }
    return render(request, "web/portfolio.html", context)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The portfolio of the latest period with data (or of ?period=…)."""
    return _portfolio(request, None)


@login_required
def portfolio_page(request: HttpRequest, period: str) -> HttpResponse:
    """The portfolio of one period."""
    return _portfolio(request, period)


def _rankings(
    categories: tuple[Category, ...], *, slug: str, period: str, source: str, rtl: bool
) -> list[dict]:
    top = max((c.count for c in categories), default=0) or 1
    url = reverse("web:category", args=[slug, period, "CODE"])
    return [
        {
            "code": c.code,
            "name": local(c.name),
            "count": c.count,
            # Shown only where repeats were merged: otherwise the count says it all.
            "groups": c.groups if c.groups is not None and c.groups != c.count else None,
            "share": c.share,
            "bar": bar_svg(c.count / top, rtl=rtl),
            "url": url.replace("CODE", c.code) + f"?source={source}",
        }
        for c in categories
    ]


@login_required
def journey_page(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    """One journey in one period: sample, map, the two rankings, workshops and the register."""
    journey = selectors.journey_for_user(user=request.user, slug=slug)
    try:
        # ?segment=ATTR=VALUE limits the survey's figures to a segment, ?compare=ATTR adds the
        # comparison of an attribute's values; a segment too small to show is refused (404).
        segment, compare = segment_params(request)
        report = journey_report(
            journey_slug=journey.slug, period=period, segment=segment, compare=compare
        )
        survey = Survey.objects.get(journey=journey, period=period)
    except ApplicationError as exc:
        raise Http404(exc.message) from exc
    chosen = {k: v for k, v in (("segment", str(segment or "")), ("compare", compare)) if v}
    rtl = translation.get_language_bidi()
    numbers = Numbers("latin")
    j = journey_context(
        report, numbers=numbers, rtl=rtl, title=_("Journey"), period=numbers.period(period)
    )
    gaps = list(selectors.journey_gaps_for_user(user=request.user, journey=journey, period=period))
    waiting = review_waiting(journey=journey, period=period)
    codes = selectors.survey_codes_for_user(user=request.user, period=period)
    context = {
        "journey": journey,
        "period": period,
        "survey_url": reverse("web:survey", args=[codes[slug]]) if slug in codes else None,
        "r": report,
        "j": j,
        "rankings": [
            {
                "source": "complaints",
                "title": _("From complaint analysis"),
                "note": _("Complaints of the period by reason; the share is of all complaints."),
                "rows": _rankings(
                    report.complaint_categories,
                    slug=slug,
                    period=period,
                    source="complaints",
                    rtl=rtl,
                ),
            },
            {
                "source": "survey",
                "title": _("From the survey's open answers"),
                "note": _("Open answers by reason; the share is of all open answers."),
                "rows": _rankings(
                    report.survey_categories, slug=slug, period=period, source="survey", rtl=rtl
                ),
            },
        ],
        "review_waiting": waiting,
        "workshops": selectors.journey_workshops(journey=journey, period=period),
        "gaps": [
            {
                "gap": gap,
                "recs": [
                    (r, capfirst(str(RecommendationStatus(r.status).label)))
                    for r in gap.recommendations.all()
                ],
            }
            for gap in gaps
        ],
        "statuses": _statuses(report.by_status),
        "low_base": LOW_BASE,
        "picker": segment_picker(survey),
        "segment": str(segment) if segment else "",
        "compare": compare or "",
        # The report and its PDF show the same segment and comparison as the page.
        "segment_query": "?" + urlencode(chosen) if chosen else "",
        # Evidence → gap: the links carry the journey, period and the evidence to link.
        "new_gap_url": reverse("web:gap_new") + "?" + urlencode({"journey": slug, "period": period})
        if can(request.user, "gap.create")
        else None,
    }
    return render(request, "web/journey.html", context)


@login_required
def category_page(request: HttpRequest, slug: str, period: str, code: str) -> HttpResponse:
    """The complaints or open answers filed under one gap category, 50 to a page."""
    journey = selectors.journey_for_user(user=request.user, slug=slug)
    try:
        parse_period(period)
    except ApplicationError as exc:
        raise Http404(exc.message) from exc
    source = request.GET.get("source", "complaints")
    category, rows = selectors.category_texts_for_user(
        user=request.user, journey=journey, period=period, code=code, source=source
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "journey": journey,
        "period": period,
        "category": category,
        "source": source,
        "page": page,
    }
    return render(request, "web/category.html", context)
