"""The site's URLs plus two that fail, to exercise the 500 page (the handlers come along)."""

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.urls import path

from sawt.config.urls import *  # noqa: F403 - handler403/404/500 included
from sawt.config.urls import urlpatterns as site_urlpatterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def database_down(request: HttpRequest) -> HttpResponse:
    raise DatabaseError("database is locked")


urlpatterns = [
    path("boom/", boom),
    path("database-down/", database_down),
    *site_urlpatterns,
]
