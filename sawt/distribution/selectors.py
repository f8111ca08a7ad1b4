"""Reads of a survey's distribution: its sample draws, its invitation settings and the response
funnel (invited → sent → opened → started → completed), overall, by channel and by stratum.

The funnel is counted in the database, a fixed number of queries whatever the sample's size:
one GROUP BY over the survey's invitations and one count of its sampled people per stratum.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from sawt.distribution.choices import Channel, InvitationState
from sawt.distribution.models import Invitation, InvitationSettings, Invitee, SampleDraw
from sawt.surveys.models import Survey

S = InvitationState
# The stages of the funnel, in order; each counts everyone who reached it or a later one.
STAGES = ("invited", "sent", "opened", "started", "completed")
# Where invitations ended without an answer (their current state).
ENDINGS = ("queued", "failed", "expired", "opted_out")
# A failed invitation whose sender gave no reason.
UNSPECIFIED = "unspecified"
# The reasons a channel gives for a failure (sawt/distribution/channels.py), for people; the
# JSON keeps the codes, and a code not listed here is shown as it is.
FAILURE_LABELS = {
    "rejected": _("refused by the gateway or mail server"),
    "no_contact": _("no contact left to send to"),
    "unreachable": _("gateway or mail server unreachable"),
    "timeout": _("no answer in time"),
    "gateway_error": _("SMS gateway error"),
    "server_busy": _("mail server busy"),
    "server_error": _("mail server error"),
    UNSPECIFIED: _("no reason given"),
}


def failure_label(code: str) -> str:
    """A failure reason's code as a person reads it."""
    return str(FAILURE_LABELS.get(code, code))


def _reached(*times: str, states: tuple[str, ...]) -> Q:
    """Reached a stage: its own time or a later one is recorded, or the state says so (an
    invitation `completed` was also sent, opened and started, whatever times were kept)."""
    condition = Q(state__in=states)
    for time in times:
        condition |= Q(**{f"{time}__isnull": False})
    return condition


# The conditional counts of one GROUP BY, one per stage and ending.
_COUNTS: dict[str, Any] = {
    "invited": Count("id"),
    "sent": Count(
        "id",
        filter=_reached(
            "sent_at",
            "opened_at",
            "started_at",
            "completed_at",
            states=(S.SENT, S.OPENED, S.STARTED, S.COMPLETED),
        ),
    ),
    "opened": Count(
        "id",
        filter=_reached(
            "opened_at", "started_at", "completed_at", states=(S.OPENED, S.STARTED, S.COMPLETED)
        ),
    ),
    "started": Count(
        "id", filter=_reached("started_at", "completed_at", states=(S.STARTED, S.COMPLETED))
    ),
    "completed": Count("id", filter=_reached("completed_at", states=(S.COMPLETED,))),
    "queued": Count("id", filter=Q(state=S.QUEUED)),
    "failed": Count("id", filter=Q(state=S.FAILED)),
    "expired": Count("id", filter=Q(state=S.EXPIRED)),
    "opted_out": Count("id", filter=Q(state=S.OPTED_OUT)),
}


def _empty() -> dict[str, Any]:
    return {**dict.fromkeys((*STAGES, *ENDINGS), 0), "failures": {}}


def _add(into: dict[str, Any], row: dict[str, Any]) -> None:
    for key in (*STAGES, *ENDINGS):
        into[key] += row[key]
    if row["failed"]:
        reason = row["failure_reason"] or UNSPECIFIED
        into["failures"][reason] = into["failures"].get(reason, 0) + row["failed"]


def _finish(counts: dict[str, Any]) -> dict[str, Any]:
    """The response rate, and the failures largest first (the reason breaks ties)."""
    counts["response_rate"] = counts["completed"] / counts["invited"] if counts["invited"] else None
    counts["failures"] = dict(sorted(counts["failures"].items(), key=lambda kv: (-kv[1], kv[0])))
    return counts


def distribution_funnel(survey: Survey) -> dict[str, Any] | None:
    """The survey's response funnel (docs/summary.md, key `distribution`), or None when nobody
    was sampled or invited for it through sawt (its responses were imported)."""
    sampled = dict(
        Invitee.objects.filter(survey=survey)
        .values("stratum")
        .annotate(n=Count("id"))
        .values_list("stratum", "n")
    )
    if not sampled:
        return None
    rows = (
        Invitation.objects.filter(invitee__survey=survey)
        .values("channel", "invitee__stratum", "failure_reason")
        .annotate(**_COUNTS)
        .order_by()
    )
    overall = _empty()
    by_channel = {channel: _empty() for channel in Channel.values}
    by_stratum: dict[str, dict[str, Any]] = defaultdict(_empty)
    for row in rows:
        _add(overall, row)
        _add(by_channel.setdefault(row["channel"], _empty()), row)
        _add(by_stratum[row["invitee__stratum"]], row)
    stratified = any(sampled) or any(by_stratum)
    strata = []
    if stratified:
        for value in sorted(set(sampled) | set(by_stratum)):
            counts = _finish(by_stratum.get(value) or _empty())
            strata.append({"stratum": value or None, "sampled": sampled.get(value, 0), **counts})
    return {
        "sampled": sum(sampled.values()),
        **_finish(overall),
        "by_channel": {channel: _finish(c) for channel, c in by_channel.items()},
        "stratified_by": _strata_column(survey) if stratified else None,
        "by_stratum": strata,
    }


def _strata_column(survey: Survey) -> str | None:
    """The column the survey's latest stratified sample was drawn by."""
    return (
        SampleDraw.objects.filter(survey=survey)
        .exclude(strata="")
        .order_by("-created_at", "-id")
        .values_list("strata", flat=True)
        .first()
    )


def sample_draws(survey: Survey) -> list[SampleDraw]:
    """The survey's sample draws, newest first, with who drew them."""
    return list(SampleDraw.objects.filter(survey=survey).select_related("created_by"))


def invitation_settings(survey: Survey) -> InvitationSettings | None:
    """The survey's invitation settings, or None when they were never set."""
    return InvitationSettings.objects.filter(survey=survey).first()
