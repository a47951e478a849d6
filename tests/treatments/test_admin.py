import pytest
from django.urls import reverse

from tests.admin_forms import admin_change_form_data
from treatments.models import Clinic, FAQEntry, PreventionStep, Section, Treatment, TreatmentPage

pytestmark = pytest.mark.django_db

MODELS = [Clinic, Treatment, TreatmentPage, PreventionStep]


@pytest.mark.parametrize("model", MODELS)
def test_staff_open_every_content_list_and_edit_page(admin_client, content, model):
    meta = model._meta
    assert admin_client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")).status_code == 200
    obj = model.objects.first()
    assert (
        admin_client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])).status_code == 200
    )


def test_page_editor_has_inlines_for_sections_faq_entries_and_steps(admin_client, content):
    page = TreatmentPage.objects.get(slug="faq")
    html = admin_client.get(reverse("admin:treatments_treatmentpage_change", args=[page.pk])).content.decode()
    assert "Does it hurt?" in html  # FAQ entry inline
    for prefix in ["sections", "faq_entries", "steps"]:
        assert f'name="{prefix}-TOTAL_FORMS"' in html
    assert 'name="reviews-TOTAL_FORMS"' in html
    assert 'name="page_sources-TOTAL_FORMS"' in html
    assert 'name="last_updated"' not in html  # set by the site, never typed
    assert 'name="words_changed_at"' not in html


def test_staff_can_reorder_faq_entries_from_the_page_editor(admin_client, client, content):
    page = TreatmentPage.objects.get(slug="faq")
    url = reverse("admin:treatments_treatmentpage_change", args=[page.pk])
    data = admin_change_form_data(admin_client.get(url))
    pain = FAQEntry.objects.get(page__treatment__language="en", anchor="pain")
    index = list(page.faq_entries.all()).index(pain)
    data[f"faq_entries-{index}-order"] = 0
    response = admin_client.post(url, data)
    assert response.status_code == 302
    html = client.get(page.get_absolute_url()).content.decode()
    assert html.index('id="pain-question"') < html.index('id="how-many-treatments-question"')


def test_a_second_clinic_cannot_be_added(admin_client, content):
    assert admin_client.get(reverse("admin:treatments_clinic_add")).status_code == 403
    assert Clinic.objects.count() == 1


def test_sections_are_edited_inline_not_on_their_own(admin_client, content):
    assert admin_client.get("/admin/treatments/section/").status_code == 404  # no admin page of its own
    assert Section.objects.count() > 0


def test_one_answer_edited_in_the_browser_is_one_change_in_the_history(admin_client, content):
    """Browsers send every textarea with CRLF line endings: only the edited answer is a change, the
    words are stored with \\n, and saving the page again unchanged adds no history at all."""
    page = TreatmentPage.objects.get(slug="faq")
    url = reverse("admin:treatments_treatmentpage_change", args=[page.pk])

    def as_the_browser_sends(data):
        return {key: value.replace("\n", "\r\n") if isinstance(value, str) else value for key, value in data.items()}

    def history_rows():
        return sum(model.history.count() for model in [TreatmentPage, FAQEntry])

    before = history_rows()
    data = as_the_browser_sends(admin_change_form_data(admin_client.get(url)))
    pain = FAQEntry.objects.get(page__treatment__language="en", anchor="pain")
    index = list(page.faq_entries.all()).index(pain)
    data[f"faq_entries-{index}-answer"] += "\r\nIt is over quickly."
    assert admin_client.post(url, data).status_code == 302
    assert history_rows() == before + 1
    assert FAQEntry.history.latest().anchor == "pain"
    assert not FAQEntry.objects.filter(answer__contains="\r").exists()

    again = as_the_browser_sends(admin_change_form_data(admin_client.get(url)))
    assert admin_client.post(url, again).status_code == 302
    assert history_rows() == before + 1  # nothing changed, nothing recorded


def test_the_pages_history_shows_the_clinics_time_to_the_minute(admin_client, content):
    import re

    from bs4 import BeautifulSoup
    from django.utils import timezone

    page = TreatmentPage.objects.get(slug="faq")
    page.intro += " More."
    page.save()
    html = admin_client.get(reverse("admin:treatments_treatmentpage_change", args=[page.pk])).content
    first_row = BeautifulSoup(html, "html.parser").select_one(".field-change_history tbody tr td").get_text()
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{1,2}:\d{2} [AP]M", first_row)  # no seconds, no UTC
    assert first_row.startswith(f"{timezone.localtime():%-d %b %Y}")
