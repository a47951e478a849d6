"""How the clinic is doing, for staff: requests and newsletter sign-ups confirmed a week, how fast requests
are first answered against the promise, what is still open, and how patients rate each page.

Every figure is an aggregate computed by the database, in a fixed handful of queries whatever
the number of requests or votes (`make bench` counts them with 100,000 requests and 1,000,000
votes). Charts are SVG drawn here, each with its table behind "Show as table".
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, FloatField, Q
from django.db.models.functions import NullIf, TruncWeek
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from treatments.opening_hours import clinic_hours

from .booking.models import Booking, BookingStatus
from .models import OTHER_LANGUAGE, AppointmentRequest, ConsentEvent, Status
from .ratings.models import PageComment, PageRating, RatedPage

WEEKS = 12
LOW_RATING = 3.5  # pages averaging below this have their comments listed
AGE_BUCKETS = [
    (_("under 1 day"), 0, 1),
    (_("1 to 3 days"), 1, 3),
    (_("3 to 7 days"), 3, 7),
    (_("over a week"), 7, None),
]


@dataclass(frozen=True)
class Bar:
    label: str
    values: tuple[int, ...]


def axis_top(largest: int) -> int:
    """The value at the top of the chart's axis: the smallest of 2, 4, 6, 8, 10, 20, 40 ... that
    is at least the largest bar, so that its half is a whole number too."""
    magnitude = 1
    while True:
        for step in (2, 4, 6, 8, 10):
            if step * magnitude >= largest:
                return step * magnitude
        magnitude *= 10


def chart(bars: list[Bar], *, key, title, heading, series, width=640, height=180, gap=4) -> dict:
    """Bar geometry for templates/appointments/dashboard_chart.html (one or two series), with
    its value axis (top, half and zero: the bars are drawn to that scale), the chart's title,
    the table's first column heading and each series' name."""
    top = axis_top(max((max(bar.values) for bar in bars), default=0))
    slot = width / max(len(bars), 1)
    per_slot = max((len(bar.values) for bar in bars), default=1)
    bar_width = max((slot - gap) / per_slot, 1)
    shapes = []
    for index, bar in enumerate(bars):
        for number, value in enumerate(bar.values):
            bar_height = round(value / top * height, 1)
            shapes.append(
                {
                    "x": round(index * slot + number * bar_width, 1),
                    "y": round(height - bar_height, 1),
                    "width": round(bar_width - 1, 1),
                    "height": bar_height,
                    "series": number,
                    "value": value,
                }
            )
    return {
        "width": width,
        "height": height,
        "shapes": shapes,
        "ticks": [top, top // 2, 0],
        "middle": height / 2,
        "bars": bars,
        "key": key,
        "title": title,
        "heading": heading,
        "series": series,
    }


def weekly_requests(now) -> list[Bar]:
    """Requests, and newsletter sign-ups confirmed (from either form), in each of the last 12
    weeks (two queries)."""
    this_week = timezone.localtime(now).date() - datetime.timedelta(days=timezone.localtime(now).weekday())
    first_week = this_week - datetime.timedelta(weeks=WEEKS - 1)
    start = timezone.make_aware(datetime.datetime.combine(first_week, datetime.time()))

    def per_week(queryset, field):
        rows = queryset.filter(**{f"{field}__gte": start}).annotate(week=TruncWeek(field)).values("week")
        return {timezone.localtime(row["week"]).date(): row["n"] for row in rows.annotate(n=Count("pk"))}

    requests = per_week(AppointmentRequest.objects.all(), "received_at")
    confirmed = per_week(ConsentEvent.objects.filter(kind=ConsentEvent.Kind.CONFIRMED), "at")
    bars = []
    for number in range(WEEKS):
        week = first_week + datetime.timedelta(weeks=number)
        bars.append(Bar(f"{week:%-d %b}", (requests.get(week, 0), confirmed.get(week, 0))))
    return bars


BOOKING_WEEKS_AHEAD = 4


def weekly_bookings(now) -> list[dict]:
    """Visits booked, cancelled and not attended in each of the last 12 weeks and the next 4,
    by the week of the visit (one query)."""
    this_week = timezone.localtime(now).date() - datetime.timedelta(days=timezone.localtime(now).weekday())
    first_week = this_week - datetime.timedelta(weeks=WEEKS - 1)
    start = timezone.make_aware(datetime.datetime.combine(first_week, datetime.time()))
    end = start + datetime.timedelta(weeks=WEEKS + BOOKING_WEEKS_AHEAD)
    rows = (
        Booking.objects.exclude(status=BookingStatus.HELD)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .annotate(week=TruncWeek("starts_at"))
        .values("week", "status")
        .annotate(n=Count("pk"))
    )
    counts = {}
    for row in rows:
        counts[timezone.localtime(row["week"]).date(), row["status"]] = row["n"]
    weeks = []
    for number in range(WEEKS + BOOKING_WEEKS_AHEAD):
        week = first_week + datetime.timedelta(weeks=number)
        kept = sum(counts.get((week, status), 0) for status in (BookingStatus.BOOKED, BookingStatus.ARRIVED))
        no_shows = counts.get((week, BookingStatus.NO_SHOW), 0)
        weeks.append({
            "week": week,
            "ahead": week > this_week,
            "booked": kept + no_shows,
            "cancelled": counts.get((week, BookingStatus.CANCELLED), 0),
            "no_shows": no_shows,
        })  # fmt: skip
    return weeks


def percentile_hours(queryset, share: float, count: int) -> float | None:
    """The duration below which `share` of the rows fall, in hours (one query, by offset, made
    even when there are no rows so that the page's queries do not depend on the data)."""
    offset = max(min(int(share * count), count - 1), 0)
    waited = list(queryset.order_by("waited").values_list("waited", flat=True)[offset : offset + 1])
    return round(waited[0].total_seconds() / 3600, 1) if waited else None


def first_contact(now) -> dict:
    """Median and 90th-percentile time to first contact over the last 12 weeks (three queries),
    and how many requests were answered within the clinic's promise, out of all whose answer was
    due: one contacted late, or not contacted at all once its time passed, is outside it (one
    aggregate; each request's due time is the one computed in the clinic's time zone when it
    arrived). Requests merged into another are left out."""
    since = now - datetime.timedelta(weeks=WEEKS)
    contacted = AppointmentRequest.objects.filter(received_at__gte=since, first_contacted_at__isnull=False).annotate(
        waited=ExpressionWrapper(F("first_contacted_at") - F("received_at"), output_field=DurationField())
    )
    count = contacted.count()
    promised = AppointmentRequest.objects.filter(
        received_at__gte=since, answer_due_at__isnull=False, duplicate_of__isnull=True
    ).aggregate(
        in_time=Count("pk", filter=Q(first_contacted_at__lte=F("answer_due_at"))),
        late=Count(
            "pk",
            filter=Q(first_contacted_at__gt=F("answer_due_at"))
            | Q(first_contacted_at__isnull=True, answer_due_at__lt=now),
        ),
    )
    due = promised["in_time"] + promised["late"]
    return {
        "count": count,
        "median_hours": percentile_hours(contacted, 0.5, count),
        "p90_hours": percentile_hours(contacted, 0.9, count),
        "within_promise": round(100 * promised["in_time"] / due) if due else None,
        "promise_due": due,
        "promise_late": promised["late"],
        "hours_known": clinic_hours() is not None,
    }


def open_requests(now) -> dict:
    """Open requests by status and by age (two queries)."""
    open_ = AppointmentRequest.objects.open()
    by_status = dict(open_.values_list("status").annotate(n=Count("pk")))
    ages = {}
    for number, (_label, older, younger) in enumerate(AGE_BUCKETS):
        condition = Q(received_at__lte=now - datetime.timedelta(days=older))
        if younger is not None:
            condition &= Q(received_at__gt=now - datetime.timedelta(days=younger))
        ages[f"age{number}"] = Count("pk", filter=condition)
    by_age = open_.aggregate(**ages)
    open_statuses = [Status.NEW, Status.CONTACTED, Status.SCHEDULED]
    statuses = [(Status(value).label, by_status.get(value, 0)) for value in open_statuses]
    bars = [Bar(str(label), (by_age[f"age{number}"],)) for number, (label, _older, _younger) in enumerate(AGE_BUCKETS)]
    return {"by_status": statuses, "by_age": bars}


def page_ratings(now) -> list[dict]:
    """Each rated page: average, count, and the average of the last 30 days' votes (two queries)."""
    recent = dict(
        PageRating.objects.filter(updated_at__gte=now - datetime.timedelta(days=30))
        .values_list("rated_page")
        .annotate(average=Avg("stars"))
    )
    pages = []
    for tally in RatedPage.objects.with_average().select_related("page__treatment").order_by("average_stars"):
        latest = recent.get(tally.pk)
        trend = None if latest is None or tally.average_stars is None else round(latest - tally.average_stars, 1)
        pages.append(
            {
                "page": tally.page,
                "average": tally.average_stars,
                "count": tally.count,
                "recent": latest,
                "trend": trend,
            }
        )
    return pages


def by_language(now) -> list[dict]:
    """For each language of the site, the last 12 weeks' requests sent from its pages and those
    asking for a call in it, and its pages' ratings (three queries); then the calls asked for in
    any other language."""
    since = now - datetime.timedelta(weeks=WEEKS)
    recent = AppointmentRequest.objects.filter(received_at__gte=since)
    sent = dict(recent.values_list("language").annotate(n=Count("pk")))
    calls = dict(recent.values_list("call_language").annotate(n=Count("pk")))
    ratings = {
        row["rated_page__page__treatment__language"]: row
        for row in PageRating.objects.values("rated_page__page__treatment__language").annotate(
            n=Count("pk"), average=Avg("stars")
        )
    }
    rows = [
        {
            "language": get_language_info(code)["name"],
            "requests": sent.get(code, 0),
            "calls": calls.get(code, 0),
            "ratings": ratings.get(code, {}).get("n", 0),
            "average": ratings.get(code, {}).get("average"),
        }
        for code, _name in settings.LANGUAGES
    ]
    rows.append(
        {"language": _("Another language"), "requests": None, "calls": calls.get(OTHER_LANGUAGE, 0), "ratings": None}
    )
    return rows


def low_rated_comments(limit=10):
    average = ExpressionWrapper(
        F("rated_page__total") * 1.0 / NullIf(F("rated_page__count"), 0), output_field=FloatField()
    )
    return (
        PageComment.objects.annotate(page_average=average)
        .filter(page_average__lt=LOW_RATING)
        .select_related("rated_page__page__treatment")
        .order_by("-created_at")[:limit]
    )


def dashboard_figures(now=None) -> dict:
    now = now or timezone.now()
    weekly = weekly_requests(now)
    open_figures = open_requests(now)
    return {
        "worklist": AppointmentRequest.objects.worklist_counts(now),
        "weekly": chart(
            weekly,
            key="weekly",
            title=_("Requests and newsletter sign-ups confirmed, last 12 weeks"),
            heading=_("Week starting"),
            series=[_("Requests"), _("Newsletter sign-ups confirmed")],
        ),
        "first_contact": first_contact(now),
        "open": open_figures,
        "ages": chart(
            open_figures["by_age"],
            key="ages",
            title=_("Open requests by how long they have waited"),
            heading=_("Waiting"),
            series=[_("Open requests")],
            height=120,
        ),
        "ratings": page_ratings(now),
        "languages": by_language(now),
        "bookings": weekly_bookings(now),
        "comments": list(low_rated_comments()),
        "low_rating": LOW_RATING,
    }


@never_cache
@staff_member_required
def dashboard(request):
    if not request.user.has_perm("appointments.view_appointmentrequest"):
        raise PermissionDenied
    context = {
        **admin.site.each_context(request),  # the admin's header, sign-out link and tab title
        **dashboard_figures(),
        "title": _("How the clinic is doing"),
    }
    return render(request, "appointments/dashboard.html", context)
