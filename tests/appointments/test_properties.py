"""Whatever anyone posts to the form, the answer is a page (never a 500) and nothing invalid is stored."""

import time

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from appointments.forms import issue_form_token
from appointments.models import AppointmentRequest

from .factories import form_data

FORM_URL = reverse("appointments:request")
pytestmark = pytest.mark.django_db

FIELDS = AppointmentRequest.PATIENT_FIELDS
any_text = st.text(st.characters(codec="utf-8"), max_size=300) | st.sampled_from(
    [
        *["", " ", "NY", "email", "phone", "mesotherapy", "(212) 679-9667", "a@b.co", "on", "\x00", "x" * 1200],
        *["(\u0662\u0661\u0662) 679-9667", "\uff12\uff11\uff12-679-9667", "\u00b2"],  # non-ASCII digits
    ]
)


@given(values=st.dictionaries(st.sampled_from(FIELDS), any_text), drop=st.sets(st.sampled_from(FIELDS)))
def test_arbitrary_posts_never_crash_or_store_invalid_rows(content, values, drop):
    client = Client(raise_request_exception=False)
    data = form_data(form_token=issue_form_token(time.time() - 60), **values)
    for name in drop:
        data.pop(name, None)
    response = client.post(FORM_URL, data)
    assert response.status_code in {200, 302, 400, 429}
    for stored in AppointmentRequest.objects.all():
        stored.full_clean(validate_unique=False)
    AppointmentRequest.objects.all().delete()


@given(body=st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash(content, body):
    client = Client(raise_request_exception=False)
    response = client.post(FORM_URL, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in {200, 302, 400}
    assert AppointmentRequest.objects.count() == 0
