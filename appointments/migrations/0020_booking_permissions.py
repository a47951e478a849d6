"""Who works the clinic's calendar: the Front desk books, moves and marks bookings and reads the
waiting list and the booking e-mails; the new "Calendar managers" group sets up clinicians,
their hours and time off, and the visit types."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

FRONT_DESK = [
    "view_booking",
    "change_booking",
    "view_waitinglistentry",
    "view_bookingmessage",
    "view_clinician",
    "view_visittype",
]
MANAGERS = [
    f"{action}_{model}"
    for model in ["clinician", "workinghours", "extrahours", "timeoff", "visittype", "visittypewords"]
    for action in ["add", "change", "delete", "view"]
] + ["view_booking", "view_waitinglistentry"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("appointments")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in [("Front desk", FRONT_DESK), ("Calendar managers", MANAGERS)]:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="appointments", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    desk = Group.objects.filter(name="Front desk").first()
    if desk:
        desk.permissions.remove(
            *Permission.objects.filter(content_type__app_label="appointments", codename__in=FRONT_DESK)
        )
    Group.objects.filter(name="Calendar managers").delete()


class Migration(migrations.Migration):
    dependencies = [("appointments", "0019_online_booking")]

    operations = [migrations.RunPython(grant, revoke)]
