"""Operations that write bookings: made online or by the front desk, moved, cancelled, marked,
and the waiting list's offers. Views, the admin and tasks call these; nothing else writes.

Each is one transaction. A booking is only made into a time that the free-times list offers
at that moment (availability.py), so working hours, closed days, time off, notice and horizon
hold for staff too; two bookings of one clinician never overlap: on PostgreSQL the exclusion
constraint refuses the second (IntegrityError, told to the patient as "just taken"), on SQLite
the transaction takes the database's write lock before it reads, so bookings are made one at a
time. E-mails are written in the same transaction and sent by the worker (tasks.py)."""

import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from sitewide.logs import current_request_id

from ..models import AppointmentRequest, ContactAttempt
from ..response_time import response_due
from ..tasks import deliver_request_notifications
from . import mail
from .availability import Slot, clinic_zone, free_times, load_calendar, nearest, periods_of
from .models import ACTIVE_STATUSES, Booking, BookingStatus, Clinician, VisitType, WaitingListEntry
from .tasks import remind_booking, send_booking_message


class TimeTaken(Exception):
    """The time asked for is not free (any more): `nearest` holds the closest free times."""

    def __init__(self, nearest_times: list[Slot]):
        super().__init__("that time is not free")
        self.nearest = nearest_times


class StaleBooking(Exception):
    """The booking changed (moved, cancelled) after this version of it was shown."""

    def __init__(self, current: Booking):
        super().__init__(f"{current} changed meanwhile")
        self.current = current


def booking_lock() -> None:
    """On SQLite, takes the database's write lock now, before anything is read: the booking
    transactions then run one after another. PostgreSQL needs none: its constraint decides."""
    if connection.vendor == "sqlite":
        Clinician.objects.filter(pk=0).update(order=F("order"))  # no row: the lock alone


def _free_slot(visit_type, starts_at, *, for_staff: bool, ignoring=None, clinician_id=None):
    """The free time starting at `starts_at` (or TimeTaken with the nearest free ones)."""
    now = timezone.now()
    window = datetime.timedelta(days=7)
    calendar = load_calendar(
        visit_type,
        max(now, starts_at - window),
        starts_at + window,
        ignoring=ignoring,
        clinician_ids=[clinician_id] if clinician_id else None,
    )
    slots = free_times(calendar, now, notice=not for_staff, horizon=not for_staff)
    for slot in slots:
        if slot.starts_at == starts_at:
            return slot
    raise TimeTaken(nearest(slots, starts_at))


def _hold(booking: Booking, visit_type: VisitType, starts_at: datetime.datetime) -> None:
    booking.starts_at = starts_at
    booking.ends_at = starts_at + visit_type.duration
    booking.held_from = starts_at - visit_type.held_before
    booking.held_until = booking.ends_at + visit_type.held_after


DEADLOCK_DETECTED = "40P01"  # PostgreSQL's SQLSTATE


def _save_hold(booking: Booking, **save_options) -> None:
    """Saves a booking's hold in a savepoint; IntegrityError when the constraint refuses it.

    Two bookings of overlapping times saved at the same instant each find the other's row while
    checking the exclusion constraint, and each waits for the other: PostgreSQL stops one of them
    (a deadlock). That one is saved again, now after the other has finished: it is then refused
    by the constraint (IntegrityError) if the other took the time, or saved if the other failed."""
    for attempt in range(2):
        try:
            with transaction.atomic():
                booking.save(**save_options)
            return
        except OperationalError as error:
            if attempt or getattr(error.__cause__, "sqlstate", None) != DEADLOCK_DETECTED:
                raise


def _insert(booking: Booking, slot: Slot, visit_type, starts_at, **lookup) -> Booking:
    """Saves the booking with the first clinician free at that time; the constraint (PostgreSQL)
    refuses it when another transaction took the time meanwhile: TimeTaken then."""
    for clinician_id in slot.clinician_ids:
        booking.clinician_id = clinician_id
        try:
            _save_hold(booking)
            return booking
        except IntegrityError:
            booking.pk = None
            continue
    raise TimeTaken(nearest(_slots_around(visit_type, starts_at, **lookup), starts_at))


def _slots_around(visit_type, starts_at, *, for_staff=False, ignoring=None):
    now = timezone.now()
    calendar = load_calendar(
        visit_type, max(now, starts_at - datetime.timedelta(days=7)), starts_at + datetime.timedelta(days=7),
        ignoring=ignoring,
    )  # fmt: skip
    return free_times(calendar, now, notice=not for_staff, horizon=not for_staff)


@dataclass
class Made:
    booking: Booking
    created: bool


@transaction.atomic
def booking_create(
    *,
    visit_type: VisitType,
    starts_at: datetime.datetime,
    details: dict,
    source: str = Booking.Source.ONLINE,
    made_by=None,
    request: AppointmentRequest | None = None,
    clinician: Clinician | None = None,
) -> Made:
    """Books `starts_at` for the visit type, storing the patient's details as an appointment
    request (the same fields as the request form), its contact-log line, the confirmation
    e-mail and the reminder; or, for a caller already in the queue, on their request.

    `details["submission_token"]` makes a form sent twice store once: the second gets the first
    booking back (created False). A time no longer free raises TimeTaken and stores nothing."""
    booking_lock()
    token = details.get("submission_token") if request is None else None
    if token is not None:
        first = Booking.objects.filter(request__submission_token=token).select_related("request").first()
        if first is not None:
            return Made(first, False)
    for_staff = source == Booking.Source.PHONE
    slot = _free_slot(visit_type, starts_at, for_staff=for_staff, clinician_id=clinician.pk if clinician else None)
    if request is None:
        request = _request_for(visit_type, starts_at, details, source)
    booking = Booking(request=request, visit_type=visit_type, source=source, made_by=made_by)
    _hold(booking, visit_type, starts_at)
    _insert(booking, slot, visit_type, starts_at, for_staff=for_staff)
    _scheduled(request, starts_at, made_by)
    _log(request, made_by, ContactAttempt.Outcome.BOOKED, booking)
    _confirm(booking, mail.Kind.CONFIRMATION)
    return Made(booking, True)


def _request_for(visit_type, starts_at, details, source) -> AppointmentRequest:
    request = AppointmentRequest(
        **{name: value for name, value in details.items() if name != "treatment"},
        treatment=visit_type.treatment,
        purpose=AppointmentRequest.Purpose.CONSULTATION,
        origin=AppointmentRequest.Origin.PHONE
        if source == Booking.Source.PHONE
        else AppointmentRequest.Origin.BOOKING,
        status=AppointmentRequest.Status.SCHEDULED,
        appointment_at=starts_at,
    )
    if request.submission_token is None:
        request.submission_token = uuid.uuid4()
    request.answer_due_at = response_due(request.received_at)
    request.full_clean(exclude=["treatment"], validate_unique=False)
    request.save()
    # The staff alert (never with the patient's details); the patient's own e-mail is the booking's.
    deliver_request_notifications.enqueue(request.pk, request_id=current_request_id())
    return request


def _scheduled(request: AppointmentRequest, starts_at, changed_by) -> None:
    """The request shows the booked time (its appointment), and is scheduled."""
    now = timezone.now()
    fields = {"appointment_at": starts_at, "version": F("version") + 1, "changed_at": now}
    if request.status != AppointmentRequest.Status.SCHEDULED:
        fields.update(status=AppointmentRequest.Status.SCHEDULED, status_changed_at=now, status_changed_by=changed_by)
    if changed_by is not None:
        fields["changed_by"] = changed_by
    AppointmentRequest.objects.filter(pk=request.pk).update(**fields)
    request.refresh_from_db()


def _log(request: AppointmentRequest | None, made_by, outcome: str, booking: Booking) -> None:
    if request is None:
        return
    ContactAttempt.objects.create(
        request=request,
        made_by=made_by,
        method=ContactAttempt.Method.PHONE if made_by is not None else ContactAttempt.Method.ONLINE,
        outcome=outcome,
        note=mail.booking_line(booking)[:300],
    )
    if request.first_contacted_at is None and made_by is not None:
        AppointmentRequest.objects.filter(pk=request.pk).update(first_contacted_at=timezone.now())


def _confirm(booking: Booking, kind: str) -> None:
    """Writes the e-mail of this kind for the booking as it now is, the reminder too, and queues
    them; a patient without an e-mail address (a caller booked by phone) gets none."""
    if not booking.request.email:
        return
    message = mail.write(booking, kind)
    if message is not None:
        send_booking_message.enqueue(message.pk, request_id=current_request_id())
    if kind in (mail.Kind.CONFIRMATION, mail.Kind.MOVED):
        remind_at = booking.starts_at - datetime.timedelta(hours=settings.BOOKING_REMINDER_HOURS)
        if remind_at > timezone.now():
            remind_booking.using(run_after=remind_at).enqueue(booking.pk, booking.starts_at.isoformat())


def booking_lock_current(booking: Booking, opened_version: int) -> Booking:
    current = (
        Booking.objects.select_for_update(of=("self",)).select_related("request", "visit_type").get(pk=booking.pk)
    )
    if current.version != opened_version:
        raise StaleBooking(current)
    return current


@transaction.atomic
def booking_move(*, booking: Booking, opened_version: int, starts_at, moved_by=None) -> Booking:
    """Moves a booking to another free time of its visit type, keeping its number, so its
    calendar event is replaced; the old reminder is never sent (it names the old time)."""
    booking_lock()
    current = booking_lock_current(booking, opened_version)
    if not current.is_active:
        raise StaleBooking(current)
    for_staff = moved_by is not None
    slot = _free_slot(current.visit_type, starts_at, for_staff=for_staff, ignoring=current)
    _hold(current, current.visit_type, starts_at)
    current.version = opened_version + 1
    if current.clinician_id not in slot.clinician_ids:
        current.clinician_id = slot.clinician_ids[0]
    try:
        _save_hold(current, update_fields=["starts_at", "ends_at", "held_from", "held_until", "version", "clinician"])
    except IntegrityError:
        raise TimeTaken(
            nearest(_slots_around(current.visit_type, starts_at, for_staff=for_staff, ignoring=current), starts_at)
        ) from None
    _scheduled(current.request, starts_at, moved_by)
    _log(current.request, moved_by, ContactAttempt.Outcome.MOVED, current)
    _confirm(current, mail.Kind.MOVED)
    return current


@transaction.atomic
def booking_cancel(*, booking: Booking, opened_version: int, cancelled_by=None) -> Booking:
    """Cancels a booking (the patient from their link, or staff), frees its time, tells the
    patient, and offers the time to the first patient waiting for that visit type."""
    current = booking_lock_current(booking, opened_version)
    if current.status != BookingStatus.BOOKED:
        raise StaleBooking(current)
    current.status = BookingStatus.CANCELLED
    current.status_changed_at = timezone.now()
    current.version = opened_version + 1
    current.save(update_fields=["status", "status_changed_at", "version"])
    request = current.request
    AppointmentRequest.objects.filter(pk=request.pk).update(
        status=AppointmentRequest.Status.CLOSED,
        status_changed_at=current.status_changed_at,
        status_changed_by=cancelled_by,
        version=F("version") + 1,
        changed_at=current.status_changed_at,
    )
    _log(request, cancelled_by, ContactAttempt.Outcome.CANCELLED, current)
    _confirm(current, mail.Kind.CANCELLED)
    if current.starts_at > timezone.now():
        offer_freed_time(visit_type=current.visit_type, clinician_id=current.clinician_id, starts_at=current.starts_at)
    return current


@transaction.atomic
def booking_mark(*, booking: Booking, opened_version: int, status: str, changed_by) -> Booking:
    """The front desk marks a booking arrived, did not come, or cancelled (which frees it)."""
    if status == BookingStatus.CANCELLED:
        return booking_cancel(booking=booking, opened_version=opened_version, cancelled_by=changed_by)
    if status not in (BookingStatus.ARRIVED, BookingStatus.NO_SHOW, BookingStatus.BOOKED):
        raise ValueError(f"not a status staff set: {status}")
    current = booking_lock_current(booking, opened_version)
    if current.status == status:
        return current
    if current.status not in (BookingStatus.BOOKED, BookingStatus.ARRIVED, BookingStatus.NO_SHOW):
        raise StaleBooking(current)
    current.status, current.status_changed_at = status, timezone.now()
    current.version = opened_version + 1
    current.save(update_fields=["status", "status_changed_at", "version"])
    return current


# The waiting list.


def waiting_list_join(*, visit_type: VisitType, first_name: str, email: str, language: str, token: uuid.UUID):
    """Adds the patient to the visit type's waiting list (once per form)."""
    entry, _created = WaitingListEntry.objects.get_or_create(
        submission_token=token,
        defaults={"visit_type": visit_type, "first_name": first_name, "email": email, "language": language},
    )
    return entry


def offer_freed_time(*, visit_type: VisitType, clinician_id: int, starts_at) -> Booking | None:
    """Holds a freed time for the first patient waiting for its visit type who was not offered
    it yet, for WAITING_LIST_HOLD_MINUTES, and e-mails them the offer. None: nobody waiting."""
    entries = WaitingListEntry.objects.select_for_update(skip_locked=connection.vendor == "postgresql")
    entry = (
        entries.filter(visit_type=visit_type, status=WaitingListEntry.Status.WAITING)
        .exclude(messages__key__startswith=mail.offer_key_prefix(clinician_id, starts_at))
        .order_by("joined_at", "pk")
        .first()
    )
    if entry is None:
        return None
    held = Booking(
        request=None,
        clinician_id=clinician_id,
        visit_type=visit_type,
        status=BookingStatus.HELD,
        source=Booking.Source.WAITING_LIST,
        held_for_offer_until=timezone.now() + datetime.timedelta(minutes=settings.WAITING_LIST_HOLD_MINUTES),
    )
    _hold(held, visit_type, starts_at)
    try:
        _save_hold(held)
    except IntegrityError:
        return None  # someone booked it the moment it was freed
    entry.status, entry.offer = WaitingListEntry.Status.OFFERED, held
    entry.save(update_fields=["status", "offer"])
    message = mail.write_offer(entry, held)
    send_booking_message.enqueue(message.pk, request_id=current_request_id())
    expire_offer.using(run_after=held.held_for_offer_until).enqueue(held.pk)
    return held


@task()
def expire_offer(held_id: int) -> None:
    """Runs when an offer's hold is over (queued with the offer): see offer_expire."""
    offer_expire(held_id=held_id)


@transaction.atomic
def offer_expire(*, held_id: int) -> Booking | None:
    """When an offer's hold is over and it was not taken: the time goes to the next patient
    waiting (or back to everyone); the patient not answering keeps their place for other times."""
    held = Booking.objects.select_for_update().filter(pk=held_id, status=BookingStatus.HELD).first()
    if held is None or held.held_for_offer_until > timezone.now():
        return None
    held.status, held.status_changed_at = BookingStatus.CANCELLED, timezone.now()
    held.save(update_fields=["status", "status_changed_at"])
    WaitingListEntry.objects.filter(offer=held, status=WaitingListEntry.Status.OFFERED).update(
        status=WaitingListEntry.Status.WAITING, offer=None
    )
    return offer_freed_time(visit_type=held.visit_type, clinician_id=held.clinician_id, starts_at=held.starts_at)


@transaction.atomic
def offer_accept(*, entry: WaitingListEntry, details: dict) -> Made:
    """The waiting patient takes the time held for them: it becomes their booking."""
    booking_lock()
    entry = WaitingListEntry.objects.select_for_update().get(pk=entry.pk)
    token = details.get("submission_token")
    done = Booking.objects.filter(request__submission_token=token).first() if token else None
    if done is not None:
        return Made(done, False)
    held = (
        Booking.objects.select_for_update()
        .filter(pk=entry.offer_id, status=BookingStatus.HELD, held_for_offer_until__gt=timezone.now())
        .first()
    )
    if held is None or entry.status != WaitingListEntry.Status.OFFERED:
        raise TimeTaken([])
    request = _request_for(held.visit_type, held.starts_at, details, Booking.Source.ONLINE)
    held.request, held.status, held.held_for_offer_until = request, BookingStatus.BOOKED, None
    held.version += 1
    held.save(update_fields=["request", "status", "held_for_offer_until", "version"])
    entry.status = WaitingListEntry.Status.BOOKED
    entry.save(update_fields=["status"])
    _log(request, None, ContactAttempt.Outcome.BOOKED, held)
    _confirm(held, mail.Kind.CONFIRMATION)
    return Made(held, True)


def active_bookings_outside_hours(clinician_ids=None) -> list[Booking]:
    """Bookings to come that their clinician's hours (or the clinic's closed days, or time off)
    no longer cover, after a change of the hours: for the front desk to rearrange."""
    now = timezone.now()
    bookings = Booking.objects.filter(status__in=ACTIVE_STATUSES, starts_at__gt=now).select_related("visit_type")
    if clinician_ids is not None:
        bookings = bookings.filter(clinician_id__in=clinician_ids)
    bookings = list(bookings.order_by("starts_at"))
    if not bookings:
        return []
    zone = clinic_zone()
    outside = []
    by_type = {}
    for booking in bookings:
        by_type.setdefault(booking.visit_type_id, []).append(booking)
    for group in by_type.values():
        visit_type = group[0].visit_type
        calendar = load_calendar(
            visit_type,
            group[0].starts_at,
            group[-1].ends_at,
            clinician_ids=sorted({booking.clinician_id for booking in group}),
            offered_only=False,
        )
        calendar_off = calendar.time_off
        for booking in group:
            day = timezone.localtime(booking.starts_at, zone).date()
            periods = periods_of(calendar, booking.clinician_id, day, zone)
            inside = any(begin <= booking.starts_at and booking.ends_at <= finish for begin, finish in periods)
            off = any(
                begin < booking.ends_at and finish > booking.starts_at
                for begin, finish in calendar_off.get(booking.clinician_id, [])
            )
            if not inside or off:
                outside.append(booking)
    return sorted(outside, key=lambda booking: booking.starts_at)
