"""Requests received before the worklist: their answer-due time, from the clinic's hours as they
stand now (the hours they arrived under were not kept)."""

import datetime

from django.db import migrations


def set_answer_due(apps, schema_editor):
    from appointments.response_time import due_after

    clinic = apps.get_model("treatments", "Clinic").objects.order_by("pk").first()
    summary = (clinic.hours_summary or {}) if clinic is not None else {}
    days = {
        int(weekday): (datetime.time.fromisoformat(opens), datetime.time.fromisoformat(closes))
        for weekday, (opens, closes) in summary.get("days", {}).items()
    }
    if not days:
        return
    holidays = {datetime.date.fromisoformat(day) for day in summary.get("closed", [])}
    Request = apps.get_model("appointments", "AppointmentRequest")
    for request in Request.objects.filter(answer_due_at__isnull=True).only("pk", "received_at").iterator():
        due = due_after(request.received_at, days, holidays, clinic.response_business_days)
        Request.objects.filter(pk=request.pk).update(answer_due_at=due)


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0013_worklist_versions_and_patient_emails"),
        ("treatments", "0010_clinic_front_desk_settings"),
    ]

    operations = [migrations.RunPython(set_answer_due, migrations.RunPython.noop)]
