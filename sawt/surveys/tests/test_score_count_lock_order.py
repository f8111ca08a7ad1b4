"""PostgreSQL: the score counts' trigger locks its rows in one order, so forms sent at the same
moment wait for each other instead of deadlocking.

Each answer statement upserts one score-count row per (question, score) it holds. When two
transactions lock those rows in different orders (a hash aggregate's order), each can hold a row
the other needs: PostgreSQL kills one after a second (deadlock_detected), and the person gets a
"busy" page; bench/form_load.py saw 64 of 100 forms refused so. Locked in key order, a
transaction only ever waits for a row above every row it holds, and no cycle can form.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError, connection, connections, transaction

from sawt.surveys.models import Answer, ScoreCount
from sawt.testing import factories as f

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite has one write lock: no row locks"
    ),
]
QUESTIONS = 20


def test_the_trigger_locks_score_counts_in_key_order():
    survey = f.SurveyFactory()
    questions = [f.QuestionFactory(survey=survey, code=f"q{i:02d}") for i in range(QUESTIONS)]
    first = f.ResponseFactory(survey=survey)
    Answer.objects.bulk_create(Answer(response=first, question=q, score=1) for q in questions)
    rows = list(ScoreCount.objects.filter(question__survey=survey, score=1).order_by("question_id"))
    assert len(rows) == QUESTIONS
    last = rows[-1]
    held, release, done = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold_the_last_row() -> None:
        try:
            with transaction.atomic():
                ScoreCount.objects.select_for_update().get(pk=last.pk)
                held.set()
                release.wait(20)
        finally:
            connections.close_all()

    def answer_every_question() -> None:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '20s'")
                second = f.ResponseFactory(survey=survey)
                rows = (Answer(response=second, question=q, score=1) for q in questions)
                Answer.objects.bulk_create(rows)  # waits for the last row, holding the others
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            done.set()
            connections.close_all()

    holder = threading.Thread(target=hold_the_last_row)
    holder.start()
    assert held.wait(10)
    writer = threading.Thread(target=answer_every_question)
    writer.start()
    try:
        time.sleep(1.0)  # the writer is now blocked on the last row
        assert not done.is_set()
        free = []
        for row in rows[:-1]:
            try:
                with transaction.atomic():
                    ScoreCount.objects.select_for_update(nowait=True).get(pk=row.pk)
                free.append(row.question.code)
            except OperationalError:
                pass  # locked by the writer, as it should be: it took the rows in order
        # Every row below the one it waits for is already the writer's.
        assert free == []
    finally:
        release.set()
        holder.join(20)
        writer.join(20)
    assert errors == []
    assert ScoreCount.objects.get(pk=last.pk).count == 2
