"""The report as HTML: the same templates feed the web page and the PDF (one dataset, many
renderers). Every figure is formatted here, through one Numbers helper, before a template sees
it; templates only lay the report out."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from sawt.core.i18n import pick
from sawt.core.numbers import Numbers
from sawt.reports import sections
from sawt.reports.dataset import JourneyReport
from sawt.reports.impact_section import impact_context
from sawt.reports.portfolio import PortfolioReport
from sawt.reports.portfolio_overview import overview_context

HERE = Path(__file__).resolve().parent
FONTS = HERE / "fonts"
CSS_FILE = HERE / "static" / "reports" / "report.css"
# (family, file, weight): Arabic and Latin are separate families so each script gets the face
# designed for it; the language puts its own family first.
FONT_FILES = (
    ("Sawt Arabic", "NotoSansArabic-Regular.ttf", 400),
    ("Sawt Arabic", "NotoSansArabic-Bold.ttf", 700),
    ("Sawt Latin", "NotoSans-Regular.ttf", 400),
    ("Sawt Latin", "NotoSans-Bold.ttf", 700),
)
LANGS = ("ar", "en")
_PAGE_PLACEHOLDER = re.compile(r"%\((pages?)\)s")


@cache
def report_css() -> str:
    """The report's own style sheet (shared by the page and the PDF)."""
    return CSS_FILE.read_text(encoding="utf-8")


def font_faces() -> str:
    """@font-face rules for the bundled OFL fonts, as file URLs (WeasyPrint reads them)."""
    return "\n".join(
        f'@font-face {{ font-family: "{family}"; src: url("{(FONTS / name).as_uri()}"); '
        f"font-weight: {weight}; }}"
        for family, name, weight in FONT_FILES
    )


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def page_counter_css(digits: str) -> str:
    """The CSS `content` of the page-number footer, from one whole translated sentence: the
    placeholders become counters, the words around them stay as the translator wrote them."""
    style = "arabic-indic" if digits == "arabic" else "decimal"
    # With a group, split() alternates text and placeholder names: text, name, text, name, text.
    pieces = _PAGE_PLACEHOLDER.split(_("Page %(page)s of %(pages)s"))
    return " ".join(
        f"counter({piece}, {style})" if i % 2 else _css_string(piece)
        for i, piece in enumerate(pieces)
        if piece
    )


def _journeys(report: JourneyReport | PortfolioReport) -> tuple[JourneyReport, ...]:
    """The journey reports a document shows: the one, or every one of a full portfolio."""
    if isinstance(report, JourneyReport):
        return (report,)
    if not report.journeys:
        raise ValueError("a portfolio document needs its journeys' reports (full=True)")
    return report.journeys


def report_context(
    report: JourneyReport | PortfolioReport, *, lang: str, digits: str, for_pdf: bool
) -> dict:
    """Everything the templates show, in the active language, with figures already formatted."""
    reports, single = _journeys(report), isinstance(report, JourneyReport)
    numbers = Numbers(digits)
    rtl = translation.get_language_bidi()
    title = _("Developing services based on customer feedback")
    period = numbers.period(report.period)
    journeys = [
        sections.journey_context(j, numbers=numbers, rtl=rtl, title=title, period=period)
        for j in reports
    ]
    for number, (journey, j) in enumerate(zip(journeys, reports, strict=True), 1):
        journey["number"] = numbers.count(number)
        journey["impact"] = impact_context(j, numbers=numbers)
    if single:
        edition = _("%(journey)s journey") % {"journey": journeys[0]["name"]}
    else:
        edition = _("Every journey measured in %(period)s") % {"period": period}
    return {
        "lang": lang,
        "rtl": rtl,
        "for_pdf": for_pdf,
        "single": single,
        "title": title,
        "edition": edition,
        "issuer": pick(settings.SAWT_REPORT_ISSUER_AR, settings.SAWT_REPORT_ISSUER_EN),
        "period": period,
        "period_code": report.period,
        "running": f"{title} · {period}",
        "journeys": journeys,
        "method": sections.method_notes(reports, target=report.target, numbers=numbers),
        "digits": digits,
        "slug": reports[0].slug if single else "",
        # The portfolio's opening page: its journeys ranked (from the lines, no query).
        "overview": overview_context(report.lines, numbers=numbers, local=sections.local)
        if isinstance(report, PortfolioReport)
        else None,
    }


def report_html(
    report: JourneyReport | PortfolioReport,
    *,
    lang: str,
    digits: str,
    for_pdf: bool,
    request: HttpRequest | None = None,
) -> str:
    """Render the report: a standalone A4 document for the PDF, or the body of a web page."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    with translation.override(lang):
        context = report_context(report, lang=lang, digits=digits, for_pdf=for_pdf)
        if for_pdf:
            context.update(
                base_template="reports/base_pdf.html",
                css=report_css(),
                font_faces=font_faces(),
                page_counter=page_counter_css(digits),
                counter_style="arabic-indic" if digits == "arabic" else "decimal",
            )
        else:
            context["base_template"] = "reports/base_web.html"
        template = "reports/journey.html" if context["single"] else "reports/portfolio.html"
        return render_to_string(template, context, request=request)
