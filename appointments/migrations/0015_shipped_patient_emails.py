"""Three e-mails to patients for the front desk to start from; the clinic edits them in the admin
(E-mails to patients). Added only where there are none, so edited ones are never replaced."""

from django.db import migrations

SIGNATURE = "\n\n{clinic_name}\n{clinic_address}\n{clinic_phone}\n"

SHIPPED = [
    {
        "name": "We tried to call you",
        "subject": "{clinic_name}: we tried to call you",
        "body": "Dear {first_name},\n\nWe tried to call you about your appointment request but could not reach "
        "you. Please call us on {clinic_phone}, or reply to this e-mail with a good time to call." + SIGNATURE,
        "confirms_appointment": False,
        "order": 1,
    },
    {
        "name": "Please call us",
        "subject": "{clinic_name}: please call us about your request",
        "body": "Dear {first_name},\n\nThank you for your appointment request. Please call us on {clinic_phone} "
        "so that we can find a time that suits you." + SIGNATURE,
        "confirms_appointment": False,
        "order": 2,
    },
    {
        "name": "Your appointment",
        "subject": "{clinic_name}: your appointment on {appointment}",
        "body": "Dear {first_name},\n\nYour appointment is on {appointment}, at {clinic_address}. A calendar "
        "file is attached.\n\nTo change or cancel it, please call us on {clinic_phone}." + SIGNATURE,
        "confirms_appointment": True,
        "order": 3,
    },
]


def add_shipped(apps, schema_editor):
    MessageTemplate = apps.get_model("appointments", "MessageTemplate")
    if not MessageTemplate.objects.exists():
        MessageTemplate.objects.bulk_create([MessageTemplate(**fields) for fields in SHIPPED])


class Migration(migrations.Migration):
    dependencies = [("appointments", "0014_answer_due_for_earlier_requests")]

    operations = [migrations.RunPython(add_shipped, migrations.RunPython.noop)]
