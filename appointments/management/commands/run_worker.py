from django.core.management.base import CommandError
from django_tasks_db.management.commands import db_worker

from appointments.worker import SteadyWorker


class Command(db_worker.Command):
    """django-tasks-db's `db_worker`, with its options, whose worker waits for the database to come
    back instead of exiting (appointments.worker). It never reloads on code changes (--reload is
    accepted and ignored): `make serve`, `make worker` and the systemd unit run it."""

    help = "Run the background worker (e-mail), waiting out database outages."

    def handle(self, *, verbosity, queue_name, exclude_queues, **options):
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = SteadyWorker(
            queue_names=queue_names,
            excluded_queue_names=excluded_queue_names,
            **{key: options[key] for key in SETTINGS},
        )
        worker.configure_signals()
        worker.run()


SETTINGS = ["interval", "batch", "backend_name", "startup_delay", "max_tasks", "worker_id"]
