from django.core.management.base import BaseCommand

from appointments.health import requeue_stalled_tasks


class Command(BaseCommand):
    """Puts back in the queue the tasks a worker took and never finished (it was killed, or its
    server stopped). `make serve` runs it each time it starts the worker; so does the worker's
    systemd unit."""

    help = "Queue again the background tasks whose worker died while running them."

    def handle(self, *args, **options):
        count = requeue_stalled_tasks()
        if options["verbosity"]:
            self.stdout.write(f"Queued again {count} task(s) whose worker stopped while running them.")
