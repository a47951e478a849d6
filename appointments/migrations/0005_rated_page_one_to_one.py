"""A page's ratings point at their treatment page by a one-to-one key instead of a generic
relation: only treatment pages were ever rateable. Tallies of any other kind (none exist) are
removed with their votes."""

import django.db.models.deletion
from django.db import migrations, models


def copy_page_keys(apps, schema_editor):
    RatedPage = apps.get_model("appointments", "RatedPage")
    ContentType = apps.get_model("contenttypes", "ContentType")
    treatment_pages = ContentType.objects.filter(app_label="treatments", model="treatmentpage").first()
    RatedPage.objects.exclude(content_type=treatment_pages).delete()
    TreatmentPage = apps.get_model("treatments", "TreatmentPage")
    existing = set(TreatmentPage.objects.values_list("pk", flat=True))
    for tally in RatedPage.objects.all():
        if tally.object_id in existing:
            tally.page_id = tally.object_id
            tally.save(update_fields=["page"])
        else:
            tally.delete()


def copy_page_keys_back(apps, schema_editor):
    RatedPage = apps.get_model("appointments", "RatedPage")
    ContentType = apps.get_model("contenttypes", "ContentType")
    treatment_pages, _ = ContentType.objects.get_or_create(app_label="treatments", model="treatmentpage")
    RatedPage.objects.update(content_type=treatment_pages, object_id=models.F("page_id"))


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0004_front_desk_reads_ratings"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("treatments", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="ratedpage",
            name="page",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="rating_tally",
                to="treatments.treatmentpage",
                verbose_name="page",
            ),
        ),
        migrations.AlterField(
            model_name="ratedpage",
            name="content_type",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.CASCADE, to="contenttypes.contenttype"
            ),
        ),
        migrations.AlterField(model_name="ratedpage", name="object_id", field=models.PositiveBigIntegerField(null=True)),
        migrations.RunPython(copy_page_keys, copy_page_keys_back),
        migrations.RemoveConstraint(model_name="ratedpage", name="rated_page_unique_page"),
        migrations.RemoveField(model_name="ratedpage", name="content_type"),
        migrations.RemoveField(model_name="ratedpage", name="object_id"),
        migrations.AlterField(
            model_name="ratedpage",
            name="page",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="rating_tally",
                to="treatments.treatmentpage",
                verbose_name="page",
            ),
        ),
    ]
