"""A complaint names the version of its journey's model that predicted it, instead of pointing
at classification's table (decision 0008: complaints sit below classification)."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def versions_from_models(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    ClassifierModel = apps.get_model("classification", "ClassifierModel")
    version = ClassifierModel.objects.filter(pk=OuterRef("classifier_id")).values("version")[:1]
    Complaint.objects.filter(classifier__isnull=False).update(classifier_version=Subquery(version))


def models_from_versions(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    ClassifierModel = apps.get_model("classification", "ClassifierModel")
    model = ClassifierModel.objects.filter(
        journey_id=OuterRef("journey_id"), version=OuterRef("classifier_version")
    ).values("pk")[:1]
    Complaint.objects.filter(classifier_version__isnull=False).update(classifier=Subquery(model))


class Migration(migrations.Migration):
    dependencies = [
        ("classification", "0002_theme_set"),
        ("complaints", "0003_classification"),
    ]

    operations = [
        migrations.AddField(
            model_name="complaint",
            name="classifier_version",
            field=models.PositiveIntegerField(
                blank=True, null=True, verbose_name="classifier version"
            ),
        ),
        migrations.RunPython(versions_from_models, models_from_versions, elidable=True),
        migrations.RemoveField(model_name="complaint", name="classifier"),
    ]
