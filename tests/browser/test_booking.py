"""Booking online in Chromium, on a phone and on a laptop, with axe on every page and state: a
patient books from a treatment page, gets the e-mail (through a real SMTP server), moves the
booking from its link, then cancels it; a waiting patient gets the freed time; a receptionist
books a caller by phone. And the booking steps work with the site's scripts refused."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from appointments.booking.availability import free_times_of
from appointments.booking.models import Booking, BookingStatus, WaitingListEntry
from appointments.booking.services import booking_create

from ..appointments.booking.factories import booking_details, clinic_calendar
from .test_front_desk import LAPTOP, receptionist
from .test_spanish import SIZES, run_worker


def link_in(message, word: str) -> str:
    return re.search(rf"https?://\S+/{word}/\S+/", message.get_body(("plain",)).get_content()).group(0)


def to_site(site_url: str, link: str) -> str:
    return site_url + re.sub(r"^https?://[^/]+", "", link)


@pytest.mark.parametrize("size", list(SIZES))
def test_a_patient_books_gets_the_email_moves_then_cancels(
    browser_context_factory,
    site_url,
    axe_violations,
    inbox,
    settings,
    size,
):
    settings.SITE_URL = site_url
    clinic_calendar(what_to_bring="Your photo identification.")
    page = browser_context_factory(viewport=SIZES[size]).new_page()
    page.goto(site_url + "/treatments/mesotherapy/")
    page.get_by_role("link", name="Book online").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Book an appointment online")
    assert axe_violations(page) == []
    page.get_by_role("link", name=re.compile("First consultation")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a time: First consultation")
    assert axe_violations(page) == []
    days = page.locator(".day-list a")
    second_day = days.nth(1).inner_text()
    days.nth(1).click()  # another day than the first
    expect(page.locator(".day-list a[aria-current=date]")).to_have_text(second_day)
    page.screenshot(path=f"/tmp/mesoclinic-booking-times-{size}.png", full_page=True)
    morning = page.get_by_role("group", name="Morning")
    morning.get_by_role("button").nth(1).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    page.get_by_label("Last name").fill("Rivera")  # the first name forgotten
    page.get_by_label("City").fill("Brooklyn")
    page.get_by_label("State").select_option(value="NY")
    page.get_by_label("E-mail", exact=False).first.fill("ana.rivera@example.org")
    page.get_by_label("Phone", exact=False).first.fill("718-555-0142")
    page.get_by_role("group", name="Please contact me by").get_by_label("E-mail").check()
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_role("link", name="Enter your first name.")).to_be_visible()
    assert axe_violations(page) == []
    assert Booking.objects.count() == 0
    page.get_by_label("First name").fill("Ana")
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Booked")
    expect(page.locator("main")).to_contain_text("Your photo identification.")
    assert axe_violations(page) == []
    page.screenshot(path=f"/tmp/mesoclinic-booked-{size}.png", full_page=True)
    booking = Booking.objects.get()
    run_worker()
    [confirmation] = [message for message in inbox.messages if message["To"] == "ana.rivera@example.org"]
    assert str(confirmation["Subject"]).startswith("Your appointment is booked")
    attachments = list(confirmation.iter_attachments())
    assert attachments[0].get_content_type() == "text/calendar"

    page.goto(to_site(site_url, link_in(confirmation, "booking")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your booking")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Move to another time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Move your booking")
    assert axe_violations(page) == []
    page.locator(".day-list a").nth(1).click()  # a whole day's times: the first may be today, nearly over
    page.locator(".time-button").nth(3).click()
    expect(page.locator("main")).to_contain_text("Your booking has moved.")
    assert axe_violations(page) == []
    booking.refresh_from_db()
    assert booking.version == 2
    run_worker()
    moved = [message for message in inbox.messages if str(message["Subject"]).startswith("Your appointment has moved")]
    assert len(moved) == 1
    page.goto(to_site(site_url, link_in(moved[0], "booking")))
    page.get_by_role("button", name="Cancel this booking").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Booking cancelled")
    assert axe_violations(page) == []
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    page.goto(to_site(site_url, link_in(confirmation, "booking")))  # the first e-mail's link
    expect(page.get_by_role("heading", level=1)).to_have_text("This booking was cancelled")
    assert axe_violations(page) == []


def test_the_booking_steps_work_without_javascript(browser_context_factory, site_url, axe_violations, settings):
    settings.APPOINTMENT_MIN_FILL_SECONDS = 0
    visit_type, _people = clinic_calendar()
    page = browser_context_factory(site_scripts=False, viewport=SIZES["phone"]).new_page()
    page.goto(site_url + "/appointments/book/")
    page.get_by_role("link", name=re.compile("First consultation")).click()
    page.locator(".time-button").first.click()
    for label, value in [("First name", "Ana"), ("Last name", "Rivera"), ("City", "Brooklyn")]:
        page.get_by_label(label).fill(value)
    page.get_by_label("State").select_option(value="NY")
    page.get_by_label("E-mail", exact=False).first.fill("ana.rivera@example.org")
    page.get_by_label("Phone", exact=False).first.fill("718-555-0142")
    page.get_by_role("group", name="Please contact me by").get_by_label("Phone").check()
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Booked")
    assert Booking.objects.get().visit_type == visit_type


@pytest.mark.parametrize("size", list(SIZES))
def test_a_waiting_patient_gets_the_freed_time(
    browser_context_factory,
    site_url,
    axe_violations,
    inbox,
    settings,
    size,
):
    settings.SITE_URL = site_url
    visit_type, _people = clinic_calendar(horizon_days=4)  # always a weekday's times, then all booked
    for number, slot in enumerate(free_times_of(visit_type)):
        booking_create(
            visit_type=visit_type, starts_at=slot.starts_at, details=booking_details(email=f"p{number}@x.org")
        )
    page = browser_context_factory(viewport=SIZES[size]).new_page()
    page.goto(site_url + f"/appointments/book/{visit_type.pk}/")
    expect(page.get_by_role("heading", name="No free times just now")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("First name").fill("Rosa")
    page.get_by_role("button", name="Tell me when a time is free").click()
    expect(page.get_by_role("link", name="Enter your e-mail address.")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("E-mail").fill("rosa@example.org")
    page.get_by_role("button", name="Tell me when a time is free").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are on the waiting list")
    assert axe_violations(page) == []
    assert WaitingListEntry.objects.get().first_name == "Rosa"

    freed = Booking.objects.filter(status=BookingStatus.BOOKED).order_by("starts_at").first()
    desk = receptionist(browser_context_factory, site_url, f"desk{size}", "Maria")
    desk.goto(site_url + freed.get_admin_url())
    desk.get_by_role("button", name="Cancelled").click()
    expect(desk.locator(".messagelist")).to_contain_text("Cancelled")
    run_worker()
    [offer] = [message for message in inbox.messages if message["To"] == "rosa@example.org"]
    assert str(offer["Subject"]).startswith("A time has come free")
    page.goto(to_site(site_url, link_in(offer, "offer")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    expect(page.get_by_label("First name")).to_have_value("Rosa")
    assert axe_violations(page) == []
    page.get_by_label("Last name").fill("Díaz")
    page.get_by_label("City").fill("Queens")
    page.get_by_label("State").select_option(value="NY")
    page.get_by_label("Phone", exact=False).first.fill("718-555-0199")
    page.get_by_role("group", name="Please contact me by").get_by_label("E-mail").check()
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Booked")
    assert axe_violations(page) == []
    mine = Booking.objects.get(starts_at=freed.starts_at, status=BookingStatus.BOOKED)
    assert mine.request.first_name == "Rosa"


def test_a_receptionist_books_a_caller_by_phone(browser_context_factory, site_url, axe_violations):
    clinic_calendar()
    desk = receptionist(browser_context_factory, site_url, "maria", "Maria")
    desk.goto(site_url + "/admin/appointments/booking/")
    desk.get_by_role("link", name="Book a caller by phone").first.click()
    expect(desk.locator(".time-list fieldset").first).to_be_visible()
    assert axe_violations(desk) == []
    desk.locator(".time-list .time-button").nth(2).click()
    expect(desk.get_by_role("heading", name=re.compile(r"^First consultation.* on "))).to_be_visible()
    for label, value in [("First name", "Luis"), ("Last name", "Ortiz"), ("City", "Bronx")]:
        desk.get_by_label(label, exact=True).fill(value)
    desk.get_by_label("State").select_option(value="NY")
    desk.get_by_role("textbox", name="E-mail").fill("luis@example.org")
    desk.get_by_role("textbox", name="Phone").fill("718-555-0123")
    desk.locator("input[name=contact_preference][value=phone]").check()
    desk.get_by_role("button", name="Book this time").click()
    expect(desk.locator(".messagelist")).to_contain_text("Booked: First consultation")
    booking = Booking.objects.get()
    assert booking.source == Booking.Source.PHONE
    assert booking.request.first_name == "Luis"
    desk.goto(
        site_url + "/admin/appointments/booking/calendar/?day=" + f"{timezone.localtime(booking.starts_at):%Y-%m-%d}"
    )
    expect(desk.locator(".booking-row")).to_have_count(1)
    assert axe_violations(desk) == []
    desk.set_viewport_size(LAPTOP)
    desk.screenshot(path="/tmp/mesoclinic-day-view.png", full_page=True)
    desk.get_by_role("button", name=re.compile("^Arrived")).click()
    expect(desk.locator(".booking-row")).to_contain_text("Arrived")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ARRIVED
