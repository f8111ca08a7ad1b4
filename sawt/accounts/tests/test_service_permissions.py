"""Every write service checks its caller itself: a viewer or an agency member calling one
directly (an API, a command, the admin, a script) is refused with nothing written, exactly as
the web pages refuse them. `actor=None` is the system and passes; interfaces never send it."""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from sawt.accounts import services as accounts
from sawt.catalog.choices import CategorySource
from sawt.classification import services as classification
from sawt.classification.label_services import category_assign
from sawt.classification.models import ClassifierModel
from sawt.complaints.models import Complaint
from sawt.complaints.services import complaints_import
from sawt.core.access import Role
from sawt.core.models import AuditEvent
from sawt.gaps import services as gaps
from sawt.gaps.choices import RecommendationStatus as S
from sawt.gaps.models import Gap, GapComment, Recommendation, RecommendationEvent
from sawt.surveys.services import responses_import, survey_definition_import
from sawt.testing import factories as f
from sawt.workshops import services as workshops
from sawt.workshops.models import Workshop, WorkshopNote

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "docs" / "examples"


def _trained() -> Any:
    from sawt.textanalytics import classifier as ml

    texts = ["الدخول لا يعمل", "تعذر الدخول", "لا أستطيع الدخول", "الرسوم مرتفعة", "خصم الرسوم"]
    texts.append("رسوم مكررة")
    return ml.train(texts, ["login"] * 3 + ["fees"] * 3, folds=2)


# Each write service, called as a person would call it; `w` is the world built below.
CALLS: dict[str, Callable[[SimpleNamespace, Any], Any]] = {
    "user_create": lambda w, actor: accounts.user_create(
        username="newcomer", password="a-long-passphrase-9", role=Role.VIEWER, actor=actor
    ),
    "membership_set": lambda w, actor: accounts.membership_set(
        user=w.viewer, role=Role.ADMINISTRATOR, actor=actor
    ),
    "category_assign": lambda w, actor: category_assign(
        obj=w.complaint, category=w.category, source=CategorySource.ANALYST, actor=actor
    ),
    "classifier_save": lambda w, actor: classification.classifier_save(
        name="banking", trained=_trained(), actor=actor
    ),
    "journey_classifier_train": lambda w, actor: classification.journey_classifier_train(
        journey=w.journey, actor=actor
    ),
    "journey_retrain": lambda w, actor: classification.journey_retrain(
        journey=w.journey, actor=actor
    ),
    "review_settle": lambda w, actor: classification.review_settle(
        complaint=w.complaint, category=w.category, actor=actor
    ),
    "retrain_enqueue": lambda w, actor: classification.retrain_enqueue(
        journey=w.journey, actor=actor
    ),
    "classify_enqueue": lambda w, actor: classification.classify_enqueue(
        journey=w.journey, actor=actor
    ),
    "theme_promote": lambda w, actor: classification.theme_promote(
        journey=w.journey, name_ar="موضوع جديد", code="new-theme", actor=actor
    ),
    "gap_create": lambda w, actor: gaps.gap_create(
        journey=w.journey, period="2022-06", feedback_ar="ملاحظة", actor=actor
    ),
    "recommendation_create": lambda w, actor: gaps.recommendation_create(
        gap=w.gap, text_ar="قرار", owner=w.agency, actor=actor
    ),
    "recommendation_transition": lambda w, actor: gaps.recommendation_transition(
        recommendation=w.recommendation,
        to_status=S.APPROVED,
        expected_status=S.PROPOSED,
        actor=actor,
    ),
    "recommendation_update": lambda w, actor: gaps.recommendation_update(
        recommendation=w.recommendation,
        expected_version=w.recommendation.version,
        text_ar="قرار معدل",
        owner=w.agency,
        due_date=None,
        actor=actor,
    ),
    "gap_comment_add": lambda w, actor: gaps.gap_comment_add(
        gap=w.other_gap, text="تعليق", actor=actor
    ),
    "workshop_create": lambda w, actor: workshops.workshop_create(
        journey=w.journey,
        title_ar="ورشة",
        title_en="",
        held_on=w.gap.created_at.date(),
        actor=actor,
    ),
    "workshop_note_add": lambda w, actor: workshops.workshop_note_add(
        workshop=w.workshop, text="ملاحظة من الورشة", actor=actor
    ),
    "survey_definition_import": lambda w, actor: survey_definition_import(
        path=EXAMPLES / "contractor-classification.yaml", actor=actor
    ),
    "responses_import": lambda w, actor: responses_import(
        survey_code=w.survey.code, path=EXAMPLES / "responses.csv", actor=actor
    ),
    "complaints_import": lambda w, actor: complaints_import(
        journey_slug=w.journey.slug, path=EXAMPLES / "complaints.csv", actor=actor
    ),
}


@pytest.fixture
def world() -> SimpleNamespace:
    agency = f.AgencyFactory(code="city-operators")
    journey = f.JourneyFactory(slug="contractor-classification", agency=agency)
    category = f.GapCategoryFactory(journey=journey, code="login")
    gap = f.GapFactory(journey=journey)
    # Another agency's gap, which an agency member of `agency` cannot see.
    other_gap = f.GapFactory(journey=f.JourneyFactory(agency=f.AgencyFactory(code="elsewhere")))
    model = _trained()
    ClassifierModel.objects.create(
        name=journey.slug,
        version=1,
        journey=journey,
        labels=model.labels,
        training_size=6,
        train_seconds=0,
        threshold=model.threshold,
        artefact=model.dumps(),
    )
    return SimpleNamespace(
        agency=agency,
        journey=journey,
        category=category,
        survey=f.SurveyFactory(journey=journey, period="2022-06"),
        complaint=f.ComplaintFactory(journey=journey),
        gap=gap,
        other_gap=other_gap,
        recommendation=f.RecommendationFactory(gap=gap, owner=agency),
        workshop=f.WorkshopFactory(journey=journey),
        viewer=f.user_with_role(Role.VIEWER, username="omar"),
        member=f.user_with_role(Role.AGENCY_MEMBER, agency=agency, username="saad"),
    )


def _state() -> dict[str, Any]:
    """What a refused call must leave exactly as it was."""
    from django.contrib.auth import get_user_model

    from sawt.accounts.models import Membership
    from sawt.catalog.models import GapCategory, Journey
    from sawt.jobs.models import Job
    from sawt.surveys.models import Response, Survey

    counted = [
        AuditEvent,
        get_user_model(),
        GapCategory,
        Journey,
        Survey,
        Response,
        Complaint,
        ClassifierModel,
        Job,
        Gap,
        Recommendation,
        RecommendationEvent,
        GapComment,
        Workshop,
        WorkshopNote,
    ]
    state: dict[str, Any] = {model.__name__: model.objects.count() for model in counted}
    state["roles"] = sorted(Membership.objects.values_list("user__username", "role"))
    state["labels"] = sorted(Complaint.objects.values_list("pk", "category_source"))
    state["recommendations"] = sorted(
        Recommendation.objects.values_list("pk", "status", "version", "text_ar")
    )
    return state


@pytest.mark.parametrize("who", ["viewer", "member"])
@pytest.mark.parametrize("service", sorted(CALLS))
def test_a_viewer_or_agency_member_calling_a_service_directly_is_refused(world, who, service):
    before = _state()
    with pytest.raises(PermissionDenied):
        CALLS[service](world, getattr(world, who))
    assert _state() == before


def test_an_agency_member_cannot_make_the_ministrys_move_even_on_its_own_recommendation(world):
    # proposed → approved is the ministry's decision; the web page hid the button, the service
    # used to accept it from anyone.
    with pytest.raises(PermissionDenied):
        gaps.recommendation_transition(
            recommendation=world.recommendation,
            to_status=S.APPROVED,
            expected_status=S.PROPOSED,
            actor=world.member,
        )
    world.recommendation.refresh_from_db()
    assert (world.recommendation.status, world.recommendation.version) == (S.PROPOSED, 1)


def test_an_agency_member_reports_progress_on_its_own_recommendation(world):
    rec = world.recommendation
    rec = gaps.recommendation_transition(
        recommendation=rec, to_status=S.APPROVED, expected_status=S.PROPOSED, actor=None
    )
    rec = gaps.recommendation_transition(
        recommendation=rec, to_status=S.IN_PROGRESS, expected_status=S.APPROVED, actor=world.member
    )
    assert rec.status == S.IN_PROGRESS
    last = AuditEvent.objects.filter(action="recommendation.transition").order_by("pk").last()
    assert last.actor_label == "saad"


def test_an_agency_member_comments_on_a_gap_it_can_see(world):
    comment = gaps.gap_comment_add(gap=world.gap, text="تم التواصل", actor=world.member)
    assert comment.author == world.member


def test_an_anonymous_visitor_is_refused_too(world):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        gaps.gap_create(
            journey=world.journey, period="2022-06", feedback_ar="ملاحظة", actor=AnonymousUser()
        )
    assert not Gap.objects.filter(feedback_ar="ملاحظة").exists()


def test_the_system_may_act(world):
    # The operator's commands, the demo loader and background jobs pass actor=None.
    gap = gaps.gap_create(journey=world.journey, period="2022-06", feedback_ar="ملاحظة", actor=None)
    assert AuditEvent.objects.get(action="gap.create", object_id=str(gap.pk)).actor_label == (
        "system"
    )


# --- interfaces never speak for the system ------------------------------------------------------

INTERFACES = [
    *sorted((ROOT / "sawt" / "web" / "views").glob("*.py")),
    ROOT / "sawt" / "reports" / "views.py",
    ROOT / "sawt" / "accounts" / "views.py",
    *sorted((ROOT / "sawt").glob("*/admin.py")),
    # The API's views, not its tests (which make tokens and fixtures as the system).
    *sorted(p for p in (ROOT / "sawt").glob("api/**/*.py") if "tests" not in p.parts),
]


def _service_names() -> set[str]:
    """Every public function of a services module that takes an `actor`."""
    import sawt.surveys.services as surveys

    modules = [accounts, classification, gaps, workshops, surveys]
    modules += [__import__("sawt.classification.label_services", fromlist=["x"])]
    modules += [__import__("sawt.complaints.services", fromlist=["x"])]
    modules += [__import__("sawt.gaps.evidence", fromlist=["x"])]
    return {
        name
        for module in modules
        for name, fn in vars(module).items()
        if callable(fn) and not name.startswith("_") and _takes_actor(fn)
    }


def _takes_actor(fn: Any) -> bool:
    try:
        return "actor" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def _called_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def test_interfaces_always_pass_the_person_as_actor():
    services = _service_names()
    assert {"gap_create", "review_settle", "complaints_import"} <= services
    problems = []
    for path in INTERFACES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            actor = next((k.value for k in node.keywords if k.arg == "actor"), None)
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if isinstance(actor, ast.Constant) and actor.value is None:
                problems.append(f"{where} passes actor=None")
            elif _called_name(node) in services and actor is None:
                if not any(k.arg is None for k in node.keywords):  # **kwargs may carry it
                    problems.append(f"{where} calls {_called_name(node)} without an actor")
    assert problems == []
