"""Middleware of sawt's own: the language (Arabic first, unless the person chose English with
the switch), request bodies judged by their declared length before anyone reads them, and a
write that waited its turn behind an import in vain, answered with what the person sent."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.signals import got_request_exception
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from sawt.core.access import can
from sawt.core.db import is_busy

# An upload's multipart body carries the file, a few fields and the boundaries around them.
UPLOAD_FORM_OVERHEAD = 64 * 1024


# Where the integration API lives (sawt/config/urls.py): its answers are JSON, never pages.
API_PREFIX = "/api/"


def wants_json(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def json_error(status: int, message: str) -> HttpResponse:
    """An API error answered before (or outside) the API's views, in their shape
    (sawt/api/errors.py)."""
    return JsonResponse(
        {"message": str(message), "errors": [{"field": None, "message": str(message)}]},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


class LanguageMiddleware:
    """Activate the language from the switch's cookie, else the site default (Arabic).

    Django's LocaleMiddleware would follow the browser's Accept-Language, so most desktop
    browsers would open sawt in English: the opposite of what a ministry in Arabic expects."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if request.path_info.startswith(API_PREFIX) and not chosen:
            # Another system has no switch to press: the API answers in the language its
            # request's Accept-Language asks for, and in Arabic when it names none we speak.
            chosen = translation.get_language_from_request(request)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # For this request only: a thread that serves the next request (or runs a command, as
        # in the tests) starts from the default again, never from this person's choice.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


class RequestBodyLimitMiddleware:
    """Refuse a request body by its declared length, and an anonymous upload, unread.

    Django reads a POST's whole body (spooling files to disk) the first time anything asks for
    a field: CsrfViewMiddleware does, before any view can look at the size or the user. This
    runs before that (every `process_view` comes after every middleware's `__call__`), on the
    Content-Length header alone: the views marked `@accepts_uploads(...)` take bodies up to
    SAWT_IMPORT_MAX_BYTES (plus the form around the file), and only from someone signed in
    (anyone else is sent to log in) whose role may take one of the view's actions (anyone else
    gets the 403); every other request, up to DATA_UPLOAD_MAX_MEMORY_SIZE. Over the limit, the
    answer is 413 with a translated page. It must come after AuthenticationMiddleware (it asks
    who the person is) and LanguageMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = _declared_length(request)
        if declared:
            actions = _upload_actions(request.path_info)
            upload = actions is not None
            if upload and not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if actions and not any(can(request.user, action) for action in actions):
                # The view would answer 403 too, but only after the whole file was read.
                raise PermissionDenied(_("Your role does not allow this action."))
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


V = TypeVar("V", bound=Callable[..., HttpResponse])


def accepts_uploads(*actions: str) -> Callable[[V], V]:
    """Mark a view (outermost decorator) as taking file uploads, from people whose role may
    take one of `actions`: RequestBodyLimitMiddleware then allows its bodies up to
    SAWT_IMPORT_MAX_BYTES, and refuses everyone else's before reading them."""

    def mark(view: V) -> V:
        setattr(view, _UPLOAD_ACTIONS, actions)  # an attribute mypy cannot type on a function
        return view

    return mark


_UPLOAD_ACTIONS = "sawt_upload_actions"


def _upload_actions(path: str) -> tuple[str, ...] | None:
    """The actions of the upload view at `path`; None if it takes no uploads."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return getattr(match.func, _UPLOAD_ACTIONS, None)


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
    if wants_json(request):
        return json_error(413, explanation)
    context = {"status": 413, "heading": _("Too large to accept"), "explanation": explanation}
    # The body is never read here: the server discards what the client still sends (no file
    # is written), and a buffering proxy in front refuses it by its own body limit.
    return render(request, "web/error.html", context, status=413)


# Sent back with a busy page: how long to wait before sending again.
RETRY_AFTER_SECONDS = 30
# A posted value shown for the person to see and edit, rather than carried hidden: typed text.
_TYPED_MIN_LENGTH = 30


class DatabaseBusyMiddleware:
    """A write that waited its full turn for the database is answered 503, never 500, with
    everything the person sent ready to send again.

    On SQLite an import holds the one write lock for its whole write phase; a page's write
    waits SAWT_SQLITE_WAIT_SECONDS for it (settings.py), and if the import still holds it,
    the page says the database is busy and carries the posted fields back in a form with a
    fresh CSRF token and a button to send them again: nothing typed is lost. A view's error
    is caught in `process_exception`; one raised after the view (a session saved on the way
    out) is noted by `got_request_exception` and its 500 replaced here, which is why this
    comes before SessionMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        got_request_exception.connect(_note_busy, dispatch_uid="sawt.core.database_busy")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, "_sawt_database_busy", False):
            return busy_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return busy_response(request) if is_busy(exception) else None


def _note_busy(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    if request is not None and is_busy(sys.exc_info()[1] or Exception()):
        request._sawt_database_busy = True  # type: ignore[attr-defined]


def busy_response(request: HttpRequest) -> HttpResponse:
    """503: the database is busy with an import; what was posted comes back, ready to resend."""
    if wants_json(request):
        response = json_error(
            503, _("The server is busy saving other data; send the request again shortly.")
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    typed: list[tuple[str, str]] = []
    carried: list[tuple[str, str]] = []
    files = False
    if request.method == "POST":
        files = bool(request.FILES)
        for name, values in request.POST.lists():
            if name == "csrfmiddlewaretoken" or "password" in name.lower():
                continue  # a fresh token goes with the form; passwords are typed again
            for value in values:
                shown = len(value) >= _TYPED_MIN_LENGTH or any(c.isspace() for c in value)
                (typed if shown or not value.isascii() else carried).append((name, value))
    context = {
        "typed": typed,
        "carried": carried,
        "files": files,
        "resend": request.method == "POST" and bool(typed or carried),
        "action": request.get_full_path(),
    }
    language = getattr(request, "LANGUAGE_CODE", None) or settings.LANGUAGE_CODE
    with translation.override(language):
        response = render(request, "web/busy.html", context, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
