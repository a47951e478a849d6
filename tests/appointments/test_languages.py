"""A patient who writes to us from the Spanish pages: the request keeps their language and the
language they want the call in, and everything sent to them is in Spanish."""

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.urls import reverse

from appointments.models import AppointmentRequest, MessageTemplate
from appointments.newsletter.models import NewsletterIssue, Subscriber
from appointments.patient_email import render_message

from .factories import form_data, make_request

pytestmark = pytest.mark.django_db

SPANISH_FORM = "/es/citas/solicitar/"


def test_the_form_asks_the_language_for_the_call_in_both_languages_with_the_pages_own_checked(client, content):
    for path, checked, legend in [
        ("/appointments/request/", "en", "Language for the call"),
        (SPANISH_FORM, "es", "Idioma para la llamada"),
    ]:
        page = BeautifulSoup(client.get(path).content, "html.parser")
        options = {radio["value"]: radio.has_attr("checked") for radio in page.select("input[name=call_language]")}
        assert options == {"en": checked == "en", "es": checked == "es", "other": False}, path
        assert legend in page.get_text()
        labels = [
            page.find("label", attrs={"for": radio["id"]}).get_text(strip=True)
            for radio in page.select("input[name=call_language]")
        ]
        assert labels[:2] == ["English", "Español"]
        assert page.select_one("input[name=call_language_other]") is not None


def test_another_language_with_none_typed_gets_a_clear_message_in_spanish_and_nothing_is_stored(client, content):
    response = client.post(
        SPANISH_FORM, form_data(call_language="other", call_language_other="  ", treatment="mesoterapia")
    )
    assert response.status_code == 200
    assert "Escriba el idioma en el que quiere que le llamemos." in response.content.decode()
    assert AppointmentRequest.objects.count() == 0


def test_a_spanish_request_is_stored_with_its_language_and_confirmed_in_spanish(client, content, run_worker):
    response = client.post(
        SPANISH_FORM, form_data(contact_preference="email", call_language="es", treatment="mesoterapia")
    )
    assert response["Location"] == "/es/citas/solicitar/gracias/"
    run_worker()
    saved = AppointmentRequest.objects.get()
    assert (saved.language, saved.call_language) == ("es", "es")
    assert saved.treatment.slug == "mesotherapy"  # the front desk's treatment, not its translation
    assert saved.interpreter_note == "Prefers Spanish: call with an interpreter if needed."
    thanks = client.get("/es/citas/solicitar/gracias/").content.decode()
    assert "Gracias: su solicitud se envió" in thanks
    confirmation = next(message for message in mail.outbox if message.to == ["ana.rivera@example.org"])
    assert confirmation.subject.startswith("Recibimos su solicitud de cita")
    assert "Nos comunicaremos con usted por correo electrónico lo antes posible." in confirmation.body
    assert "We will contact you" not in confirmation.body
    staff_alert = next(message for message in mail.outbox if message.to != ["ana.rivera@example.org"])
    assert "appointment request" in staff_alert.subject.lower()  # the staff's, in English


def test_another_language_is_kept_as_typed(client, content):
    client.post("/appointments/request/", form_data(call_language="other", call_language_other=" Vietnamese "))
    saved = AppointmentRequest.objects.get()
    assert (saved.language, saved.call_language, saved.call_language_other) == ("en", "other", "Vietnamese")
    assert saved.call_language_name == "Vietnamese"


def test_staff_pick_a_template_and_the_patient_gets_its_version_in_their_language(admin_client, content, run_worker):
    english = MessageTemplate.objects.create(
        name="Call us", subject="Please call us", body="Dear {first_name}, call {clinic_phone}."
    )
    spanish_patient = make_request(first_name="Lucía", email="lucia@example.org", language="es", call_language="es")
    url = reverse("admin:appointments_appointmentrequest_email", args=[spanish_patient.pk])
    refused = admin_client.post(url, {"template": english.pk}, follow=True).content.decode()
    assert "has no Spanish version yet" in refused
    run_worker()
    assert mail.outbox == []  # nothing sent in the wrong language
    MessageTemplate.objects.create(
        name="Llámenos",
        language="es",
        translation_of=english,
        subject="Por favor, llámenos",
        body="Hola, {first_name}: llame al {clinic_phone}.",
    )
    admin_client.post(url, {"template": english.pk})
    run_worker()
    [sent] = [message for message in mail.outbox if message.to == ["lucia@example.org"]]
    assert (sent.subject, sent.body) == ("Por favor, llámenos", "Hola, Lucía: llame al 1-212-679-9667.")


def test_the_appointment_time_is_written_in_the_patients_language(content):
    import datetime

    from django.utils import timezone

    when = timezone.make_aware(datetime.datetime(2026, 12, 10, 10, 30))
    template = MessageTemplate.objects.create(name="Booked", subject="Booked", body="{appointment}")
    spanish = MessageTemplate.objects.create(
        name="Reservada", language="es", translation_of=template, subject="Reservada", body="{appointment}"
    )
    assert render_message(template, make_request(), appointment_at=when)[1] == "Thursday 10 December 2026 at 10:30 AM"
    assert (
        render_message(spanish, make_request(email="b@example.org", language="es"), appointment_at=when)[1]
        == "jueves 10 de diciembre de 2026, 10:30"
    )


def test_a_newsletter_sign_up_on_the_spanish_pages_is_confirmed_in_spanish_and_gets_only_spanish_issues(
    client, content, run_worker
):
    page = BeautifulSoup(client.get("/es/boletin/").content, "html.parser")
    form = page.select_one("main form")
    data = {field["name"]: field.get("value", "") for field in form.select("input[name]")}
    data["email"] = "lucia@example.org"
    assert form["action"] == "/es/boletin/"
    client.post(form["action"], data, HTTP_ORIGIN="http://testserver")
    run_worker()
    subscriber = Subscriber.objects.get()
    assert subscriber.language == "es"
    [confirmation] = mail.outbox
    assert confirmation.subject.startswith("Por favor, confirme")
    assert "/es/boletin/confirmar/" in confirmation.body
    assert 'pulse "Confirmar"' in confirmation.body
    english_issue = NewsletterIssue.objects.create(subject="News", body="Hello")
    spanish_issue = NewsletterIssue.objects.create(subject="Noticias", body="Hola", language="es")
    from appointments.newsletter.selectors import recipients

    subscriber.status = Subscriber.Status.CONFIRMED
    subscriber.save()
    assert list(recipients(english_issue.language)) == []
    assert list(recipients(spanish_issue.language)) == [subscriber]
    from appointments.newsletter.mail import issue_message

    message = issue_message(spanish_issue, subscriber.email, subscriber.address_hash)
    assert "Cancele la suscripción con un clic: http://127.0.0.1:8000/es/boletin/cancelar/" in message.body
    assert "/es/boletin/cancelar/" in message.extra_headers["List-Unsubscribe"]


def test_an_appointment_confirmation_and_its_calendar_file_are_in_the_patients_language(
    admin_user, content, run_worker
):
    import datetime

    from django.utils import timezone

    from appointments.services import patient_email_send

    english = MessageTemplate.objects.create(
        name="Booked", subject="Your appointment", body="{appointment}", confirms_appointment=True
    )
    MessageTemplate.objects.create(
        name="Reservada",
        language="es",
        translation_of=english,
        subject="Su cita",
        body="Su cita: {appointment}",
        confirms_appointment=True,
    )
    when = timezone.make_aware(datetime.datetime(2026, 12, 10, 10, 30))
    patient = make_request(email="lucia@example.org", language="es", appointment_at=when)
    patient_email_send(appointment=patient, template=english.version_in("es"), sent_by=admin_user, appointment_at=when)
    run_worker()
    [sent] = [message for message in mail.outbox if message.to == ["lucia@example.org"]]
    assert (sent.subject, sent.body) == ("Su cita", "Su cita: jueves 10 de diciembre de 2026, 10:30")
    [(_name, ics, _kind)] = sent.attachments
    event = (ics if isinstance(ics, str) else ics.decode()).replace("\r\n ", "")
    assert "SUMMARY:Cita en Patients Medical PC" in event
    assert "Para cambiarla o cancelarla" in event


def test_one_click_unsubscribe_works_from_a_spanish_newsletter(client, content):
    from appointments.newsletter.mail import issue_message

    subscriber = Subscriber.objects.create(
        email="lucia@example.org", address_hash="x" * 64, source="sign_up_form", language="es", status="confirmed"
    )
    from appointments.newsletter.services import address_hash

    subscriber.address_hash = address_hash(subscriber.email)
    subscriber.save()
    issue = NewsletterIssue.objects.create(subject="Noticias", body="Hola", language="es")
    link = issue_message(issue, subscriber.email, subscriber.address_hash).extra_headers["List-Unsubscribe"]
    path = link.split("<", 1)[1].split(">", 1)[0].removeprefix("http://127.0.0.1:8000")
    assert path.startswith("/es/boletin/cancelar/")
    page = client.get(path).content.decode()
    assert "Cancelar la suscripción al boletín" in page
    response = client.post(path, {"List-Unsubscribe": "One-Click"})  # what a mail program sends (RFC 8058)
    assert response.status_code in (200, 302)
    assert not Subscriber.objects.filter(pk=subscriber.pk).exists()
