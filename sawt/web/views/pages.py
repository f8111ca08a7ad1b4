"""Plain pages until the web-app issue lands: the journeys and one summary per period."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from sawt.accounts.scoping import journeys_for, role_of
from sawt.core.exceptions import ApplicationError
from sawt.gaps.choices import RecommendationStatus
from sawt.metrics.selectors import journey_summary
from sawt.web.selectors import journey_periods_list


@login_required
def home(request: HttpRequest) -> HttpResponse:
    rows = journey_periods_list(user=request.user)
    return render(request, "web/home.html", {"rows": rows, "role": role_of(request.user)})


@login_required
def journey_summary_page(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    try:
        # Looked up among the journeys this person may see: another agency's is a 404.
        summary = journey_summary(
            journey_slug=slug, period=period, journeys=journeys_for(request.user)
        )
    except ApplicationError as exc:
        raise Http404(exc.message) from exc
    statuses = [
        (RecommendationStatus(status).label, n)
        for status, n in summary["gaps"]["by_status"].items()
        if n
    ]
    return render(request, "web/journey.html", {"s": summary, "statuses": statuses})
