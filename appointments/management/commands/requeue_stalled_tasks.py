from django.core.management.base import BaseCommand

from appointments.health import requeue_stalled_tasks
from appointments.tasks import queue_heartbeat


class Command(BaseCommand):
    """Puts back in the queue the tasks a worker took and never finished (it was killed, or its
    server stopped), and queues the worker's heartbeat if none is waiting. `make serve` runs it
    each time it starts the worker; so does the worker's systemd unit."""

    help = "Queue again the background tasks whose worker died while running them."

    def handle(self, *args, **options):
        count = requeue_stalled_tasks()
        queue_heartbeat()  # the worker about to start runs it at once, then every HEARTBEAT_SECONDS
        if options["verbosity"]:
            self.stdout.write(f"Queued again {count} task(s) whose worker stopped while running them.")
