"""`POST /hooks/sms/`: the SMS gateway hands over people's replies; the opt-out word (إيقاف,
STOP…: sawt/distribution/messages.py) records an opt-out, anything else is ignored and never
stored (a reply is personal data, and sawt reads none but that word).

The gateway authenticates with SAWT_SMS_TOKEN as a bearer token (the token sawt sends it with);
no token configured, the hook answers 404. CSRF does not apply (no browser, no cookie). The body
is JSON {"from": "+9665…", "text": "…"}; answers are JSON too: 200 {"opted_out": true|false},
400 naming the field that is wrong, 401 without the right token, 413 beyond 4 KB.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from sawt.distribution.contacts import normalise_mobile
from sawt.distribution.services.invitations import sms_reply_receive
from sawt.imports.values import ValueProblem

# A reply is a short text message: anything longer is not one.
MAX_BODY = 4096


class SmsReplyForm(forms.Form):
    """What the gateway posts: who replied, and what they wrote."""

    sender = forms.CharField(max_length=40)
    text = forms.CharField(max_length=1600, required=False, strip=False)


def _authorised(request: HttpRequest) -> bool:
    scheme, _sep, given = request.headers.get("Authorization", "").partition(" ")
    expected = settings.SAWT_SMS_TOKEN
    return scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), expected.encode())


def _error(status: int, message: str, field: str = "") -> JsonResponse:
    body: dict[str, Any] = {"error": message}
    if field:
        body["field"] = field
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


@csrf_exempt
@require_POST
def sms_reply(request: HttpRequest) -> JsonResponse:
    """Record an opt-out when a person replies with the opt-out word."""
    if not settings.SAWT_SMS_TOKEN:
        raise Http404  # no gateway configured: there is no hook to call
    if not _authorised(request):
        return _error(401, _("The gateway's token is missing or wrong."))
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY:
        return _error(413, _("A reply must be smaller than 4 KB."))
    try:
        data = json.loads(request.body[: MAX_BODY + 1] or b"null")
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        return _error(400, _("The body must be a JSON object with “from” and “text”."))
    form = SmsReplyForm({"sender": data.get("from"), "text": data.get("text") or ""})
    if not form.is_valid():
        field = next(iter(form.errors))
        name = "from" if field == "sender" else field
        return _error(400, f"{name}: {form.errors[field][0]}", name)
    try:
        mobile = normalise_mobile(form.cleaned_data["sender"])
    except ValueProblem as problem:
        return _error(400, f"from: {problem.message}", "from")
    opted_out = sms_reply_receive(mobile=mobile, text=form.cleaned_data["text"])
    return JsonResponse({"opted_out": opted_out})
