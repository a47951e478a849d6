"""The dashboard's figures against ones worked out by hand, in a fixed number of queries."""

import datetime
import uuid

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from appointments.dashboard import dashboard_figures
from appointments.ratings.services import page_comment_create, page_rating_submit
from conftest import sign_in
from tests.treatments.factories import record_opening_hours
from treatments.models import TreatmentPage

from .factories import make_request

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 11, 25, 12, 0))  # a Wednesday


def at(days_ago, hours=0):
    return NOW - datetime.timedelta(days=days_ago, hours=hours)


def small_clinic():
    """Five requests: three this week (one newsletter), two last week; first contacts after 2,
    4, 6 and 30 hours; one still open and new."""
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


def test_requests_and_opt_ins_per_week(content):
    small_clinic()
    bars = dashboard_figures(NOW)["weekly"]["bars"]
    assert len(bars) == 12
    assert [(bar.label, bar.values) for bar in bars[-2:]] == [("16 Nov", (2, 0)), ("23 Nov", (3, 1))]
    assert sum(bar.values[0] for bar in bars) == 5


def test_time_to_first_contact_median_90th_percentile_and_the_promise(content, settings):
    record_opening_hours("mon-fri 09:00-17:00")
    small_clinic()
    figures = dashboard_figures(NOW)["first_contact"]
    # waits: 2, 4, 6, 30 hours -> by offset, the median is the 3rd (6 h) and the 90th percentile the 4th (30 h)
    assert (figures["count"], figures["median_hours"], figures["p90_hours"]) == (4, 6.0, 30.0)
    # Each was received at noon and due by the next business day's close: only the 30-hour wait, from
    # Monday 16 Nov noon to Tuesday 18:00, missed Tuesday's 17:00.
    assert figures["within_promise"] == 75


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
    assert 0 < many == few <= 16


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
