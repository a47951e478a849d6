"""When a page's words last changed: the "Last updated" date patients read, set by the site.

Every save of a page or of something on it (a section, a question, a step, a tip) compares the
words patients read with what is stored; only a real change (not a save that changes nothing,
nor a change of line endings from the browser) moves the page's `words_changed_at` to now. Line
endings are stored as \n, and a save that changes nothing adds no row to the history.
Adding or deleting a part is a change too, and so is loading the shipped content
(`seed_content`). Reviews, pictures, order and publication are not words: they leave the date.
"""

from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

from .models import FAQEntry, PreventionStep, PreventionTip, Section, TreatmentPage

# The fields whose words patients read on the page, per model.
WORDS = {
    TreatmentPage: ["title", "intro", "at_a_glance", "who_should_not", "risks", "when_to_get_help", "cost"],
    Section: ["heading", "body"],
    FAQEntry: ["question", "answer"],
    PreventionStep: ["title", "detail"],
    PreventionTip: ["text"],
}


def same_words(stored, edited) -> bool:
    """Browsers send line breaks as CRLF; the words are the same whatever the line endings."""

    def normal(text):
        return (text or "").replace("\r\n", "\n").strip()

    return normal(stored) == normal(edited)


def page_id_of(instance) -> int | None:
    if isinstance(instance, TreatmentPage):
        return instance.pk
    if isinstance(instance, PreventionTip):
        return PreventionStep.objects.filter(pk=instance.step_id).values_list("page_id", flat=True).first()
    return instance.page_id


def words_changed(instance) -> bool:
    fields = WORDS[type(instance)]
    if instance.pk is None:
        return True
    stored = type(instance)._default_manager.filter(pk=instance.pk).values(*fields).first()
    if stored is None:
        return True
    return not all(same_words(stored[field], getattr(instance, field)) for field in fields)


def mark_page_changed(page_id: int | None) -> None:
    if page_id is not None:
        # An UPDATE of this one column: no history row, no signal, nothing else overwritten.
        TreatmentPage.objects.filter(pk=page_id).update(words_changed_at=timezone.now())


def normalise_line_endings(instance) -> None:
    """Stores every text with \n line breaks, whatever the browser sent (\r\n): a save of an
    untouched answer then changes nothing, and its history says so."""
    for field in WORDS[type(instance)]:
        value = getattr(instance, field)
        if isinstance(value, str) and "\r" in value:
            setattr(instance, field, value.replace("\r\n", "\n").replace("\r", "\n"))


def unchanged(instance) -> bool:
    """True when every stored column would be saved as it is (a save that changes nothing)."""
    if instance.pk is None:
        return False
    fields = [field.attname for field in instance._meta.concrete_fields]
    stored = type(instance)._default_manager.filter(pk=instance.pk).values(*fields).first()
    return stored is not None and all(stored[name] == getattr(instance, name) for name in fields)


def note_change_before_save(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata: seed_content sets the date for the whole load
        return
    normalise_line_endings(instance)
    instance.words_were_changed = words_changed(instance)
    if unchanged(instance):
        instance.skip_history_when_saving = True  # django-simple-history records nothing


def mark_page_after_save(sender, instance, raw=False, **kwargs):
    if hasattr(instance, "skip_history_when_saving"):  # after the history's own receiver read it
        del instance.skip_history_when_saving
    if not raw and getattr(instance, "words_were_changed", False):
        mark_page_changed(page_id_of(instance))
        if isinstance(instance, TreatmentPage):
            instance.refresh_from_db(fields=["words_changed_at"])


def mark_page_after_delete(sender, instance, **kwargs):
    mark_page_changed(page_id_of(instance))


def connect() -> None:
    for model in WORDS:
        uid = f"words:{model._meta.label}"
        pre_save.connect(note_change_before_save, sender=model, dispatch_uid=f"{uid}:pre")
        post_save.connect(mark_page_after_save, sender=model, dispatch_uid=f"{uid}:post")
        if model is not TreatmentPage:
            post_delete.connect(mark_page_after_delete, sender=model, dispatch_uid=f"{uid}:delete")
