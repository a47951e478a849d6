"""A Spanish-speaking patient in Chromium, on a phone and on a laptop: from the Spanish home page
to a treatment page, a rating, a request sent with a mistake and then right, its confirmation
e-mail (through a real SMTP server), and the newsletter; axe on every Spanish page and state.
And "Listen to this page", read by the browser's own speech in the page's language."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from appointments.models import AppointmentRequest

SIZES = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1280, "height": 800}}
SPANISH_PAGES = [
    "/es/",
    "/es/tratamientos/",
    "/es/tratamientos/mesoterapia/",
    "/es/tratamientos/mesoterapia/preguntas-frecuentes/",
    "/es/tratamientos/mesoterapia/prevenir-las-arrugas/",
    "/es/tratamientos/mesoterapia/efectos-secundarios-y-seguridad/",
    "/es/como-visitarnos/",
    "/es/privacidad/",
    "/es/accesibilidad/",
    "/es/citas/solicitar/",
    "/es/boletin/",
]


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


@pytest.mark.parametrize("path", SPANISH_PAGES)
def test_axe_finds_no_violations_on_each_spanish_page(browser_page, site_url, axe_violations, path):
    browser_page.goto(site_url + path)
    assert browser_page.evaluate("document.documentElement.lang") == "es"
    assert axe_violations(browser_page) == []


@pytest.mark.parametrize("size", list(SIZES))
def test_a_spanish_speaking_patient_reads_rates_asks_for_an_appointment_and_signs_up(
    browser_context_factory, site_url, axe_violations, inbox, settings, size
):
    settings.SITE_URL = site_url
    page = browser_context_factory(viewport=SIZES[size]).new_page()
    page.goto(site_url + "/")
    page.get_by_role("link", name="Español").click()
    expect(page).to_have_url(site_url + "/es/")
    page.get_by_role("link", name="Mesoterapia").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mesoterapia")
    assert axe_violations(page) == []

    page.get_by_role("radio", name="4 estrellas").check()
    page.get_by_role("button", name="Enviar valoración").click()
    expect(page.get_by_text("Gracias por su valoración.")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("link", name="Pedir una cita").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pedir una cita")
    page.get_by_label("Apellido").fill("Rivera")  # the first name forgotten
    page.get_by_label("Ciudad").fill("Brooklyn")
    page.get_by_label("Estado").select_option(value="NY")
    page.get_by_label("Correo electrónico", exact=False).first.fill("ana.rivera@example.org")
    page.get_by_label("Teléfono", exact=False).first.fill("718-555-0142")
    page.get_by_role("group", name="Por favor, comuníquense conmigo por").get_by_label("Correo electrónico").check()
    page.get_by_role("button", name="Enviar solicitud").click()
    expect(page.get_by_role("heading", name="Hay un problema con su solicitud")).to_be_visible()
    expect(page.get_by_role("link", name="Escriba su nombre.")).to_be_visible()
    assert axe_violations(page) == []
    assert AppointmentRequest.objects.count() == 0

    page.get_by_label("Nombre").first.fill("Ana")
    page.get_by_role("button", name="Enviar solicitud").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gracias: su solicitud se envió")
    assert axe_violations(page) == []
    saved = AppointmentRequest.objects.get()
    assert (saved.language, saved.call_language, saved.treatment.slug) == ("es", "es", "mesotherapy")
    run_worker()
    [confirmation] = [message for message in inbox.messages if message["To"] == "ana.rivera@example.org"]
    assert str(confirmation["Subject"]).strip().startswith("Recibimos su solicitud de cita")
    assert "Nos comunicaremos con usted por correo electrónico" in confirmation.get_body(("plain",)).get_content()

    page.goto(site_url + "/es/boletin/")
    form = page.locator("main form.newsletter-form")
    form.get_by_label("Su dirección de correo electrónico").fill("ana.rivera@example.org")
    form.get_by_role("button", name="Inscribirse").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Revise su correo electrónico")
    assert axe_violations(page) == []
    run_worker()
    signed_up = [
        message for message in inbox.messages if str(message["Subject"]).strip().startswith("Por favor, confirme")
    ]
    assert len(signed_up) == 1
    assert "/es/boletin/confirmar/" in signed_up[0].get_body(("plain",)).get_content()


# A stand-in for the browser's speech synthesis (Chromium here has no voices installed): it
# records what it is asked to say, so the test sees what a patient would hear.
FAKE_SPEECH = """
(() => {
  const voices = %s;
  window.spoken = [];
  const speech = new EventTarget();
  Object.assign(speech, {
    speaking: false, paused: false,
    getVoices: () => voices,
    speak(utterance) { window.spoken.push({text: utterance.text, lang: utterance.lang}); this.speaking = true; },
    pause() { this.paused = true; }, resume() { this.paused = false; },
    cancel() { this.speaking = false; this.paused = false; window.cancelled = true; },
  });
  Object.defineProperty(window, "speechSynthesis", {value: speech});
  window.SpeechSynthesisUtterance = function (text) { this.text = text; };
})();
"""


def test_listen_reads_the_spanish_page_in_spanish_and_pauses_goes_on_and_stops_by_keyboard(
    browser_context_factory, site_url
):
    context = browser_context_factory()
    context.add_init_script(
        FAKE_SPEECH % '[{"lang": "en-US", "name": "English"}, {"lang": "es-ES", "name": "Español"}]'
    )
    page = context.new_page()
    page.goto(site_url + "/es/tratamientos/mesoterapia/preguntas-frecuentes/")
    page.locator("summary.page-tools__summary").click()
    listen = page.get_by_role("button", name="Escuchar esta página")
    listen.focus()
    page.keyboard.press("Enter")
    spoken = page.evaluate("window.spoken")
    assert {item["lang"] for item in spoken} == {"es"}
    assert any("¿Cuántos tratamientos voy a necesitar?" in item["text"] for item in spoken)
    pause = page.get_by_role("button", name="Pausa")
    expect(pause).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Seguir")).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Pausa")).to_be_visible()
    page.get_by_role("button", name="Detener").click()
    assert page.evaluate("window.cancelled") is True
    expect(page.get_by_role("button", name="Escuchar esta página")).to_be_visible()
    expect(page.get_by_role("button", name="Detener")).to_be_hidden()


def test_listen_is_not_offered_where_the_browser_has_no_voice_for_the_pages_language(
    browser_context_factory, site_url
):
    context = browser_context_factory()
    context.add_init_script(FAKE_SPEECH % '[{"lang": "en-US", "name": "English"}]')
    page = context.new_page()
    page.goto(site_url + "/es/tratamientos/mesoterapia/")
    page.locator("summary.page-tools__summary").click()
    expect(page.get_by_role("button", name="Imprimir")).to_be_visible()
    assert page.get_by_role("button", name="Escuchar esta página").count() == 0
    english = context.new_page()
    english.goto(site_url + "/treatments/mesotherapy/")
    english.locator("summary.page-tools__summary").click()
    expect(english.get_by_role("button", name="Listen to this page")).to_be_visible()
