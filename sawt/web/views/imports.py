"""The imports page: upload a journey definition, responses, complaints or a survey's sample
(the service users it asks) through the browser.

A thin interface over the same services `sawt import-*` calls: the file is checked by size and
name before it is saved, saved to a private directory, and imported all or nothing by a
background job (sawt.web.tasks), so the page never waits for a large file. The person is sent
to the import's status page, which follows it and then shows the result line or every problem
(row, column, problem) with nothing written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.text import get_valid_filename
from django.utils.translation import get_language_info, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sawt.catalog.models import Journey
from sawt.catalog.selectors import journeys_for
from sawt.complaints.mappings import complaints_mapping_of, responses_mapping_of
from sawt.core.access import can, require
from sawt.core.exceptions import ApplicationError
from sawt.core.middleware import accepts_uploads
from sawt.distribution.sampling import SEED_MAX
from sawt.imports.mapping import REQUIRED, mapped_table
from sawt.imports.readers import open_table, preview_rows
from sawt.jobs.choices import JobStatus
from sawt.jobs.models import Job
from sawt.surveys.importers.responses import response_layout
from sawt.surveys.models import Survey
from sawt.surveys.selectors import surveys_for
from sawt.surveys.sources import available
from sawt.surveys.sources.recognise import recognised_source
from sawt.web.tasks import (
    COMPLAINTS,
    DEFINITION,
    RESPONSES,
    SAMPLE,
    import_enqueue,
    imports_for,
    upload_delete,
    upload_path,
    upload_save,
)
from sawt.web.views.import_mapping import preview_start, saved_mappings_for

# The imports page lists the person's latest background imports, newest first.
RECENT = 5
# A status page still waiting reloads itself this often (a meta refresh: no script needed).
REFRESH_SECONDS = 2
# Each kind of file: the permission it needs and the file names it accepts.
ACTIONS = {
    DEFINITION: "survey.definition_import",
    RESPONSES: "survey.responses_import",
    COMPLAINTS: "complaint.import",
    SAMPLE: "survey.sample_import",
}
SUFFIXES = {
    DEFINITION: (".yaml", ".yml"),
    RESPONSES: (".csv", ".xlsx"),
    COMPLAINTS: (".csv", ".xlsx"),
    SAMPLE: (".csv", ".xlsx"),
}
KIND_LABELS = {
    DEFINITION: gettext_lazy("Journey definition (YAML)"),
    RESPONSES: gettext_lazy("Survey responses (CSV or XLSX)"),
    COMPLAINTS: gettext_lazy("Complaints (CSV or XLSX)"),
    SAMPLE: gettext_lazy("Service users to invite to a survey (CSV or XLSX)"),
}
# Kinds that go into a survey: the form asks which.
FOR_A_SURVEY = (RESPONSES, SAMPLE)
# Whose export a responses file is (sawt.surveys.sources, `--from` on the command line).
SOURCE_LABELS = {
    "sawt": gettext_lazy("sawt's own table"),
    "kobo": "KoboToolbox",
    "odk": "ODK Central",
    "qualtrics": "Qualtrics",
    "limesurvey": "LimeSurvey",
    "forms": gettext_lazy("Google Forms or Microsoft Forms"),
    "spss": "SPSS",
}
# The files each source reads, where they are not a .csv or .xlsx table.
SOURCE_SUFFIXES = {
    "odk": (".csv", ".zip"),
    "limesurvey": (".csv", ".lsa"),
    "spss": (".sav", ".zsav"),
}


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
        help_text=gettext_lazy("For survey responses and for service users to invite."),
    )
    source = forms.ChoiceField(
        label=gettext_lazy("Exported from"),
        required=False,
        initial="sawt",
        help_text=gettext_lazy("Only for survey responses: the tool the file comes from."),
    )
    journey = _ScopedChoice(
        label=gettext_lazy("Journey"),
        queryset=Journey.objects.none(),
        required=False,
        help_text=gettext_lazy("Only for complaints."),
    )
    map_columns = forms.BooleanField(
        label=gettext_lazy("Choose which column is which"),
        required=False,
        help_text=gettext_lazy(
            "For complaints, and survey responses in sawt's own table: see the file first and "
            "say which of its columns holds what (saved for the journey's later files). A file "
            "sawt cannot read as its own is always shown so."
        ),
    )
    # A sample's draw, as `sawt import-sample` takes it (--sample, --seed, --strata).
    sample = forms.IntegerField(
        label=gettext_lazy("Sample size"),
        required=False,
        min_value=1,
        help_text=gettext_lazy(
            "Only for service users: invite a random sample of this many (blank: everyone)."
        ),
    )
    seed = forms.IntegerField(
        label=gettext_lazy("Random seed"),
        required=False,
        min_value=0,
        max_value=SEED_MAX,
        help_text=gettext_lazy(
            "The same file and seed draw the same people; blank: one is drawn and recorded."
        ),
    )
    strata = forms.CharField(
        label=gettext_lazy("Stratify by column"),
        required=False,
        max_length=100,
        help_text=gettext_lazy(
            "An attribute column of the file, such as region: each of its values gets its "
            "share of the sample."
        ),
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "A .yaml or .yml definition, or a .csv or .xlsx table (LimeSurvey's responses may "
            "also be an .lsa archive, SPSS's a .sav file)."
        ),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            (kind, label) for kind, label in KIND_LABELS.items() if can(user, ACTIONS[kind])
        ]
        cast(forms.ChoiceField, self.fields["source"]).choices = [
            (source, SOURCE_LABELS.get(source, source)) for source in available()
        ]
        # Scoped at the source: another agency's survey or journey is not a valid choice.
        surveys = surveys_for(user).select_related("journey").order_by("journey__slug", "period")
        cast(forms.ModelChoiceField, self.fields["survey"]).queryset = surveys
        cast(forms.ModelChoiceField, self.fields["journey"]).queryset = journeys_for(user)

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        limit = settings.SAWT_IMPORT_MAX_BYTES
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(too_large_message(upload.size))
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, upload = data.get("kind"), data.get("file")
        if kind == RESPONSES and not data.get("survey"):
            self.add_error("survey", _("Choose the survey these responses answer."))
        if kind == SAMPLE and not data.get("survey"):
            self.add_error("survey", _("Choose the survey these people are invited to."))
        if kind == SAMPLE and data.get("seed") is not None and data.get("sample") is None:
            self.add_error(
                "seed", _("A seed only matters for a random sample: give the sample size too.")
            )
        if kind == COMPLAINTS and not data.get("journey"):
            self.add_error("journey", _("Choose the journey these complaints are about."))
        if kind and upload is not None:
            suffix = Path(upload.name or "").suffix.lower()
            suffixes = SUFFIXES[kind]
            if kind == RESPONSES:
                suffixes = SOURCE_SUFFIXES.get(data.get("source") or "sawt", suffixes)
            if suffix not in suffixes:
                self.add_error(
                    "file",
                    _("This kind of import takes a file ending in %(suffixes)s.")
                    % {"suffixes": " / ".join(suffixes)},
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
    """A safe name for the stored copy, keeping the person's name for messages and audit."""
    name = Path(upload.name or "").name
    try:
        return get_valid_filename(name)
    except SuspiciousFileOperation:
        return "upload" + Path(name).suffix.lower()


def _see_other(url: str) -> HttpResponseRedirect:
    # 303: the browser fetches the status page with GET, so a reload never uploads again.
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


@accepts_uploads(*ACTIONS.values())
@login_required
@require_http_methods(["GET", "POST"])
def imports_page(request: HttpRequest) -> HttpResponse:
    """The form; a valid upload is saved and imported in the background (its status page)."""
    if not any(can(request.user, action) for action in ACTIONS.values()):
        raise PermissionDenied(_("Your role does not allow this action."))
    context: dict[str, Any] = {
        "max_mb": _megabytes(settings.SAWT_IMPORT_MAX_BYTES),
        "recent": imports_for(request.user).filter(created_by_id=request.user.pk)[:RECENT],
        "mappings": saved_mappings_for(request.user),
    }
    if request.method == "GET":
        return _page(request, ImportForm(user=request.user), context)
    # A body over the limit by its declared length never gets here: RequestBodyLimitMiddleware
    # refused it unread (this view accepts uploads). A file that turns out larger than
    # declared is refused by the form.
    form = ImportForm(request.POST, request.FILES, user=request.user)
    if not form.is_valid():
        sent = request.FILES.get("file")
        too_large = (
            form.has_error("file")
            and isinstance(sent, UploadedFile)
            and (sent.size or 0) > settings.SAWT_IMPORT_MAX_BYTES
        )
        return _page(request, form, context, status=413 if too_large else 400)
    data = form.cleaned_data
    kind = data["kind"]
    require(request.user, ACTIONS[kind])
    upload: UploadedFile = data["file"]
    name = _saved_name(upload)
    place = upload_save(upload, name)
    mapping = None
    if kind == COMPLAINTS:
        journey = data["journey"]
        mapping = complaints_mapping_of(journey)
        if can(request.user, "complaint.mapping_save", journey) and (
            data.get("map_columns") or (mapping is None and not _reads_as_own(place))
        ):
            return _see_other(
                preview_start(request, place, journey, Path(upload.name or name).name)
            )
    elif kind == RESPONSES and (data.get("source") or "sawt") == "sawt":
        survey = data["survey"]
        mapping = responses_mapping_of(survey.journey)
        if can(request.user, "survey.mapping_save", survey.journey) and (
            data.get("map_columns")
            or (mapping is None and not _responses_read_as_own(place, survey))
        ):
            return _see_other(
                preview_start(
                    request,
                    place,
                    survey.journey,
                    Path(upload.name or name).name,
                    kind=RESPONSES,
                    survey=survey.code,
                )
            )
    try:
        job = import_enqueue(
            kind=kind,
            place=place,
            name=Path(upload.name or name).name,
            survey=data["survey"].code if kind in FOR_A_SURVEY else "",
            source=(data.get("source") or "sawt") if kind == RESPONSES else "",
            journey=data["journey"].slug if kind == COMPLAINTS else "",
            sample=data.get("sample") if kind == SAMPLE else None,
            seed=data.get("seed") if kind == SAMPLE else None,
            strata=(data.get("strata") or "").strip() if kind == SAMPLE else "",
            mapping=mapping,
            actor=request.user,
        )
    except BaseException:
        upload_delete(place)  # nothing will read it
        raise
    return _see_other(reverse("web:import_status", args=[job.pk]))


def _reads_as_own(place: str) -> bool:
    """Whether a complaints file's columns read as sawt's (own names or built-in aliases); a
    file that cannot be read at all is left to the import, which says why."""
    path = upload_path(place)
    try:
        with open_table(path) as table:
            header = mapped_table(table, "complaints").table.header
        if not set(REQUIRED["complaints"]) <= set(header):
            raise ApplicationError("")
    except ApplicationError:
        try:
            preview_rows(path, limit=1)
        except ApplicationError:
            return True
        return False
    return True


def _responses_read_as_own(place: str, survey: Survey) -> bool:
    """Whether a responses file reads as sawt's table (`respondent_id` and a question's column,
    by own names, built-in aliases or question texts); a file that cannot be read at all, or
    that another tool wrote (the import says which "exported from" to choose), is left to the
    import, which says why."""
    path = upload_path(place)
    questions = list(survey.questions.all())
    try:
        with open_table(path) as table:
            if recognised_source(table.raw_header or table.header, table.header):
                return True
            header = mapped_table(table, "responses", questions=questions).table.header
        response_layout(header, questions)
    except ApplicationError:
        try:
            preview_rows(path, limit=1)
        except ApplicationError:
            return True
        return False
    return True


def _page(
    request: HttpRequest, form: ImportForm, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(request, "web/imports/page.html", {**context, "form": form}, status=status)


@login_required
def import_status(request: HttpRequest, pk: int) -> HttpResponse:
    """How a background import stands: queued, running (rows read, rows saved), then the
    result line or the table of problems. Only its owner (and administrators) see it."""
    job = get_object_or_404(imports_for(request.user), pk=pk)
    result: dict[str, Any] = job.result or {}
    # The messages were written in the language the person read when sending the file: shown
    # in that language's direction, whatever language the page is in now.
    language = str(job.payload.get("language") or settings.LANGUAGE_CODE)
    bidi = get_language_info(language)["bidi"] if language in dict(settings.LANGUAGES) else True
    context = {
        "job": job,
        "payload": job.payload,
        "messages_lang": language,
        "messages_dir": "rtl" if bidi else "ltr",
        "kind_label": KIND_LABELS.get(str(job.payload.get("kind")), ""),
        "finished": job.is_finished,
        "message": result.get("message", "") if job.status == JobStatus.SUCCEEDED else "",
        "failure": _failure(job) if job.status == JobStatus.FAILED else None,
        "refresh_seconds": REFRESH_SECONDS,
    }
    return render(request, "web/imports/status.html", context)


def _failure(job: Job) -> dict[str, Any]:
    """The refusal as the page shows it; a job that failed outside the import (the worker
    stopped on its last attempt) has only its error line."""
    details: dict[str, Any] = job.result or {}
    return {
        "message": details.get("message") or job.error_summary,
        "problems": [
            {"row": row, "column": column, "message": message}
            for row, column, message in details.get("problems", [])
        ],
        "others": details.get("others", []),
        "unit": details.get("unit", "row"),
        "more": details.get("more"),
    }
