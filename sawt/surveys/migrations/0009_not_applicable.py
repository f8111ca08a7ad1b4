"""A question lists the answer values that mean "not applicable" (`na_values`), and an answer
records that it was one (`not_applicable`), apart from a score and from a blank.

On SQLite the new constraints rebuild surveys_answer (and the new column with a default
rebuilds surveys_question); a rebuild drops the triggers on the old table, and renaming fails
while 0003's triggers name surveys_question. So 0003's answer checks and 0005's score-count
triggers are dropped first and made again after (the counts are rebuilt from the answers).
PostgreSQL alters both tables in place and keeps its triggers.
"""

from importlib import import_module

from django.db import migrations, models

_checks = import_module("sawt.surveys.migrations.0003_answer_checks")
_counts = import_module("sawt.surveys.migrations.0005_score_count_triggers")


def _sqlite(statements: list[str]):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


_DROP = _checks.SQLITE_BACKWARD + _counts.SQLITE_BACKWARD
_MAKE = _checks.SQLITE_FORWARD + _counts.SQLITE_FORWARD


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("surveys", "0008_question_choices_source_key"),
    ]

    operations = [
        migrations.RunPython(_sqlite(_DROP), _sqlite(_MAKE)),
        migrations.RemoveConstraint(model_name="answer", name="answer_not_empty"),
        migrations.AddField(
            model_name="answer",
            name="not_applicable",
            field=models.BooleanField(blank=True, null=True, verbose_name="not applicable"),
        ),
        migrations.AddField(
            model_name="question",
            name="na_values",
            field=models.JSONField(blank=True, default=list, verbose_name="not-applicable values"),
        ),
        migrations.AddConstraint(
            model_name="answer",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("score__isnull", False),
                    models.Q(("text", ""), _negated=True),
                    ("not_applicable", True),
                    _connector="OR",
                ),
                name="answer_not_empty",
            ),
        ),
        migrations.AddConstraint(
            model_name="answer",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("not_applicable", True), _negated=True),
                    ("score__isnull", True),
                    _connector="OR",
                ),
                name="answer_not_applicable_no_score",
            ),
        ),
        migrations.RunPython(_sqlite(_MAKE), _sqlite(_DROP)),
    ]
