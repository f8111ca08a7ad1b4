"""The public survey form: `/s/<token>/` (one person's link), `/s/<token>/stop/` (their opt-out)
and `/s/open/<survey code>/` (the survey's anonymous link, off unless set).

No sign-in: the token is the credential, and sawt.distribution.services.form decides what it
allows. The page is in the invitation's language (Arabic unless the sample said English), and
`?lang=en` / `?lang=ar` switch it without a sign-in or a cookie, so the link keeps working as
sent. Without JavaScript it is a plain form posted to its own address; with it
(web/form.js) answers are also saved as the person goes (`partial=1`). Django's CSRF check
holds for these anonymous posts: the page sets the CSRF cookie and carries the token in the
form, which the script sends with every save. Bad links and the anonymous link are counted per
client address (sawt/distribution/ratelimit.py); a person's own valid link never is.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sawt.accounts.addresses import client_ip
from sawt.core.exceptions import ApplicationError
from sawt.distribution.links import invitation_for_token
from sawt.distribution.models import Invitation
from sawt.distribution.ratelimit import rate_hit
from sawt.distribution.services.form import (
    LinkRefused,
    invitation_complete,
    invitation_draft_save,
    invitation_open,
    invitation_opt_out,
    link_refusal,
    open_key_new,
    open_key_read,
    open_link_enabled,
    open_response_submit,
    survey_closed,
)
from sawt.surveys.models import Survey
from sawt.web.public_forms import (
    HONEYPOT,
    OPEN_KEY,
    AnswersForm,
    LanguageParam,
    answered,
    form_sections,
)

# A sentence for a page: translated now, or lazily (the module's constants).
Text = str | Promise


def _language(request: HttpRequest, default: str | None) -> tuple[str, str]:
    """The page's language and the `lang` to keep in its links ('' when none was chosen): the
    switch's choice, else the invitation's language, else the site's (the language cookie)."""
    param = LanguageParam(request.GET)
    chosen = param.cleaned_data["lang"] if param.is_valid() else ""
    if chosen:
        return chosen, chosen
    fallback = default or getattr(request, "LANGUAGE_CODE", "ar")
    return (fallback if fallback in ("ar", "en") else "ar"), ""


def _in_language(request: HttpRequest, default: str | None, view: Any, *args: Any) -> HttpResponse:
    language, chosen = _language(request, default)
    request.sawt_form_lang = chosen  # type: ignore[attr-defined]
    with translation.override(language):
        response: HttpResponse = view(request, *args)
    response["Content-Language"] = language
    return response


def _query(request: HttpRequest) -> str:
    chosen = getattr(request, "sawt_form_lang", "")
    return f"?lang={chosen}" if chosen else ""


def _message(
    request: HttpRequest, status: int, heading: Text, text: Text, **extra: Any
) -> HttpResponse:
    context = {"status": status, "heading": heading, "text": text, **extra}
    return render(request, "web/form/message.html", context, status=status)


def _too_many(request: HttpRequest) -> HttpResponse:
    response = _message(
        request,
        429,
        _("Too many attempts"),
        _(
            "Too many requests came from your network in a short time. Wait a few minutes, "
            "then open the link from your message again."
        ),
    )
    response["Retry-After"] = "600"
    return response


def _counted(request: HttpRequest, status: int, heading: Text, text: Text) -> HttpResponse:
    """A bad link: counted against the address; past the limit the answer is 429 instead."""
    if rate_hit(client_ip(request)):
        return _too_many(request)
    return _message(request, status, heading, text)


def _unknown(request: HttpRequest) -> HttpResponse:
    return _counted(
        request,
        404,
        _("This link does not lead to a survey"),
        _(
            "Check that the whole link from your message was opened; a link cut short or "
            "changed does not work."
        ),
    )


def _refused(request: HttpRequest, reason: str, *, post: bool = False) -> HttpResponse:
    if reason == "completed":
        return _message(
            request,
            409 if post else 200,
            _("Thank you: your answers have been received"),
            _(
                "Your answers to this survey are in. This link cannot be used to send or "
                "change them again."
            ),
            done=True,
        )
    if reason == "expired":
        return _counted(
            request,
            410,
            _("This link has expired"),
            _("Links to a survey stay valid for a limited time, and this one has ended."),
        )
    if reason == "opted_out":
        text = _("You asked not to be contacted about this survey, so its form no longer opens.")
        return _message(request, 410, _("You have opted out"), text)
    return _message(
        request, 410, _("This survey has closed"), _("It no longer takes answers. Thank you.")
    )


@never_cache
@require_http_methods(["GET", "POST"])
def survey_form(request: HttpRequest, token: str) -> HttpResponse:
    """One person's form, by the token of their link."""
    invitation = invitation_for_token(token)
    language = invitation.invitee.language if invitation is not None else None
    return _in_language(request, language, _survey_form, invitation)


def _survey_form(request: HttpRequest, invitation: Invitation | None) -> HttpResponse:
    if invitation is None:
        return _unknown(request)
    post = request.method == "POST"
    refusal = link_refusal(invitation)
    if refusal is not None:
        return _refused(request, refusal, post=post)
    survey = invitation.invitee.survey
    if not post:
        invitation_open(invitation=invitation)
        return _form_page(request, survey, invitation.draft, {}, invitation=invitation)
    form = AnswersForm(request.POST, questions=list(survey.questions.all()))
    wants_json = "application/json" in request.headers.get("Accept", "")
    if not form.is_valid():
        if wants_json:
            return JsonResponse({"saved": False, "errors": form.field_errors()}, status=400)
        return _form_page(
            request, survey, request.POST, form.field_errors(), invitation=invitation, status=400
        )
    if form.cleaned_data[HONEYPOT]:
        return _honeypot(request)
    values = form.values()
    try:
        if form.cleaned_data["partial"]:
            saved = invitation_draft_save(invitation=invitation, values=values)
            if wants_json:
                return JsonResponse({"saved": True, "answers": len(saved.draft)})
            return _form_page(request, survey, values, {}, invitation=saved, saved=True)
        invitation_complete(invitation=invitation, values=values)
    except LinkRefused as refused:
        return _refused(request, refused.reason, post=True)
    except ApplicationError as error:
        return _form_page(
            request, survey, values, _problems(error), invitation=invitation, status=400
        )
    return HttpResponseRedirect(request.path + _query(request), status=303)


def _honeypot(request: HttpRequest) -> HttpResponse:
    return _counted(
        request,
        400,
        _("Your answers could not be accepted"),
        _("Open the link from your message again and send the form from there."),
    )


def _problems(error: ApplicationError) -> dict[str, list[str]]:
    """A refusal's problems by field; a problem of no field under the form as a whole."""
    found: dict[str, list[str]] = {}
    for problem in error.problems:
        found.setdefault(getattr(problem, "column", None) or "", []).append(problem.message)
    if not error.problems:
        found[""] = [error.message]
    return found


def _form_page(
    request: HttpRequest,
    survey: Survey,
    values: Any,
    errors: dict[str, list[str]],
    *,
    invitation: Invitation | None = None,
    open_key: str = "",
    saved: bool = False,
    status: int = 200,
) -> HttpResponse:
    sections = form_sections(survey, values, errors)
    done, total = answered(sections)
    # Every field's errors, in the order the page shows them, for the summary at its top.
    summary = [
        (item.name, message)
        for section in sections
        for item in section.items
        for message in [*item.errors, *item.why_errors]
    ]
    context = {
        "survey": survey,
        "journey": survey.journey,
        "sections": sections,
        "answered": done,
        "total": total,
        "form_errors": errors.get("", []),
        "error_summary": summary,
        "invitation": invitation,
        "open_key": open_key,
        "open_key_name": OPEN_KEY,
        "honeypot": HONEYPOT,
        "saved": saved,
        "query": _query(request),
        "autosave": invitation is not None,
    }
    return render(request, "web/form/form.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def survey_form_stop(request: HttpRequest, token: str) -> HttpResponse:
    """A person's opt-out from their link: a button to confirm, then it is recorded."""
    invitation = invitation_for_token(token)
    language = invitation.invitee.language if invitation is not None else None
    return _in_language(request, language, _stop, invitation)


def _stop(request: HttpRequest, invitation: Invitation | None) -> HttpResponse:
    if invitation is None:
        return _unknown(request)
    if request.method == "POST":
        invitation_opt_out(invitation=invitation)
        return render(request, "web/form/stop.html", {"stopped": True})
    return render(request, "web/form/stop.html", {"stopped": False, "query": _query(request)})


@never_cache
@require_http_methods(["GET", "POST"])
def open_form(request: HttpRequest, code: str) -> HttpResponse:
    """The survey's anonymous link: anyone may answer, each submission a new respondent."""
    return _in_language(request, None, _open_form, code)


def _open_form(request: HttpRequest, code: str) -> HttpResponse:
    post = request.method == "POST"
    # Every post here is counted, like every bad link: it is what a bot would repeat.
    if post and rate_hit(client_ip(request)):
        return _too_many(request)
    survey = Survey.objects.select_related("journey").filter(code=code).first()
    if survey is None or not open_link_enabled(survey):
        return (
            _message(request, 404, *_NO_OPEN_LINK)
            if post
            else _counted(request, 404, *_NO_OPEN_LINK)
        )
    if survey_closed(survey):
        return _refused(request, "closed")
    if not post:
        return _form_page(request, survey, {}, {}, open_key=open_key_new(survey))
    form = AnswersForm(request.POST, questions=list(survey.questions.all()))
    if not form.is_valid():
        signed = str(form.data.get(OPEN_KEY, ""))[:200]
        errors = form.field_errors()
        return _form_page(request, survey, request.POST, errors, open_key=signed, status=400)
    signed = form.cleaned_data[OPEN_KEY]
    key = open_key_read(survey, signed)
    if form.cleaned_data[HONEYPOT] or key is None or form.cleaned_data["partial"]:
        # A bot, a forged or stale form, or a save for later (which needs a personal link).
        return _message(request, 400, *_OPEN_REFUSED)
    try:
        open_response_submit(survey=survey, key=key, values=form.values())
    except LinkRefused as refused:
        return _refused(request, refused.reason, post=True)
    except ApplicationError as error:
        errors = _problems(error)
        return _form_page(request, survey, form.values(), errors, open_key=signed, status=400)
    return _message(
        request,
        200,
        _("Thank you: your answers have been received"),
        _("They will help improve the service."),
        done=True,
    )


_NO_OPEN_LINK = (
    gettext_lazy("This link does not lead to a survey"),
    gettext_lazy("This survey has no public link open. Check the address you were given."),
)
_OPEN_REFUSED = (
    gettext_lazy("This form cannot be sent"),
    gettext_lazy("Open the survey's link again, answer, and send the form from there."),
)
