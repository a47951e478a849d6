"""The front desk's queue: requests named by number and local date, contact links, the contact
log, assignment, the response-time rule, duplicates and search."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from appointments.models import AppointmentRequest, ContactAttempt
from appointments.response_time import response_due
from conftest import sign_in
from tests.treatments.factories import record_opening_hours

from .factories import make_request, search_queue, time_machine_at

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:appointments_appointmentrequest_changelist")


def local(text):
    return timezone.make_aware(datetime.datetime.fromisoformat(text))


def change_url(appointment):
    return reverse("admin:appointments_appointmentrequest_change", args=[appointment.pk])


def test_a_request_at_931_pm_new_york_time_is_named_by_its_local_date(admin_client, content):
    appointment = make_request(received_at=local("2026-11-22 21:31"))  # 02:31 on 23 November in UTC
    assert str(appointment) == f"Request #{appointment.pk}, 22 Nov 2026"
    page = admin_client.get(change_url(appointment))
    title = BeautifulSoup(page.content, "html.parser").title.get_text()
    assert title.startswith(f"Request #{appointment.pk}, 22 Nov 2026")
    assert "Rivera" not in title


def test_phone_and_email_are_links_next_to_the_contact_preference(admin_client, content):
    appointment = make_request(contact_preference="email")
    page = BeautifulSoup(admin_client.get(change_url(appointment)).content, "html.parser")
    assert page.select_one('a[href="tel:+17185550142"]').get_text() == "(718) 555-0142"
    assert page.select_one('a[href="mailto:ana.rivera@example.org"]')
    assert "E-mail" in page.select_one(".field-contact_preference").get_text()


def queue_rows(response) -> dict:
    """The queue's list form as the browser would send it unchanged (with each row's version)."""
    page = BeautifulSoup(response.content, "html.parser")
    form = page.select_one("#changelist-form")
    data = {"_save": "Save"}
    for field in form.select("input[name^=form-], input[name^=csrf]"):
        data[field["name"]] = field.get("value", "")
    for select in form.select("select[name^=form-]"):
        chosen = select.select_one("option[selected]")
        data[select["name"]] = chosen["value"] if chosen else ""
    return data


def row_index(data, appointment):
    return [key.split("-")[1] for key, value in data.items() if key.endswith("-id") and value == str(appointment.pk)]


def log_attempt(client, appointment, **attempt):
    """Logs an attempt with the form above the request's own, as a receptionist does."""
    page = BeautifulSoup(client.get(change_url(appointment)).content, "html.parser")
    form = page.select_one("#contact-log form[action$='/contact/']")
    token = form.select_one("input[name=csrfmiddlewaretoken]")["value"]
    response = client.post(form["action"], {"csrfmiddlewaretoken": token, **attempt})
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == change_url(appointment) + "#contact-log"  # back where she was
    appointment.refresh_from_db()


def test_each_contact_attempt_is_kept_with_who_when_how_and_the_outcome(admin_client, admin_user, content):
    appointment = make_request()
    log_attempt(admin_client, appointment, method="phone", outcome="voicemail", note="Left a message at 10am.")
    assert appointment.status == "new"  # a voicemail is not contact
    assert appointment.first_contacted_at is not None
    log_attempt(admin_client, appointment, method="phone", outcome="reached", note="Booked for Tuesday.")
    assert appointment.status == "contacted"  # reaching the patient moves the request on
    attempts = list(appointment.contact_attempts.values_list("outcome", "note", "made_by"))
    assert attempts == [
        ("voicemail", "Left a message at 10am.", admin_user.pk),
        ("reached", "Booked for Tuesday.", admin_user.pk),
    ]
    page = admin_client.get(change_url(appointment)).content.decode()
    assert "Left a message at 10am." in page  # earlier notes are still there, not overwritten


def test_assignment_from_the_list_and_the_mine_filter(admin_client, admin_user, content):
    mine = make_request(first_name="Mine")
    other = make_request(first_name="Other", email="other@example.org", phone="+12125550100")
    data = queue_rows(admin_client.get(CHANGELIST))
    data.update({f"form-{index}-assigned_to": str(admin_user.pk) for index in row_index(data, mine)})
    data.update({f"form-{index}-status": "contacted" for index in row_index(data, other)})
    assert admin_client.post(CHANGELIST, data).status_code == 302
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.assigned_to == admin_user
    assert other.status == "contacted"
    assert other.status_changed_by == admin_user  # the list's status change goes through the service
    assert list(admin_client.get(CHANGELIST, {"assigned": "mine"}).context["cl"].result_list) == [mine]


@pytest.mark.parametrize(
    ("received", "due"),
    [
        ("2026-11-23 10:00", "2026-11-24 17:00"),  # Monday -> Tuesday's close
        ("2026-11-20 21:31", "2026-11-23 17:00"),  # Friday evening -> Monday
        ("2026-11-21 11:00", "2026-11-23 17:00"),  # Saturday -> Monday
        ("2026-11-22 09:00", "2026-11-23 17:00"),  # Sunday -> Monday
        ("2026-11-25 12:00", "2026-11-27 17:00"),  # Wednesday; Thursday is Thanksgiving -> Friday
        ("2026-12-24 12:00", "2026-12-28 17:00"),  # Christmas Eve; Christmas, then the weekend -> Monday
    ],
)
def test_the_response_is_due_by_the_close_of_the_next_business_day(db, received, due):
    record_opening_hours("mon-fri 09:00-17:00", closed=["2026-11-26", "2026-12-25"])
    assert response_due(local(received)) == local(due)


def test_without_opening_hours_no_promise_is_made(db):
    assert response_due(local("2026-11-23 10:00")) is None


def test_opening_hours_that_close_before_they_open_are_refused_with_a_clear_message(db):
    from django.core.exceptions import ValidationError

    from treatments.models import Clinic, OpeningTime

    record_opening_hours("")
    hours = OpeningTime(clinic=Clinic.objects.get(), weekday=0, opens=datetime.time(17), closes=datetime.time(9))
    with pytest.raises(ValidationError, match="must close after it opens"):
        hours.full_clean()


def test_an_overdue_request_has_a_badge_in_words_and_an_answered_one_does_not(admin_client, content, settings):
    record_opening_hours("mon-fri 09:00-17:00")
    waiting = make_request(received_at=local("2026-11-19 10:00"))
    answered = make_request(received_at=local("2026-11-19 11:00"), email="b@example.org", phone="+12125550100")
    ContactAttempt.objects.create(request=answered, outcome="reached")
    answered.first_contacted_at = timezone.now()
    answered.save()
    with time_machine_at("2026-11-21 09:30"):  # Saturday: due by Friday's close, so overdue
        html = BeautifulSoup(admin_client.get(CHANGELIST).content, "html.parser")
    rows = {row.select_one("th").get_text(strip=True): row for row in html.select("#result_list tbody tr")}
    assert "Overdue" in rows[f"#{waiting.pk} Ana Rivera"].get_text()
    assert "Overdue" not in rows[f"#{answered.pk} Ana Rivera"].get_text()


def test_received_shows_how_long_ago_within_a_day(admin_client, content):
    make_request(received_at=timezone.now() - datetime.timedelta(hours=2, minutes=5))
    assertContains(admin_client.get(CHANGELIST), "2\xa0hours ago")


def test_possible_duplicates_are_flagged_on_both_and_linked(admin_client, content):
    first = make_request(received_at=timezone.now() - datetime.timedelta(days=3))
    second = make_request(email="ANA.RIVERA@example.org", phone="+12125550199")  # same e-mail, any case
    unrelated = make_request(email="x@example.org", phone="+12125550111")
    make_request(email="ana.rivera@example.org", received_at=timezone.now() - datetime.timedelta(days=90))
    html = BeautifulSoup(admin_client.get(CHANGELIST).content, "html.parser")
    flagged = {
        row.select_one("th").get_text(strip=True)
        for row in html.select("#result_list tbody tr")
        if "Possible duplicate" in row.get_text()
    }
    assert flagged == {f"#{first.pk} Ana Rivera", f"#{second.pk} Ana Rivera"}
    page = admin_client.get(change_url(first)).content.decode()
    assert f'href="{change_url(second)}"' in page
    assert f'href="{change_url(unrelated)}"' not in page


def test_merging_closes_the_newer_request_as_a_duplicate_of_the_older(admin_client, admin_user, content):
    first = make_request(received_at=timezone.now() - datetime.timedelta(days=1))
    second = make_request()
    response = admin_client.post(
        CHANGELIST, {"action": "merge_duplicates", "_selected_action": [first.pk, second.pk]}, follow=True
    )
    assertContains(response, "1 request closed as a duplicate of")
    second.refresh_from_db()
    first.refresh_from_db()
    assert (second.status, second.duplicate_of, second.status_changed_by) == ("closed", first, admin_user)
    assert first.status == "new"


def test_merging_refuses_requests_from_different_people(admin_client, content):
    first = make_request()
    second = make_request(email="someone@example.org", phone="+12125550100")
    response = admin_client.post(
        CHANGELIST, {"action": "merge_duplicates", "_selected_action": [first.pk, second.pk]}, follow=True
    )
    assertContains(response, "Select two or more requests with the same e-mail or phone.")
    assert AppointmentRequest.objects.filter(status="closed").count() == 0


@pytest.mark.parametrize("term", ["Brooklyn", "mornings"])
def test_staff_search_by_city_and_comments(admin_client, content, term):
    wanted = make_request(city="Brooklyn", comments="Mornings suit me.")
    make_request(city="Queens", comments="Evenings.", email="q@example.org", phone="+12125550100")
    assert list(search_queue(admin_client, term).context["cl"].result_list) == [wanted]


def test_the_front_desk_can_log_contacts_but_not_edit_content(client, content):
    from django.contrib.auth.models import Group

    desk = User.objects.create_user("desk", password="a-long-front-desk-password", is_staff=True)
    desk.groups.add(Group.objects.get(name="Front desk"))
    sign_in(client, desk)
    appointment = make_request()
    log_attempt(client, appointment, method="text", outcome="sent", note="")
    assert appointment.contact_attempts.count() == 1
    assert client.get(reverse("admin:treatments_treatmentpage_changelist")).status_code == 403


def test_the_queue_makes_the_same_queries_for_3_or_30_requests(admin_client, content):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(CHANGELIST).status_code == 200
        return len(captured.captured_queries)  # read now: the next request clears the log

    for number in range(3):
        make_request(email=f"a{number}@example.org", phone=f"+1212555020{number}")
    queries()  # the first view keeps the clinic's hours in the shared cache
    few = queries()
    for number in range(27):
        make_request(email=f"b{number}@example.org", phone=f"+164655503{number:02d}")
    assert queries() == few
