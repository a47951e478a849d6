"""Receptionists in Chromium at 1366x768: two of them saving one request, a whole call from the
worklist to the confirmation (its clicks counted), and the dashboard's charts as they read."""

from importlib import import_module

from django.contrib.auth.models import Permission, User
from playwright.sync_api import expect

from appointments.booking.models import BookingMessage
from appointments.models import AppointmentRequest, MessageTemplate
from tests.appointments.booking.factories import clinic_calendar
from tests.appointments.factories import make_request

from .test_admin import PASSWORD, code_for, signed_in

LAPTOP = {"width": 1366, "height": 768}


def receptionist(browser_context_factory, site_url, username, first_name):
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True, first_name=first_name)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "view_appointmentrequest",
                "change_appointmentrequest",
                "view_messagetemplate",
                "view_booking",
                "change_booking",
            ]
        )
    )
    return signed_in(
        browser_context_factory, site_url, user, "/admin/appointments/appointmentrequest/", viewport=LAPTOP
    )


def test_two_receptionists_save_one_request_and_neither_loses_her_work(browser_context_factory, site_url):
    appointment = make_request()
    url = f"{site_url}/admin/appointments/appointmentrequest/{appointment.pk}/change/"
    maria = receptionist(browser_context_factory, site_url, "maria", "Maria")
    jo = receptionist(browser_context_factory, site_url, "jo", "Jo")
    maria.goto(url)
    jo.goto(url)

    maria.get_by_label("Status").select_option(label="Contacted")
    maria.get_by_role("button", name="Save", exact=True).click()
    maria.get_by_text("was changed successfully").wait_for()

    jo.get_by_label("Staff notes").fill("Prefers mornings; speaks Spanish.")
    jo.get_by_role("button", name="Save", exact=True).click()
    expect(jo.locator(".errornote, .errorlist").first).to_be_visible()
    expect(jo.locator("body")).to_contain_text("Not saved: Maria changed request")
    expect(jo.locator("body")).to_contain_text("status: New → Contacted")
    expect(jo.get_by_label("Staff notes")).to_have_value("Prefers mornings; speaks Spanish.")  # hers, kept
    expect(jo.get_by_label("Status")).to_have_value("contacted")  # Maria's, not undone
    jo.screenshot(path="/tmp/mesoclinic-stale-save.png", full_page=True)
    jo.get_by_role("button", name="Save", exact=True).click()
    jo.get_by_text("was changed successfully").wait_for()
    appointment.refresh_from_db()
    assert (appointment.status, appointment.staff_notes) == ("contacted", "Prefers mornings; speaks Spanish.")


def test_a_whole_call_from_the_worklist_to_the_confirmation(browser_context_factory, site_url):
    """Find the patient, call, log the call, book a free time, confirm it: counted in clicks."""
    shipped = import_module("appointments.migrations.0015_shipped_patient_emails").SHIPPED
    MessageTemplate.objects.bulk_create([MessageTemplate(**fields) for fields in shipped])  # emptied between tests
    clinic_calendar()
    make_request(first_name="Other", email="o@example.org", phone="+17185550142")
    appointment = make_request(phone="+12125550181")
    page = receptionist(browser_context_factory, site_url, "maria", "Maria")
    clicks = 0

    def click(locator):
        nonlocal clicks
        clicks += 1
        locator.click()

    def choose(select, label):
        nonlocal clicks
        clicks += 2  # open the list, pick
        select.select_option(label=label)

    click(page.get_by_label("Search"))  # find: by the number the patient called from
    page.keyboard.type("555-0181")
    page.keyboard.press("Enter")
    click(page.get_by_role("link", name="Ana Rivera"))
    phone = page.locator("#contact-log a[href^='tel:']")
    expect(phone).to_have_attribute("href", "tel:+12125550181")
    clicks += 1  # call: the phone number is a link (a softphone or a mobile dials it)
    choose(page.get_by_label("Outcome"), "Reached")
    click(page.get_by_label("Note", exact=True))
    page.keyboard.type("Booked for Thursday.")
    click(page.get_by_role("button", name="Log attempt"))
    page.wait_for_url("**/change/#contact-log")
    expect(page.locator(".contact-log")).to_contain_text("Booked for Thursday.")

    click(page.get_by_role("link", name="Book a time"))  # book: the calendar's free times
    first_day = page.locator(".time-list fieldset").first
    click(first_day.get_by_role("button").first)
    click(page.get_by_role("button", name="Book this time"))  # confirm: the e-mail goes with the booking
    page.get_by_text("Booked: First consultation").wait_for()
    page.screenshot(path="/tmp/mesoclinic-whole-call.png", full_page=True)

    appointment.refresh_from_db()
    assert appointment.status == AppointmentRequest.Status.SCHEDULED
    booking = appointment.bookings.get()
    assert appointment.appointment_at == booking.starts_at
    assert BookingMessage.objects.get(booking=booking).calendar  # the confirmation, with its calendar file
    print(f"A whole call took {clicks} clicks.")
    assert clicks <= 10


def test_the_dashboards_charts_fill_their_width_with_labels_of_at_least_12px(browser_context_factory, site_url):
    for number in range(6):
        make_request(email=f"p{number}@example.org", phone=f"+1212555010{number}", newsletter=number % 2 == 0)
    page = receptionist(browser_context_factory, site_url, "maria", "Maria")
    page.goto(site_url + "/admin/dashboard/")
    fills = page.eval_on_selector_all(".chart rect.bar", "bars => bars.map(b => getComputedStyle(b).fill)")
    assert any(fill.startswith("url(") for fill in fills)  # the second series is hatched, not a second colour
    weekly = page.locator(".chart").first
    content_width = page.locator("#content").bounding_box()["width"]
    assert weekly.locator("svg[role=img]").bounding_box()["width"] >= 0.9 * content_width
    sizes = page.eval_on_selector_all(
        ".chart__labels li, .chart__legend li", "items => items.map(i => parseFloat(getComputedStyle(i).fontSize))"
    )
    assert sizes
    assert min(sizes) >= 12
    labels = weekly.locator(".chart__labels li")
    assert labels.count() == 12
    page.screenshot(path="/tmp/mesoclinic-dashboard.png", full_page=True)


def test_a_warning_before_the_idle_sign_out_keeps_her_signed_in(browser_context_factory, site_url, settings):
    settings.STAFF_IDLE_MINUTES = 30
    appointment = make_request()
    context = browser_context_factory(viewport=LAPTOP)
    user = User.objects.create_user("maria", password=PASSWORD, is_staff=True, first_name="Maria")
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_appointmentrequest", "change_appointmentrequest"])
    )
    page = context.new_page()
    page.clock.install()
    page.goto(site_url + "/admin/login/?next=/admin/")
    page.get_by_label("Username").fill("maria")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Code from your authenticator app").fill(code_for(user))
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{site_url}/admin/appointments/appointmentrequest/{appointment.pk}/change/")
    warning = page.locator("#idle-warning")
    expect(warning).to_be_hidden()
    page.clock.fast_forward("27:00")  # 27 minutes without a request to the admin: no warning yet
    page.clock.run_for(6000)
    expect(warning).to_be_hidden()
    page.clock.fast_forward("01:00")  # two minutes left
    page.clock.run_for(6000)
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("You will be signed out in 2 minutes")
    page.get_by_role("button", name="Stay signed in").click()  # a request: the idle clock starts again
    expect(warning).to_be_hidden()
    page.clock.fast_forward("05:00")
    page.clock.run_for(6000)
    expect(warning).to_be_hidden()
