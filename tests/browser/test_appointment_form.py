"""A patient sends the appointment request form in Chromium, with JavaScript on and off."""

import pytest

from appointments.models import AppointmentRequest

FORM = "/appointments/request/"


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(settings):
    # A person takes longer than Playwright; the bot check has its own tests.
    settings.APPOINTMENT_MIN_FILL_SECONDS = 0


def fill_by_labels(page):
    page.get_by_label("First name").fill("Ana")
    page.get_by_label("Last name").fill("Rivera")
    page.get_by_label("City").fill("Brooklyn")
    page.get_by_label("State").select_option(label="New York")
    page.get_by_label("E-mail", exact=False).first.fill("ana.rivera@example.org")
    page.get_by_label("Phone", exact=False).first.fill("718-555-0142")
    page.get_by_role("group", name="Please contact me by").get_by_label("Phone").check()
    page.get_by_label("Your comments").fill("Weekday mornings.")


@pytest.fixture(params=[True, False], ids=["javascript", "no-javascript"])
def patient_page(request, browser_context_factory):
    return browser_context_factory(java_script_enabled=request.param).new_page()


def test_patient_sends_the_form_by_its_labels_and_gets_the_thank_you_page(patient_page, site_url):
    patient_page.goto(site_url + "/treatments/mesotherapy/faq/")
    patient_page.get_by_role("link", name="Request an appointment").last.click()
    assert patient_page.get_by_label("Treatment you are asking about").input_value() == "mesotherapy"
    fill_by_labels(patient_page)
    patient_page.get_by_role("button", name="Send request").click()
    patient_page.wait_for_url("**/request/thanks/")
    assert patient_page.get_by_role("heading", name="Thank you: your request was sent").is_visible()
    assert patient_page.get_by_text("We will contact you by phone as soon as we can.").is_visible()
    saved = AppointmentRequest.objects.get()
    assert (saved.last_name, str(saved.phone), saved.treatment.slug) == ("Rivera", "+17185550142", "mesotherapy")
    patient_page.reload()  # reloading the thank-you page sends nothing again
    assert AppointmentRequest.objects.count() == 1


def test_patient_sees_each_error_at_its_field_and_in_a_summary(patient_page, site_url):
    patient_page.goto(site_url + FORM)
    fill_by_labels(patient_page)
    patient_page.get_by_label("Phone", exact=False).first.fill("12")
    patient_page.get_by_label("City").fill("")
    patient_page.get_by_role("button", name="Send request").click()
    summary = patient_page.get_by_role("alert")
    assert "There is a problem with your request" in summary.inner_text()
    summary.get_by_role("link", name="Enter your city.").click()
    assert patient_page.evaluate("document.activeElement.id") == "id_city"
    assert patient_page.get_by_label("Last name").input_value() == "Rivera"
    phone = patient_page.get_by_label("Phone", exact=False).first
    assert phone.get_attribute("aria-invalid") == "true"
    assert AppointmentRequest.objects.count() == 0


def test_error_summary_takes_focus_when_javascript_runs(browser_page, site_url):
    browser_page.goto(site_url + FORM)
    browser_page.get_by_role("button", name="Send request").click()
    browser_page.wait_for_load_state()
    assert browser_page.evaluate("document.activeElement.hasAttribute('data-error-summary')")


def test_the_form_is_usable_by_keyboard_alone(browser_page, site_url):
    browser_page.goto(site_url + FORM)
    browser_page.get_by_label("First name").focus()
    for _ in range(5):
        browser_page.keyboard.press("Tab")
    assert browser_page.evaluate("document.activeElement.id") == "id_phone"
    browser_page.keyboard.press("Tab")
    assert browser_page.evaluate("document.activeElement.name") == "contact_preference"


@pytest.mark.parametrize("state", ["empty", "errors", "thanks"])
def test_axe_finds_no_violations_on_the_form(browser_page, site_url, axe_violations, state):
    browser_page.goto(site_url + FORM)
    if state == "errors":
        browser_page.get_by_role("button", name="Send request").click()
        browser_page.get_by_role("alert").wait_for()
    elif state == "thanks":
        fill_by_labels(browser_page)
        browser_page.get_by_role("button", name="Send request").click()
        browser_page.wait_for_url("**/request/thanks/")
    assert axe_violations(browser_page) == []


def test_form_reflows_on_a_narrow_screen(browser_context_factory, site_url):
    page = browser_context_factory(viewport={"width": 320, "height": 640}).new_page()
    page.goto(site_url + FORM)
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
