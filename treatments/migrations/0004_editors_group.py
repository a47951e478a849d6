"""The "Editors" group: keeps the patient pages true. Edits all content, records reviews, and
receives `review_reminders`; sees nothing of patients' requests."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT = ["treatment", "treatmentpage", "section", "faqentry", "preventionstep", "preventiontip"]
PERMISSIONS = [f"{action}_{model}" for model in CONTENT for action in ["view", "add", "change", "delete"]] + [
    "view_pagereview",
    "add_pagereview",
    "view_reviewer",
    "view_clinic",
    "change_clinic",
]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("treatments")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name="Editors")
    Permission = apps.get_model("auth", "Permission")
    group.permissions.add(*Permission.objects.filter(content_type__app_label="treatments", codename__in=PERMISSIONS))


def remove(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [("treatments", "0003_review_record_and_history"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(grant, remove)]
