"""PostgreSQL: the score counts' triggers lock their rows in (question, score) order.

0005's upsert took the rows in the order its GROUP BY produced them, a hash aggregate's: two
forms sent at the same moment could each hold a row the other needed, and PostgreSQL killed one
of them after deadlock_timeout (bench/form_load.py: 64 of 100 forms refused as "busy"). Sorted,
a transaction only ever waits for a row above every row it holds, so no cycle can form. The
subtracting triggers first lock the rows they will change, in the same order (an UPDATE … FROM
takes rows in its join's order). SQLite has one write lock and is left as it is.
"""

from django.db import migrations

_PG_ADD = """
    INSERT INTO surveys_scorecount (question_id, score, count)
    SELECT question_id, score, COUNT(*) FROM {table} WHERE score IS NOT NULL
    GROUP BY question_id, score
    ORDER BY question_id, score
    ON CONFLICT (question_id, score)
    DO UPDATE SET count = surveys_scorecount.count + EXCLUDED.count;
"""
_PG_LOCK = """
    PERFORM 1 FROM surveys_scorecount s
    WHERE (s.question_id, s.score) IN ({keys})
    ORDER BY s.question_id, s.score
    FOR UPDATE;
"""
_PG_SUBTRACT = """
    UPDATE surveys_scorecount s SET count = s.count - d.c
    FROM (SELECT question_id, score, COUNT(*) AS c FROM {table} WHERE score IS NOT NULL
          GROUP BY question_id, score) d
    WHERE s.question_id = d.question_id AND s.score = d.score;
"""


def _keys(*tables: str) -> str:
    return " UNION ".join(
        f"SELECT question_id, score FROM {t} WHERE score IS NOT NULL" for t in tables
    )


def _function(name: str, body: str) -> str:
    return f"""
    CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
    BEGIN
        {body}
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;
    """


FORWARD = [
    _function("surveys_scorecount_add", _PG_ADD.format(table="new_answers")),
    _function(
        "surveys_scorecount_subtract",
        _PG_LOCK.format(keys=_keys("old_answers")) + _PG_SUBTRACT.format(table="old_answers"),
    ),
    _function(
        "surveys_scorecount_replace",
        _PG_LOCK.format(keys=_keys("old_answers", "new_answers"))
        + _PG_SUBTRACT.format(table="old_answers")
        + _PG_ADD.format(table="new_answers"),
    ),
]
# 0005's bodies, unsorted.
_OLD_ADD = _PG_ADD.replace("    ORDER BY question_id, score\n", "")
BACKWARD = [
    _function("surveys_scorecount_add", _OLD_ADD.format(table="new_answers")),
    _function("surveys_scorecount_subtract", _PG_SUBTRACT.format(table="old_answers")),
    _function(
        "surveys_scorecount_replace",
        _PG_SUBTRACT.format(table="old_answers") + _OLD_ADD.format(table="new_answers"),
    ),
]


def _run(statements: list[str], schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in statements:
        schema_editor.execute(sql)


def forward(apps, schema_editor):
    _run(FORWARD, schema_editor)


def backward(apps, schema_editor):
    _run(BACKWARD, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("surveys", "0006_sample_size_by_hand")]

    operations = [migrations.RunPython(forward, backward)]
