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

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .claims import unbacked_strong_claims
from .models import ClaimSignOff, PageRevision, PageSource, TreatmentPage
from .revisions import apply_content, record_revision, snapshot

# The page's own columns a draft copies; never its identity, its draft state or the site's dates.
NOT_COPIED = {"id", "draft_of", "publish_at", "words_changed_at", "reviewed_words_at", "translated_words_at"}


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


def unpublishable_claims(draft) -> list[str]:
    """The draft's sentences that claim safety or results with neither a source on the sentence
    nor a clinical reviewer's sign-off: it cannot be published with any."""
    claims = unbacked_strong_claims(TreatmentPage.objects.with_content().get(pk=draft.pk))
    return list(dict.fromkeys(claim.excerpt for claim in claims))  # each sentence once, however many phrases


def refuse_unbacked_claims(draft) -> None:
    sentences = unpublishable_claims(draft)
    if sentences:
        raise ValidationError(
            _(
                "Not published: these sentences claim safety or results with no source on the sentence itself: "
                "%(sentences)s. Cite a source on each ([1] for the first of the page's Sources), reword it, or "
                "have a clinical reviewer sign it off."
            )
            % {"sentences": "; ".join(f"“{sentence}”" for sentence in sentences)}
        )


def publish(draft, user=None) -> PageRevision | None:
    """Makes the draft the page patients read, in one transaction, and removes the draft. The
    picture goes with it (the draft's file, or none), with its description. A draft with a claim
    of safety or results that nothing backs is refused (ValidationError), and nothing changes."""
    with transaction.atomic():
        refuse_unbacked_claims(draft)
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
    try:
        publish(draft)
    except ValidationError:
        # A claim nobody backs came in after the time was set: the draft waits for an editor,
        # and its page says it was not published.
        TreatmentPage.objects.filter(pk=draft.pk).update(publish_at=None)
        return False
    return True


def claims_sign_off(*, page, sentences, user) -> None:
    """A clinical reviewer's sign-off, in their name, of each sentence (on the published page:
    it holds for its drafts too)."""
    live = page.draft_of if page.draft_of_id else page
    for sentence in sentences:
        ClaimSignOff.objects.get_or_create(page=live, sentence=sentence, defaults={"signed_by": user})
