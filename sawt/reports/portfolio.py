"""The portfolio of a period as one frozen dataset, which the portfolio page and the portfolio
PDF both render: the page its lines, the PDF the journeys' full reports built on the same lines.
So the two cannot show different figures for a journey (a test renders both and compares)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from sawt.catalog.models import Journey
from sawt.core.exceptions import ApplicationError
from sawt.core.periods import parse_period
from sawt.reports.dataset import JourneyLine, JourneyReport, journey_lines, journey_report
from sawt.surveys.models import Survey


@dataclass(frozen=True)
class PortfolioReport:
    """Every journey measured in a period, by agency: the one dataset the portfolio page and the
    portfolio PDF render. `lines` are what the page lists; `journeys` (for the PDF, when asked
    for) are the same journeys' full reports, each led by its line's figures."""

    period: str
    target: float
    lines: tuple[JourneyLine, ...]
    journeys: tuple[JourneyReport, ...] = ()
    # Significance level of the change test (after Holm's correction across the lines).
    alpha: float = 0.05


def portfolio_report(
    *,
    period: str,
    journeys: QuerySet[Journey] | None = None,
    target: float | None = None,
    full: bool = True,
) -> PortfolioReport:
    """Every journey among `journeys` (default: all) with a survey in the period, by agency, as
    one frozen dataset: the lines the page lists and, when `full` (the PDF), each journey's
    report built on its line. A full portfolio of nothing is refused: a PDF needs a journey."""
    parse_period(period)
    target = settings.SAWT_REPORT_TARGET if target is None else target
    alpha, lines = journey_lines(period=period, journeys=journeys, target=target)
    if not full:
        return PortfolioReport(period=period, target=target, lines=lines, alpha=alpha)
    if not lines:
        known = sorted(set(Survey.objects.values_list("period", flat=True)), reverse=True)
        raise ApplicationError(
            _("No journey has a survey for %(period)s. Periods with surveys: %(known)s.")
            % {"period": period, "known": ", ".join(known) or "—"}
        )
    reports = tuple(
        journey_report(journey_slug=line.slug, period=period, target=target, line=line)
        for line in lines
    )
    return PortfolioReport(period=period, target=target, lines=lines, journeys=reports, alpha=alpha)
