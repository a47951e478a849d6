"""Drafts: editors change a page, with its sections, questions, steps and sources, on a draft that
patients never see, preview it, compare it with the page, and publish it (now, or at a time, by
the worker: treatments/scheduling.py). Publishing stores one whole-page revision; a revision
restored comes back as a draft.

A draft is a page row of its own (`draft_of` names its page) with copies of every part (each
copy's `origin` names the part it stands for), so the admin's own forms edit it. The public site
reads `TreatmentPage.objects.published()`, which never includes a draft. Publishing applies the
draft's whole-page content to the page in one transaction (`revisions.apply_content`), so the
page keeps its address, ratings and history, and only what changed is recorded as a change.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from .models import PageRevision, PageSource, TreatmentPage
from .revisions import apply_content, record_revision, snapshot

# The page's own columns a draft copies; never its identity, its draft state or the site's dates.
NOT_COPIED = {"id", "draft_of", "publish_at", "words_changed_at", "reviewed_words_at"}


class DraftExists(Exception):
    """The page already has a draft: publish or discard it first."""


def draft_of(page):
    return page.drafts.first()


def open_draft(page, user=None):
    """The page's draft, made now as a copy of the page if it has none."""
    with transaction.atomic():
        page = TreatmentPage.objects.select_for_update().get(pk=page.pk)
        existing = draft_of(page)
        if existing is not None:
            return existing
        draft = TreatmentPage(**column_values(page, leave_out=NOT_COPIED), draft_of=page)
        draft.save()
        _copy_parts(page, draft)
        return draft


def column_values(row, leave_out=()) -> dict:
    """The row's own columns by attribute name (foreign keys as ids), without its primary key."""
    return {
        field.attname: getattr(row, field.attname)
        for field in type(row)._meta.get_fields()
        if field.concrete and not field.many_to_many and not field.primary_key and field.name not in leave_out
    }


def _copy(part, **parent):
    """A new row copying `part` onto the draft, naming the part it stands for, with its citations."""
    copy = type(part)(**column_values(part, leave_out={*parent, "origin"}), **parent, origin_id=part.pk)
    copy.save()
    if hasattr(part, "sources"):
        copy.sources.set(part.sources.all())
    return copy


def _copy_parts(page, draft) -> None:
    for part in [*page.sections.all(), *page.faq_entries.all()]:
        _copy(part, page=draft)
    for step in page.steps.all():
        copied = _copy(step, page=draft)
        for tip in step.tips.all():
            _copy(tip, step=copied)
    PageSource.objects.bulk_create(
        [PageSource(page=draft, source_id=entry.source_id, order=entry.order) for entry in page.page_sources.all()]
    )


def publish(draft, user=None) -> PageRevision | None:
    """Makes the draft the page patients read, in one transaction, and removes the draft. The
    picture goes with it (the draft's file, or none), with its description."""
    with transaction.atomic():
        draft = TreatmentPage.objects.select_for_update().get(pk=draft.pk)
        page = TreatmentPage.objects.select_for_update().get(pk=draft.draft_of_id)
        apply_content(page, snapshot(draft))
        draft.delete()
        return record_revision(page, user)


def discard(draft) -> None:
    draft.delete()


def restore_as_draft(revision: PageRevision, user=None) -> tuple[TreatmentPage, list[str]]:
    """A draft of the page as it was in `revision`, to check, preview and publish, with notes of
    what could not come back (a picture no longer stored, a source since deleted). A revision
    that cannot make a valid page raises ValidationError, and no draft is left."""
    page = revision.page
    if draft_of(page) is not None:
        raise DraftExists(page)
    with transaction.atomic():
        draft = open_draft(page, user)
        notes = apply_content(draft, revision.content)
    return draft, notes


def publish_if_due(draft_id: int, when: str) -> bool:
    """The scheduled publish, once: only if the draft still exists, still has this time, and the
    time has come. Run twice, it acts once (the second finds no draft)."""
    draft = TreatmentPage.objects.filter(pk=draft_id, draft_of__isnull=False).first()
    if draft is None or draft.publish_at is None or draft.publish_at != datetime.datetime.fromisoformat(when):
        return False  # published or discarded meanwhile, or its time was changed
    if draft.publish_at > timezone.now():
        return False
    publish(draft)
    return True
