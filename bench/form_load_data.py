"""The database side of bench/form_load.py, run with DATABASE_URL and SAWT_HOME set.

`python bench/form_load_data.py setup --survey CODE --count N --out FILE` gives the survey N
invitees with an invitation each, sent, and one message per invitation whose link token is
made by sawt.distribution.links (as a delivery makes it); the tokens (which sawt never stores)
and the survey's question codes go to FILE as JSON. `check --survey CODE` prints what the
database holds afterwards: invitations by state, responses, respondents, answers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sawt.config.settings")

import django

django.setup()

from django.db import transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from sawt.distribution.choices import Channel, InvitationState, MessageKind  # noqa: E402
from sawt.distribution.contacts import contact_hash  # noqa: E402
from sawt.distribution.links import token_hash, token_new  # noqa: E402
from sawt.distribution.models import Invitation, InvitationMessage, Invitee  # noqa: E402
from sawt.surveys.models import Answer, Response, Survey  # noqa: E402


def setup(survey_code: str, count: int, out: Path) -> dict[str, Any]:
    """N people invited by SMS, their links sent an hour ago and valid for two weeks."""
    survey = Survey.objects.get(code=survey_code)
    now = timezone.now()
    sent = now - dt.timedelta(hours=1)
    tokens = [token_new() for _ in range(count)]
    with transaction.atomic():
        invitees = Invitee.objects.bulk_create(
            Invitee(
                survey=survey,
                reference_id=f"LOAD-{i:06d}",
                mobile=f"+9665{i:08d}",
                mobile_hash=contact_hash(f"+9665{i:08d}"),
                attributes={"region": ("riyadh", "makkah", "eastern")[i % 3]},
            )
            for i in range(count)
        )
        invitations = Invitation.objects.bulk_create(
            Invitation(
                invitee=invitee,
                channel=Channel.SMS,
                state=InvitationState.SENT,
                sent_at=sent,
                expires_at=now + dt.timedelta(days=14),
            )
            for invitee in invitees
        )
        InvitationMessage.objects.bulk_create(
            InvitationMessage(
                invitation=invitation,
                kind=MessageKind.INVITATION,
                channel=Channel.SMS,
                token_hash=token_hash(token),
                sent_at=sent,
                attempts=1,
            )
            for invitation, token in zip(invitations, tokens, strict=True)
        )
    questions = list(survey.questions.values("code", "kind", "scale_min", "scale_max"))
    out.write_text(json.dumps({"tokens": tokens, "questions": questions}))
    return {"invitations": len(invitations), "questions": len(questions)}


def check(survey_code: str) -> dict[str, Any]:
    """What the survey's invitations and responses are after the run."""
    survey = Survey.objects.get(code=survey_code)
    states = dict(
        Invitation.objects.filter(invitee__survey=survey)
        .values("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    responses = Response.objects.filter(survey=survey)
    return {
        "states": states,
        "completed_with_time": Invitation.objects.filter(
            invitee__survey=survey, state=InvitationState.COMPLETED, completed_at__isnull=False
        ).count(),
        "completed_with_response": Invitation.objects.filter(
            invitee__survey=survey, response__isnull=False
        ).count(),
        "responses": responses.count(),
        "respondents": responses.values("respondent_id").distinct().count(),
        "respondents_invited": responses.filter(
            respondent_id__in=Invitee.objects.filter(survey=survey).values("reference_id")
        ).count(),
        "answers": Answer.objects.filter(response__survey=survey).count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("action", choices=["setup", "check"])
    parser.add_argument("--survey", required=True)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.action == "setup":
        if args.out is None:
            parser.error("setup needs --out")
        result = setup(args.survey, args.count, args.out)
    else:
        result = check(args.survey)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
