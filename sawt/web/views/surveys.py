"""A survey's page: its sample, the response funnel of its invitations, their settings, and (for
the roles that may) the form that queues invitations.

The survey is read through the person's scope (another agency's survey is a 404). Contacts are
never shown here: the page counts people, it does not list them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from sawt.core.access import can, require
from sawt.core.exceptions import ApplicationError
from sawt.distribution.choices import Channel
from sawt.distribution.models import InvitationSettings
from sawt.distribution.selectors import (
    STAGES,
    distribution_funnel,
    failure_label,
    invitation_settings,
    sample_draws,
)
from sawt.distribution.services.invitations import invitations_send
from sawt.reports.charts import bar_svg
from sawt.surveys.models import Survey
from sawt.web import selectors
from sawt.web.params import bad_request
from sawt.web.survey_forms import SendInvitationsForm

SEND_ACTION = "survey.invitations_send"


def _stage_labels() -> dict[str, str]:
    return {
        "invited": _("Invited"),
        "sent": _("Sent"),
        "opened": _("Opened"),
        "started": _("Started answering"),
        "completed": _("Completed"),
    }


def _funnel_chart(funnel: dict[str, Any], *, rtl: bool) -> list[dict[str, Any]]:
    """The stages as bars scaled to the invitations, each with its count and share as text."""
    invited = funnel["invited"]
    labels = _stage_labels()
    return [
        {
            "stage": stage,
            "label": labels[stage],
            "count": funnel[stage],
            "share": funnel[stage] / invited if invited else None,
            "bar": bar_svg(funnel[stage] / invited if invited else 0.0, rtl=rtl),
        }
        for stage in STAGES
    ]


def _groups(funnel: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The table's row groups: every channel used, then every stratum (when stratified)."""
    channels = [
        {"label": Channel(code).label, **counts}
        for code, counts in funnel["by_channel"].items()
        if counts["invited"]
    ]
    groups = [(_("By channel"), channels)] if channels else []
    if funnel["by_stratum"]:
        column = funnel["stratified_by"] or _("stratum")
        strata = [{"label": s["stratum"] or _("(none)"), **s} for s in funnel["by_stratum"]]
        # The column's name is the sample file's (any script): isolated (FSI…PDI) in the sentence.
        groups.append((_("By %(column)s") % {"column": f"\u2068{column}\u2069"}, strata))
    return groups


def _page(
    request: HttpRequest,
    survey: Survey,
    *,
    form: SendInvitationsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    funnel = distribution_funnel(survey)
    rtl = translation.get_language_bidi()
    may_send = can(request.user, SEND_ACTION, survey)
    saved = invitation_settings(survey)
    context = {
        "survey": survey,
        "journey": survey.journey,
        "funnel": funnel,
        "chart": _funnel_chart(funnel, rtl=rtl) if funnel else [],
        "groups": _groups(funnel) if funnel else [],
        "failures": [(failure_label(code), n) for code, n in funnel["failures"].items()]
        if funnel
        else [],
        "draws": sample_draws(survey),
        # Unsaved settings show the defaults the invitations are sent with.
        "settings": saved or InvitationSettings(survey=survey),
        "settings_saved": saved is not None,
        # Only a sample can be invited: an imported survey has nobody to send to.
        "form": (form or SendInvitationsForm()) if may_send and funnel else None,
    }
    return render(request, "web/surveys/page.html", context, status=status)


def _see_other(url: str) -> HttpResponseRedirect:
    # 303: the browser fetches the page with GET, so a reload never queues invitations twice.
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


@login_required
def survey_page(request: HttpRequest, code: str) -> HttpResponse:
    """One survey: its sample, the funnel of its invitations, their settings."""
    return _page(request, selectors.survey_for_user(user=request.user, code=code))


@require_POST
@login_required
def survey_invitations_send(request: HttpRequest, code: str) -> HttpResponse:
    """Queue the survey's invitations (sent in the background), then back to its page."""
    survey = selectors.survey_for_user(user=request.user, code=code)
    require(request.user, SEND_ACTION, survey)
    form = SendInvitationsForm(request.POST)
    if not form.is_valid():
        return bad_request(request, form)
    try:
        queued = invitations_send(
            survey=survey,
            channel=form.cleaned_data["channel"],
            limit=form.cleaned_data["limit"],
            actor=request.user,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _page(request, survey, form=form, status=400)
    if queued:
        messages.success(
            request,
            ngettext(
                "%(count)s invitation was queued; it is sent in the background.",
                "%(count)s invitations were queued; they are sent in the background.",
                queued,
            )
            % {"count": f"{queued:,}"},
        )
    else:
        messages.info(request, _("Nobody was left to invite: everyone sampled has an invitation."))
    return _see_other(reverse("web:survey", args=[survey.code]))
