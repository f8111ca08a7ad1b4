"""The tallies the writers of responses keep on their survey (surveys/services/tallies.py),
counted once here for the surveys already stored."""

from django.db import migrations, models
from django.db.models import Exists, OuterRef


def _count(apps, schema_editor):
    # The historical models, and the tallies' own rules (an empty response has no answer but
    # "not applicable"; groups count each attribute value as the segment filter reads it).
    from sawt.surveys.services.tallies import group_value

    Survey = apps.get_model("surveys", "Survey")
    Response = apps.get_model("surveys", "Response")
    Answer = apps.get_model("surveys", "Answer")
    answered = Answer.objects.filter(response=OuterRef("pk")).exclude(not_applicable=True)
    for survey in Survey.objects.all():
        responses = Response.objects.filter(survey=survey)
        groups = {}
        for attrs in responses.values_list("attributes", flat=True).iterator(chunk_size=10_000):
            for name, value in (attrs or {}).items():
                text = group_value(value)
                if text is not None:
                    values = groups.setdefault(name, {})
                    values[text] = values.get(text, 0) + 1
        Survey.objects.filter(pk=survey.pk).update(
            empty_responses=responses.exclude(Exists(answered)).count(),
            respondent_groups=groups,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0009_not_applicable"),
    ]

    operations = [
        migrations.AddField(
            model_name="survey",
            name="empty_responses",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="responses without an answer"
            ),
        ),
        migrations.AddField(
            model_name="survey",
            name="respondent_groups",
            field=models.JSONField(
                blank=True, default=dict, null=True, verbose_name="respondents by attribute"
            ),
        ),
        migrations.AddField(
            model_name="survey",
            name="responses_version",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="responses version"
            ),
        ),
        migrations.RunPython(_count, migrations.RunPython.noop),
    ]
