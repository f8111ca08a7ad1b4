"""Choosing which column is which: the imports page's preview of a complaints file, or of a
survey responses file in sawt's own table, that sawt cannot read as its own (or whose columns
the analyst asked to map), saved as the journey's column mapping (one for each kind of file)
and used for its later uploads.

The upload waits in its private directory between the preview and the confirmation; the
session knows it by its random slot (the page never takes a path from the browser), holds at
most `MAX_PREVIEWS` of them, and a preview left for `PREVIEW_MAX_AGE` is deleted.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from sawt.catalog.models import Journey
from sawt.catalog.selectors import journeys_for
from sawt.complaints.mappings import (
    complaints_mapping_delete,
    complaints_mapping_of,
    complaints_mapping_save,
    mapping_yaml,
    responses_mapping_delete,
    responses_mapping_of,
    responses_mapping_save,
)
from sawt.complaints.models import SavedMapping
from sawt.core.access import can, require
from sawt.core.exceptions import ApplicationError
from sawt.imports.mapping import (
    COLUMNS,
    MAX_HEADER_ROW,
    REQUIRED,
    Target,
    alias_key,
    alias_of,
    mapped_table,
    profile_from_dict,
)
from sawt.imports.problems import ImportFailed
from sawt.imports.readers import (
    PREVIEW_ROWS,
    detect_kind,
    normalise_header,
    open_table,
    preview_rows,
)
from sawt.imports.xlsx import sheet_names
from sawt.surveys.importers.responses import response_layout
from sawt.surveys.models import Question, Survey
from sawt.surveys.selectors import surveys_for
from sawt.web.tasks import (
    COMPLAINTS,
    RESPONSES,
    import_enqueue,
    upload_delete,
    upload_path,
    uploads_dir,
)

ACTION = "complaint.mapping_save"
# The permission to save each kind of file's mapping.
ACTIONS = {COMPLAINTS: ACTION, RESPONSES: "survey.mapping_save"}
SESSION_KEY = "sawt_import_previews"
MAX_PREVIEWS = 3
PREVIEW_MAX_AGE = 24 * 3600
MARKER = ".preview"
MAX_VALUE_LINES = 200
TARGET: Target = "complaints"
DATE_FORMATS = (
    ("", gettext_lazy("yyyy-mm-dd (ISO, sawt's own)")),
    ("dd/mm/yyyy", "dd/mm/yyyy"),
    ("dd-mm-yyyy", "dd-mm-yyyy"),
    ("dd.mm.yyyy", "dd.mm.yyyy"),
    ("mm/dd/yyyy", "mm/dd/yyyy"),
    ("yyyy/mm/dd", "yyyy/mm/dd"),
)
CALENDARS = (
    ("gregorian", gettext_lazy("Gregorian")),
    ("hijri", gettext_lazy("Hijri (Umm al-Qura)")),
)
COLUMN_LABELS = {
    "complaint_id": gettext_lazy("Complaint number (complaint_id)"),
    "received_at": gettext_lazy("Date received (received_at)"),
    "text": gettext_lazy("Complaint text (text)"),
    "channel": gettext_lazy("Channel (channel)"),
    "category": gettext_lazy("Category (category)"),
    "respondent_id": gettext_lazy("Respondent (respondent_id)"),
    "submitted_at": gettext_lazy("Time submitted (submitted_at)"),
}


# --- Where the upload waits -----------------------------------------------------------------


def preview_start(
    request: HttpRequest,
    place: str,
    journey: Journey,
    name: str,
    *,
    kind: str = COMPLAINTS,
    survey: str = "",
) -> str:
    """Keep an uploaded file for its preview; the URL of the preview page. `kind` is the
    file's (complaints, or responses to the survey whose code is `survey`)."""
    _sweep()
    slot = place.partition("/")[0]
    (upload_path(place).parent / MARKER).touch(mode=0o600)
    previews: dict[str, Any] = dict(request.session.get(SESSION_KEY) or {})
    previews[slot] = {"place": place, "journey": journey.slug, "name": name, "at": time.time()}
    if kind == RESPONSES:
        previews[slot].update(kind=RESPONSES, survey=survey)
    # A session keeps its latest few previews; the older uploads go.
    for old in sorted(previews, key=lambda s: previews[s].get("at", 0))[:-MAX_PREVIEWS]:
        upload_delete(str(previews.pop(old).get("place", "")))
    request.session[SESSION_KEY] = previews
    return reverse("web:import_mapping", args=[slot])


def _sweep() -> None:
    """Delete previews nobody confirmed within `PREVIEW_MAX_AGE`."""
    limit = time.time() - PREVIEW_MAX_AGE
    for directory in uploads_dir().iterdir():
        marker = directory / MARKER
        try:
            if marker.is_file() and marker.stat().st_mtime < limit:
                shutil.rmtree(directory, ignore_errors=True)
        except OSError:
            continue


def _preview_of(request: HttpRequest, slot: str) -> dict[str, Any]:
    found = (request.session.get(SESSION_KEY) or {}).get(slot)
    if not isinstance(found, dict):
        raise Http404(_("This preview has ended: upload the file again."))
    try:
        path = upload_path(str(found.get("place", "")))
    except ApplicationError:
        raise Http404(_("This preview has ended: upload the file again.")) from None
    if not path.is_file():
        raise Http404(_("This preview has ended: upload the file again."))
    return {**found, "path": path}


def _forget(request: HttpRequest, slot: str) -> None:
    previews = dict(request.session.get(SESSION_KEY) or {})
    previews.pop(slot, None)
    request.session[SESSION_KEY] = previews


# --- The form -------------------------------------------------------------------------------


class MappingForm(forms.Form):
    """Where the table is and which of its columns feeds each of sawt's."""

    sheet = forms.ChoiceField(label=gettext_lazy("Sheet"), required=False)
    header_row = forms.IntegerField(
        label=gettext_lazy("Row of the column names"),
        min_value=1,
        max_value=MAX_HEADER_ROW,
        initial=1,
        help_text=gettext_lazy("The rows above it (titles) are skipped."),
    )
    date_format = forms.ChoiceField(
        label=gettext_lazy("Dates are written as"), choices=DATE_FORMATS, required=False
    )
    calendar = forms.ChoiceField(label=gettext_lazy("Calendar"), choices=CALENDARS)
    channel_values = forms.CharField(
        label=gettext_lazy("Channel names (optional)"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=gettext_lazy(
            "One a line: the file's name = the channel sawt stores, e.g. بلدي = balady-portal."
        ),
    )
    drop = forms.MultipleChoiceField(
        label=gettext_lazy("Columns never read (e.g. personal data)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        sheets: list[str],
        columns: list[str],
        target: Target = TARGET,
        questions: Sequence[Question] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.target: Target = target
        # sawt's columns, then (for responses) the survey's question codes.
        self.codes = [normalise_header(q.code) for q in questions] if target == RESPONSES else []
        self.names = list(COLUMNS[target]) + [c for c in self.codes if c not in COLUMNS[target]]
        labels: dict[str, Any] = dict(COLUMN_LABELS)
        for question in questions:
            labels.setdefault(normalise_header(question.code), f"{question.text} ({question.code})")
        sheet = cast(forms.ChoiceField, self.fields["sheet"])
        if sheets:
            sheet.choices = [(name, name) for name in sheets]
        else:
            del self.fields["sheet"]
        options = [("", _("— none —"))] + [(c, c) for c in columns]
        for name in self.names:
            required = name in REQUIRED[target]
            self.fields[f"col_{name}"] = forms.ChoiceField(
                label=labels[name],
                choices=options,
                required=required,
                error_messages={
                    "required": _("Choose the file's column that holds %(name)s.") % {"name": name}
                },
            )
        cast(forms.MultipleChoiceField, self.fields["drop"]).choices = [(c, c) for c in columns]
        # The sawt columns first, as the person reads down the form.
        order = ["sheet", "header_row"] + [f"col_{n}" for n in self.names]
        order += ["date_format", "calendar", "channel_values", "drop"]
        self.order_fields(order)
        if target == RESPONSES:
            del self.fields["channel_values"]

    def clean_channel_values(self) -> dict[str, str]:
        text = self.cleaned_data.get("channel_values") or ""
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) > MAX_VALUE_LINES:
            raise forms.ValidationError(
                _("At most %(limit)s channel names.") % {"limit": MAX_VALUE_LINES}
            )
        found: dict[str, str] = {}
        for number, line in enumerate(lines, start=1):
            written, sep, stored = line.partition("=")
            if not sep or not written.strip() or not stored.strip():
                raise forms.ValidationError(
                    _("Line %(line)s: write the file's name = the channel sawt stores.")
                    % {"line": number}
                )
            found[written.strip()] = stored.strip()
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen: dict[str, str] = {}
        for name in self.names:
            column = data.get(f"col_{name}")
            if not column:
                continue
            if column in chosen:
                self.add_error(
                    f"col_{name}",
                    _("“%(column)s” is already chosen for %(other)s; a column feeds one of them.")
                    % {"column": column, "other": chosen[column]},
                )
            else:
                chosen[column] = name
        for column in data.get("drop") or ():
            if column in chosen:
                self.add_error(
                    "drop",
                    _("“%(column)s” is chosen for %(name)s: it cannot also be dropped.")
                    % {"column": column, "name": chosen[column]},
                )
        if self.codes and not any(data.get(f"col_{code}") for code in self.codes):
            self.add_error(
                f"col_{self.codes[0]}",
                _("Choose the file's column for at least one question of the survey."),
            )
        return data

    def profile(self) -> dict[str, Any]:
        """The choices as a mapping profile's YAML data (as a `--mapping` file holds)."""
        data = self.cleaned_data
        profile: dict[str, Any] = {}
        if data.get("sheet"):
            profile["sheet"] = data["sheet"]
        profile["header_row"] = data["header_row"]
        profile["columns"] = {
            name: data[f"col_{name}"] for name in self.names if data.get(f"col_{name}")
        }
        dates: dict[str, str] = {"calendar": data.get("calendar") or "gregorian"}
        if data.get("date_format"):
            dates["format"] = data["date_format"]
        profile["dates"] = dates
        if data.get("channel_values"):
            profile["values"] = {"channel": data["channel_values"]}
        if data.get("drop"):
            profile["drop"] = list(data["drop"])
        return profile


def _recogniser(target: Target, questions: Sequence[Question]) -> Callable[[str], str | None]:
    """What sawt reads a header name as without a profile: its own columns and the built-in
    aliases, and for responses a question's code or its text (Arabic or English)."""
    if target != RESPONSES:
        return lambda name: alias_of(target, name)
    codes = {normalise_header(q.code) for q in questions}
    texts: dict[str, str] = {}
    for question in questions:
        for text in (question.text_ar, question.text_en):
            if text and text.strip():
                texts.setdefault(alias_key(text), normalise_header(question.code))

    def recognise(name: str) -> str | None:
        own = normalise_header(name)
        if own in codes:
            return own
        return alias_of(target, name) or texts.get(alias_key(name))

    return recognise


def _initial(
    saved: dict[str, Any] | None,
    columns: list[str],
    sheet: str,
    row: int,
    recognise: Callable[[str], str | None] | None = None,
) -> dict:
    """The saved mapping's choices, else what the built-in aliases recognise."""
    initial: dict[str, Any] = {"header_row": row, "sheet": sheet, "calendar": "gregorian"}
    if saved:
        for name, column in (saved.get("columns") or {}).items():
            if column in columns:
                initial[f"col_{name}"] = column
        dates = saved.get("dates") or {}
        initial["date_format"] = dates.get("format", "")
        initial["calendar"] = dates.get("calendar", "gregorian")
        channel = (saved.get("values") or {}).get("channel") or {}
        initial["channel_values"] = "\n".join(f"{k} = {v}" for k, v in channel.items())
        initial["drop"] = [c for c in saved.get("drop") or () if c in columns]
    recognise = recognise or (lambda name: alias_of(TARGET, name))
    taken = {v for k, v in initial.items() if k.startswith("col_")}
    for column in columns:
        name = recognise(column)
        if name and f"col_{name}" not in initial and column not in taken:
            initial[f"col_{name}"] = column
    return initial


def _guess_header_row(
    rows: list[tuple[int, list[str]]], recognise: Callable[[str], str | None] | None = None
) -> int:
    """The first row naming a column as sawt knows it (title lines above it), else row 1."""
    recognise = recognise or (lambda name: alias_of(TARGET, name))
    for number, cells in rows:
        if any(recognise(c) for c in cells if c):
            return number
    return rows[0][0] if rows else 1


# --- The pages ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_mapping(request: HttpRequest, slot: str) -> HttpResponse:
    """The preview: sheets, first rows, and a choice of the file's column for each of sawt's;
    "save" stores the mapping for the journey and imports the file with it."""
    if not any(can(request.user, action) for action in ACTIONS.values()):
        require(request.user, ACTION)
    preview = _preview_of(request, slot)
    kind = RESPONSES if preview.get("kind") == RESPONSES else COMPLAINTS
    action = ACTIONS[kind]
    require(request.user, action)
    journey = get_object_or_404(journeys_for(request.user), slug=preview["journey"])
    require(request.user, action, journey)
    survey: Survey | None = None
    questions: list[Question] = []
    target: Target = TARGET
    if kind == RESPONSES:
        survey = get_object_or_404(
            surveys_for(request.user), code=str(preview.get("survey") or ""), journey=journey
        )
        questions = list(survey.questions.order_by("position", "pk"))
        target = "responses"
        saved = responses_mapping_of(journey)
    else:
        saved = complaints_mapping_of(journey)
    recognise = _recogniser(target, questions)
    path: Path = preview["path"]
    context: dict[str, Any] = {
        "journey": journey,
        "name": preview["name"],
        "slot": slot,
        "kind": kind,
        "survey": survey,
    }
    posted = request.POST if request.method == "POST" else None
    try:
        sheets = sheet_names(path) if detect_kind(path) == "xlsx" else []
    except ApplicationError as exc:
        return _unreadable(request, context, exc)
    source = posted if posted is not None else request.GET
    sheet = str(source.get("sheet") or (saved or {}).get("sheet") or (sheets[0] if sheets else ""))
    if sheets and sheet not in sheets:
        sheet = sheets[0]
    try:
        rows = preview_rows(path, sheet=sheet or None)
    except ApplicationError as exc:
        return _unreadable(request, context, exc)
    row = _whole(source.get("header_row"))
    if row is None:
        row = _whole((saved or {}).get("header_row")) or _guess_header_row(rows, recognise)
    row = min(max(row, 1), MAX_HEADER_ROW)
    columns, header_problem = _columns(path, sheet, row)
    saving = posted is not None and posted.get("action") == "save"
    form = MappingForm(
        posted if saving else None,
        initial=_initial(saved, columns, sheet, row, recognise),
        sheets=sheets,
        columns=columns,
        target=target,
        questions=questions,
    )
    if saving and form.is_valid():
        done = _save(request, form, journey, preview, slot, survey, questions)
        if isinstance(done, HttpResponse):
            return done
        for message in done:
            form.add_error(None, message)
    width = max((len(cells) for _n, cells in rows), default=0)
    context.update(
        form=form,
        rows=[(n, cells + [""] * (width - len(cells))) for n, cells in rows],
        width=range(width),
        header_row=row,
        header_problem=header_problem,
        preview_rows=PREVIEW_ROWS,
        saved=saved,
    )
    status = 400 if saving else 200
    return render(request, "web/imports/mapping.html", context, status=status)


def _whole(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 6:
        return int(value)
    return None


def _columns(path: Path, sheet: str, row: int) -> tuple[list[str], str]:
    """The file's column names on `row` (as written), or why there are none."""
    try:
        with open_table(path, sheet=sheet or None, header_row=row) as table:
            written = [w.strip() for w in table.raw_header]
    except ApplicationError as exc:
        return [], exc.message
    seen: list[str] = []
    for name in written:
        if name and name not in seen:
            seen.append(name)
    return seen, ""


def _save(
    request: HttpRequest,
    form: MappingForm,
    journey: Journey,
    preview: dict[str, Any],
    slot: str,
    survey: Survey | None = None,
    questions: Sequence[Question] = (),
) -> HttpResponse | list[str]:
    """Store the mapping and import the file with it; else the problems, each naming a field.
    With a `survey`, the file is that survey's responses (sawt's own table)."""
    profile = form.profile()
    try:
        checked = profile_from_dict(profile)
        with open_table(
            preview["path"], sheet=checked.sheet, header_row=checked.header_row
        ) as table:
            if survey is None:
                mapped_table(table, TARGET, checked)
            else:
                mapped = mapped_table(table, "responses", checked, questions=questions)
                response_layout(mapped.table.header, questions)
    except ImportFailed as exc:
        return [str(p) for p in exc.problems] or [exc.message]
    except ApplicationError as exc:
        return [exc.message]
    if survey is None:
        complaints_mapping_save(actor=request.user, journey=journey, profile=profile)
    else:
        responses_mapping_save(actor=request.user, journey=journey, profile=profile)
    place = str(preview["place"])
    (preview["path"].parent / MARKER).unlink(missing_ok=True)
    _forget(request, slot)
    try:
        if survey is None:
            job = import_enqueue(
                kind=COMPLAINTS,
                place=place,
                name=str(preview["name"]),
                journey=journey.slug,
                mapping=profile,
                actor=request.user,
            )
        else:
            job = import_enqueue(
                kind=RESPONSES,
                place=place,
                name=str(preview["name"]),
                survey=survey.code,
                source="sawt",
                mapping=profile,
                actor=request.user,
            )
    except BaseException:
        upload_delete(place)
        raise
    response = redirect(reverse("web:import_status", args=[job.pk]))
    response.status_code = 303
    return response


def _unreadable(
    request: HttpRequest, context: dict[str, Any], error: ApplicationError
) -> HttpResponse:
    problems = [str(p) for p in getattr(error, "problems", ())]
    context.update(form=None, unreadable=error.message, problems=problems)
    return render(request, "web/imports/mapping.html", context, status=400)


def _journey(request: HttpRequest, slug: str, kind: str = COMPLAINTS) -> Journey:
    action = ACTIONS.get(kind)
    if action is None:
        raise Http404(_("This journey has no saved column mapping."))
    require(request.user, action)
    journey = get_object_or_404(journeys_for(request.user), slug=slug)
    require(request.user, action, journey)
    return journey


@login_required
def mapping_download(request: HttpRequest, slug: str, kind: str = COMPLAINTS) -> HttpResponse:
    """The journey's saved mapping (for complaints, or `kind` responses) as a `--mapping`
    YAML file."""
    journey = _journey(request, slug, kind)
    saved = responses_mapping_of(journey) if kind == RESPONSES else complaints_mapping_of(journey)
    if saved is None:
        raise Http404(_("This journey has no saved column mapping."))
    response = HttpResponse(mapping_yaml(saved), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{journey.slug}-{kind}-mapping.yaml"'
    return response


@login_required
@require_POST
def mapping_remove(request: HttpRequest, slug: str, kind: str = COMPLAINTS) -> HttpResponse:
    """Forget the journey's saved mapping: its next uploads are read as sawt's own again."""
    journey = _journey(request, slug, kind)
    if kind == RESPONSES:
        responses_mapping_delete(actor=request.user, journey=journey)
    else:
        complaints_mapping_delete(actor=request.user, journey=journey)
    response = redirect(reverse("web:imports"))
    response.status_code = 303
    return response


def saved_mappings_for(user: Any) -> list[SavedMapping]:
    """The saved mappings of the journeys this person may map (for the imports page)."""
    kinds = [kind for kind, action in ACTIONS.items() if can(user, action)]
    if not kinds:
        return []
    return list(
        SavedMapping.objects.filter(journey__in=journeys_for(user), kind__in=kinds)
        .select_related("journey")
        .order_by("journey__slug", "kind")
    )
