"""sawt's URLs plus `/bench/bare/<token>/`: the baseline of bench/form_load.py.

The bare view does what any Django form page must, and nothing of sawt's: a GET renders a small
form with its CSRF token, a POST reads the form and answers 303 to itself. Everything around it
(gunicorn, the middleware, sessions, CSRF, the database connection) is the same as for
`/s/<token>/`, so the ratio of the two is what sawt's form itself costs.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.urls import path
from django.utils.html import escape

from sawt.config.urls import urlpatterns as sawt_urlpatterns


def bare(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a form with its CSRF token; POST: the fields read, then 303 to the same address."""
    if request.method == "POST":
        answered = sum(1 for name in request.POST if name != "csrfmiddlewaretoken")
        response = HttpResponseRedirect(request.path, status=303)
        response["X-Answered"] = str(answered)
        return response
    html = (
        '<!doctype html><html lang="ar" dir="rtl"><meta charset="utf-8"><title>bare</title>'
        f'<form method="post"><input type="hidden" name="csrfmiddlewaretoken" '
        f'value="{escape(get_token(request))}"><input name="overall">'
        "<button>send</button></form></html>"
    )
    return HttpResponse(html)


urlpatterns = [path("bench/bare/<str:token>/", bare), *sawt_urlpatterns]
