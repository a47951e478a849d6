"""`make backup` and `make restore`: a backup taken, the data and pictures changed and deleted,
the backup restored, and every row and file compared with what was backed up."""

import io
import json
import stat
from pathlib import Path

import pytest
from django.core.management import call_command

from appointments.booking.availability import free_times_of
from appointments.booking.models import Booking
from appointments.booking.services import booking_create
from appointments.models import AppointmentRequest
from tests.appointments.booking.factories import booking_details, clinic_calendar
from tests.appointments.factories import make_request
from treatments.models import FAQEntry, TreatmentPage


def everything() -> list:
    """Every row of the site's own data, as `dumpdata` writes it."""
    out = io.StringIO()
    call_command("dumpdata", "treatments", "appointments", "auth.user", "auth.group", stdout=out)
    return sorted(json.loads(out.getvalue()), key=lambda row: (row["model"], str(row["pk"])))


def files(folder: Path) -> dict:
    return {str(path.relative_to(folder)): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_every_row_and_every_picture(content, settings, tmp_path):
    media = Path(settings.MEDIA_ROOT)
    (media / "pictures").mkdir(parents=True)
    (media / "pictures" / "card.webp").write_bytes(b"RIFF picture bytes")
    (media / "pictures" / "page.webp").write_bytes(b"RIFF other picture")
    make_request()
    visit_type, _people = clinic_calendar()
    starts_at = free_times_of(visit_type)[0].starts_at
    booking_create(visit_type=visit_type, starts_at=starts_at, details=booking_details())
    rows_before, files_before = everything(), files(media)

    settings.BACKUP_DIR = tmp_path / "backups"
    out = io.StringIO()
    call_command("backup_site", stdout=out)
    folder = Path(out.getvalue().split("Backed up into ", 1)[1].strip())
    assert folder.parent == tmp_path / "backups"
    # Every patient's details are in there: readable by the site's own user alone.
    assert stat.S_IMODE(folder.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert {stat.S_IMODE(file.stat().st_mode) for file in folder.iterdir()} == {0o600}

    page = TreatmentPage.objects.get(slug="faq")
    page.title = "Changed after the backup"
    page.save()
    FAQEntry.objects.filter(page__treatment__language="en", anchor="pain").delete()
    AppointmentRequest.objects.all().delete()
    make_request(email="later@example.org", phone="+12125550199")
    (media / "pictures" / "card.webp").write_bytes(b"overwritten")
    (media / "pictures" / "page.webp").unlink()
    (media / "pictures" / "new.webp").write_bytes(b"added later")
    assert everything() != rows_before

    call_command("restore_site", str(folder), stdout=io.StringIO())
    assert everything() == rows_before
    assert files(media) == files_before
    assert TreatmentPage.objects.get(slug="faq").title == "Mesotherapy: questions and answers"
    assert Booking.objects.get().starts_at == starts_at  # the calendar too


def test_restoring_something_that_is_not_a_backup_says_so(tmp_path, db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="is missing: not a backup"):
        call_command("restore_site", str(tmp_path))
