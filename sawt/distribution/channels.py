"""How a message reaches a person: e-mail through Django's e-mail backends, SMS through an HTTP
gateway (or printed, in development), each throttled per channel across every worker.

A backend either delivers, or raises:
- `SendTemporary` (a `TransientError`): worth another try later — a gateway's 5xx, 408 or 429,
  a timeout, a refused or dropped connection, an SMTP 4xx. The job engine retries the job
  with back-off (docs/decisions/0006).
- `SendRefused`: final — a gateway's other 4xx, an SMTP 5xx for this address. The invitation
  becomes `failed` with the reason's short code.
Settings (README): SAWT_EMAIL_BACKEND and SAWT_EMAIL_* (Django's EMAIL_* in
sawt/config/settings.py), SAWT_SMS_URL, SAWT_SMS_TOKEN, SAWT_SMS_SENDER, SAWT_SMS_PER_SECOND,
SAWT_EMAIL_PER_SECOND.
"""

from __future__ import annotations

import json
import logging
import smtplib
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from sawt.distribution.choices import Channel
from sawt.jobs.errors import TransientError
from sawt.jobs.throttle import throttle_turn

logger = logging.getLogger(__name__)
# How long the SMS gateway has to answer before the attempt counts as a temporary failure.
SMS_TIMEOUT = 10.0
# How much of a refusal's body is kept with the invitation (gateways explain in a line or two).
DETAIL_MAX = 300


class SendTemporary(TransientError):
    """The message could not go now; another try later may well succeed."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail[:DETAIL_MAX]


class SendRefused(Exception):
    """The message was refused for good (a wrong number, an address that does not exist)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail[:DETAIL_MAX]


@dataclass(frozen=True)
class Outgoing:
    """One message to one person, rendered in their language."""

    channel: str
    to: str
    subject: str
    text: str
    language: str
    # The page that stops every message (e-mail: the List-Unsubscribe header).
    optout_url: str = ""


class Backend(Protocol):
    """Delivers a message, or raises SendTemporary / SendRefused."""

    def send(self, message: Outgoing) -> None: ...


class ConsoleBackend:
    """Development: the message is printed on the worker's standard output, and logged."""

    def send(self, message: Outgoing) -> None:
        rule = "-" * 40
        print(
            f"{rule}\n[{message.channel}] to {message.to}"
            + (f"\nSubject: {message.subject}" if message.subject else "")
            + f"\n\n{message.text}\n{rule}",
            file=sys.stdout,
            flush=True,
        )
        logger.info("%s message printed (console backend) to %s", message.channel, message.to)


class SmsGatewayBackend:
    """An HTTP gateway: `POST SAWT_SMS_URL` with JSON {"to", "from", "text"} and
    `Authorization: Bearer SAWT_SMS_TOKEN`. 2xx: sent. 5xx, 408, 429, a timeout or a network
    error: temporary. Any other status: refused (the gateway's reason is kept)."""

    def __init__(self, url: str, token: str, sender: str, timeout: float = SMS_TIMEOUT) -> None:
        self.url, self.token, self.sender, self.timeout = url, token, sender, timeout

    def send(self, message: Outgoing) -> None:
        body = json.dumps(
            {"to": message.to, "from": self.sender, "text": message.text}, ensure_ascii=False
        ).encode()
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                "Authorization": f"Bearer {self.token}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                answer.read(DETAIL_MAX)
        except urllib.error.HTTPError as error:
            detail = f"HTTP {error.code}: {_body(error)}"
            # 408 and 429 are 4xx, yet they say "not now", not "never": retried like a 5xx.
            if error.code >= 500 or error.code in (408, 429):
                raise SendTemporary("gateway_error", detail) from None
            raise SendRefused("rejected", detail) from None
        except TimeoutError as error:
            raise SendTemporary("timeout", str(error) or "no answer in time") from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise SendTemporary("timeout", str(error.reason)) from None
            raise SendTemporary("unreachable", str(error.reason)) from None
        except (ConnectionError, OSError) as error:
            raise SendTemporary("unreachable", str(error)) from None


def _body(error: urllib.error.HTTPError) -> str:
    try:
        return error.read(DETAIL_MAX).decode("utf-8", "replace").strip()
    except Exception:
        return ""


class EmailBackend:
    """E-mail through the Django e-mail backend configured by SAWT_EMAIL_BACKEND (SMTP, the
    console…). A 5xx refusing this address or this message is final; SMTP's 4xx, lost
    connections and the server's refusals of the deployment itself are temporary."""

    def send(self, message: Outgoing) -> None:
        headers = {"Content-Language": message.language}
        if message.optout_url:
            headers["List-Unsubscribe"] = f"<{message.optout_url}>"
        email = EmailMessage(
            subject=message.subject,
            body=message.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
            headers=headers,
            connection=get_connection(fail_silently=False),
        )
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as error:
            # This address: a 5xx means it does not exist or takes no mail.
            code, reply = next(iter(error.recipients.values()), (550, b""))
            _smtp_failure(int(code), _text(reply), final_if_5xx=True)
        except smtplib.SMTPDataError as error:
            # This message's content was refused (a 5xx), or the server is busy (a 4xx).
            _smtp_failure(int(error.smtp_code), _text(error.smtp_error), final_if_5xx=True)
        except smtplib.SMTPResponseException as error:
            # Connecting, greeting, logging in, the sender address: the deployment's server or
            # configuration, the same for every message; failing every invitation would be
            # wrong, so they wait for it to be put right (and fail once their tries run out).
            _smtp_failure(int(error.smtp_code), _text(error.smtp_error), final_if_5xx=False)
        except (smtplib.SMTPException, OSError) as error:
            # Disconnected, could not connect, timed out, TLS failed.
            raise SendTemporary("unreachable", f"{type(error).__name__}: {error}") from None


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _smtp_failure(code: int, reply: str, *, final_if_5xx: bool) -> None:
    detail = f"SMTP {code}: {reply}".strip()
    if final_if_5xx and 500 <= code < 600:
        raise SendRefused("rejected", detail)
    raise SendTemporary("server_busy" if code < 500 else "server_error", detail)


def channel_backend(channel: str) -> Backend:
    """The backend this deployment sends `channel` messages through."""
    if channel == Channel.EMAIL:
        return EmailBackend()
    if settings.SAWT_SMS_URL:
        return SmsGatewayBackend(
            settings.SAWT_SMS_URL, settings.SAWT_SMS_TOKEN, settings.SAWT_SMS_SENDER
        )
    return ConsoleBackend()


def per_second(channel: str) -> float:
    """The channel's rate: messages per second across every worker (0: no limit)."""
    if channel == Channel.EMAIL:
        return float(settings.SAWT_EMAIL_PER_SECOND)
    return float(settings.SAWT_SMS_PER_SECOND)


def channel_turn(channel: str) -> float:
    """Wait for the channel's turn (the throttle every worker shares); the seconds waited."""
    return throttle_turn(f"distribution.{channel}", per_second(channel))
