"""The free times of a visit type: read in a fixed number of queries (the visit type's
clinicians, their weekly hours, extra hours, time off, the clinic's closed days and the bookings
in the range), then worked out in Python, so the number of queries never grows with the days,
the clinicians or the times offered.

A time is free for a clinician when the visit fits inside one of their working periods that day
(weekly or extra hours, never on a closed day), does not meet their time off, its held time (the
visit with the buffers around it) meets no other active booking's held time, it is at least the
minimum notice from now and before the horizon. Times are offered every `step_minutes` from the
start of each working period.

Everything is in the clinic's time zone (TIME_ZONE): a working period is its wall-clock times on
that day, so 9:00 to 17:00 stays 9:00 to 17:00 across the daylight-saving changes, and a day on
which the clocks change has an hour more or less where it happens: the times are stepped through
in UTC, so each is a real moment and a visit lasts its real length. A wall-clock time that does
not exist (2:30 on the spring change day) is read with the offset before the change (3:30 after
it); one that comes twice (1:30 on the autumn change day) as the first of the two."""

import bisect
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from treatments.models import ClinicClosure

from .models import Booking, Clinician, ExtraHours, TimeOff, VisitType, WorkingHours

UTC = datetime.UTC


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def wall_time(day: datetime.date, time: datetime.time, zone: ZoneInfo) -> datetime.datetime:
    """`time` on `day` in the clinic's zone, as a moment. Ambiguous (the autumn hour repeated):
    the first of the two; not existing (the spring gap): read with the offset before the change."""
    moment = datetime.datetime.combine(day, time, tzinfo=zone)
    return moment.astimezone(UTC).astimezone(zone)


@dataclass(frozen=True)
class Slot:
    """A time a patient can choose: when the visit starts, and who is free then (in order)."""

    starts_at: datetime.datetime
    clinician_ids: tuple[int, ...]

    @property
    def local(self) -> datetime.datetime:
        return timezone.localtime(self.starts_at)


@dataclass
class Calendar:
    """What the free times of one visit type depend on, from `start` to `end`."""

    visit_type: VisitType
    start: datetime.datetime
    end: datetime.datetime
    clinician_ids: list[int]
    weekly: dict = field(default_factory=lambda: defaultdict(list))  # (clinician, weekday) -> periods
    extra: dict = field(default_factory=lambda: defaultdict(list))  # (clinician, day) -> periods
    time_off: dict = field(default_factory=lambda: defaultdict(list))  # clinician -> [(from, until)]
    taken: dict = field(default_factory=lambda: defaultdict(list))  # clinician -> sorted [(from, until)]
    closed_days: set = field(default_factory=set)


def load_calendar(
    visit_type: VisitType,
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    clinician_ids: list[int] | None = None,
    ignoring: Booking | None = None,
    offered_only: bool = True,
) -> Calendar:
    """Reads what the free times from `start` to `end` depend on: six queries, whatever the
    range. `ignoring`: a booking being moved, whose own time counts as free. `offered_only`
    False: the clinicians named, whether or not they offer the visit type now."""
    offering = visit_type.clinicians.filter(active=True) if offered_only else Clinician.objects.all()
    if clinician_ids is not None:
        offering = offering.filter(pk__in=clinician_ids)
    ids = list(offering.values_list("pk", flat=True))
    calendar = Calendar(visit_type=visit_type, start=start, end=end, clinician_ids=ids)
    zone = clinic_zone()
    first_day = start.astimezone(zone).date() - datetime.timedelta(days=1)
    last_day = end.astimezone(zone).date() + datetime.timedelta(days=1)
    for hours in WorkingHours.objects.filter(clinician_id__in=ids).values_list(
        "clinician_id", "weekday", "starts", "ends"
    ):
        calendar.weekly[hours[0], hours[1]].append((hours[2], hours[3]))
    for hours in ExtraHours.objects.filter(clinician_id__in=ids, day__range=(first_day, last_day)).values_list(
        "clinician_id", "day", "starts", "ends"
    ):
        calendar.extra[hours[0], hours[1]].append((hours[2], hours[3]))
    reach_before = datetime.timedelta(minutes=240 + visit_type.buffer_before)  # the longest buffers allowed
    reach_after = datetime.timedelta(minutes=240 + visit_type.buffer_after)
    for clinician, starts_at, ends_at in TimeOff.objects.filter(
        clinician_id__in=ids, starts_at__lt=end + reach_after, ends_at__gt=start - reach_before
    ).values_list("clinician_id", "starts_at", "ends_at"):
        calendar.time_off[clinician].append((starts_at, ends_at))
    bookings = (
        Booking.objects.active().filter(clinician_id__in=ids).overlapping(start - reach_before, end + reach_after)
    )
    if ignoring is not None:
        bookings = bookings.exclude(pk=ignoring.pk)
    for clinician, held_from, held_until in bookings.order_by("held_from").values_list(
        "clinician_id", "held_from", "held_until"
    ):
        calendar.taken[clinician].append((held_from, held_until))
    calendar.closed_days = set(
        ClinicClosure.objects.filter(day__range=(first_day, last_day)).values_list("day", flat=True)
    )
    return calendar


class Intervals:
    """Time intervals, asked whether any meets a given one in O(log n): those starting before
    its end, and the latest end among them (kept as a running maximum)."""

    def __init__(self, intervals):
        intervals = sorted(intervals)
        self.starts = [begin for begin, _finish in intervals]
        self.latest_ends = []
        for _begin, finish in intervals:
            self.latest_ends.append(max(finish, self.latest_ends[-1]) if self.latest_ends else finish)

    def meet(self, starts_at: datetime.datetime, ends_at: datetime.datetime) -> bool:
        index = bisect.bisect_left(self.starts, ends_at)
        return index > 0 and self.latest_ends[index - 1] > starts_at


def periods_of(calendar: Calendar, clinician: int, day: datetime.date, zone: ZoneInfo):
    """A clinician's working periods on a day, as moments in UTC (none on the clinic's closed days)."""
    if day in calendar.closed_days:
        return []
    periods = calendar.weekly.get((clinician, day.weekday()), []) + calendar.extra.get((clinician, day), [])
    return [
        (wall_time(day, begin, zone).astimezone(UTC), wall_time(day, finish, zone).astimezone(UTC))
        for begin, finish in periods
    ]


def _free_moments(calendar: Calendar, now, *, notice: bool, horizon: bool, days=None, first_of_each_day=False):
    """{moment: [clinician, ...]} of the free times, scanning day by day (only `days` if given);
    `first_of_each_day`: one free moment per day is enough (which days have free times)."""
    visit_type = calendar.visit_type
    earliest = max(calendar.start, now + datetime.timedelta(hours=visit_type.notice_hours) if notice else now)
    latest = min(calendar.end, now + datetime.timedelta(days=visit_type.horizon_days)) if horizon else calendar.end
    free = defaultdict(list)
    if earliest >= latest:
        return free
    zone = clinic_zone()
    step, duration = datetime.timedelta(minutes=visit_type.step_minutes), visit_type.duration
    before, after = visit_type.held_before, visit_type.held_after
    day = earliest.astimezone(zone).date() - datetime.timedelta(days=1)
    last_day = latest.astimezone(zone).date()
    limits = {
        clinician: (Intervals(calendar.time_off.get(clinician, [])), Intervals(calendar.taken.get(clinician, [])))
        for clinician in calendar.clinician_ids
    }
    while day <= last_day:
        if days is None or day in days:
            scan_day(calendar, day, zone, limits, free, (earliest, latest, step, duration, before, after),
                     first_of_each_day)  # fmt: skip
        day += datetime.timedelta(days=1)
    return free


def scan_day(calendar, day, zone, limits, free, rule, first_only) -> None:
    earliest, latest, step, duration, before, after = rule
    for clinician in calendar.clinician_ids:
        off, taken = limits[clinician]
        for begin, finish in periods_of(calendar, clinician, day, zone):
            moment = begin
            while moment + duration <= finish:
                if (
                    earliest <= moment < latest
                    and not off.meet(moment, moment + duration)
                    and not taken.meet(moment - before, moment + duration + after)
                ):
                    free[moment].append(clinician)
                    if first_only:
                        return
                moment += step


def free_times(
    calendar: Calendar, now: datetime.datetime | None = None, *, notice: bool = True, horizon: bool = True, days=None
) -> list[Slot]:
    """Every free time of the calendar's visit type from its start to its end (on `days` only,
    if given), soonest first. `notice` and `horizon` False (the front desk booking a caller):
    only the hours, closed days, time off and other bookings limit the times."""
    free = _free_moments(calendar, now or timezone.now(), notice=notice, horizon=horizon, days=days)
    order = {clinician: position for position, clinician in enumerate(calendar.clinician_ids)}
    return [
        Slot(moment, tuple(sorted(set(clinicians), key=order.__getitem__)))
        for moment, clinicians in sorted(free.items())
    ]


def free_days(calendar: Calendar, now: datetime.datetime | None = None) -> list[datetime.date]:
    """The days (in the clinic's time zone) with at least one free time, in order: each day is
    scanned only up to its first free time, so listing 8 weeks of days costs little."""
    moments = _free_moments(calendar, now or timezone.now(), notice=True, horizon=True, first_of_each_day=True)
    zone = clinic_zone()
    return sorted({moment.astimezone(zone).date() for moment in moments})


def calendar_of(visit_type: VisitType, *, now=None, ignoring=None) -> Calendar:
    """What the visit type's free times from now to its horizon depend on (six queries)."""
    now = now or timezone.now()
    return load_calendar(visit_type, now, now + datetime.timedelta(days=visit_type.horizon_days), ignoring=ignoring)


def free_times_of(
    visit_type: VisitType, *, now=None, days: int | None = None, notice=True, horizon=True, ignoring=None
) -> list[Slot]:
    """The free times of a visit type from now to its horizon (or `days` ahead), soonest first."""
    now = now or timezone.now()
    end = now + datetime.timedelta(days=days if days is not None else visit_type.horizon_days)
    return free_times(load_calendar(visit_type, now, end, ignoring=ignoring), now, notice=notice, horizon=horizon)


def by_day(slots: list[Slot]) -> dict[datetime.date, list[Slot]]:
    """The times grouped by their day in the clinic's time zone, days in order."""
    days = defaultdict(list)
    for slot in slots:
        days[slot.local.date()].append(slot)
    return dict(days)


def part_of_day(slot: Slot) -> str:
    """ "morning" (before noon), "afternoon" (until 5 PM) or "evening"."""
    hour = slot.local.hour
    return "morning" if hour < 12 else "afternoon" if hour < 17 else "evening"


def nearest(slots: list[Slot], moment: datetime.datetime, count: int = 6) -> list[Slot]:
    """The `count` free times closest to `moment`, in time order."""
    return sorted(
        sorted(slots, key=lambda slot: abs(slot.starts_at - moment))[:count], key=lambda slot: slot.starts_at
    )
