"""The Front desk group keeps the contact log: it adds and reads contact attempts."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = ["add_contactattempt", "view_contactattempt"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("appointments")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name="Front desk")
    Permission = apps.get_model("auth", "Permission")
    group.permissions.add(*Permission.objects.filter(content_type__app_label="appointments", codename__in=PERMISSIONS))


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name="Front desk").first()
    if group:
        group.permissions.remove(*apps.get_model("auth", "Permission").objects.filter(codename__in=PERMISSIONS))


class Migration(migrations.Migration):
    dependencies = [("appointments", "0007_front_desk_queue")]

    operations = [migrations.RunPython(grant, revoke)]
