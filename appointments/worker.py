"""The background worker: django-tasks' database worker, kept running through database outages.

django-tasks-db's `db_worker` exits on the first error from the database (a restart, a failover,
a dropped connection). This worker is the same loop; when the database cannot be reached it says
so once, tries again after 1, 2, 4 ... seconds (at most WORKER_RECONNECT_MAX_SECONDS), and when
it can, puts back any task a worker left running and carries on: nothing to restart by hand.
Whatever runs it (`make serve`, the systemd unit) still starts it again if it dies.
"""

import logging
import random
import time

from django.conf import settings
from django.db import connections
from django.db.utils import InterfaceError, OperationalError
from django_tasks_db.management.commands import db_worker

from .health import requeue_stalled_tasks
from .tasks import queue_heartbeat

logger = logging.getLogger("django_tasks_db")  # the worker's own log, as db_worker configures it

UNREACHABLE = (OperationalError, InterfaceError)


def close_connections() -> None:
    """Drops every connection, broken ones included (closing one may itself fail)."""
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except UNREACHABLE:
            connection.connection = None


def database_answers() -> bool:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except UNREACHABLE:
        close_connections()
        return False


class SteadyWorker(db_worker.Worker):
    def run(self) -> None:
        while self.running:
            try:
                super().run()
                return  # --batch or --max-tasks: done
            except UNREACHABLE as error:
                # The kind only: a driver's message can quote a query and its values.
                logger.warning("The database cannot be reached (%s): trying again.", type(error).__name__)
            close_connections()
            self.startup_delay = False
            if self.wait_for_database():
                logger.warning("The database answers again: taking tasks.")

    def wait_for_database(self) -> bool:
        """Sleeps with growing delays until the database answers (True), or the worker is told
        to stop (False). On the way back, tasks left running past their lease are queued again,
        and the heartbeat, if the outage broke its chain."""
        delay = 1.0
        while self.running:
            time.sleep(delay + random.random() / 2)  # jitter: several workers do not retry in step
            if database_answers():
                try:
                    requeue_stalled_tasks()
                    queue_heartbeat()
                except UNREACHABLE:
                    close_connections()
                    continue
                return True
            delay = min(delay * 2, settings.WORKER_RECONNECT_MAX_SECONDS)
        return False
