"""A question remembers the survey tool's answer codes (`choices`) and its own id there
(`source_key`), so definitions and responses can come from XLSForm, LimeSurvey and the like.

On SQLite adding a column with a default rebuilds surveys_question, and renaming the rebuilt
table fails while 0003's answer triggers name it: they are dropped first and made again after.
"""

from importlib import import_module

from django.db import migrations, models

_checks = import_module("sawt.surveys.migrations.0003_answer_checks")


def _sqlite(statements: list[str]):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("surveys", "0007_score_count_lock_order")]

    operations = [
        migrations.RunPython(_sqlite(_checks.SQLITE_BACKWARD), _sqlite(_checks.SQLITE_FORWARD)),
        migrations.AddField(
            model_name="question",
            name="choices",
            field=models.JSONField(blank=True, default=dict, verbose_name="choices"),
        ),
        migrations.AddField(
            model_name="question",
            name="source_key",
            field=models.CharField(blank=True, max_length=200, verbose_name="source key"),
        ),
        migrations.RunPython(_sqlite(_checks.SQLITE_FORWARD), _sqlite(_checks.SQLITE_BACKWARD)),
    ]
