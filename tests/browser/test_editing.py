"""An editor on a page's form in Chromium: parts folded to their titles, one open at a time, and
the reading grade beside a text as it is typed."""

from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from playwright.sync_api import expect

from treatments.models import TreatmentPage

from .test_admin import PASSWORD, code_for


def test_an_editor_sees_the_grade_as_they_type_and_opens_one_part_at_a_time(browser_context_factory, site_url):
    call_command("seed_content", verbosity=0)
    editor = User.objects.create_user("editor", password=PASSWORD, is_staff=True)
    editor.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="treatments", codename__endswith="treatmentpage"),
        *Permission.objects.filter(codename__in=["view_faqentry", "change_faqentry", "view_section"]),
    )
    page = browser_context_factory(viewport={"width": 1366, "height": 768}).new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    faq = TreatmentPage.objects.get(slug="faq")
    page.goto(f"{site_url}/admin/login/?next=/admin/treatments/treatmentpage/{faq.pk}/change/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Code from your authenticator app").fill(code_for(editor))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/change/")

    parts = page.locator("#faq_entries-group details.page-part:not(.empty-form details)")
    first, second = parts.nth(0), parts.nth(1)
    first.locator("summary").click()
    expect(first).to_have_attribute("open", "")
    second.locator("summary").click()  # opening another closes the first
    expect(second).to_have_attribute("open", "")
    expect(first).not_to_have_attribute("open", "")

    answer = second.locator("textarea[name$='-answer']")
    answer.fill(
        "Notwithstanding considerable heterogeneity in methodological approaches, investigators have "
        "characterized subcutaneous adipose tissue modifications following intradermal administration."
    )
    grade = second.locator("output.reading-grade")
    expect(grade).to_contain_text("above the target")
    expect(grade).to_contain_text("Hardest:")
    answer.fill("It stings a little. It is over fast.")
    expect(grade).not_to_contain_text("above the target")
    page.screenshot(path="/tmp/mesoclinic-page-form.png")
    assert errors == []
