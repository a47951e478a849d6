"""Restoring any revision, whatever was changed since (pictures added, removed, replaced or lost,
sections and steps added, deleted or trading anchors, tips added or deleted, sources deleted),
gives a draft that matches the revision (with a note of what could not come back), never an
error, and the draft can be published. Sequences of edits are generated (hypothesis), each published through a draft
as editors do, then a revision is picked and restored."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from treatments.drafts import open_draft, publish, restore_as_draft
from treatments.models import PageSource, PreventionStep, PreventionTip, Section, Source, TreatmentPage
from treatments.revisions import snapshot

pytestmark = pytest.mark.django_db

ANCHORS = ["what", "how", "why", "when"]


def png(name: str, colour: str) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def add_picture(draft, number, described):
    draft.image = png(f"picture-{number}.png", ["#0b5e69", "#ffdd00", "#333333"][number % 3])
    draft.image_alt, draft.image_is_decorative = ("A nurse." if described else ""), not described
    draft.save()


def remove_picture(draft, _number, _described):
    draft.image, draft.image_alt, draft.image_is_decorative = "", "", False
    draft.save()


def lose_old_pictures(draft, _number, _described):
    """The files of pictures no page shows any more are gone (as after the commit that replaced them)."""
    storage = draft._meta.get_field("image").storage
    shown = set(TreatmentPage.objects.exclude(image="").values_list("image", flat=True))
    _folders, files = storage.listdir("pictures") if storage.exists("pictures") else ([], [])
    for name in files:
        if f"pictures/{name}" not in shown:
            storage.delete(f"pictures/{name}")


def add_section(draft, number, _described):
    taken = set(draft.sections.values_list("anchor", flat=True))
    free = [anchor for anchor in ANCHORS if anchor not in taken]
    if free:
        section = Section.objects.create(page=draft, heading=f"Heading {number}", anchor=free[0], body="Words.")
        section.sources.set(Source.objects.order_by("pk")[:1])


def delete_section(draft, number, _described):
    sections = list(draft.sections.order_by("pk"))
    if sections:
        sections[number % len(sections)].delete()


def swap_anchors(draft, _number, _described):
    sections = list(draft.sections.order_by("pk")[:2])
    if len(sections) == 2:
        first, second = sections
        anchors = first.anchor, second.anchor
        Section.objects.filter(pk=first.pk).update(anchor="swapping")
        Section.objects.filter(pk=second.pk).update(anchor=anchors[0])
        Section.objects.filter(pk=first.pk).update(anchor=anchors[1])


def add_step(draft, number, _described):
    step = PreventionStep.objects.create(page=draft, title=f"Step {number}", detail="Do this.", order=number)
    PreventionTip.objects.create(step=step, text=f"Tip {number}")


def delete_step(draft, number, _described):
    steps = list(draft.steps.order_by("pk"))
    if steps:
        steps[number % len(steps)].delete()


def add_tip(draft, number, _described):
    step = draft.steps.order_by("pk").first()
    if step is not None:
        PreventionTip.objects.create(step=step, text=f"Another tip {number}", order=number)


def delete_tip(draft, number, _described):
    tips = list(PreventionTip.objects.filter(step__page=draft).order_by("pk"))
    if tips:
        tips[number % len(tips)].delete()


def delete_a_source(draft, _number, _described):
    """A source staff delete once no page lists it (sections citing it lose the citation)."""
    listed = PageSource.objects.filter(page__in=[draft, draft.draft_of]).order_by("-pk").first()
    if listed is not None:
        PageSource.objects.filter(page__in=[draft, draft.draft_of], source_id=listed.source_id).delete()
    unlisted = Source.objects.exclude(pk__in=PageSource.objects.values("source")).order_by("pk").first()
    if unlisted is not None:
        unlisted.delete()


EDITS = [
    add_picture,
    remove_picture,
    lose_old_pictures,
    add_section,
    delete_section,
    swap_anchors,
    add_step,
    delete_step,
    add_tip,
    delete_tip,
    delete_a_source,
]
edit = st.tuples(st.sampled_from(EDITS), st.integers(0, 20), st.booleans())


def parts(content: dict) -> dict:
    """What patients read of the parts, without ids."""
    return {
        "sections": sorted((row["heading"], row["anchor"], row["body"]) for row in content["sections"]),
        "steps": sorted((row["title"], tuple(sorted(tip["text"] for tip in row["tips"]))) for row in content["steps"]),
    }


# Each example publishes up to four drafts: at most 100 of them, even in CI's thorough profile.
@settings(max_examples=min(settings.default.max_examples, 100))
@given(edits=st.lists(st.lists(edit, min_size=1, max_size=3), min_size=1, max_size=4), pick=st.integers(0, 10))
def test_any_revision_comes_back_as_a_draft_or_a_clear_refusal(content, edits, pick):
    editor = User.objects.get_or_create(username="editor", defaults={"is_staff": True})[0]
    with transaction.atomic():
        page = TreatmentPage.objects.get(slug="preventing-wrinkles")
        for number, group in enumerate(edits):
            draft = open_draft(page, editor)
            for change, value, described in group:
                change(draft, number * 10 + value, described)
            publish(draft, editor)
        revisions = list(page.revisions.order_by("number"))
        revision = revisions[pick % len(revisions)]
        # Every revision here was a valid page when it was stored: it must come back as a draft.
        draft, notes = restore_as_draft(revision, editor)
        restored = snapshot(draft)
        assert parts(restored) == parts(revision.content)
        assert all(isinstance(note, str) and note for note in notes)
        if not notes:
            assert restored["page"]["image"] == revision.content["page"].get("image", "")
        if draft.image:
            assert draft.image_alt or draft.image_is_decorative
        publish(draft, editor)
        assert parts(snapshot(TreatmentPage.objects.get(pk=page.pk))) == parts(revision.content)
        transaction.set_rollback(True)
