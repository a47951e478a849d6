"""Editors write and send the newsletter; the new "Privacy officers" group finds, exports and
erases a person's data (and reads the trail of those requests)."""

from django.db import migrations

EDITOR_PERMISSIONS = ["add_newsletterissue", "change_newsletterissue", "view_newsletterissue", "delete_newsletterissue"]
PRIVACY_PERMISSIONS = ["handle_privacy_requests", "view_privacyrecord"]


def groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("appointments")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label="appointments")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(*ours.filter(codename__in=EDITOR_PERMISSIONS))
    officers, _ = Group.objects.get_or_create(name="Privacy officers")
    officers.permissions.add(*ours.filter(codename__in=PRIVACY_PERMISSIONS))


def undo(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Privacy officers").delete()


class Migration(migrations.Migration):
    dependencies = [("appointments", "0016_newsletter_and_privacy_records"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(groups, undo)]
