"""The free times: right across the daylight-saving changes in America/New_York, and never a
time that is taken, off, closed, inside the minimum notice or past the horizon (property-based,
against a brute-force reference that checks every minute), read in a fixed number of queries."""

import datetime
import itertools
from collections import defaultdict
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from appointments.booking.availability import Calendar, free_days, free_times, free_times_of, load_calendar
from appointments.booking.models import Booking, Clinician, ExtraHours, TimeOff, VisitType, WorkingHours
from tests.appointments.factories import make_request
from treatments.models import Clinic, ClinicClosure

from .factories import clinic_calendar

NEW_YORK = ZoneInfo("America/New_York")
UTC = datetime.UTC


def local(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=NEW_YORK)


def wall_clock(slots) -> list[str]:
    return [f"{slot.starts_at.astimezone(NEW_YORK):%H:%M %Z}" for slot in slots]


def day_calendar(day: str, hours: list[tuple[str, str]], *, minutes=60, step=60) -> Calendar:
    """One clinician working `hours` on `day` (wall clock), nothing else in the way."""
    visit_type = VisitType(name="Visit", minutes=minutes, step_minutes=step, notice_hours=0, horizon_days=60)
    date = datetime.date.fromisoformat(day)
    calendar = Calendar(
        visit_type=visit_type,
        start=local(f"{day} 00:00") - datetime.timedelta(hours=12),
        end=local(f"{day} 00:00") + datetime.timedelta(hours=36),
        clinician_ids=[1],
    )
    for begin, finish in hours:
        calendar.extra[1, date].append((datetime.time.fromisoformat(begin), datetime.time.fromisoformat(finish)))
    return calendar


@pytest.fixture(autouse=True)
def _new_york(settings):
    settings.TIME_ZONE = "America/New_York"


NOW = local("2026-03-01 08:00")
AUTUMN_NOW = local("2026-10-25 08:00")


def test_working_hours_keep_their_wall_clock_on_the_days_around_the_spring_change():
    for day, offset in [("2026-03-06", "EST"), ("2026-03-08", "EDT"), ("2026-03-09", "EDT")]:
        slots = free_times(day_calendar(day, [("09:00", "17:00")]), NOW)
        assert wall_clock(slots) == [f"{hour:02d}:00 {offset}" for hour in range(9, 17)], day
        assert all(slot.starts_at.astimezone(NEW_YORK).date().isoformat() == day for slot in slots)


def test_the_spring_change_night_has_an_hour_less_and_no_time_in_the_gap():
    # Sunday 8 March 2026: at 2:00 the clocks go to 3:00. Working 0:00 to 5:00 is four real hours.
    slots = free_times(day_calendar("2026-03-08", [("00:00", "05:00")]), NOW)
    assert wall_clock(slots) == ["00:00 EST", "01:00 EST", "03:00 EDT", "04:00 EDT"]
    starts = [slot.starts_at for slot in slots]
    assert all(later - earlier == datetime.timedelta(hours=1) for earlier, later in itertools.pairwise(starts))


def test_a_period_starting_in_the_spring_gap_starts_when_the_clock_shows_it_again():
    slots = free_times(day_calendar("2026-03-08", [("02:30", "05:00")], minutes=30, step=30), NOW)
    assert wall_clock(slots)[0] == "03:30 EDT"  # 2:30 does not exist: read with the offset before, 3:30
    assert wall_clock(slots)[-1] == "04:30 EDT"


def test_the_autumn_change_night_has_an_hour_more_and_each_time_is_a_real_moment():
    # Sunday 1 November 2026: at 2:00 the clocks go back to 1:00. Working 0:00 to 3:00 is four hours.
    slots = free_times(day_calendar("2026-11-01", [("00:00", "03:00")]), AUTUMN_NOW)
    assert wall_clock(slots) == ["00:00 EDT", "01:00 EDT", "01:00 EST", "02:00 EST"]
    assert len({slot.starts_at for slot in slots}) == 4
    half_hours = free_times(day_calendar("2026-11-01", [("00:30", "02:00")], minutes=90, step=30), AUTUMN_NOW)
    # 0:30 EDT plus 90 real minutes is 1:00 EST, inside the period that ends at 2:00 EST
    assert wall_clock(half_hours)[0] == "00:30 EDT"


def test_working_hours_keep_their_wall_clock_on_the_days_around_the_autumn_change():
    for day, offset in [("2026-10-30", "EDT"), ("2026-11-01", "EST"), ("2026-11-02", "EST")]:
        slots = free_times(day_calendar(day, [("09:00", "17:00")]), AUTUMN_NOW)
        assert wall_clock(slots) == [f"{hour:02d}:00 {offset}" for hour in range(9, 17)], day


@pytest.mark.django_db
def test_weekly_hours_read_from_the_database_across_the_spring_change(content):
    visit_type, (person,) = clinic_calendar(minutes=60, step_minutes=60, horizon_days=400)
    WorkingHours.objects.create(clinician=person, weekday=6, starts="09:00", ends="12:00")  # Sundays too
    slots = free_times_of(visit_type, now=local("2026-03-07 12:00"), days=3)
    by_day = defaultdict(list)
    for slot in slots:
        by_day[slot.starts_at.astimezone(NEW_YORK).date().isoformat()].append(slot.starts_at.astimezone(NEW_YORK))
    assert [moment.hour for moment in by_day["2026-03-08"]] == [9, 10, 11]
    assert [moment.hour for moment in by_day["2026-03-09"]] == list(range(9, 17))
    assert by_day["2026-03-09"][0].utcoffset() == datetime.timedelta(hours=-4)


# Never a time that is taken, off, closed, inside the notice or past the horizon.

START = datetime.datetime(2026, 10, 30, 4, 0, tzinfo=UTC)  # across the autumn change
DAYS = 4
half_hours = st.integers(0, 47).map(lambda half: datetime.time(half // 2, 30 * (half % 2)))
opening = st.one_of(st.integers(14, 22), st.integers(0, 47)).map(
    lambda half: datetime.time(half // 2, 30 * (half % 2))
)
closing = st.one_of(st.integers(28, 40), st.integers(0, 47)).map(
    lambda half: datetime.time(half // 2, 30 * (half % 2))
)


def moment_in_clinic_hours(draw) -> datetime.datetime:
    """A moment on one of the days, mostly when clinicians work (8 AM to 6 PM, on 5 minutes)."""
    day = (START.astimezone(NEW_YORK) + datetime.timedelta(days=draw(st.integers(0, DAYS - 1)))).date()
    minutes = draw(st.integers(8 * 12, 18 * 12)) * 5
    wall = datetime.datetime.combine(day, datetime.time(minutes // 60, minutes % 60), tzinfo=NEW_YORK)
    return wall.astimezone(UTC)


def hours_of_a_day(draw):
    begin, finish = draw(opening), draw(closing)
    return (begin, finish) if begin < finish else (finish, begin) if finish < begin else None


@st.composite
def calendars(draw):
    clinicians = list(range(1, draw(st.integers(1, 3)) + 1))
    visit_type = VisitType(
        name="Visit",
        minutes=draw(st.sampled_from([15, 30, 45, 60, 90])),
        buffer_before=draw(st.sampled_from([0, 5, 15])),
        buffer_after=draw(st.sampled_from([0, 10, 15])),
        step_minutes=draw(st.sampled_from([5, 15, 30, 60])),
        notice_hours=draw(st.integers(0, 30)),
        horizon_days=draw(st.integers(1, 4)),
    )
    now = START + datetime.timedelta(minutes=30 * draw(st.integers(0, 48)))
    calendar = Calendar(
        visit_type=visit_type, start=START, end=START + datetime.timedelta(days=DAYS), clinician_ids=clinicians
    )
    for clinician in clinicians:
        for weekday in draw(st.sets(st.integers(0, 6), min_size=2, max_size=7)):
            for _ in range(draw(st.integers(1, 2))):
                if period := hours_of_a_day(draw):
                    calendar.weekly[clinician, weekday].append(period)
        for day in draw(st.sets(st.integers(0, DAYS), max_size=2)):
            if period := hours_of_a_day(draw):
                local_day = (START.astimezone(NEW_YORK) + datetime.timedelta(days=day)).date()
                calendar.extra[clinician, local_day].append(period)
        for _ in range(draw(st.integers(0, 2))):
            begin = moment_in_clinic_hours(draw)
            calendar.time_off[clinician].append((begin, begin + datetime.timedelta(minutes=draw(st.integers(1, 300)))))
        taken = []
        for _ in range(draw(st.integers(0, 8))):
            begin = moment_in_clinic_hours(draw)
            taken.append((begin, begin + datetime.timedelta(minutes=5 * draw(st.integers(1, 24)))))
        calendar.taken[clinician] = sorted(taken)
    closed = draw(st.sets(st.integers(0, DAYS), max_size=1))
    calendar.closed_days = {(START.astimezone(NEW_YORK) + datetime.timedelta(days=day)).date() for day in closed}
    return calendar, now


def clinic_day_periods(calendar, clinician, day):
    """A clinician's periods on a local day, worked out separately from the code under test."""
    if day in calendar.closed_days:
        return []
    found = []
    for begin, finish in calendar.weekly.get((clinician, day.weekday()), []) + calendar.extra.get(
        (clinician, day), []
    ):
        # the wall-clock time as a moment: the first of two, the offset before a gap
        found.append((
            datetime.datetime.combine(day, begin, tzinfo=NEW_YORK).astimezone(UTC),
            datetime.datetime.combine(day, finish, tzinfo=NEW_YORK).astimezone(UTC),
        ))  # fmt: skip
    return found


def reference(calendar, now) -> dict:
    """Every minute of the range, checked against every rule, one by one."""
    visit = calendar.visit_type
    duration = datetime.timedelta(minutes=visit.minutes)
    before, after = datetime.timedelta(minutes=visit.buffer_before), datetime.timedelta(minutes=visit.buffer_after)
    earliest = max(calendar.start, now + datetime.timedelta(hours=visit.notice_hours))
    latest = min(calendar.end, now + datetime.timedelta(days=visit.horizon_days))
    free = defaultdict(set)
    moment = calendar.start
    while moment < calendar.end:
        for clinician in calendar.clinician_ids:
            day = moment.astimezone(NEW_YORK).date()
            fits = any(
                begin <= moment
                and moment + duration <= finish
                and (moment - begin) % datetime.timedelta(minutes=visit.step_minutes) == datetime.timedelta(0)
                for begin, finish in clinic_day_periods(calendar, clinician, day)
            )
            off = any(
                begin < moment + duration and moment < end for begin, end in calendar.time_off.get(clinician, [])
            )
            clash = any(
                begin < moment + duration + after and moment - before < end
                for begin, end in calendar.taken.get(clinician, [])
            )
            if fits and not off and not clash and earliest <= moment < latest:
                free[moment].add(clinician)
        moment += datetime.timedelta(minutes=5)
    return free


@hypothesis_settings(max_examples=80)  # each example checks every 5 minutes of 4 days: enough, and under 20 s
@given(calendars())
def test_free_times_are_exactly_the_brute_force_reference(case):
    calendar, now = case
    slots = free_times(calendar, now)
    expected = reference(calendar, now)
    assert {slot.starts_at: set(slot.clinician_ids) for slot in slots} == expected
    assert [slot.starts_at for slot in slots] == sorted(slot.starts_at for slot in slots)
    days = sorted({moment.astimezone(NEW_YORK).date() for moment in expected})
    assert free_days(calendar, now) == days  # the day list, each day scanned to its first free time
    for day in days[:2]:  # and one day's times alone
        assert free_times(calendar, now, days={day}) == [slot for slot in slots if slot.local.date() == day]


@pytest.mark.django_db
def test_the_free_times_take_the_same_few_queries_for_8_weeks_and_5_clinicians(content):
    visit_type, people = clinic_calendar(clinicians=5, horizon_days=56, step_minutes=15)
    with CaptureQueriesContext(connection) as few:
        free_times_of(visit_type)
    for person in people:
        ExtraHours.objects.create(clinician=person, day=datetime.date(2027, 1, 9), starts="09:00", ends="12:00")
        TimeOff.objects.create(
            clinician=person,
            starts_at=datetime.datetime(2027, 1, 4, 14, tzinfo=UTC),
            ends_at=datetime.datetime(2027, 1, 6, 14, tzinfo=UTC),
        )
    ClinicClosure.objects.create(clinic=Clinic.objects.get(), day=datetime.date(2026, 12, 25))
    slots = free_times_of(visit_type)
    for number, slot in enumerate(slots[:40:3]):
        Booking.objects.create(
            request=make_request(email=f"q{number}@example.org"),
            clinician_id=slot.clinician_ids[0],
            visit_type=visit_type,
            starts_at=slot.starts_at,
            ends_at=slot.starts_at + visit_type.duration,
            held_from=slot.starts_at,
            held_until=slot.starts_at + visit_type.duration,
        )
    with CaptureQueriesContext(connection) as many:
        after = free_times_of(visit_type)
    assert len(many.captured_queries) == len(few.captured_queries) <= 6
    assert sum(len(slot.clinician_ids) for slot in after) < sum(len(slot.clinician_ids) for slot in slots)
    assert datetime.date(2026, 12, 25) not in {slot.local.date() for slot in after}


@pytest.mark.django_db
def test_load_calendar_reads_what_the_database_holds(content):
    visit_type, (person,) = clinic_calendar(buffer_before=10, buffer_after=5)
    other = Clinician.objects.create(name="Not offering it")
    WorkingHours.objects.create(clinician=other, weekday=0, starts="09:00", ends="17:00")
    start = datetime.datetime(2027, 1, 4, 5, tzinfo=UTC)
    TimeOff.objects.create(clinician=person, starts_at=start, ends_at=start + datetime.timedelta(hours=3))
    calendar = load_calendar(visit_type, start, start + datetime.timedelta(days=7))
    assert calendar.clinician_ids == [person.pk]
    assert calendar.weekly[person.pk, 0] == [(datetime.time(9), datetime.time(17))]
    assert calendar.time_off[person.pk] == [(start, start + datetime.timedelta(hours=3))]
