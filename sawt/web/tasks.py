"""Imports started from the imports page, run in the background: where the upload waits, the
job that imports it with the same services `sawt import-*` calls, and who may see it.

Django imports this module at every start (WebConfig.ready), so it stays light: the import
services are imported inside the handler.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from sawt.core.access import Role, role_of
from sawt.core.exceptions import ApplicationError
from sawt.imports.db import ImportBusy
from sawt.jobs.errors import JobFailure, TransientError
from sawt.jobs.models import Job
from sawt.jobs.registry import Progress, register
from sawt.jobs.services import job_enqueue

IMPORT_JOB = "web.import"
DEFINITION, RESPONSES, COMPLAINTS = "definition", "responses", "complaints"
# The service users a survey asks (sawt import-sample).
SAMPLE = "sample"
# An upload's private directory: a random name nobody can guess or collide with.
_SLOT = re.compile(r"^[0-9a-f]{32}$")


# --- Where the upload waits -----------------------------------------------------------------


def uploads_dir() -> Path:
    """SAWT_HOME/uploads, readable by this account only."""
    directory = Path(settings.SAWT_HOME) / "uploads"
    directory.mkdir(mode=0o700, exist_ok=True)
    directory.chmod(0o700)  # whatever the umask made of it
    return directory


def upload_save(upload: UploadedFile, name: str) -> str:
    """Copy the upload into a private directory of its own; its place ("slot/name") for the
    job. `name` must be a safe file name (the person's, cleaned): messages and the audit
    trail name the file as the person knows it."""
    slot = secrets.token_hex(16)
    directory = uploads_dir() / slot
    directory.mkdir(mode=0o700)
    # Created owner-only from the start (never readable by others, even for a moment) and
    # never over an existing file.
    fd = os.open(directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return f"{slot}/{name}"


def upload_path(place: str) -> Path:
    """The file a job's payload names, refusing anything but "slot/name" inside the uploads
    directory (a payload is data: it must not lead anywhere else)."""
    slot, _sep, name = place.partition("/")
    if not _SLOT.match(slot) or not name or Path(name).name != name or name in {".", ".."}:
        raise ApplicationError(_("The uploaded file of this import cannot be found."))
    return uploads_dir() / slot / name


def upload_delete(place: str) -> None:
    """Delete the upload and its directory (once the import has ended, whatever the outcome)."""
    try:
        path = upload_path(place)
    except ApplicationError:
        return
    shutil.rmtree(path.parent, ignore_errors=True)


# --- The job --------------------------------------------------------------------------------


def import_enqueue(
    *,
    kind: str,
    place: str,
    name: str,
    actor: Any,
    survey: str = "",
    journey: str = "",
    sample: int | None = None,
    seed: int | None = None,
    strata: str = "",
    source: str = "",
    mapping: dict[str, Any] | None = None,
) -> Job:
    """Queue the import of an uploaded file; the page at /imports/<job id>/ follows it.

    `sample`, `seed` and `strata` are a sample file's draw, as `sawt import-sample` takes them;
    `source` is whose export a responses file is (`--from`); `mapping` a complaints file's or
    a sawt responses table's mapping profile (its YAML data: a journey's saved mapping)."""
    payload = {
        "kind": kind,
        "file": place,
        "name": name,
        "survey": survey,
        "journey": journey,
        "sample": sample,
        "seed": seed,
        "strata": strata,
        "source": source,
        "mapping": mapping,
        "user": getattr(actor, "pk", None),
        # Messages and the problem table come in the language the person was reading.
        "language": translation.get_language() or settings.LANGUAGE_CODE,
    }
    return job_enqueue(kind=IMPORT_JOB, payload=payload, actor=actor)


def _actor(payload: dict[str, Any]) -> Any:
    user_id = payload.get("user")
    user = get_user_model().objects.filter(pk=user_id).first() if isinstance(user_id, int) else None
    if user is None:
        raise ApplicationError(_("The account that started this import no longer exists."))
    return user


def _run(kind: str, payload: dict[str, Any], path: Path, actor: Any, progress: Progress) -> str:
    """Call the service the command line calls and word its result as the command does."""
    from sawt.complaints.services import complaints_import
    from sawt.distribution.services.sample import sample_import
    from sawt.surveys.services import responses_import, survey_definition_import

    if kind == DEFINITION:
        imported = survey_definition_import(path=path, actor=actor)
        return _("Survey “%(code)s” (%(period)s): %(summary)s") % {
            "code": imported.survey.code,
            "period": imported.survey.period,
            "summary": imported.result.summary("items"),
        }
    from sawt.complaints.mappings import mapping_profile_of

    mapping = payload.get("mapping")
    if kind == RESPONSES:
        code = payload["survey"]
        result = responses_import(
            survey_code=code,
            path=path,
            source=str(payload.get("source") or "sawt"),
            actor=actor,
            on_progress=progress,
            mapping=mapping_profile_of(mapping if isinstance(mapping, dict) else None),
        )
        # Then, as the command says it, what became of the columns (and rows a tool's
        # source skipped, such as Qualtrics' previews).
        return _("Responses for survey “%(code)s”: %(summary)s") % {
            "code": code,
            "summary": result.summary(),
        } + "".join(f" {line}" for line in result.lines()[1:])
    if kind == SAMPLE:
        code = payload["survey"]
        drawn = sample_import(
            survey_code=code,
            path=path,
            sample=_whole(payload.get("sample")),
            seed=_whole(payload.get("seed")),
            strata=str(payload.get("strata") or ""),
            actor=actor,
            on_progress=progress,
        )
        return _("Sample for survey “%(code)s”: %(summary)s") % {
            "code": code,
            "summary": drawn.summary(),
        }
    slug = payload["journey"]
    result = complaints_import(
        journey_slug=slug,
        path=path,
        actor=actor,
        on_progress=progress,
        mapping=mapping_profile_of(mapping if isinstance(mapping, dict) else None),
    )
    return _("Complaints for journey “%(slug)s”: %(summary)s") % {
        "slug": slug,
        "summary": result.summary(),
    } + "".join(f" {line}" for line in result.lines()[1:])


def _whole(value: Any) -> int | None:
    # A payload is data: only a whole number is one (a bool is not).
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def failure_details(error: ApplicationError) -> dict[str, Any]:
    """The refusal as the page shows it: the summary, a table of problems, any other lines."""
    from sawt.imports.problems import ImportFailed, RowProblem

    failed = isinstance(error, ImportFailed)
    rows = [[p.row, p.column, p.message] for p in error.problems if isinstance(p, RowProblem)]
    return {
        "message": error.message,
        "problems": rows,
        "others": [str(p) for p in error.problems if not isinstance(p, RowProblem)],
        "unit": error.unit if failed else "row",  # type: ignore[attr-defined]
        "more": error.lines()[-1] if failed and error.more else None,  # type: ignore[attr-defined]
    }


def _ended(payload: dict[str, Any]) -> None:
    # The copy of the upload goes once the import has ended, succeeded or refused: nothing
    # is lost on failure, since the import wrote all of the file or nothing of it.
    upload_delete(str(payload.get("file", "")))


@register(IMPORT_JOB, on_end=_ended)
def import_file(payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Import an uploaded file; the summary line, or a JobFailure with the problem table."""
    with translation.override(payload.get("language") or settings.LANGUAGE_CODE):
        try:
            actor = _actor(payload)
            path = upload_path(str(payload.get("file", "")))
            message = _run(str(payload.get("kind")), payload, path, actor, progress)
        except PermissionDenied as exc:
            raise JobFailure(str(exc) or _("Your role does not allow this action.")) from exc
        except ImportBusy as exc:
            # Another import held the database for longer than an import waits: nothing was
            # written, so this one is simply tried again later (with back-off).
            raise TransientError(exc.message) from exc
        except ApplicationError as exc:
            raise JobFailure(exc.message, details=failure_details(exc)) from exc
    return {"message": message}


# --- Who may see it -------------------------------------------------------------------------


def imports_for(user: Any) -> QuerySet[Job]:
    """The background imports this person may follow: their own; every one for administrators."""
    jobs = Job.objects.filter(kind=IMPORT_JOB).select_related("created_by")
    if role_of(user) == Role.ADMINISTRATOR:
        return jobs
    return jobs.filter(created_by_id=getattr(user, "pk", None) or -1)
