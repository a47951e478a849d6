"""Builders for appointment tests: what a patient sends, and requests stored directly."""

import contextlib
import datetime
import time
import uuid
from unittest import mock

from django.utils import timezone

from appointments.forms import issue_form_token
from appointments.models import AppointmentRequest


def form_data(**overrides):
    """What a patient sends: a valid request from a form shown a minute ago. A value of None
    leaves the field out."""
    data = {
        "first_name": "Ana",
        "last_name": "Rivera",
        "city": "Brooklyn",
        "state": "NY",
        "email": "ana.rivera@example.org",
        "phone": "(718) 555-0142",
        "contact_preference": "phone",
        "call_language": "en",
        "purpose": "consultation",
        "treatment": "mesotherapy",
        "comments": "Weekday mornings suit me best.",
        "form_token": issue_form_token(time.time() - 60),
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def make_request(**fields):
    """An appointment request stored directly, for admin and retention tests."""
    values = {
        "first_name": "Ana",
        "last_name": "Rivera",
        "city": "Brooklyn",
        "state": "NY",
        "email": "ana.rivera@example.org",
        "phone": "+17185550142",
        "contact_preference": "phone",
        "submission_token": uuid.uuid4(),
        **fields,
    }
    if "answer_due_at" not in values:  # as the form's service sets it
        from appointments.response_time import response_due

        values["answer_due_at"] = response_due(values.setdefault("received_at", timezone.now()))
    return AppointmentRequest.objects.create(**values)


@contextlib.contextmanager
def time_machine_at(local_time: str):
    """Runs the block as if the clinic's clock showed `local_time` ("2026-11-25 21:31")."""
    moment = timezone.make_aware(datetime.datetime.fromisoformat(local_time))
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield moment


def search_queue(client, words, **filters):
    """Searches the request queue as the search box does: the words are posted, the queue's
    address carries only a search id. Returns the queue page the browser lands on."""
    from django.urls import reverse

    data = {"words": words, **{f"keep-{name}": value for name, value in filters.items()}}
    return client.post(reverse("admin:appointments_appointmentrequest_search"), data, follow=True)
