"""The imports page: upload a journey definition, responses or complaints through the browser.

A thin interface over the same services `sawt import-*` calls: the file is checked by size and
name before it is saved, saved to a temporary directory, imported all or nothing, and the
person sees the result line or every problem (row, column, problem) with nothing written.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from sawt.accounts.permissions import can, require
from sawt.accounts.scoping import journeys_for, surveys_for
from sawt.catalog.models import Journey
from sawt.complaints.services import complaints_import
from sawt.core.exceptions import ApplicationError
from sawt.imports.problems import ImportFailed, RowProblem
from sawt.surveys.models import Survey
from sawt.surveys.services import responses_import, survey_definition_import

DEFINITION, RESPONSES, COMPLAINTS = "definition", "responses", "complaints"
# Each kind of file: the permission it needs and the file names it accepts.
ACTIONS = {
    DEFINITION: "survey.definition_import",
    RESPONSES: "survey.responses_import",
    COMPLAINTS: "complaint.import",
}
SUFFIXES = {
    DEFINITION: (".yaml", ".yml"),
    RESPONSES: (".csv", ".xlsx"),
    COMPLAINTS: (".csv", ".xlsx"),
}
KIND_LABELS = {
    DEFINITION: gettext_lazy("Journey definition (YAML)"),
    RESPONSES: gettext_lazy("Survey responses (CSV or XLSX)"),
    COMPLAINTS: gettext_lazy("Complaints (CSV or XLSX)"),
}
# A multipart body carries the file plus a few fields and boundaries: allow for them.
_FORM_OVERHEAD = 64 * 1024


class _ScopedChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        if isinstance(obj, Survey):
            return f"{obj.journey.name} · {obj.period} ({obj.code})"
        return f"{obj.name} ({obj.slug})"


class ImportForm(forms.Form):
    """What to import and where; the choices are only what the person may see."""

    kind = forms.ChoiceField(label=gettext_lazy("What the file holds"))
    survey = _ScopedChoice(
        label=gettext_lazy("Survey"),
        queryset=Survey.objects.none(),
        required=False,
        help_text=gettext_lazy("Only for survey responses."),
    )
    journey = _ScopedChoice(
        label=gettext_lazy("Journey"),
        queryset=Journey.objects.none(),
        required=False,
        help_text=gettext_lazy("Only for complaints."),
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("A .yaml or .yml definition, or a .csv or .xlsx table."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (kind, label) for kind, label in KIND_LABELS.items() if can(user, ACTIONS[kind])
        ]
        # Scoped at the source: another agency's survey or journey is not a valid choice.
        surveys = surveys_for(user).select_related("journey").order_by("journey__slug", "period")
        self.fields["survey"].queryset = surveys
        self.fields["journey"].queryset = journeys_for(user)

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        limit = settings.SAWT_IMPORT_MAX_BYTES
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(too_large_message(upload.size))
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind, upload = data.get("kind"), data.get("file")
        if kind == RESPONSES and not data.get("survey"):
            self.add_error("survey", _("Choose the survey these responses answer."))
        if kind == COMPLAINTS and not data.get("journey"):
            self.add_error("journey", _("Choose the journey these complaints are about."))
        if kind and upload is not None:
            suffix = Path(upload.name or "").suffix.lower()
            if suffix not in SUFFIXES[kind]:
                self.add_error(
                    "file",
                    _("This kind of import takes a file ending in %(suffixes)s.")
                    % {"suffixes": " / ".join(SUFFIXES[kind])},
                )
        return data


def _megabytes(size: int) -> str:
    return f"{size / 1024**2:,.1f}"


def too_large_message(size: int) -> str:
    return _("The file is too large (%(size)s MB); the limit is %(limit)s MB.") % {
        "size": _megabytes(size),
        "limit": _megabytes(settings.SAWT_IMPORT_MAX_BYTES),
    }


def _saved_name(upload: UploadedFile) -> str:
    """A safe name for the temporary copy, keeping the person's name for messages and audit."""
    name = Path(upload.name or "").name
    try:
        return get_valid_filename(name)
    except SuspiciousFileOperation:
        return "upload" + Path(name).suffix.lower()


def _run(kind: str, data: dict[str, Any], path: Path, actor: Any) -> str:
    """Call the service the command line calls and word its result as the command does."""
    if kind == DEFINITION:
        survey = survey_definition_import(path=path, actor=actor)
        return _("Survey “%(code)s” (%(period)s): %(summary)s") % {
            "code": survey.code,
            "period": survey.period,
            "summary": survey.import_result.summary("items"),  # type: ignore[attr-defined]
        }
    if kind == RESPONSES:
        code = data["survey"].code
        result = responses_import(survey_code=code, path=path, actor=actor)
        return _("Responses for survey “%(code)s”: %(summary)s") % {
            "code": code,
            "summary": result.summary(),
        }
    slug = data["journey"].slug
    result = complaints_import(journey_slug=slug, path=path, actor=actor)
    return _("Complaints for journey “%(slug)s”: %(summary)s") % {
        "slug": slug,
        "summary": result.summary(),
    }


def _import_upload(upload: UploadedFile, call: Callable[[Path], str]) -> str:
    with tempfile.TemporaryDirectory(prefix="sawt-upload-") as directory:
        path = Path(directory) / _saved_name(upload)
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        return call(path)


def _failure_context(error: ApplicationError) -> dict[str, Any]:
    """The refusal as the page shows it: the summary, a table of problems, any other lines."""
    rows = [p for p in error.problems if isinstance(p, RowProblem)]
    others = [str(p) for p in error.problems if not isinstance(p, RowProblem)]
    failed = isinstance(error, ImportFailed)
    unit = error.unit if failed else "row"
    more = error.lines()[-1] if failed and error.more else None
    return {
        "message": error.message,
        "problems": rows,
        "others": others,
        "unit": unit,
        "more": more,
    }


@login_required
@require_http_methods(["GET", "POST"])
def imports_page(request: HttpRequest) -> HttpResponse:
    if not any(can(request.user, action) for action in ACTIONS.values()):
        raise PermissionDenied(_("Your role does not allow this action."))
    context: dict[str, Any] = {"max_mb": _megabytes(settings.SAWT_IMPORT_MAX_BYTES)}
    if request.method == "GET":
        return _page(request, ImportForm(user=request.user), context)
    # Refuse an oversized body from its declared length, before Django reads or stores it.
    declared = int(request.META.get("CONTENT_LENGTH") or 0)
    if declared > settings.SAWT_IMPORT_MAX_BYTES + _FORM_OVERHEAD:
        context["failure"] = {"message": too_large_message(declared), "problems": []}
        return _page(request, ImportForm(user=request.user), context, status=413)
    form = ImportForm(request.POST, request.FILES, user=request.user)
    if not form.is_valid():
        too_large = (
            form.has_error("file")
            and "file" in request.FILES
            and (request.FILES["file"].size > settings.SAWT_IMPORT_MAX_BYTES)
        )
        return _page(request, form, context, status=413 if too_large else 400)
    kind = form.cleaned_data["kind"]
    require(request.user, ACTIONS[kind])
    try:
        context["result"] = _import_upload(
            form.cleaned_data["file"],
            lambda path: _run(kind, form.cleaned_data, path, request.user),
        )
    except ApplicationError as error:
        context["failure"] = _failure_context(error)
        return _page(request, form, context, status=422)
    return _page(request, ImportForm(user=request.user), context)


def _page(
    request: HttpRequest, form: ImportForm, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(request, "web/imports/page.html", {**context, "form": form}, status=status)
