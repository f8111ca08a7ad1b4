"""Imports take turns for the database, say so plainly when they cannot, and hold up no one else.

The SQLite race with real processes is test_concurrent_writers.py; these are the rules, in
process (the PostgreSQL ones with threads, which SQLite's in-memory test database cannot share).
"""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import override_settings
from django.utils import translation

from sawt.catalog.models import Journey
from sawt.complaints import services as complaint_services
from sawt.complaints.services import complaints_import
from sawt.gaps.services import gap_create
from sawt.imports import db
from sawt.imports.tests.helpers import counts
from sawt.surveys.models import Survey
from sawt.surveys.services import responses, responses_import, survey_definition_import

SAWT = Path(__file__).resolve().parents[2]
DEFINITION = SAWT / "surveys/tests/fixtures/definition/valid.yaml"
RESPONSES = SAWT / "surveys/tests/fixtures/responses/valid.csv"
BUSY = (
    "Another import is writing to the database and did not finish within 10 minutes, so this "
    "file was not imported and nothing of it was saved. Try again once that import has finished."
)
ENGINE = settings.DATABASES["default"]["ENGINE"]
postgresql_only = pytest.mark.skipif(
    "postgresql" not in ENGINE, reason="row locks between threads: PostgreSQL"
)


def locked(*args, **kwargs):
    raise OperationalError("database is locked")


@pytest.mark.django_db
def test_an_import_that_finds_the_database_still_busy_says_so_and_saves_nothing(monkeypatch):
    survey_definition_import(path=DEFINITION)
    before = counts()
    monkeypatch.setattr(responses, "bulk_insert", locked)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as leaving:
        call_command(
            "import_responses", "--survey", "permits-2022-06", str(RESPONSES), "--lang", "en",
            stdout=out, stderr=err,
        )  # fmt: skip
    assert (leaving.value.code, err.getvalue()) == (1, BUSY + "\n")
    assert counts() == before


@pytest.mark.django_db
def test_busy_before_the_commit_is_import_busy_and_after_it_stays_what_it_was():
    @db.waits_its_turn
    def before_writing():
        locked()

    @db.waits_its_turn
    def after_writing():
        with db.import_transaction():
            pass
        locked()  # e.g. queueing follow-up work once the file is in: not "nothing was saved"

    with pytest.raises(db.ImportBusy):
        before_writing()
    with pytest.raises(OperationalError):
        after_writing()


class _BusyConnection:
    vendor = "sqlite"
    in_atomic_block = False

    def cursor(self):
        raise OperationalError("database is locked")


def test_statistics_after_a_committed_import_wait_for_nobody(monkeypatch):
    # Before, a second import's write lock made this a traceback after a successful import.
    monkeypatch.setattr(db, "connections", {"default": _BusyConnection()})
    db.refresh_statistics([Survey], 1_000_000)


@pytest.mark.django_db
@pytest.mark.skipif("sqlite" not in ENGINE, reason="SQLite's busy timeout")
def test_on_sqlite_an_import_waits_its_turn_for_as_long_as_imports_wait(monkeypatch):
    survey_definition_import(path=DEFINITION)
    seen = []
    bulk_insert = responses.bulk_insert

    def noting(*args, **kwargs):
        with connection.cursor() as cursor:
            seen.append(cursor.execute("PRAGMA busy_timeout").fetchone()[0])
        return bulk_insert(*args, **kwargs)

    monkeypatch.setattr(responses, "bulk_insert", noting)
    with override_settings(SAWT_IMPORT_WAIT_SECONDS=123):
        responses_import(survey_code="permits-2022-06", path=RESPONSES)
    with connection.cursor() as cursor:
        after = cursor.execute("PRAGMA busy_timeout").fetchone()[0]
    assert seen and set(seen) == {123_000}
    assert after == 30_000  # pages and background work: SAWT_SQLITE_WAIT_SECONDS


class SlowImport(threading.Thread):
    """An import in its own thread and connection whose write phase lasts `seconds`: its first
    bulk insert waits, inside the transaction, after telling the test it is there."""

    def __init__(self, monkeypatch, module, seconds: float, call) -> None:
        super().__init__()
        self.writing = threading.Event()
        self.call, self.error = call, None
        insert = module.bulk_insert

        def slow_insert(*args, **kwargs):
            if threading.current_thread() is self and not self.writing.is_set():
                self.writing.set()
                time.sleep(seconds)
            return insert(*args, **kwargs)

        monkeypatch.setattr(module, "bulk_insert", slow_insert)

    def run(self) -> None:
        try:
            self.call()
        except Exception as error:  # the test looks at it
            self.error = error
        finally:
            connection.close()

    def __enter__(self) -> SlowImport:
        self.start()
        assert self.writing.wait(30)
        return self

    def __exit__(self, *exc: object) -> None:
        self.join()
        assert self.error is None, self.error


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_second_import_into_a_survey_waits_for_the_first_then_goes_in(monkeypatch, tmp_path):
    survey = survey_definition_import(path=DEFINITION).survey
    first = tmp_path / "first.csv"
    first.write_text("respondent_id,overall\nX-1,4\n", encoding="utf-8")
    call = lambda: responses_import(survey_code=survey.code, path=first)  # noqa: E731
    with SlowImport(monkeypatch, responses, 1.5, call):
        started = time.monotonic()
        result = responses_import(survey_code=survey.code, path=RESPONSES)
        waited = time.monotonic() - started
    assert waited > 1.0  # it waited its turn
    assert result.created == 3
    assert survey.responses.count() == 4


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_second_import_that_waits_too_long_is_told_another_is_running(monkeypatch):
    survey = survey_definition_import(path=DEFINITION).survey
    call = lambda: responses_import(survey_code=survey.code, path=RESPONSES)  # noqa: E731
    with SlowImport(monkeypatch, responses, 3, call):
        with override_settings(SAWT_IMPORT_WAIT_SECONDS=0.5), translation.override("en"):
            with pytest.raises(db.ImportBusy) as caught:
                responses_import(survey_code=survey.code, path=RESPONSES)
        assert "Another import is writing to the database" in caught.value.message
        assert not survey.responses.exists()
    assert survey.responses.count() == 3


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_an_import_writing_into_a_journey_holds_up_no_gap_of_it(monkeypatch, analyst, tmp_path):
    survey_definition_import(path=DEFINITION)
    journey = Journey.objects.get(slug="permits")
    path = tmp_path / "complaints.csv"
    path.write_text("complaint_id,received_at,text\nC-1,2022-06-02,تأخر الطلب\n", encoding="utf-8")
    call = lambda: complaints_import(journey_slug="permits", path=path)  # noqa: E731
    with SlowImport(monkeypatch, complaint_services, 3, call):
        started = time.monotonic()
        gap_create(journey=journey, period="2022-06", feedback_ar="ملاحظة", actor=analyst)
        waited = time.monotonic() - started
    # Before, the import's FOR UPDATE lock on the journey row (which gap_create takes to number
    # the gap) made this wait for the import's whole write phase.
    assert waited < 2


@pytest.fixture
def analyst(db):
    from sawt.testing.factories import user_with_role

    return user_with_role("analyst")
