"""The report as an XLSX workbook: one sheet each for the summary, the items, the gap
categories, the gaps and the recommendations.

A renderer of the frozen `JourneyReport`, like the page and the PDF, so its figures are theirs.
Figures go in as numbers with a display format (the full value stays for anyone who computes
with it); every text goes through `cell_text`, because names, quotes and feedback come from
imports and forms and may carry a formula.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sawt.core.i18n import pick
from sawt.core.numbers import places_against
from sawt.core.safe_cells import cell_text
from sawt.gaps.choices import RecommendationStatus
from sawt.reports.dataset import Category, Item, JourneyReport, Names, Stage
from sawt.surveys.choices import QuestionKind

MEAN = "0.0"  # as the report prints scores (Excel rounds the decimal half up, as Numbers does)
MEAN_2 = "0.00"  # a mean below its target that one decimal would round up to it (3.96)
MEAN_3 = "0.000"
MEAN_4 = "0.0000"
WHOLE = "+0;-0;0"  # a net promoter score, signed as the page writes it
PRECISE = "0.00"  # spread and intervals, which a reader compares at the second decimal
SHARE = "0.0%"
COUNT = "#,##0"
DATE = "yyyy-mm-dd"
# Widths in characters; long texts wrap inside their column instead of widening the sheet.
WIDE, NARROW, TEXT = 28, 12, 60


@dataclass(frozen=True)
class Column:
    """A column of a sheet: its header, width and the display format of its figures."""

    header: str
    width: float = NARROW
    number_format: str | None = None
    wrap: bool = False


@dataclass(frozen=True)
class Figure:
    """A value with its own display format, for sheets whose rows differ in kind (the summary)."""

    value: float | int | None
    number_format: str


Value = str | int | float | bool | dt.date | Figure | None


def _yes_no(flag: bool | None) -> str | None:
    if flag is None:
        return None
    return _("yes") if flag else _("no")


def _names(names: Names | None, lang: str) -> str | None:
    return pick(names["ar"], names["en"], lang) if names else None


def _reading_order(text: str) -> int:
    """2 (right to left) when the first strong character is Arabic, else 0 (context).

    Excel reads the direction from the text itself, but LibreOffice lays out every cell left to
    right unless told, which moves the punctuation at either end of an Arabic text. Other texts
    (codes, English) keep the context order, so they stay aligned with their column."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return 2
        if kind == "L":
            return 0
    return 0


def _put(ws: Worksheet, row: int, col: int, value: Value, column: Column) -> None:
    number_format: str | None
    if isinstance(value, Figure):
        number_format = value.number_format
        value = value.value
    else:
        number_format = column.number_format
    if value is None:
        return
    if isinstance(value, bool):
        value = _yes_no(value)
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = cell_text(value)
        # openpyxl would store a text starting with "=" as a formula and "#N/A" as an error;
        # fixing the type keeps every text a plain string whatever it holds.
        cell.data_type = "s"
        order = _reading_order(value)
    else:
        cell.value = value
        cell.number_format = DATE if isinstance(value, dt.date) else number_format or "General"
        order = 0
    if column.wrap or order:
        cell.alignment = Alignment(wrap_text=column.wrap, vertical="top", readingOrder=order)


def _sheet(
    wb: Workbook,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Value]],
    rtl: bool,
) -> Worksheet:
    ws = wb.create_sheet(title=title[:31])  # Excel's limit on sheet names
    ws.sheet_view.rightToLeft = rtl
    bold = Font(bold=True)
    for col, column in enumerate(columns, start=1):
        _put(ws, 1, col, column.header, replace(column, wrap=True))
        ws.cell(row=1, column=col).font = bold
        ws.column_dimensions[get_column_letter(col)].width = column.width
    for number, values in enumerate(rows, start=2):
        for col, (value, column) in enumerate(zip(values, columns, strict=True), start=1):
            _put(ws, number, col, value, column)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{ws.max_row}"
    # Printed, a sheet fits the page's width (landscape) and repeats its header on every page.
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_title_rows = "1:1"
    return ws


def _summary_rows(report: JourneyReport, lang: str) -> list[tuple[str, Value]]:
    s, overall = report.sample, report.overall
    mean, n, top2 = (overall.mean, overall.n, overall.top2) if overall else (None, None, None)
    target = overall.target if overall else None
    ci = overall.ci95 if overall and overall.ci95 else (None, None)
    rows: list[tuple[str, Value]] = [
        (_("Journey"), _names(report.name, lang)),
        (_("Journey code"), report.slug),
        (_("Agency"), _names(report.agency, lang)),
        (_("Period"), report.period),
        (_("Survey sent to"), Figure(s.sent, COUNT)),
        (_("Responses"), Figure(s.responses, COUNT)),
        (_("Completed responses"), Figure(s.completed, COUNT)),
        (_("Response rate (completed ÷ invited)"), Figure(s.response_rate, SHARE)),
        (_("Complaints in the period"), Figure(s.complaints, COUNT)),
        (_("Overall satisfaction (mean)"), Figure(mean, _mean_format(mean, target))),
        (_("Overall satisfaction: answers (n)"), Figure(n, COUNT)),
        (_("Overall satisfaction: 95% CI, low"), Figure(ci[0], PRECISE)),
        (_("Overall satisfaction: 95% CI, high"), Figure(ci[1], PRECISE)),
        (_("Overall satisfaction: top-box share"), Figure(top2, SHARE)),
        (_("Margin of error (95%, ±)"), Figure(s.margin_of_error, PRECISE)),
        (_("Target score (1–5 scale)"), Figure(report.target, MEAN)),
        (_("Number of gaps"), Figure(report.gap_count, COUNT)),
        (_("Number of recommendations"), Figure(report.recommendation_count, COUNT)),
    ]
    for status in RecommendationStatus:
        label = _("Recommendations with the status “%(status)s”") % {"status": status.label}
        rows.append((label, Figure(report.by_status.get(status.value, 0), COUNT)))
    return rows


def _kind(kind: str) -> str:
    try:
        return str(QuestionKind(kind).label)
    except ValueError:  # a kind added later still exports, under its code
        return kind


def _scores(report: JourneyReport) -> list[str]:
    """The score points any item was answered with (1–5 for the demo, 0–10 for an NPS item)."""
    points = {p for stage in report.stages for item in stage.items for p in item.distribution}
    return sorted(points, key=int)


def _mean_format(mean: float | None, target: float | None) -> str:
    """The mean's display format: the decimals the page shows it with beside its target."""
    if mean is None:
        return MEAN
    return (MEAN, MEAN_2, MEAN_3, MEAN_4)[places_against(mean, target) - 1]


def _item_row(stage: Stage | None, item: Item, scores: list[str], lang: str) -> list[Value]:
    ci = item.ci95 or (None, None)
    nps = item.nps
    return [
        _names(stage.name, lang) if stage else None,
        Figure(stage.mean, _mean_format(stage.mean, stage.target)) if stage else None,
        stage.n_min if stage else None,
        item.code,
        _kind(item.kind),
        _names(item.text, lang),
        item.n,
        item.not_applicable,
        Figure(item.mean, _mean_format(item.mean, None if nps else item.target)),
        item.sd,
        ci[0],
        ci[1],
        item.top2,
        item.top_box_points,
        Figure(nps.score, WHOLE) if nps else None,
        nps.promoters if nps else None,
        nps.detractors if nps else None,
        nps.moe95 if nps else None,
        Figure(item.target, WHOLE if nps else MEAN) if item.target is not None else None,
        item.low_base,
        item.meets_target,
        *(item.distribution.get(p, 0) for p in scores),
    ]


def _items_sheet(wb: Workbook, report: JourneyReport, lang: str, rtl: bool) -> None:
    scores = _scores(report)
    columns = [
        Column(_("Stage"), WIDE, wrap=True),
        Column(_("Stage score (mean of item means on one scale)"), NARROW, MEAN),
        Column(_("Stage: smallest n"), NARROW, COUNT),
        Column(_("Item code"), WIDE),
        Column(_("Kind"), NARROW),
        Column(_("Item"), TEXT, wrap=True),
        Column(_("Answers (n)"), NARROW, COUNT),
        Column(_("Not applicable"), NARROW, COUNT),
        Column(_("Mean"), NARROW, MEAN),
        Column(_("Standard deviation"), NARROW, PRECISE),
        Column(_("95% CI, low"), NARROW, PRECISE),
        Column(_("95% CI, high"), NARROW, PRECISE),
        Column(_("Top-box share"), NARROW, SHARE),
        Column(_("Top box: highest points counted"), NARROW, COUNT),
        Column(_("NPS"), NARROW, WHOLE),
        Column(_("NPS: promoters"), NARROW, SHARE),
        Column(_("NPS: detractors"), NARROW, SHARE),
        Column(_("NPS: 95% margin (points)"), NARROW, PRECISE),
        Column(_("Target"), NARROW, MEAN),
        Column(_("Low base (fewer than %(n)s answers)") % {"n": report.min_n}, NARROW),
        Column(_("Meets the target"), NARROW),
        *(Column(_("Answers scoring %(score)s") % {"score": p}, NARROW, COUNT) for p in scores),
    ]
    rows = [_item_row(stage, item, scores, lang) for stage in report.stages for item in stage.items]
    _sheet(wb, _("Items"), columns, rows, rtl)


def _category_rows(source: str, categories: Sequence[Category], lang: str) -> list[list[Value]]:
    return [
        [
            source,
            rank,
            c.code,
            _names(c.name, lang),
            c.count,
            c.groups,
            c.labelled,
            c.share,
            c.quote,
        ]
        for rank, c in enumerate(categories, start=1)
    ]


def _categories_sheet(wb: Workbook, report: JourneyReport, lang: str, rtl: bool) -> None:
    columns = [
        Column(_("Source"), NARROW),
        Column(_("Rank"), NARROW),
        Column(_("Category code"), WIDE),
        Column(_("Gap category"), WIDE, wrap=True),
        Column(_("Count"), NARROW, COUNT),
        Column(_("Distinct (near-duplicates counted once)"), NARROW, COUNT),
        Column(_("Labelled by a person"), NARROW, COUNT),
        Column(_("Share"), NARROW, SHARE),
        Column(_("Representative quote"), TEXT, wrap=True),
    ]
    rows = _category_rows(_("complaints"), report.complaint_categories, lang)
    rows += _category_rows(_("survey"), report.survey_categories, lang)
    _sheet(wb, _("Gap categories"), columns, rows, rtl)


def _gap_sheets(wb: Workbook, report: JourneyReport, lang: str, rtl: bool) -> None:
    gap_columns = [
        Column(_("Gap number"), NARROW),
        Column(_("Stage"), WIDE, wrap=True),
        Column(_("Gap category"), WIDE, wrap=True),
        Column(_("Customer feedback"), TEXT, wrap=True),
    ]
    gap_rows = [
        [g.number, _names(g.stage, lang), _names(g.category, lang), _names(g.feedback, lang)]
        for g in report.gaps
    ]
    _sheet(wb, _("Gap register"), gap_columns, gap_rows, rtl)
    rec_columns = [
        Column(_("Gap number"), NARROW),
        Column(_("Decision"), TEXT, wrap=True),
        Column(_("Owner agency"), WIDE, wrap=True),
        Column(_("Status"), NARROW),
        Column(_("Due date"), NARROW),
    ]
    rec_rows: list[list[Value]] = [
        [
            g.number,
            _names(r.text, lang),
            _names(r.owner, lang),
            str(RecommendationStatus(r.status).label),
            r.due_date,
        ]
        for g in report.gaps
        for r in g.recommendations
    ]
    _sheet(wb, _("Recommendations"), rec_columns, rec_rows, rtl)


def report_xlsx(report: JourneyReport, *, lang: str = "ar") -> bytes:
    """The journey's report as an XLSX workbook, in Arabic (sheets right to left) or English."""
    with translation.override(lang):
        rtl = translation.get_language_bidi()
        wb = Workbook()
        wb.remove(wb.worksheets[0])  # the default empty sheet; ours are created in order
        summary = [Column(_("Figure"), 44, wrap=True), Column(_("Value"), WIDE, wrap=True)]
        _sheet(wb, _("Summary"), summary, _summary_rows(report, lang), rtl)
        _items_sheet(wb, report, lang, rtl)
        _categories_sheet(wb, report, lang, rtl)
        _gap_sheets(wb, report, lang, rtl)
        title = _("%(journey)s — %(period)s") % {
            "journey": _names(report.name, lang),
            "period": report.period,
        }
        wb.properties.title = cell_text(title)
        wb.properties.creator = "sawt"
        out = io.BytesIO()
        wb.save(out)
    return out.getvalue()
