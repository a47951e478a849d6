"""Errors reported to a Sentry-compatible server (SENTRY_DSN): what would be sent, captured by a
transport of the test's own, holds no patient's name, e-mail address or phone number."""

import json

import pytest
import sentry_sdk
from django.test import Client
from django.urls import reverse
from sentry_sdk.transport import Transport

from appointments import views
from sitewide.error_reports import scrubbed, start
from tests.appointments.factories import form_data


class Captured(Transport):
    """Keeps each envelope instead of sending it."""

    def __init__(self, options=None):
        super().__init__(options)
        self.sent = []

    def capture_envelope(self, envelope):
        self.sent.append(envelope)

    def text(self) -> str:
        return "\n".join(
            json.dumps(item.payload.json) for envelope in self.sent for item in envelope.items if item.payload.json
        )


@pytest.fixture
def reports():
    transport = Captured()
    start("http://public@127.0.0.1:9/1", environment="test", transport=transport)
    yield transport
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)  # as before: no client, nothing recorded or sent


@pytest.mark.django_db
def test_an_error_during_a_patients_request_is_reported_without_her_details(content, reports, monkeypatch):
    def fails(**details):
        patient = details  # a local variable full of her details
        raise RuntimeError(f"could not store the request of {patient['email']}, phone (718) 555-0142")

    monkeypatch.setattr(views, "appointment_request_create", fails)
    client = Client(raise_request_exception=False)
    response = client.post(
        reverse("appointments:request") + "?utm=ana.rivera@example.org",
        form_data(first_name="Quartermain", last_name="Okonkwo", comments="Call me on 718-555-0142"),
        headers={"Cookie": "sessionid=secret-session", "X-Request-ID": "0f8fad5bd9cb469fa16570867728950e"},
    )
    assert response.status_code == 500
    sentry_sdk.flush()
    assert reports.sent, "the error was reported"
    sent = reports.text()
    assert "RuntimeError" in sent
    assert "could not store the request of [e-mail], phone [phone]" in sent
    assert "0f8fad5bd9cb469fa16570867728950e" in sent  # the request id, to find its log lines
    for detail in ["Quartermain", "Okonkwo", "ana.rivera", "example.org", "555-0142", "5550142", "secret-session"]:
        assert detail not in sent


def test_the_scrubber_replaces_addresses_and_numbers_wherever_they_are():
    event = {"message": "to a.b+c@clinic.example", "list": ["+1 212 679 9667", {"x": "(212) 679-9667"}], "n": 7}
    assert scrubbed(event) == {"message": "to [e-mail]", "list": ["[phone]", {"x": "[phone]"}], "n": 7}
    assert scrubbed("request #1234 at 10:30") == "request #1234 at 10:30"  # numbers that are not phones stay
