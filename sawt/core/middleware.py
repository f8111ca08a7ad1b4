"""Middleware of sawt's own: the language (Arabic first, unless the person chose English with
the switch), and request bodies judged by their declared length before anyone reads them."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

# An upload's multipart body carries the file, a few fields and the boundaries around them.
UPLOAD_FORM_OVERHEAD = 64 * 1024


class LanguageMiddleware:
    """Activate the language from the switch's cookie, else the site default (Arabic).

    Django's LocaleMiddleware would follow the browser's Accept-Language, so most desktop
    browsers would open sawt in English: the opposite of what a ministry in Arabic expects."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


class RequestBodyLimitMiddleware:
    """Refuse a request body by its declared length, and an anonymous upload, unread.

    Django reads a POST's whole body (spooling files to disk) the first time anything asks for
    a field: CsrfViewMiddleware does, before any view can look at the size or the user. This
    runs before that (every `process_view` comes after every middleware's `__call__`), on the
    Content-Length header alone: the views named in SAWT_UPLOAD_VIEWS take bodies up to
    SAWT_IMPORT_MAX_BYTES (plus the form around the file) and only from someone signed in
    (anyone else is sent to log in); every other request, up to DATA_UPLOAD_MAX_MEMORY_SIZE.
    Over the limit, the answer is 413 with a translated page. It must come after
    AuthenticationMiddleware (it asks who the person is) and LanguageMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = _declared_length(request)
        if declared:
            upload = _is_upload_view(request.path_info)
            if upload and not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            limit = (
                settings.SAWT_IMPORT_MAX_BYTES + UPLOAD_FORM_OVERHEAD
                if upload
                else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            )
            if limit is not None and declared > limit:
                return _too_large(request, declared, limit, upload)
        return self.get_response(request)


def _declared_length(request: HttpRequest) -> int:
    # As Django reads it: a missing or malformed header means no body is read at all.
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def _is_upload_view(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.view_name in settings.SAWT_UPLOAD_VIEWS


def _megabytes(size: int) -> str:
    return f"{size / 1024**2:,.1f}"


def _too_large(request: HttpRequest, declared: int, limit: int, upload: bool) -> HttpResponse:
    if upload:
        explanation = _("The file is too large (%(size)s MB); the limit is %(limit)s MB.") % {
            "size": _megabytes(declared),
            "limit": _megabytes(settings.SAWT_IMPORT_MAX_BYTES),
        }
    else:
        explanation = _(
            "What was sent is too large (%(size)s MB); this page accepts at most %(limit)s MB."
        ) % {"size": _megabytes(declared), "limit": _megabytes(limit)}
    context = {"status": 413, "heading": _("Too large to accept"), "explanation": explanation}
    # The body is never read here: the server discards what the client still sends (no file
    # is written), and a buffering proxy in front refuses it by its own body limit.
    return render(request, "web/error.html", context, status=413)
