"""Many patients sending at the same moment: every request is stored, exactly once."""

import threading
import time

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from appointments.forms import issue_form_token
from appointments.models import AppointmentRequest

from .factories import form_data

FORM_URL = reverse("appointments:request")
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="runs in the PostgreSQL pass (make test-postgres)"),
]


def test_fifty_concurrent_submissions_store_exactly_fifty(content, settings):
    settings.APPOINTMENT_RATE_LIMIT = "1000/m"
    threads_count = 50
    barrier = threading.Barrier(threads_count)
    statuses = []

    def submit(number):
        try:
            client = Client(REMOTE_ADDR=f"10.0.0.{number}")
            payload = form_data(email=f"patient{number}@example.org", form_token=issue_form_token(time.time() - 60))
            barrier.wait()
            statuses.append(client.post(FORM_URL, payload).status_code)
            # The same form sent again at once by an impatient patient must not add a row.
            statuses.append(client.post(FORM_URL, payload).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(number,)) for number in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302] * (threads_count * 2)
    assert AppointmentRequest.objects.count() == threads_count
    assert AppointmentRequest.objects.values("email").distinct().count() == threads_count


def test_two_hundred_visitors_rating_at_once_give_exact_figures(content, settings):
    from concurrent.futures import ThreadPoolExecutor

    from appointments.models import PageRating, RatedPage
    from appointments.ratings.selectors import page_reference
    from treatments.models import TreatmentPage

    settings.RATING_RATE_LIMIT = "1000/m"
    page = TreatmentPage.objects.get(slug="faq")
    reference = page_reference(page)
    visitors = 200
    stars_of = [(number % 5) + 1 for number in range(visitors)]
    # PostgreSQL here allows 100 connections: 60 threads keep 60 votes in flight at once.
    workers = 60
    barrier = threading.Barrier(workers)

    def vote(number):
        try:
            if number < workers:
                barrier.wait()
            client = Client(
                REMOTE_ADDR=f"10.1.{number // 250}.{number % 250}", headers={"Origin": "http://testserver"}
            )
            first = client.post("/ratings/", {"page": reference, "stars": 1}).status_code
            # Each visitor changes their mind once: the count must not move.
            second = client.post("/ratings/", {"page": reference, "stars": stars_of[number]}).status_code
            return first, second
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        statuses = list(pool.map(vote, range(visitors)))
    assert statuses == [(302, 302)] * visitors
    summary = RatedPage.objects.get()
    assert summary.count == PageRating.objects.count() == visitors
    assert summary.total == sum(stars_of)
    assert summary.distribution == [stars_of.count(n) for n in range(1, 6)]
    assert summary.average == sum(stars_of) / visitors


def test_two_receptionists_saving_one_request_at_the_same_moment_one_wins_the_other_is_told(content):
    """Both opened version 1; both press Save at once, through the admin's pages: the row lock
    lets exactly one save through, and the other page says what changed and by whom."""
    from django.contrib.auth.models import Permission, User

    from conftest import sign_in
    from tests.admin_forms import admin_change_form_data

    from .factories import make_request

    appointment = make_request()
    url = reverse("admin:appointments_appointmentrequest_change", args=[appointment.pk])
    clients, pages = [], []
    for name, status in [("maria", "contacted"), ("jo", "declined")]:
        user = User.objects.create_user(name, password=f"a-long-password-for-{name}", is_staff=True)
        user.user_permissions.add(  # the database is emptied between these tests: no groups
            *Permission.objects.filter(codename__in=["view_appointmentrequest", "change_appointmentrequest"])
        )
        client = sign_in(Client(), user)
        clients.append(client)
        pages.append({**admin_change_form_data(client.get(url)), "status": status})
    barrier = threading.Barrier(2)
    results = {}

    def save(number):
        try:
            barrier.wait()
            response = clients[number].post(url, pages[number])
            results[number] = (response.status_code, response.content.decode())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(number,)) for number in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(status for status, _ in results.values())
    assert statuses == [200, 302]
    (refused,) = [html for status, html in results.values() if status == 200]
    assert "Not saved:" in refused
    appointment.refresh_from_db()
    assert appointment.version == 2
    assert appointment.status in ("contacted", "declined")
