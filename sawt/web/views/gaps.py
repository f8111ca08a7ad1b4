"""The gap register: list, one gap with its recommendations and history, and their writes.

Every read goes through sawt.gaps.selectors (scoped: another agency's gap is a 404); every
write checks permissions, then calls one service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sawt.catalog.models import Agency, Stage
from sawt.catalog.selectors import journeys_for
from sawt.core.access import can, require, role_of
from sawt.core.exceptions import ApplicationError
from sawt.core.i18n import pick
from sawt.core.numbers import Numbers
from sawt.gaps import evidence, services
from sawt.gaps.models import Gap, Recommendation, RecommendationEvent
from sawt.gaps.selectors import (
    GapSource,
    WithRecommendations,
    gap_get,
    gap_history,
    gap_list,
    gap_source_get,
    gaps_for,
    next_statuses,
    recommendation_get,
    verifications,
)
from sawt.gaps.transitions import can_move, role_may_move
from sawt.metrics.impact import recommendations_impact, target_names
from sawt.metrics.impact_render import KIND_LABELS, impact_view
from sawt.web.gap_forms import (
    CommentForm,
    GapFilterForm,
    GapForm,
    GapSourceForm,
    MoveForm,
    RecommendationEditForm,
    RecommendationForm,
)
from sawt.web.params import bad_request

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

PER_PAGE = 25


def _filter_choices(user: Any) -> dict[str, list[tuple[str, str]]]:
    journeys = journeys_for(user).order_by("slug")
    gaps = gaps_for(user)
    stages = Stage.objects.filter(journey__in=journeys).order_by("position", "code")
    return {
        "journey": [(j.slug, j.name) for j in journeys],
        "stage": list({s.code: (s.code, s.name) for s in stages}.values()),
        "agency": [(a.code, a.name) for a in Agency.objects.order_by("code")],
        "period": [
            (p, p) for p in gaps.order_by("-period").values_list("period", flat=True).distinct()
        ],
    }


@login_required
def gap_list_page(request: HttpRequest) -> HttpResponse:
    form = GapFilterForm(request.GET or None, choices=_filter_choices(request.user))
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    gaps = gap_list(user=request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(gaps, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/gaps/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "may_create": can(request.user, "gap.create"),
            "nav": "gaps",
        },
    )


@dataclass(frozen=True)
class _Card:
    """A recommendation's card on the gap page: what this person may do with it, what it
    should move, and whether it worked (sawt.metrics.impact)."""

    rec: Recommendation
    moves: list[str]
    form: RecommendationEditForm | None  # None: this person may not edit it
    targets: list[tuple[str, str]]  # (what kind, its name) of each target
    impact: dict | None  # impact_view of its live result; None until implemented
    verified: dict | None = None  # {"at", "impact"}: the result it was verified on


def _target_choices(names: dict[str, dict[str, dict[str, str]]]) -> dict[str, list]:
    def label(code: str, found: dict[str, str]) -> str:
        words = pick(found.get("ar", ""), found.get("en", ""))
        return f"{code} — {words}" if words else code

    return {
        kind: [(code, label(code, found)) for code, found in names[key].items()]
        for kind, key in (("items", "item"), ("stage", "stage"), ("category", "category"))
    }


def _targets_shown(rec: Recommendation, names: dict) -> list[tuple[str, str]]:
    targets = rec.targets or {}
    wanted = [("item", code) for code in targets.get("items") or []]
    wanted += [(kind, targets[kind]) for kind in ("stage", "category") if targets.get(kind)]
    shown = []
    for kind, code in wanted:
        found = names[kind].get(code)
        words = pick(found.get("ar", ""), found.get("en", "")) if found else ""
        shown.append((str(KIND_LABELS[kind]), f"{code} — {words}" if words else code))
    return shown


def _card(
    user: Any,
    rec: Recommendation,
    forms: dict[str, Any],
    *,
    names: dict,
    impact: dict | None,
    verification: RecommendationEvent | None,
) -> _Card:
    form = None
    if can(user, "recommendation.update", rec):
        targets = rec.targets or {}
        form = forms.pop(f"edit_{rec.pk}", None) or RecommendationEditForm(
            initial={
                "text_ar": rec.text_ar,
                "text_en": rec.text_en,
                "owner": rec.owner_id,
                "due_date": rec.due_date,
                "target_items": targets.get("items") or [],
                "target_stage": targets.get("stage") or "",
                "target_category": targets.get("category") or "",
                "version": rec.version,
            },
            prefix=f"r{rec.pk}",
            choices=_target_choices(names),
        )
    numbers = Numbers("latin")
    shown = impact_view(impact, numbers=numbers, names=names) if impact else None
    verified = None
    if verification is not None and verification.impact:
        verified = {
            "at": verification.at,
            "impact": impact_view(verification.impact, numbers=numbers, names=names),
        }
    return _Card(
        rec,
        next_statuses(user=user, recommendation=rec),
        form,
        _targets_shown(rec, names),
        shown if shown and shown["verdict"] else None,
        verified,
    )


def _detail(
    request: HttpRequest,
    gap: WithAnnotations[Gap, WithRecommendations],
    *,
    status: int = 200,
    **forms: Any,
) -> HttpResponse:
    """The gap page; `forms` replace the blank ones (a refused form shows its errors)."""
    user = request.user
    names = target_names(gap.journey)
    impacts = recommendations_impact(gap.recs)
    verified = verifications(gap.recs)
    cards = [
        _card(
            user,
            rec,
            forms,
            names=names,
            impact=impacts.get(rec.pk),
            verification=verified.get(rec.pk),
        )
        for rec in gap.recs
    ]
    # A recommendation is named by its place on this page (1, 2, …), as its card is headed:
    # its database id means nothing to a reader.
    numbers: dict[int | None, int] = {rec.pk: n for n, rec in enumerate(gap.recs, 1)}
    context = {
        "gap": gap,
        "cards": cards,
        "history": [
            (entry, numbers.get(entry.recommendation_id))
            for entry in gap_history(gap=gap, user=user)
        ],
        "rec_form": forms.get("rec_form") or RecommendationForm(initial={"owner": None}),
        "comment_form": forms.get("comment_form") or CommentForm(),
        "may_add": can(user, "recommendation.create", gap),
        "may_comment": can(user, "gap.comment", gap),
        "nav": "gaps",
    }
    return render(request, "web/gaps/detail.html", context, status=status)


@login_required
def gap_detail_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, gap_get(user=request.user, pk=pk))


def _refused(request: HttpRequest, pk: int, exc: ApplicationError, **forms: Any) -> HttpResponse:
    # Read again after the refusal: the page shows the state as stored now, not as submitted.
    messages.error(request, exc.message)
    status = 409 if "conflict" in exc.problems else 400
    return _detail(request, gap_get(user=request.user, pk=pk), status=status, **forms)


@require_POST
@login_required
def recommendation_add(request: HttpRequest, pk: int) -> HttpResponse:
    gap = gap_get(user=request.user, pk=pk)
    require(request.user, "recommendation.create", gap)
    form = RecommendationForm(request.POST)
    if not form.is_valid():
        return _detail(request, gap, status=400, rec_form=form)
    try:
        services.recommendation_create(gap=gap, **form.cleaned_data, actor=request.user)
    except ApplicationError as exc:
        return _refused(request, pk, exc, rec_form=form)
    messages.success(request, _("The recommendation was added."))
    return redirect("web:gap", pk=pk)


@require_POST
@login_required
def recommendation_move(request: HttpRequest, pk: int, rec: int) -> HttpResponse:
    gap = gap_get(user=request.user, pk=pk)
    recommendation = recommendation_get(user=request.user, gap=gap, pk=rec)
    require(request.user, "recommendation.transition", recommendation)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The status change was incomplete; nothing was changed."))
        return _detail(request, gap, status=400)
    data = form.cleaned_data
    expected, target = data["expected_status"], data["to_status"]
    # A move the pipeline forbids is refused by the service, with its message; a move the
    # pipeline allows but this role may not make is refused here.
    if can_move(expected, target) and not role_may_move(role_of(request.user), expected, target):
        raise PermissionDenied(_("Your role does not allow this status change."))
    try:
        services.recommendation_transition(
            recommendation=recommendation,
            to_status=target,
            expected_status=expected,
            expected_version=data["version"],
            actor=request.user,
        )
    except ApplicationError as exc:
        return _refused(request, pk, exc)
    messages.success(request, _("The recommendation's status was changed."))
    return redirect("web:gap", pk=pk)


@require_POST
@login_required
def recommendation_edit(request: HttpRequest, pk: int, rec: int) -> HttpResponse:
    gap = gap_get(user=request.user, pk=pk)
    recommendation = recommendation_get(user=request.user, gap=gap, pk=rec)
    require(request.user, "recommendation.update", recommendation)
    form = RecommendationEditForm(
        request.POST, prefix=f"r{rec}", choices=_target_choices(target_names(gap.journey))
    )
    if not form.is_valid():
        return _detail(request, gap, status=400, **{f"edit_{rec}": form})
    data, targets = form.split()
    try:
        services.recommendation_update(
            recommendation=recommendation,
            expected_version=data.pop("version"),
            **data,
            targets=targets,
            actor=request.user,
        )
    except ApplicationError as exc:
        # On a conflict the form shows the stored values again, not the stale ones.
        return _refused(request, pk, exc)
    messages.success(request, _("The recommendation was saved."))
    return redirect("web:gap", pk=pk)


@require_POST
@login_required
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    gap = gap_get(user=request.user, pk=pk)
    require(request.user, "gap.comment", gap)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _detail(request, gap, status=400, comment_form=form)
    try:
        services.gap_comment_add(gap=gap, text=form.cleaned_data["text"], actor=request.user)
    except ApplicationError as exc:
        return _refused(request, pk, exc, comment_form=form)
    messages.success(request, _("The comment was added."))
    return redirect("web:gap", pk=pk)


def _create(source: GapSource, form: GapForm, actor: Any) -> Gap:
    common = {
        "journey": source.journey,
        "period": source.period,
        "feedback_ar": form.cleaned_data["feedback_ar"],
        "feedback_en": form.cleaned_data["feedback_en"],
        "actor": actor,
    }
    stage = form.cleaned_data["stage"]
    if source.category is not None:
        return evidence.gap_create_from_category(category=source.category, stage=stage, **common)
    if source.question is not None:
        return evidence.gap_create_from_item(question=source.question, **common)
    if source.note is not None:
        return evidence.gap_create_from_note(note=source.note, **common)
    return services.gap_create(stage=stage, **common)


@login_required
def gap_new(request: HttpRequest) -> HttpResponse:
    params = GapSourceForm(request.POST if request.method == "POST" else request.GET)
    if not params.is_valid():
        return bad_request(request, params)
    source = gap_source_get(
        user=request.user, **{k: v for k, v in params.cleaned_data.items() if v is not None}
    )
    require(request.user, "gap.create", source.journey)
    if request.method == "POST":
        form = GapForm(request.POST, journey=source.journey)
        if form.is_valid():
            try:
                gap = _create(source, form, request.user)
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("The gap was recorded."))
                return redirect("web:gap", pk=gap.pk)
        status = 400
    else:
        form = GapForm(initial=source.initial(), journey=source.journey)
        status = 200
    return render(
        request, "web/gaps/new.html", {"form": form, "source": source, "nav": "gaps"}, status=status
    )
