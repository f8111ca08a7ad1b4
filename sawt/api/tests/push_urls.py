"""The site's URLs with the push routes ahead of the read ones (`complaints/` serves both
methods through the push module's view); see sawt/api/urls_push.py."""

from django.urls import include, path

from sawt.api import urls as api
from sawt.config import urls as site

_api = [path("", include("sawt.api.urls_push")), *api.urlpatterns]
urlpatterns = [
    path("api/v1/", include((_api, "api"))),
    *[p for p in site.urlpatterns if not str(p.pattern).startswith("api/")],
]
