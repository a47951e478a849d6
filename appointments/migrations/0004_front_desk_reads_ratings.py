"""The "Front desk" group also reads page ratings and comments, and may delete an abusive comment."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = ["view_ratedpage", "view_pagecomment", "delete_pagecomment"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("appointments")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    group = apps.get_model("auth", "Group").objects.get(name="Front desk")
    Permission = apps.get_model("auth", "Permission")
    group.permissions.add(*Permission.objects.filter(content_type__app_label="appointments", codename__in=PERMISSIONS))


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name="Front desk").first()
    if group:
        Permission = apps.get_model("auth", "Permission")
        group.permissions.remove(*Permission.objects.filter(codename__in=PERMISSIONS))


class Migration(migrations.Migration):
    dependencies = [("appointments", "0003_page_ratings")]

    operations = [migrations.RunPython(grant, revoke)]
