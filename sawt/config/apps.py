"""Django's static files app, told to leave out what sawt never serves."""

from django.contrib.staticfiles.apps import StaticFilesConfig


class StaticFiles(StaticFilesConfig):
    # ReDoc (the API's docs page is Swagger UI) and DRF's browsable API (the API answers JSON
    # only): 6 MB that `collectstatic` would otherwise compress at every deployment, tripling
    # its time (9 s → 31 s on two shared cores).
    ignore_patterns = [
        *StaticFilesConfig.ignore_patterns,
        "drf_spectacular_sidecar/redoc/*",
        "rest_framework",
    ]
