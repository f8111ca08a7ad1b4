"""Bodies are refused by their declared length, and anonymous uploads sent to log in, unread.

The requests go through the real WSGI handler with an input stream that fails the test if
anything reads it: before RequestBodyLimitMiddleware, CsrfViewMiddleware read the whole
multipart body (spooling the file to disk) before any view could refuse it.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import Client, override_settings

from sawt.testing.factories import user_with_role

pytestmark = pytest.mark.django_db
BOUNDARY = "sawt-boundary"


class UnreadableInput:
    """A request body that must never be read."""

    def __init__(self) -> None:
        self.reads = 0

    def read(self, *args: Any) -> bytes:
        self.reads += 1
        raise AssertionError("the request body was read")

    readline = read

    def __iter__(self) -> Any:
        return self

    def __next__(self) -> bytes:
        return self.read()


def post(path: str, length: int, cookies: str = "") -> tuple[int, dict[str, str], str, int]:
    """POST `length` declared bytes of multipart to `path`: status, headers, body, reads."""
    body = UnreadableInput()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(length),
        "HTTP_COOKIE": cookies,
        "wsgi.input": body,
        "wsgi.url_scheme": "http",
        "wsgi.errors": None,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> None:
        answer["status"] = int(status.split()[0])
        answer["headers"] = dict(headers)

    # As Django's test client does: the test's database connection must outlive the request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        content = b"".join(WSGIHandler()(environ, start_response)).decode()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    return answer["status"], answer["headers"], content, body.reads


def signed_in(role: str = "analyst", language: str = "en") -> str:
    client = Client()
    client.force_login(user_with_role(role))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return f"{settings.SESSION_COOKIE_NAME}={session}; {settings.LANGUAGE_COOKIE_NAME}={language}"


def test_an_anonymous_upload_is_sent_to_log_in_without_reading_its_body():
    status, headers, _, reads = post("/imports/", 10 * 1024**2)
    assert (status, headers["Location"], reads) == (302, "/accounts/login/?next=/imports/", 0)


@override_settings(SAWT_IMPORT_MAX_BYTES=1024**2)
def test_an_upload_declared_over_the_limit_is_refused_without_reading_its_body():
    status, _, page, reads = post("/imports/", 3 * 1024**2, cookies=signed_in())
    assert (status, reads) == (413, 0)
    assert "The file is too large (3.0 MB); the limit is 1.0 MB." in page


def test_the_refusal_is_in_arabic_by_default():
    length = settings.SAWT_IMPORT_MAX_BYTES + 1024**2
    status, _, page, reads = post("/imports/", length, cookies=signed_in(language="ar"))
    assert (status, reads) == (413, 0)
    assert 'lang="ar"' in page and "الملف كبير جداً" in page


def test_any_other_post_over_djangos_body_limit_is_refused_unread():
    length = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
    status, _, page, reads = post("/gaps/new/", length, cookies=signed_in())
    assert (status, reads) == (413, 0)
    assert "this page accepts at most 2.5 MB" in page
    # Anonymous, too: the size is judged before anything else.
    assert post("/accounts/login/", length)[0] == 413


def test_a_signed_in_upload_within_the_limit_reaches_the_view(client):
    client.force_login(user_with_role("analyst"))
    # An incomplete form, read and answered by the view itself (400), not by the guard.
    assert client.post("/imports/", {"kind": "complaints"}).status_code == 400


def test_an_upload_from_a_role_that_may_not_import_is_refused_without_reading_its_body():
    status, _, page, reads = post("/imports/", 10 * 1024**2, cookies=signed_in("viewer"))
    assert (status, reads) == (403, 0)
    assert "Your role does not allow this action." in page


def test_only_marked_views_take_uploads():
    # The guard knows upload views by their mark, so a view that takes files says so itself.
    from sawt.core.middleware import _upload_actions

    assert _upload_actions("/imports/") == (
        "survey.definition_import",
        "survey.responses_import",
        "complaint.import",
        "survey.sample_import",
    )
    assert _upload_actions("/gaps/new/") is None and _upload_actions("/no/such/page/") is None
