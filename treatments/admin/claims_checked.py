"""The forms that edit a published page refuse a sentence claiming safety or results with
neither a source on the sentence itself nor a clinical reviewer's sign-off (treatments/claims.py):
the error is on that field, beside what the editor typed, and nothing is saved. A draft saves as
it is (patients never see it); publishing it is what the claims check stops."""

from django import forms
from django.utils.translation import gettext as _

from ..claims import strong_sentences_in
from ..models import TreatmentPage

PAGE_TEXTS = ["title", "intro", "at_a_glance", "who_should_not", "risks", "when_to_get_help", "cost"]
PART_TEXTS = ["heading", "body", "question", "answer", "title", "detail", "text"]


def refusal(sentences) -> str:
    return _(
        "A sentence here claims safety or results with no source on the sentence itself: %(sentences)s. Cite a "
        "source on it ([1] for the first of the page's Sources), reword it, or make the change on a draft and "
        "have a clinical reviewer sign it off when it is published."
    ) % {"sentences": "; ".join(f"“{sentence}”" for sentence in sentences)}


def published_page(page) -> bool:
    return isinstance(page, TreatmentPage) and page.pk is not None and page.draft_of_id is None


def check_fields(form, page, names) -> None:
    for name in names:
        if name in form.cleaned_data and name in form.changed_data:
            sentences = strong_sentences_in(str(form.cleaned_data[name] or ""), page)
            if sentences:
                form.add_error(name, refusal(sentences))


class ClaimsCheckedPageForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        if published_page(self.instance):
            check_fields(self, self.instance, PAGE_TEXTS)
        return cleaned


class ClaimsCheckedPartFormSet(forms.BaseInlineFormSet):
    """A page's sections, questions or steps (or a step's tips), checked as its page is."""

    def page(self):
        return getattr(self.instance, "page", None) or self.instance

    def clean(self):
        super().clean()
        page = self.page()
        if not published_page(page):
            return
        for form in self.forms:
            if form.cleaned_data and not form.cleaned_data.get("DELETE"):
                check_fields(form, page, PART_TEXTS)
