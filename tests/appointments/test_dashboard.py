"""The dashboard's figures against ones worked out by hand, in a fixed number of queries."""

import datetime
import uuid

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from appointments.booking.models import Booking
from appointments.dashboard import dashboard_figures
from appointments.models import ConsentEvent
from appointments.ratings.services import page_comment_create, page_rating_submit
from conftest import sign_in
from tests.treatments.factories import record_opening_hours
from treatments.models import TreatmentPage

from .booking.factories import clinic_calendar
from .factories import make_request

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 11, 25, 12, 0))  # a Wednesday


def at(days_ago, hours=0):
    return NOW - datetime.timedelta(days=days_ago, hours=hours)


def small_clinic():
    """Five requests: three this week (one newsletter sign-up, confirmed that day), two last week;
    first contacts after 2, 4, 6 and 30 hours; one still open and new. And a sign-up confirmed
    last week from the home page (no request)."""
    plans = [(0, 2, True), (1, 4, False), (2, 6, False), (8, 30, False), (9, None, False)]
    for number, (days_ago, hours_to_contact, newsletter) in enumerate(plans):
        received = at(days_ago)
        make_request(
            email=f"p{number}@example.org",
            phone=f"+1212555010{number}",
            received_at=received,
            newsletter=newsletter,
            first_contacted_at=received + datetime.timedelta(hours=hours_to_contact) if hours_to_contact else None,
            status="new" if hours_to_contact is None else "contacted",
        )
        if newsletter:
            ConsentEvent.objects.create(kind="confirmed", address_hash=f"{number:064d}", at=received)
    ConsentEvent.objects.create(kind="asked", address_hash="9" * 64, at=at(8))  # asked only: not counted
    ConsentEvent.objects.create(kind="confirmed", address_hash="9" * 64, at=at(8))


def test_requests_and_confirmed_newsletter_sign_ups_per_week(content):
    small_clinic()
    bars = dashboard_figures(NOW)["weekly"]["bars"]
    assert len(bars) == 12
    assert [(bar.label, bar.values) for bar in bars[-2:]] == [("16 Nov", (2, 1)), ("23 Nov", (3, 1))]
    assert sum(bar.values[0] for bar in bars) == 5


def test_time_to_first_contact_median_90th_percentile_and_the_promise(content, settings):
    record_opening_hours("mon-fri 09:00-17:00")
    small_clinic()
    figures = dashboard_figures(NOW)["first_contact"]
    # waits: 2, 4, 6, 30 hours -> by offset, the median is the 3rd (6 h) and the 90th percentile the 4th (30 h)
    assert (figures["count"], figures["median_hours"], figures["p90_hours"]) == (4, 6.0, 30.0)
    # Each was received at noon and due by the next business day's close: the 30-hour wait, from
    # Monday 16 Nov noon to Tuesday 18:00, missed Tuesday's 17:00, and the request nobody has
    # contacted (due Tuesday 17 Nov) is outside the promise too: 3 of 5.
    assert figures["within_promise"] == 60
    assert (figures["promise_due"], figures["promise_late"]) == (5, 2)


def test_open_requests_by_status_and_age(content):
    small_clinic()
    figures = dashboard_figures(NOW)["open"]
    assert dict(figures["by_status"]) == {"New": 1, "Contacted": 4, "Scheduled": 0}
    assert [bar.values[0] for bar in figures["by_age"]] == [1, 2, 0, 2]  # 0 | 1, 2 | - | 8, 9 days


def test_page_ratings_with_their_trend_and_comments_on_low_rated_pages(content):
    faq = TreatmentPage.objects.get(slug="faq")
    safety = TreatmentPage.objects.get(slug="side-effects-and-safety")
    for stars in [5, 5, 4]:
        page_rating_submit(page=faq, visitor=uuid.uuid4(), stars=stars)
    critic = uuid.uuid4()
    page_rating_submit(page=safety, visitor=critic, stars=2)
    page_comment_create(page=safety, visitor=critic, text="Please explain the allergy test.")
    page_comment_create(page=faq, visitor=uuid.uuid4(), text="Not shown: FAQ is rated well.")
    figures = dashboard_figures()
    rows = {str(row["page"]): row for row in figures["ratings"]}
    assert rows["Mesotherapy: questions and answers"]["count"] == 3
    assert round(rows["Mesotherapy: questions and answers"]["average"], 2) == 4.67
    assert rows["Mesotherapy: side effects and safety"]["trend"] == 0.0
    assert [comment.text for comment in figures["comments"]] == ["Please explain the allergy test."]


def test_requests_calls_and_ratings_are_counted_per_language(content, admin_client):
    make_request(language="es", call_language="es")
    make_request(email="b@example.org", language="es", call_language="en")
    make_request(email="c@example.org", call_language="other", call_language_other="Vietnamese")
    make_request(email="d@example.org", received_at=at(100))  # before the last 12 weeks
    spanish_faq = TreatmentPage.objects.get(treatment__language="es", slug="preguntas-frecuentes")
    for stars in [5, 4]:
        page_rating_submit(page=spanish_faq, visitor=uuid.uuid4(), stars=stars)
    page_rating_submit(page=TreatmentPage.objects.get(slug="faq"), visitor=uuid.uuid4(), stars=3)
    rows = {row["language"]: row for row in dashboard_figures()["languages"]}
    assert (rows["English"]["requests"], rows["English"]["calls"], rows["English"]["ratings"]) == (1, 1, 1)
    assert (rows["Spanish"]["requests"], rows["Spanish"]["calls"], rows["Spanish"]["ratings"]) == (2, 1, 2)
    assert rows["Spanish"]["average"] == 4.5
    assert rows["Another language"]["calls"] == 1
    html = admin_client.get(reverse("dashboard")).content.decode()
    assert "Requests sent from its pages" in html
    assert '<th scope="row">Spanish</th><td>2</td><td>1</td><td>2</td><td>4.5</td>' in html


def test_the_dashboard_makes_the_same_few_queries_whatever_the_data_size(content, admin_client):
    small_clinic()
    admin_client.get(reverse("dashboard"))  # the clinic's hours are then kept in the shared cache
    with CaptureQueriesContext(connection) as queries:
        admin_client.get(reverse("dashboard"))
    few = len(queries.captured_queries)  # read now: the next request clears Django's query log
    for number in range(40):
        make_request(email=f"more{number}@example.org", phone=f"+1646555{number:04d}", received_at=at(number % 80))
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(reverse("dashboard"))
    many = len(queries.captured_queries)
    assert response.status_code == 200
    # 18, one for the newsletter sign-ups confirmed (their own table), three for the languages,
    # one for the bookings
    assert 0 < many == few <= 23


def test_the_front_desk_sees_the_dashboard_and_editors_do_not(client, content):
    desk = User.objects.create_user("desk", password="a-long-front-desk-password", is_staff=True)
    desk.groups.add(Group.objects.get(name="Front desk"))
    sign_in(client, desk)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert "Show as table" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    editor = User.objects.create_user("editor", password="a-long-editor-password", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    sign_in(client, editor)
    assert client.get(reverse("dashboard")).status_code == 403
    client.logout()
    assert client.get(reverse("dashboard")).status_code == 302  # to the sign-in page


def test_the_promise_counts_from_the_clinics_day_not_utcs(content, admin_client):
    """The clinic's day, not UTC's: Sunday 23:30 in New York is Monday 04:30 UTC."""
    record_opening_hours("mon-fri 09:00-17:00")
    sunday_night = timezone.make_aware(datetime.datetime(2026, 11, 22, 23, 30))
    monday_morning = timezone.make_aware(datetime.datetime(2026, 11, 23, 10, 0))
    make_request(received_at=sunday_night, first_contacted_at=monday_morning, status="contacted")
    # The same Sunday night, answered on Tuesday morning: due by Monday's close, so late (counted
    # from UTC's Monday it would look due by Tuesday's).
    make_request(
        received_at=sunday_night,
        first_contacted_at=monday_morning + datetime.timedelta(days=1),
        status="contacted",
        email="other@example.org",
        phone="+12125550177",
    )
    figures = dashboard_figures(NOW)["first_contact"]
    assert (figures["within_promise"], figures["promise_due"], figures["promise_late"]) == (50, 2, 1)


def test_the_promise_share_matches_sql_on_generated_data(content):
    """Sixty requests at random moments (some minutes either side of midnight), contacted after
    random waits or not at all; the figures against the same questions asked in SQL."""
    import random

    from appointments.models import AppointmentRequest

    record_opening_hours("mon-fri 09:00-17:00", closed=["2026-11-26"])
    rng = random.Random(18)
    for number in range(60):
        received = NOW - datetime.timedelta(minutes=rng.randrange(0, 20 * 24 * 60))
        if number % 6 == 0:  # around the clinic's midnight
            day = timezone.localtime(received).date()
            midnight = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
            received = midnight + datetime.timedelta(minutes=rng.choice([-20, -5, 5, 20]))
        waited = rng.choice([None, 1, 5, 20, 40, 80])
        contacted = received + datetime.timedelta(hours=waited) if waited else None
        make_request(
            email=f"g{number}@example.org",
            phone=f"+1718555{number:04d}",
            received_at=received,
            first_contacted_at=contacted if contacted and contacted < NOW else None,
            status="contacted" if contacted and contacted < NOW else "new",
        )
    table = AppointmentRequest._meta.db_table
    since = NOW - datetime.timedelta(weeks=12)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT SUM(CASE WHEN first_contacted_at <= answer_due_at THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN first_contacted_at > answer_due_at OR (first_contacted_at IS NULL AND answer_due_at < %s) "
            f"THEN 1 ELSE 0 END) FROM {table} WHERE received_at >= %s AND answer_due_at IS NOT NULL",
            [NOW, since],
        )
        in_time, late = cursor.fetchone()
    figures = dashboard_figures(NOW)["first_contact"]
    assert figures["within_promise"] == round(100 * in_time / (in_time + late))
    assert 0 < in_time < in_time + late  # the data has both kinds
    # Each due time against the rule worked out here in the clinic's zone (next weekday, 17:00).
    for request in AppointmentRequest.objects.all():
        day = timezone.localtime(request.received_at).date() + datetime.timedelta(days=1)
        while day.weekday() >= 5 or day == datetime.date(2026, 11, 26):  # weekends; Thanksgiving is closed
            day += datetime.timedelta(days=1)
        assert timezone.localtime(request.answer_due_at) == timezone.make_aware(
            datetime.datetime.combine(day, datetime.time(17))
        )


def test_the_dashboard_has_the_admins_header_sign_out_and_title(content, admin_client):
    from bs4 import BeautifulSoup

    page = BeautifulSoup(admin_client.get(reverse("dashboard")).content, "html.parser")
    assert page.title.get_text(strip=True) == "How the clinic is doing | Clinic website admin"
    assert page.select_one("#logout-form button").get_text(strip=True) == "Log out"
    assert page.select_one("#site-name").get_text(strip=True) == "Clinic website administration"
    legend = page.select_one(".chart__legend").get_text(" ", strip=True)
    assert "solid bars: Requests" in legend
    assert "hatched bars: Newsletter sign-ups confirmed" in legend


def test_each_chart_has_a_value_axis_the_bars_are_drawn_to(admin_client, content):
    from bs4 import BeautifulSoup

    from appointments.dashboard import axis_top

    for number in range(3):
        make_request(email=f"axis{number}@example.org", phone=f"+1212555020{number}")
    page = BeautifulSoup(admin_client.get(reverse("dashboard")).content, "html.parser")
    weekly = page.select_one(".chart")
    assert [tick.get_text() for tick in weekly.select(".chart__axis li")] == ["4", "2", "0"]
    heights = [float(bar["height"]) for bar in weekly.select("rect.bar:not(.bar--second)")]
    assert max(heights) == 180 * 3 / 4  # three requests this week, on an axis that goes to four
    assert [axis_top(value) for value in [0, 1, 2, 3, 9, 10, 11, 45, 999]] == [2, 2, 2, 4, 10, 10, 20, 60, 1000]


def test_bookings_cancellations_and_no_shows_per_week_of_the_visit(content, admin_client):
    visit_type, (person,) = clinic_calendar()
    plans = [(-7, "arrived"), (-7, "no_show"), (-6, "cancelled"), (0, "booked"), (1, "cancelled"), (14, "booked")]
    for number, (days, status) in enumerate(plans):
        starts_at = NOW + datetime.timedelta(days=days, hours=number)
        Booking.objects.create(
            request=make_request(email=f"b{number}@example.org"),
            clinician=person,
            visit_type=visit_type,
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(minutes=30),
            held_from=starts_at,
            held_until=starts_at + datetime.timedelta(minutes=30),
            status=status,
        )
    weeks = {row["week"]: row for row in dashboard_figures(NOW)["bookings"]}
    assert len(weeks) == 16  # the last 12 weeks and the next 4
    last, this, later = (weeks[datetime.date(2026, 11, day)] for day in (16, 23, 30))
    assert (last["booked"], last["cancelled"], last["no_shows"]) == (2, 1, 1)
    assert (this["booked"], this["cancelled"], this["no_shows"]) == (1, 1, 0)
    assert weeks[datetime.date(2026, 12, 7)]["booked"] == 1
    assert later["booked"] == 0
    assert weeks[datetime.date(2026, 12, 7)]["ahead"]
