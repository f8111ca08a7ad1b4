"""Plain pages until the web-app issue lands: a list of journeys and one summary per period."""

from django.http import HttpRequest, HttpResponse


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse("sawt")


def journey_summary(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    return HttpResponse("todo")
