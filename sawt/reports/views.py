"""The report on the web: the same templates as the PDF, inside the site's page, and the PDF."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation

from sawt.catalog.selectors import journeys_for
from sawt.core.exceptions import ApplicationError
from sawt.core.numbers import DIGITS
from sawt.core.periods import parse_period
from sawt.metrics.segments import segment_params
from sawt.reports.dataset import JourneyReport, journey_report
from sawt.reports.html import LANGS, report_html
from sawt.reports.pdf import report_pdf
from sawt.reports.selectors import report_get


def _options(request: HttpRequest) -> tuple[str, str]:
    """Language from ?lang= (else the active one) and digits from ?digits= (else Latin)."""
    lang = request.GET.get("lang") or (translation.get_language() or "ar")[:2]
    digits = request.GET.get("digits") or "latin"
    return (lang if lang in LANGS else "ar"), (digits if digits in DIGITS else "latin")


def _report(request: HttpRequest, slug: str, period: str) -> JourneyReport:
    # Scoped at the source: a journey this person may not see is a 404, like a missing one.
    if not journeys_for(request.user).filter(slug=slug).exists():
        raise Http404(slug)
    try:
        # ?segment=ATTR=VALUE and ?compare=ATTR as on the journey page (a segment too small to
        # show is refused like a missing journey).
        segment, compare = segment_params(request)
        if segment or compare:
            parse_period(period)
            return journey_report(
                journey_slug=slug, period=period, segment=segment, compare=compare
            )
        # With a journey slug the selector returns that journey's report, never a portfolio.
        return cast(JourneyReport, report_get(period=period, journey_slug=slug))
    except ApplicationError as exc:
        raise Http404(exc.message) from exc


@login_required
def report_page(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    """The journey report as a web page, with a link to the PDF."""
    lang, digits = _options(request)
    report = _report(request, slug, period)
    html = report_html(report, lang=lang, digits=digits, for_pdf=False, request=request)
    response = HttpResponse(html)
    response.headers["Content-Language"] = lang
    return response


@login_required
def report_pdf_download(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    """The journey report as a PDF attachment."""
    lang, digits = _options(request)
    report = _report(request, slug, period)
    response = HttpResponse(report_pdf(report, lang=lang, digits=digits), "application/pdf")
    filename = f"{report.slug}-{report.period}-{lang}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
