"""CSV exports of appointment requests for the front desk, safe to open in a spreadsheet."""

import csv
import itertools

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import get_language_info

# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

REQUEST_COLUMNS = [
    "received",
    "first name",
    "last name",
    "city",
    "state",
    "e-mail",
    "phone",
    "contact by",
    "language for the call",
    "site language",
    "newsletter",
    "would like to",
    "treatment",
    "comments",
    "status",
]


def spreadsheet_safe(value) -> str:
    """The value as text a spreadsheet shows literally, never evaluates."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


class _Echo:
    def write(self, value):
        return value


def csv_response(filename, header, rows) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    # chain, not [header, *rows]: the rows are read as the file is sent, not all before it starts
    lines = (writer.writerow([spreadsheet_safe(cell) for cell in row]) for row in itertools.chain([header], rows))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def request_rows(queryset):
    """One row a request, newest first, as the patient sent it plus its status: read in chunks,
    without the queue's annotations, so the file starts at once and streams however long it is."""
    plain = queryset.model.objects.filter(pk__in=queryset.values("pk"))
    for a in plain.select_related("treatment").order_by("-received_at").iterator(chunk_size=500):
        yield [
            timezone.localtime(a.received_at).strftime("%Y-%m-%d %H:%M"),
            a.first_name,
            a.last_name,
            a.city,
            a.state,
            a.email,
            a.phone.as_national if a.phone else "",
            a.get_contact_preference_display(),
            a.call_language_name,
            get_language_info(a.language)["name"],
            "yes" if a.newsletter else "no",
            a.get_purpose_display(),
            a.treatment.name if a.treatment else "",
            a.comments,
            a.get_status_display(),
        ]


def requests_csv(queryset) -> StreamingHttpResponse:
    return csv_response("appointment-requests.csv", REQUEST_COLUMNS, request_rows(queryset))
