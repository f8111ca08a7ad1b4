"""`demo_load`: put the demo journeys into the database through the real services.

The records are generated as the files a ministry would upload, then imported with the same
import services `sawt import-*` uses; open texts are labelled, and the workshop and gaps are
recorded, through the services an analyst's actions call. Every step is idempotent, so loading
twice changes nothing.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from sawt.accounts.models import Membership
from sawt.accounts.services import membership_set, user_create
from sawt.catalog.choices import CategorySource
from sawt.catalog.models import Journey
from sawt.classification.label_services import category_assign
from sawt.classification.models import ClassifierModel, ThemeSource
from sawt.classification.services import journey_retrain
from sawt.classification.theme_services import theme_set_compute
from sawt.complaints.services import complaints_import
from sawt.core.access import Role
from sawt.demo.generator import DATA_DIR, Generated, generate, load_yaml
from sawt.demo.register import register_load
from sawt.surveys.models import Answer, Survey
from sawt.surveys.services import responses_import, survey_definition_import

# The seed's journey first: it is what the demo is about.
DEMO_JOURNEYS = ("contractor-classification", "building-permits")
DEMO_PERIOD = "2022-06"
# Other waves, (journey, period), without a register of their own: the earlier ones give the
# portfolio changes to test; the later ones measure the June register's fixes ("did it work?").
DEMO_EARLIER_WAVES: tuple[tuple[str, str], ...] = (
    ("contractor-classification", "2022-03"),
    ("building-permits", "2022-03"),
)
DEMO_LATER_WAVES: tuple[tuple[str, str], ...] = (
    ("contractor-classification", "2022-12"),
    ("building-permits", "2022-12"),
)
ADMIN_USERNAME = "admin"
# The published demo login of every demo account, printed by `sawt demo`: not a secret.
DEMO_PASSWORD = "sawt-demo"
# One account per role: (username, role, agency code). `agency` belongs to the seed journey's
# agency and `other-agency` to the second journey's, so scoping has something to show.
DEMO_ACCOUNTS: tuple[tuple[str, str, str | None], ...] = (
    (ADMIN_USERNAME, Role.ADMINISTRATOR, None),
    ("analyst", Role.ANALYST, None),
    ("agency", Role.AGENCY_MEMBER, "city-operators"),
    ("other-agency", Role.AGENCY_MEMBER, "urban-planning"),
    ("viewer", Role.VIEWER, None),
)


def _demo_account(username: str, role: str, agency_code: str | None, actor: Any) -> Any:
    """The demo account, created if missing; an account without a role gets this one."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        return user_create(
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            agency_code=agency_code,
            actor=actor,
        )
    # A database from before roles existed has `admin` without a membership; a role someone
    # has set since is theirs to keep.
    if not Membership.objects.filter(user=user).exists():
        membership_set(user=user, role=role, agency_code=agency_code, actor=actor)
    return user


def demo_admin() -> Any:
    """The demo's administrator, created with the published password only if missing."""
    return _demo_account(*DEMO_ACCOUNTS[0], actor=None)


def demo_accounts(*, actor: Any) -> list[Any]:
    """Every demo account, one per role; needs the demo agencies, so runs after the journeys."""
    return [_demo_account(*spec, actor=actor) for spec in DEMO_ACCOUNTS]


@transaction.atomic
def _label_open_texts(survey: Survey, generated: Generated, actor: Any) -> int:
    """File the open-text answers under gap categories as an analyst would; return how many."""
    categories = {c.code: c for c in survey.journey.gap_categories.all()}
    answers = Answer.objects.filter(
        question__survey=survey,
        question__code=generated.text_question,
        response__respondent_id__in=list(generated.answer_labels),
    ).select_related("response", "question__survey__journey", "category")
    labelled = 0
    for answer in answers:
        # An answer someone already filed (an earlier load, or an analyst since) keeps its label.
        if answer.category_id is not None:
            continue
        code = generated.answer_labels[answer.response.respondent_id]
        category_assign(
            obj=answer, category=categories[code], source=CategorySource.ANALYST, actor=actor
        )
        labelled += 1
    return labelled


def _load_journey(generated: Generated, actor: Any, *, register: bool = True) -> None:
    survey = survey_definition_import(path=generated.survey_yaml, actor=actor).survey
    responses_import(survey_code=generated.survey_code, path=generated.responses_csv, actor=actor)
    complaints_import(journey_slug=generated.slug, path=generated.complaints_csv, actor=actor)
    _label_open_texts(survey, generated, actor)
    if register:
        spec = load_yaml(DATA_DIR / f"{generated.slug}.register.yaml")
        register_load(survey=survey, spec=spec, actor=actor)


def _classify(journey: Journey, actor: Any) -> None:
    """Train the journey's first model on the imported labels and let it sort the complaints the
    source system left uncategorised, as the background job would; a second load keeps it.
    Then store the period's candidate themes, so the themes page shows them on the first visit
    rather than "being computed" (a second load finds them current and computes nothing)."""
    if not ClassifierModel.objects.filter(journey=journey).exists():
        journey_retrain(journey=journey, actor=actor)
    for source in ThemeSource.values:
        theme_set_compute(journey=journey, period=DEMO_PERIOD, source=source)


def demo_load(*, actor: Any = None) -> None:
    """Load the demo journeys (or complete a partial load); a second run changes nothing."""
    admin = demo_admin()
    with tempfile.TemporaryDirectory(prefix="sawt-demo-") as tmp:
        for slug in DEMO_JOURNEYS:
            _load_journey(generate(slug, Path(tmp)), actor or admin)
        for slug, period in (*DEMO_EARLIER_WAVES, *DEMO_LATER_WAVES):
            _load_journey(generate(slug, Path(tmp), period), actor or admin, register=False)
    for slug in DEMO_JOURNEYS:
        _classify(Journey.objects.get(slug=slug), actor or admin)
    demo_accounts(actor=actor or admin)
