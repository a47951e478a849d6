"""Background work for the content (django-tasks, run by the same worker as the e-mail)."""

from django_tasks import task

from .drafts import publish_if_due


@task()
def publish_scheduled_draft(draft_id: int, when: str) -> bool:
    """Publishes a draft at the time an editor chose (treatments.scheduling.schedule): once, and
    only if it still exists with that time."""
    return publish_if_due(draft_id, when)
