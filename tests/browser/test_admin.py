"""A receptionist works a request in the admin in Chromium, under the site's Content Security
Policy (default-src 'none', no inline code): a console error or a CSP violation fails the test."""

import datetime

from django.contrib.auth.models import Permission, User
from django.utils import timezone
from playwright.sync_api import expect

from appointments.models import AppointmentRequest
from conftest import current_code
from tests.appointments.factories import make_request

PASSWORD = "a-long-front-desk-password"


def code_for(user) -> str:
    """The staff member's authenticator app, set up, and the code it shows now."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "Authenticator app"})
    return current_code(user)


def signed_in(browser_context_factory, site_url, user, next_path, **context_options):
    """A new browser with `user` signed in as staff do it (password, then the app's code),
    on `next_path`."""
    page = browser_context_factory(**context_options).new_page()
    page.goto(f"{site_url}/admin/login/?next={next_path}")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Code from your authenticator app").fill(code_for(user))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{next_path}")
    return page


def test_staff_sign_in_open_a_request_and_change_its_status_without_a_console_error(
    browser_context_factory, site_url, axe_violations
):
    user = User.objects.create_user("desk", password=PASSWORD, is_staff=True)
    # The live server's database is emptied between browser tests, the migration's group with it.
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_appointmentrequest", "change_appointmentrequest"])
    )
    appointment = make_request()
    page = browser_context_factory().new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))

    response = page.goto(site_url + "/admin/")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    page.get_by_label("Username").fill("desk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Code from your authenticator app").fill(code_for(user))
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Appointment requests", exact=True).click()
    page.get_by_role("link", name="Ana Rivera").click()
    expect(page.locator(".field-first_name")).to_contain_text("Ana")
    assert page.title().startswith(f"Request #{appointment.pk}, ")  # the title never names the patient
    page.get_by_label("Status").select_option(label="Contacted")
    page.get_by_label("Staff notes").fill("Called, left a voicemail.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("was changed successfully").wait_for()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentRequest.Status.CONTACTED
    assert appointment.status_changed_by == user
    assert errors == []

    # Last, because axe-core itself applies inline styles, which the CSP rightly refuses.
    page.goto(site_url + f"/admin/appointments/appointmentrequest/{appointment.pk}/change/")
    assert axe_violations(page) == []


def signed_in_front_desk(browser_context_factory, site_url, viewport):
    user = User.objects.create_user("desk2", password=PASSWORD, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "view_appointmentrequest",
                "change_appointmentrequest",
                "add_contactattempt",
                "view_contactattempt",
            ]
        )
    )
    return signed_in(
        browser_context_factory, site_url, user, "/admin/appointments/appointmentrequest/", viewport=viewport
    )


def test_the_queue_fits_a_1366_laptop_without_sideways_scrolling(browser_context_factory, site_url, axe_violations):
    make_request(first_name="Christopher-Alexander", last_name="Montgomery-Richardson")
    make_request(first_name="David", last_name="Chen", email="d@example.org", phone="+16465550123")
    make_request(first_name="Ana", last_name="Rivera", contact_preference="email")
    past = timezone.now() - datetime.timedelta(days=2)  # the longest words a row has, in a badge
    make_request(first_name="Past", last_name="Visit", email="v@example.org", status="scheduled", appointment_at=past)
    page = signed_in_front_desk(browser_context_factory, site_url, {"width": 1366, "height": 900})
    for view in ["", "?queue=to_close"]:
        page.goto(site_url + "/admin/appointments/appointmentrequest/" + view)
        for column in ["Name", "Next step", "Received", "Status", "Contact by", "Assigned to"]:
            expect(page.locator("#result_list thead")).to_contain_text(column)
        table = page.locator("#result_list")
        fits = page.evaluate(
            """() => {
                const results = document.querySelector('.results');
                return results.scrollWidth <= results.clientWidth
                    && document.documentElement.scrollWidth <= document.documentElement.clientWidth;
            }"""
        )
        assert fits, (view, table.bounding_box())
        last_column = page.locator("#result_list thead th").last.bounding_box()
        assert last_column["x"] + last_column["width"] <= 1366
        assert axe_violations(page) == []


def test_the_dashboard_reads_without_javascript_and_passes_axe(browser_context_factory, site_url, axe_violations):
    for number in range(6):
        make_request(email=f"p{number}@example.org", phone=f"+1212555010{number}")
    page = signed_in_front_desk(browser_context_factory, site_url, {"width": 1366, "height": 900})
    page.goto(site_url + "/admin/dashboard/")
    expect(page.get_by_role("heading", name="Requests each week")).to_be_visible()
    assert page.locator("svg[role=img]").count() == 2
    page.get_by_text("Show as table").first.click()
    expect(page.locator("table").filter(has_text="Week starting")).to_contain_text("Requests")
    assert axe_violations(page) == []
