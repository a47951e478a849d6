from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp import devices_for_user


class Command(BaseCommand):
    """For a member of staff who lost their phone and their recovery codes: removes their
    authenticator app and recovery codes, so that their next sign-in sets up a new app."""

    help = "Remove a staff member's second-factor devices; they enrol again at their next sign-in."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user is called {username!r}.")
        removed = 0
        for device in devices_for_user(user, confirmed=None):
            device.delete()
            removed += 1
        self.stdout.write(f"Removed {removed} device(s) of {username}: they set up a new app at their next sign-in.")
