"""Editors keep each translation true to the page it translates: the admin says when the
original's words changed after the translation, lists those translations, and takes a note that
one was brought up to date."""

from django.urls import reverse
from django.utils import timezone

from treatments.models import FAQEntry, TreatmentPage

CHANGELIST = reverse("admin:treatments_treatmentpage_changelist")


def spanish_faq():
    return TreatmentPage.objects.get(treatment__language="es", slug="preguntas-frecuentes")


def test_a_translation_is_out_of_date_once_the_english_page_changes_until_an_editor_marks_it(admin_client, content):
    page = spanish_faq()
    form = admin_client.get(reverse("admin:treatments_treatmentpage_change", args=[page.pk])).content.decode()
    assert "Up to date with “Mesotherapy: questions and answers”." in form
    assert "1 translation is out of date" not in admin_client.get(reverse("admin:index")).content.decode()

    answer = FAQEntry.objects.get(page__treatment__language="en", anchor="pain")
    answer.answer += " It is over quickly."
    answer.save()  # the English page's words change today
    today = timezone.localdate()
    form = admin_client.get(reverse("admin:treatments_treatmentpage_change", args=[page.pk])).content.decode()
    assert f"The English page changed on {today:%-d %B %Y} after this translation" in form
    english = TreatmentPage.objects.get(treatment__language="en", slug="faq")
    original_form = admin_client.get(reverse("admin:treatments_treatmentpage_change", args=[english.pk])).content
    assert "Mesoterapia: preguntas y respuestas" in original_form.decode()
    assert "1 translation is out of date" in admin_client.get(reverse("admin:index")).content.decode()
    listed = admin_client.get(CHANGELIST, {"translation": "out_of_date"}).content.decode()
    assert "Mesoterapia: preguntas y respuestas" in listed
    assert "Mesoterapia: efectos secundarios" not in listed

    admin_client.post(CHANGELIST, {"action": "mark_translations_up_to_date", "_selected_action": [page.pk]})
    assert not spanish_faq().translation_out_of_date
    assert (
        "Mesoterapia: preguntas y respuestas"
        not in admin_client.get(CHANGELIST, {"translation": "out_of_date"}).content.decode()
    )


def test_editors_add_a_translation_from_the_treatments_and_pages_forms(admin_client, content):
    treatment_form = admin_client.get(reverse("admin:treatments_treatment_add")).content.decode()
    assert 'name="language"' in treatment_form
    assert 'name="translation_of"' in treatment_form
    page_form = admin_client.get(reverse("admin:treatments_treatmentpage_add")).content.decode()
    assert 'name="translation_of"' in page_form
