"""The error pages (403, 404, 500, and a form refused for its CSRF token): the site's header, a
plain sentence and a way back home.

403 and 404 render with the request's context like any page. The 500 page is rendered from an
explicit context without context processors: whatever broke (the database, the session, a
context processor) must not break the page that says something broke.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
)
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from sawt.core.middleware import json_error, wants_json

# The last resort, when even the template cannot be rendered: both languages, no dependency.
FALLBACK_500 = (
    '<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8">'
    "<title>صوت · خطأ في الخادم</title></head><body>"
    "<h1>حدث خطأ من جهتنا</h1><p>لم يكتمل طلبك. أعد المحاولة بعد قليل.</p>"
    '<p><a href="/">العودة إلى الصفحة الرئيسية</a></p>'
    '<div lang="en" dir="ltr"><h2>Something went wrong on our side</h2>'
    '<p>Your request was not completed. Try again in a moment. <a href="/">Home</a></p></div>'
    "</body></html>"
)


def _message(exception: Exception | None) -> str:
    """The reason a PermissionDenied carries when a view gave one (our own translated words)."""
    text = str(exception.args[0]) if exception is not None and exception.args else ""
    return text if isinstance(exception, PermissionDenied) else ""


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403: the role does not allow the page or the action."""
    if wants_json(request):
        return json_error(403, _message(exception) or _("Your role does not allow this action."))
    context = {
        "status": 403,
        "heading": _("You may not use this page"),
        "explanation": _message(exception)
        or _("Your role does not allow this action. Ask an administrator if you need it."),
    }
    return render(request, "web/error.html", context, status=HttpResponseForbidden.status_code)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: the address names nothing this person can see (another agency's is the same 404)."""
    # The exception's text is for developers (a slug, a period): never shown.
    if wants_json(request):
        return json_error(404, _("Not found."))
    context = {
        "status": 404,
        "heading": _("This page does not exist"),
        "explanation": _(
            "The address may be mistyped, or it leads to something you may not see. "
            "Start again from the home page."
        ),
    }
    return render(request, "web/error.html", context, status=HttpResponseNotFound.status_code)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 for a form sent without its CSRF token (settings.CSRF_FAILURE_VIEW): a browser that
    refuses this site's cookies, or a page kept open across a change of the cookie. Django's
    own page is English and technical; the public survey form's visitors get its own page."""
    explanation = _(
        "Your browser did not send this site's security cookie with the form. Allow cookies "
        "for this site, reload the page and send the form again."
    )
    context = {"status": 403, "heading": _("This form could not be sent"), "text": explanation}
    if getattr(request.resolver_match, "namespace", "") == "form":
        return render(request, "web/form/message.html", context, status=403)
    context["explanation"] = explanation
    return render(request, "web/error.html", context, status=HttpResponseForbidden.status_code)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: rendered without the database, the session or context processors."""
    if wants_json(request):
        return json_error(500, _("Something went wrong on our side; the error has been logged."))
    context: dict[str, Any] = {
        "status": 500,
        "heading": _("Something went wrong on our side"),
        "explanation": _(
            "Your request was not completed and has been logged. Try again in a moment."
        ),
        "LANGUAGE_CODE": translation.get_language(),
        "LANGUAGE_BIDI": translation.get_language_bidi(),
    }
    try:
        # The switch posts a form: it shows only when a CSRF token can be had (a cookie, no
        # database). No user in the context, so the header shows no menu.
        context["csrf_token"] = get_token(request)
        context["next_path"] = request.get_full_path()
    except Exception:  # without a token the page simply has no switch
        context["csrf_token"] = None
    html: str
    try:
        html = render_to_string("web/error.html", context)
    except Exception:  # the page that reports an error must always answer
        html = FALLBACK_500
    return HttpResponseServerError(html)
