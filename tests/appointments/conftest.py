import time

import pytest
from django.core.cache import cache

from appointments.forms import issue_form_token
from appointments.models import AppointmentRequest

FORM_URL = "/appointments/request/"
THANKS_URL = "/appointments/request/thanks/"


def form_data(**overrides):
    """What a patient sends: a valid request from a form shown a minute ago."""
    data = {
        "first_name": "Ana",
        "last_name": "Rivera",
        "city": "Brooklyn",
        "state": "NY",
        "email": "ana.rivera@example.org",
        "phone": "(718) 555-0142",
        "contact_preference": "phone",
        "purpose": "consultation",
        "treatment": "mesotherapy",
        "comments": "Weekday mornings suit me best.",
        "form_token": issue_form_token(time.time() - 60),
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def send(client, content, django_capture_on_commit_callbacks):
    """Posts the form as a patient would, running after-commit work (the e-mail) as a real request does."""

    def post(**overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(FORM_URL, form_data(**overrides))

    return post


def make_request(**fields):
    """An appointment request stored directly, for admin and retention tests."""
    import uuid

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
    return AppointmentRequest.objects.create(**values)
