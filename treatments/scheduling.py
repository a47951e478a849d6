"""Publishing a draft at a time an editor chose: the worker runs the task then."""

import datetime

from .models import TreatmentPage
from .tasks import publish_scheduled_draft


def schedule(draft, when: datetime.datetime) -> None:
    """Publishes the draft at `when` (tasks.publish_scheduled_draft, once, only if it still
    exists with that time)."""
    TreatmentPage.objects.filter(pk=draft.pk).update(publish_at=when)
    draft.publish_at = when
    publish_scheduled_draft.using(run_after=when).enqueue(draft.pk, when.isoformat())
