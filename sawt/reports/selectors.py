"""Which report an interface asked for: one journey's, or the portfolio of a period."""

from __future__ import annotations

from sawt.core.periods import parse_period
from sawt.reports.dataset import JourneyReport, journey_report
from sawt.reports.portfolio import PortfolioReport, portfolio_report


def report_get(
    *, period: str, journey_slug: str | None = None, target: float | None = None
) -> JourneyReport | PortfolioReport:
    """The frozen report of a journey, or of every journey with a survey in the period."""
    # A malformed period gets the parser's message, not "no journey has a survey for it".
    parse_period(period)
    if journey_slug:
        return journey_report(journey_slug=journey_slug, period=period, target=target)
    return portfolio_report(period=period, target=target)
