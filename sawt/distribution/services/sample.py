"""sample_import: the service users a survey may ask, from a file, drawn at random if wanted.

All or nothing like every import: a row with a problem (no reference, a number that is not a
Saudi mobile, a malformed address…) refuses the whole file, listed by row and column. What is
not a problem of the file is dropped and reported instead: a person listed twice in the file
(same reference, mobile or e-mail as an earlier row), someone who asked not to be contacted
(opt-outs, by keyed hash), and someone already invited to this survey.

The order is what keeps a re-run harmless (the same file and seed change nothing): the
population is the file's distinct people less those who opted out, the draw is made from it
(sawt.distribution.sampling), and only then are the people already invited dropped. A person
already invited therefore stays in the population even if they opted out since: a re-run
draws the same people, finds them invited, and writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sawt.core.access import authorize
from sawt.core.audit import audit_record
from sawt.core.events import event_announce
from sawt.core.exceptions import ApplicationError
from sawt.distribution.contacts import contact_hash
from sawt.distribution.importers import SampleRow, parse_sample, sample_layout
from sawt.distribution.models import Invitee, OptOut, SampleDraw
from sawt.distribution.sample_size import sample_size_recount
from sawt.distribution.sampling import SEED_MAX, Candidate, draw, new_seed
from sawt.imports.db import bulk_insert, import_lock, import_transaction, waits_its_turn
from sawt.imports.problems import ProblemCollector
from sawt.imports.progress import READING, SAVING, ProgressCallback, report, report_reading
from sawt.imports.readers import open_table
from sawt.surveys.models import Survey

ACTION = "survey.sample_import"
INSERT_COLUMNS = (
    "survey_id",
    "reference_id",
    "mobile",
    "email",
    "mobile_hash",
    "email_hash",
    "language",
    "service_completed_at",
    "attributes",
    "stratum",
    "created_at",
    "updated_at",
)
# Rows named in the result line for each kind of dropped row; the rest are only counted.
LISTED_ROWS = 10
_CHUNK = 5000


@dataclass(frozen=True)
class SampleImport:
    """What a sample import did: rows read, the population, the draw, and who was invited."""

    rows: int
    population: int
    drawn: int
    invited: int
    # The seed of a random draw; None when everyone in the population was taken.
    seed: int | None
    strata: str
    # Asked for --sample N but the population held no more than N: everyone was taken.
    asked: int | None = None
    duplicate_rows: list[int] = field(default_factory=list)
    opted_out_rows: list[int] = field(default_factory=list)
    already_invited_rows: list[int] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.invited > 0

    def as_dict(self) -> dict[str, Any]:
        """The figures for the audit trail and a job's result: counts, never contacts."""
        return {
            "rows": self.rows,
            "population": self.population,
            "drawn": self.drawn,
            "invited": self.invited,
            "seed": self.seed,
            "strata": self.strata,
            "duplicates": len(self.duplicate_rows),
            "opted_out": len(self.opted_out_rows),
            "already_invited": len(self.already_invited_rows),
        }

    def summary(self) -> str:
        """One line for people: what was read, drawn and invited, and what was dropped."""
        parts = [
            ngettext(
                "%(rows)s row read, %(population)s could be asked",
                "%(rows)s rows read, %(population)s could be asked",
                self.rows,
            )
            % {"rows": self.rows, "population": self.population}
        ]
        parts.append(self._draw_part())
        parts.append(
            ngettext("%(count)s person invited", "%(count)s people invited", self.invited)
            % {"count": self.invited}
        )
        dropped = (
            (
                self.duplicate_rows,
                ngettext(
                    "%(count)s duplicate in the file dropped (row %(rows)s)",
                    "%(count)s duplicates in the file dropped (rows %(rows)s)",
                    len(self.duplicate_rows),
                ),
            ),
            (
                self.opted_out_rows,
                ngettext(
                    "%(count)s opted out and skipped (row %(rows)s)",
                    "%(count)s opted out and skipped (rows %(rows)s)",
                    len(self.opted_out_rows),
                ),
            ),
            (
                self.already_invited_rows,
                ngettext(
                    "%(count)s already invited to this survey and dropped (row %(rows)s)",
                    "%(count)s already invited to this survey and dropped (rows %(rows)s)",
                    len(self.already_invited_rows),
                ),
            ),
        )
        for rows, message in dropped:
            if rows:
                parts.append(message % {"count": len(rows), "rows": _listed(rows)})
        return _("; ").join(parts) + "."

    def _draw_part(self) -> str:
        if self.asked is not None:
            return ngettext(
                "a sample of %(asked)s was asked for, but only %(population)s could be "
                "asked: everyone was taken",
                "a sample of %(asked)s was asked for, but only %(population)s could be "
                "asked: everyone was taken",
                self.asked,
            ) % {"asked": self.asked, "population": self.population}
        if self.seed is None:
            return _("everyone taken")
        values = {"drawn": self.drawn, "seed": self.seed, "strata": self.strata}
        if self.strata:
            return (
                _("%(drawn)s drawn at random, stratified by “%(strata)s” (seed %(seed)s)") % values
            )
        return _("%(drawn)s drawn at random (seed %(seed)s)") % values


def _listed(rows: list[int]) -> str:
    shown = ", ".join(str(row) for row in rows[:LISTED_ROWS])
    return shown + ", …" if len(rows) > LISTED_ROWS else shown


@waits_its_turn
def sample_import(
    *,
    survey_code: str,
    path: Path,
    sample: int | None = None,
    seed: int | None = None,
    strata: str = "",
    actor: Any,
    progress: bool = False,
    on_progress: ProgressCallback | None = None,
) -> SampleImport:
    """Import the service users a survey may ask (CSV or XLSX) and invite them, or a random
    sample of `sample` of them (reproducible from `seed`; stratified by the attribute column
    `strata`). All or nothing; duplicates, opt-outs and people already invited are reported."""
    authorize(actor, ACTION)
    survey = Survey.objects.filter(code=survey_code.strip()).first()
    if survey is None:
        raise ApplicationError(_("No survey has the code “%(code)s”.") % {"code": survey_code})
    _check_draw(sample, seed)
    problems = ProblemCollector()
    # Checked before the transaction, so a long file does not hold SQLite's write lock.
    with open_table(path, problems=problems, progress=progress) as table:
        report_reading(table, on_progress)
        layout = sample_layout(table.header, strata.strip())
        rows, read = parse_sample(table, layout, problems)
    report(on_progress, read, None, READING)
    problems.raise_if_any()
    with import_transaction():
        # Two imports into one survey take turns, so both see what the other invited.
        import_lock(f"survey:{survey.code}")
        result, new = _plan(survey, rows, read, sample, seed, layout.strata)
        report(on_progress, 0, len(new), SAVING)
        if new:
            _write(survey, new)
            SampleDraw.objects.create(
                survey=survey,
                population=result.population,
                drawn=result.drawn,
                seed=result.seed,
                strata=result.strata,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
            sample_size_recount(survey)
            # Counts only: the audit trail never holds a contact.
            audit_record(
                actor=actor, action=ACTION, obj=survey, data={"file": path.name, **result.as_dict()}
            )
        # Every import announces its end (imports/results.py for the row imports): the people
        # added to the sample are what it created; never a contact.
        event_announce(
            "import.finished", survey, action=ACTION, rows=result.rows, created=result.invited
        )
        report(on_progress, len(new), len(new), SAVING)
    return result


def _check_draw(sample: int | None, seed: int | None) -> None:
    if sample is not None and sample < 1:
        raise ApplicationError(_("The sample size must be a whole number above zero."))
    if seed is not None and not 0 <= seed <= SEED_MAX:
        raise ApplicationError(
            _("The seed must be a whole number from 0 to %(max)s.") % {"max": SEED_MAX}
        )
    if seed is not None and sample is None:
        raise ApplicationError(
            _("A seed only matters for a random sample: give the sample size too (--sample).")
        )


def _plan(
    survey: Survey,
    rows: list[SampleRow],
    read: int,
    sample: int | None,
    seed: int | None,
    strata: str,
) -> tuple[SampleImport, list[tuple[SampleRow, str, str]]]:
    """Who could be asked, who is drawn, and who of them is new (with their contact hashes)."""
    hashed = [
        (
            row,
            contact_hash(row.mobile) if row.mobile else "",
            contact_hash(row.email) if row.email else "",
        )
        for row in rows
    ]
    # Repeats in the file: a later row naming a person an earlier row already named.
    seen_references: set[str] = set()
    seen_contacts: set[str] = set()
    distinct: list[tuple[SampleRow, str, str]] = []
    duplicates: list[int] = []
    for row, mobile_hash, email_hash in hashed:
        contacts = {h for h in (mobile_hash, email_hash) if h}
        if row.reference_id in seen_references or contacts & seen_contacts:
            duplicates.append(row.number)
            continue
        seen_references.add(row.reference_id)
        seen_contacts |= contacts
        distinct.append((row, mobile_hash, email_hash))
    invited_refs, invited_contacts = _already_invited(survey)

    def invited(item: tuple[SampleRow, str, str]) -> bool:
        row, mobile_hash, email_hash = item
        return row.reference_id in invited_refs or bool(
            ({mobile_hash, email_hash} - {""}) & invited_contacts
        )

    opted = _opted_out({h for _row, *hashes in distinct for h in hashes if h})
    population: list[tuple[SampleRow, str, str]] = []
    opted_out: list[int] = []
    for item in distinct:
        # Someone already invited stays in the population (see the module's docstring).
        if not invited(item) and {item[1], item[2]} & opted:
            opted_out.append(item[0].number)
        else:
            population.append(item)
    # Asked for more than there are: everyone is taken, and the result line says so.
    asked = sample if sample is not None and sample > len(population) else None
    if sample is None or sample >= len(population):
        drawn_seed = None
        chosen = population
    else:
        drawn_seed = new_seed() if seed is None else seed
        candidates = [
            Candidate(row.reference_id, row.stratum, i) for i, (row, *_h) in enumerate(population)
        ]
        chosen = [population[i] for i in draw(candidates, sample, drawn_seed, bool(strata))]
    new = [item for item in chosen if not invited(item)]
    already = [item[0].number for item in chosen if invited(item)]
    result = SampleImport(
        rows=read,
        population=len(population),
        drawn=len(chosen),
        invited=len(new),
        seed=drawn_seed,
        strata=strata,
        asked=asked,
        duplicate_rows=duplicates,
        opted_out_rows=opted_out,
        already_invited_rows=sorted(already),
    )
    return result, new


def _already_invited(survey: Survey) -> tuple[set[str], set[str]]:
    """The references and contact hashes of the survey's invitees (erased contacts' included)."""
    references: set[str] = set()
    contacts: set[str] = set()
    query = Invitee.objects.filter(survey=survey).values_list(
        "reference_id", "mobile_hash", "email_hash"
    )
    for reference, mobile_hash, email_hash in query.iterator(chunk_size=10_000):
        references.add(reference)
        contacts.update(h for h in (mobile_hash, email_hash) if h)
    return references, contacts


def _opted_out(hashes: Iterable[str]) -> set[str]:
    """The hashes among these that asked not to be contacted."""
    wanted = list(hashes)
    found: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        batch = wanted[start : start + _CHUNK]
        found.update(
            OptOut.objects.filter(contact_hash__in=batch).values_list("contact_hash", flat=True)
        )
    return found


def _write(survey: Survey, new: list[tuple[SampleRow, str, str]]) -> None:
    now = timezone.now()
    bulk_insert(
        Invitee,
        INSERT_COLUMNS,
        (
            (
                survey.pk,
                row.reference_id,
                row.mobile,
                row.email,
                mobile_hash,
                email_hash,
                row.language,
                row.completed_at,
                row.attributes,
                row.stratum,
                now,
                now,
            )
            for row, mobile_hash, email_hash in new
        ),
    )
