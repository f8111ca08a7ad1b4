"""The report as an A4 PDF: WeasyPrint lays out the same HTML the web page shows, with the
bundled OFL fonts, so Arabic is shaped by HarfBuzz and never depends on the host's fonts."""

from __future__ import annotations

from sawt.reports.dataset import JourneyReport
from sawt.reports.html import HERE, report_html
from sawt.reports.portfolio import PortfolioReport


def report_pdf(report: JourneyReport | PortfolioReport, *, lang: str, digits: str) -> bytes:
    """Render the journey (or portfolio) report as PDF bytes."""
    # Imported here, not at module level: the URL map imports this module through the views,
    # and WeasyPrint's import cost (~0.4 s) would otherwise land on every `sawt` command.
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    html = report_html(report, lang=lang, digits=digits, for_pdf=True)
    # One FontConfiguration per document: it owns the @font-face files WeasyPrint loads.
    fonts = FontConfiguration()
    # Tagged PDF: headings, tables and reading order for screen readers, at no measurable cost.
    document = HTML(string=html, base_url=str(HERE)).render(font_config=fonts, pdf_tags=True)
    return document.write_pdf(pdf_tags=True)
