"""/api/v1/: the integration API (docs/api.md). The schema is generated from these views."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from sawt.api.views import catalog

app_name = "api"

urlpatterns = [
    path(
        "openapi.json",
        SpectacularAPIView.as_view(
            authentication_classes=[], permission_classes=[], throttle_classes=[]
        ),
        {"format": "json"},
        name="schema",
    ),
    path(
        "docs/",
        # Swagger UI (its own files, served from here) sets style attributes and draws its
        # icons from data: URLs; scripts stay limited to our own files. This page only.
        csp_update({"style-src": [SELF, UNSAFE_INLINE], "img-src": [SELF, "data:"]})(
            SpectacularSwaggerSplitView.as_view(
                url_name="api:schema", authentication_classes=[], permission_classes=[]
            )
        ),
        name="docs",
    ),
    path("journeys/", catalog.JourneyList.as_view(), name="journeys"),
    path("journeys/<slug:slug>/", catalog.JourneyDetail.as_view(), name="journey"),
    # One module per part of the API: what others read, what service systems push, and the
    # recommendations' moves.
    # Push before read: a path both read and push (complaints/) is one view answering GET and
    # POST, routed from the push module.
    path("", include("sawt.api.urls_push")),
    path("", include("sawt.api.urls_read")),
    path("", include("sawt.api.urls_moves")),
]
