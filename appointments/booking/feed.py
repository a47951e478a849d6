"""Each clinician's private calendar feed (iCalendar), read by their own calendar program from
an address with a secret token (Clinician.feed_token; a new one from the admin revokes the old).
It holds only what they need to see their day: the time, the visit type, the patient's first
name and request number; never a phone number, an e-mail address or a note."""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from icalendar import Calendar, Event

from .models import Booking, BookingStatus, Clinician

# What the feed covers: the last weeks (to look back at a day) and everything to come.
FEED_PAST = datetime.timedelta(days=28)


def feed_calendar(clinician: Clinician) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    calendar = Calendar()
    calendar.add("prodid", "-//mesoclinic//clinician feed//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{clinician.name}: bookings")
    bookings = (
        Booking.objects.filter(
            clinician=clinician,
            status__in=[BookingStatus.BOOKED, BookingStatus.ARRIVED, BookingStatus.NO_SHOW],
            starts_at__gte=timezone.now() - FEED_PAST,
        )
        .select_related("visit_type", "request")
        .only("pk", "starts_at", "ends_at", "version", "status", "visit_type__name", "request__first_name")
        .order_by("starts_at")
    )
    for booking in bookings:
        event = Event()
        event.add("uid", f"booking-{booking.pk}@{host}")  # the patient's own event has the same
        event.add("dtstamp", timezone.now())
        event.add("dtstart", booking.starts_at.astimezone(datetime.UTC))
        event.add("dtend", booking.ends_at.astimezone(datetime.UTC))
        event.add("sequence", booking.version)
        who = f"{booking.request.first_name} (#{booking.request_id})" if booking.request else ""
        event.add("summary", f"{booking.visit_type.name}: {who}" if who else booking.visit_type.name)
        calendar.add_component(event)
    return calendar.to_ical().decode()


@never_cache
@require_GET
def clinician_feed(request, token: str):
    clinician = Clinician.objects.filter(feed_token=token).first() if len(token) <= 64 else None
    if clinician is None:
        raise Http404("no such calendar")
    response = HttpResponse(feed_calendar(clinician), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="bookings.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response
