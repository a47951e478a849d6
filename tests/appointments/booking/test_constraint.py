"""No double booking, in the database itself: on PostgreSQL the exclusion constraint refuses a
second active booking whose held time overlaps the first, whoever writes it (even bypassing the
site's own checks); on SQLite every booking transaction takes the write lock before it reads."""

import datetime
import threading

import pytest
from django.db import IntegrityError, OperationalError, connection, connections, transaction

from appointments.booking.availability import free_times_of
from appointments.booking.models import Booking, BookingStatus
from appointments.booking.services import TimeTaken, booking_create
from tests.appointments.factories import make_request

from .factories import booking_details, clinic_calendar

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="runs in the PostgreSQL pass")


def insert(visit_type, clinician, starts_at, minutes=30, status=BookingStatus.BOOKED, **held):
    ends_at = starts_at + datetime.timedelta(minutes=minutes)
    with transaction.atomic():
        return Booking.objects.create(
            request=make_request(email=f"{starts_at:%H%M}-{status}@example.org"),
            clinician=clinician,
            visit_type=visit_type,
            starts_at=starts_at,
            ends_at=ends_at,
            held_from=held.get("held_from", starts_at),
            held_until=held.get("held_until", ends_at),
            status=status,
        )


@on_postgresql
@pytest.mark.django_db
def test_the_database_refuses_an_overlapping_active_booking_of_the_same_clinician(content):
    visit_type, (person, other) = clinic_calendar(clinicians=2)
    start = datetime.datetime(2027, 1, 4, 15, 0, tzinfo=datetime.UTC)
    insert(visit_type, person, start)
    with pytest.raises(IntegrityError):
        insert(visit_type, person, start + datetime.timedelta(minutes=15))
    later = start + datetime.timedelta(minutes=35)
    with pytest.raises(IntegrityError):  # its buffer meets the first booking
        insert(visit_type, person, later, held_from=later - datetime.timedelta(minutes=10))
    insert(visit_type, person, start + datetime.timedelta(minutes=30))  # touching is not overlapping
    insert(visit_type, other, start)  # another clinician
    insert(visit_type, person, start, status=BookingStatus.CANCELLED)  # a cancelled one holds nothing
    assert Booking.objects.filter(clinician=person, status=BookingStatus.BOOKED).count() == 2


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_patients_taking_one_time_at_the_same_instant_one_is_booked_the_other_told(content):
    visit_type, _people = clinic_calendar()
    starts_at = free_times_of(visit_type)[0].starts_at
    barrier = threading.Barrier(2)
    outcomes = []

    def take(number):
        try:
            barrier.wait()
            booking_create(
                visit_type=visit_type, starts_at=starts_at, details=booking_details(email=f"{number}@x.org")
            )
            outcomes.append("booked")
        except TimeTaken as taken:
            outcomes.append(("taken", len(taken.nearest)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(number,)) for number in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes, key=str) == sorted(["booked", ("taken", 6)], key=str)
    assert Booking.objects.filter(starts_at=starts_at).count() == 1


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite pass")
@pytest.mark.django_db(transaction=True)
def test_on_sqlite_a_booking_takes_the_write_lock_before_it_reads(content):
    """The lock comes first: a second writer waits for the booking's transaction to end, so no
    two bookings read the same free time."""
    visit_type, _people = clinic_calendar()
    starts_at = free_times_of(visit_type)[0].starts_at
    statements = []

    def record(execute, sql, *rest):
        statements.append(sql.lstrip().upper())
        return execute(sql, *rest)

    with connection.execute_wrapper(record):
        booking_create(visit_type=visit_type, starts_at=starts_at, details=booking_details())
    writes = [number for number, sql in enumerate(statements) if sql.startswith(("UPDATE", "INSERT"))]
    reads = [number for number, sql in enumerate(statements) if sql.startswith("SELECT") and "BOOKING" in sql]
    assert writes[0] < reads[0]
    with pytest.raises(TimeTaken):
        booking_create(visit_type=visit_type, starts_at=starts_at, details=booking_details(email="b@example.org"))


class Deadlock(Exception):
    sqlstate = "40P01"  # what psycopg's DeadlockDetected carries


@pytest.mark.django_db
def test_a_booking_stopped_by_a_deadlock_with_another_is_saved_again_not_lost(content, monkeypatch):
    """Two bookings saved at the same instant can wait on each other inside the constraint's check;
    PostgreSQL then stops one (seen in the test above, now and then): that patient is booked on the
    second try (or told the time is taken), never shown an error. Any other database error is not
    retried."""
    visit_type, _people = clinic_calendar()
    starts_at = free_times_of(visit_type)[0].starts_at
    save, stopped = Booking.save, []

    def stopped_once(booking, *args, **kwargs):
        if not stopped:
            stopped.append(booking)
            raise OperationalError("deadlock detected") from Deadlock()
        return save(booking, *args, **kwargs)

    monkeypatch.setattr(Booking, "save", stopped_once)
    made = booking_create(visit_type=visit_type, starts_at=starts_at, details=booking_details())
    assert stopped
    assert made.created
    assert Booking.objects.filter(starts_at=starts_at).count() == 1

    def broken(booking, *args, **kwargs):
        raise OperationalError("the server closed the connection")

    monkeypatch.setattr(Booking, "save", broken)
    later = free_times_of(visit_type)[1].starts_at
    with pytest.raises(OperationalError):
        booking_create(visit_type=visit_type, starts_at=later, details=booking_details(email="b@example.org"))
