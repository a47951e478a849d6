"""What a patient does with a treatment page in a real browser: print it, enlarge the text, share
it, read it without JavaScript, and use it with assistive technology (axe-core)."""

import pytest
from playwright.sync_api import expect

PAGE_PATHS = [
    "/",
    "/treatments/",
    "/treatments/mesotherapy/",
    "/treatments/mesotherapy/faq/",
    "/treatments/mesotherapy/preventing-wrinkles/",
    "/treatments/mesotherapy/side-effects-and-safety/",
    "/visiting/",
    "/privacy/",
    "/accessibility/",
]
TREATMENT_PAGE_PATHS = [path for path in PAGE_PATHS if path.startswith("/treatments/mesotherapy/")]
FAQ = "/treatments/mesotherapy/faq/"


def root_font_size(page):
    return page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")


def open_tools(page):
    """Opens the one "Page tools" (or "Text size") control that holds the toolbar."""
    page.locator("summary.page-tools__summary").click()


@pytest.mark.parametrize("path", PAGE_PATHS)
def test_axe_finds_no_violations(browser_page, site_url, axe_violations, path):
    browser_page.goto(site_url + path)
    assert axe_violations(browser_page) == []


def test_axe_finds_no_violations_at_the_largest_text_size(browser_page, site_url, axe_violations):
    browser_page.goto(site_url + FAQ)
    open_tools(browser_page)
    browser_page.get_by_role("button", name="Largest").click()
    assert axe_violations(browser_page) == []


def test_printing_gives_a_clean_handout_with_address_and_review_date(browser_page, site_url):
    browser_page.goto(site_url + FAQ)
    browser_page.emulate_media(media="print")
    for chrome in [
        ".site-nav",
        ".breadcrumb",
        ".page-tools",
        ".section-nav",
        ".site-footer__privacy",
        ".site-footer__links",
    ]:
        assert browser_page.locator(chrome).first.is_hidden(), chrome
    assert browser_page.get_by_text(f"Printed from {site_url}{FAQ}").is_visible()
    assert browser_page.get_by_text("Last updated").is_visible()
    assert browser_page.locator(".site-footer").get_by_text("800 Second Avenue").is_visible()
    assert browser_page.get_by_role("heading", name="Does it hurt?").is_visible()
    # The handout carries its sources, with their addresses written out.
    assert browser_page.get_by_role("heading", name="Sources").is_visible()
    assert browser_page.get_by_text("FDA Warns About Lipodissolve Product Claims").first.is_visible()
    browser_page.emulate_media(media="screen")
    assert browser_page.locator(".site-nav").is_visible()
    assert browser_page.get_by_text(f"Printed from {site_url}{FAQ}").is_hidden()


def test_print_button_opens_the_print_dialog(browser_page, site_url):
    browser_page.goto(site_url + FAQ)
    browser_page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    open_tools(browser_page)
    browser_page.get_by_role("button", name="Print").click()
    assert browser_page.evaluate("window.printed") == 1


def test_text_size_changes_and_is_remembered_across_pages(browser_page, site_url):
    browser_page.goto(site_url + FAQ)
    standard = root_font_size(browser_page)
    open_tools(browser_page)
    large = browser_page.get_by_role("button", name="Large", exact=True)
    large.click()
    assert large.get_attribute("aria-pressed") == "true"
    assert root_font_size(browser_page) > standard
    # The toolbar says so a moment later (a fresh message is announced even when it repeats).
    expect(browser_page.locator(".page-toolbar").get_by_role("status")).to_have_text("Text size: Large")

    browser_page.get_by_role("link", name="Side effects and safety").first.click()
    browser_page.wait_for_url("**/side-effects-and-safety/")
    assert root_font_size(browser_page) == pytest.approx(standard * 1.1875)
    open_tools(browser_page)
    assert browser_page.get_by_role("button", name="Large", exact=True).get_attribute("aria-pressed") == "true"

    browser_page.get_by_role("button", name="Largest").click()
    assert root_font_size(browser_page) == pytest.approx(standard * 1.375)
    browser_page.get_by_role("button", name="Standard").click()
    assert root_font_size(browser_page) == pytest.approx(standard)


def test_text_size_buttons_work_from_the_keyboard(browser_page, site_url):
    browser_page.goto(site_url + FAQ)
    browser_page.locator("summary.page-tools__summary").focus()
    browser_page.keyboard.press("Enter")  # opens the page tools
    browser_page.get_by_role("button", name="Largest").focus()
    browser_page.keyboard.press("Enter")
    assert browser_page.evaluate("document.documentElement.dataset.textSize") == "largest"


def test_share_offers_an_email_link_and_copies_the_address(browser_context_factory, site_url):
    context = browser_context_factory(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(site_url + FAQ)
    open_tools(page)
    email = page.get_by_role("link", name="E-mail a link")
    assert email.get_attribute("href").startswith("mailto:?subject=Mesotherapy")
    assert "faq" in email.get_attribute("href")
    page.get_by_role("button", name="Copy link").click()
    page.get_by_role("status").get_by_text("Link copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == site_url + FAQ


def test_page_reads_fully_without_javascript(browser_context_factory, site_url):
    page = browser_context_factory(java_script_enabled=False).new_page()
    page.goto(site_url + FAQ)
    assert page.get_by_role("heading", name="Does it hurt?").is_visible()
    open_tools(page)  # a plain <details>: it opens without a script
    assert page.get_by_role("link", name="E-mail a link").is_visible()
    # Buttons that need a script are not offered when there is none.
    assert page.get_by_role("button", name="Print").count() == 0
    assert page.get_by_role("button", name="Copy link").count() == 0
    page.get_by_role("link", name="Side effects and safety").first.click()
    # Wait for the next page: a check made right after the click would still see the FAQ.
    page.wait_for_url("**/side-effects-and-safety/")
    expect(page.get_by_role("heading", name="Allergy skin test before cellulite treatment")).to_be_visible()


@pytest.mark.parametrize("path", PAGE_PATHS)
def test_page_reflows_on_a_narrow_screen_without_sideways_scrolling(browser_context_factory, site_url, path):
    # 320 CSS px wide is what a 1280 px window shows at 400% zoom (WCAG 1.4.10), and covers 200%.
    page = browser_context_factory(viewport={"width": 320, "height": 640}).new_page()
    page.goto(site_url + path)
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_skip_link_is_the_first_stop_and_moves_to_the_content(browser_page, site_url):
    browser_page.goto(site_url + FAQ)
    browser_page.keyboard.press("Tab")
    skip = browser_page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("element => element === document.activeElement")
    assert skip.is_visible()
    browser_page.keyboard.press("Enter")
    assert browser_page.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize("size", ["standard", "large", "largest"])
@pytest.mark.parametrize("path", TREATMENT_PAGE_PATHS)
def test_on_a_phone_the_title_and_the_first_words_are_on_the_first_screen(
    browser_context_factory, site_url, path, size
):
    page = browser_context_factory(viewport={"width": 390, "height": 844}).new_page()
    page.goto(site_url + "/")
    page.evaluate(f"localStorage.setItem('mesoclinic:text-size', '{size}')")
    page.goto(site_url + path)
    assert page.evaluate("document.documentElement.dataset.textSize || 'standard'") == size
    title = page.locator("h1").bounding_box()
    first_line = page.evaluate(
        """() => {
            const paragraph = document.querySelector('.treatment-page__body p');
            const range = document.createRange();
            range.setStart(paragraph.firstChild, 0);
            range.setEnd(paragraph.firstChild, 1);
            return range.getBoundingClientRect().bottom;
        }"""
    )
    assert title["y"] + title["height"] <= 844
    assert first_line <= 844, f"the first line ends at {first_line} px"


def test_the_text_size_chosen_on_a_page_can_be_undone_on_the_form(browser_page, site_url):
    browser_page.goto(site_url + FAQ)
    open_tools(browser_page)
    browser_page.get_by_role("button", name="Largest").click()
    browser_page.goto(site_url + "/appointments/request/")
    assert browser_page.evaluate("document.documentElement.dataset.textSize") == "largest"
    browser_page.locator("summary.page-tools__summary", has_text="Text size").click()
    browser_page.get_by_role("button", name="Standard").click()
    assert browser_page.evaluate("document.documentElement.dataset.textSize") is None


@pytest.mark.parametrize("days_ago", [10, 500], ids=["reviewed", "overdue"])
def test_axe_finds_no_violations_in_each_review_state(browser_page, site_url, axe_violations, days_ago):
    import datetime

    from tests.treatments.factories import record_review
    from treatments.models import TreatmentPage

    record_review(
        TreatmentPage.objects.get(slug="faq"), reviewed_on=datetime.date.today() - datetime.timedelta(days_ago)
    )
    browser_page.goto(site_url + FAQ)
    expected = "This information is due for review." if days_ago > 400 else "Next review due"
    assert browser_page.get_by_text(expected).is_visible()
    assert axe_violations(browser_page) == []


def test_the_printed_page_carries_a_qr_code_that_leads_back_to_it(browser_page, site_url):
    import io

    import zxingcpp
    from PIL import Image

    browser_page.goto(site_url + FAQ)
    browser_page.emulate_media(media="print")
    handout = browser_page.locator(".print-handout")
    expect(handout).to_be_visible()
    expect(handout).to_contain_text(f"Printed from {site_url}{FAQ}")
    expect(handout).to_contain_text("Questions? Call us on")
    code = Image.open(io.BytesIO(handout.locator("svg").screenshot()))
    assert [result.text for result in zxingcpp.read_barcodes(code)] == [site_url + FAQ]
    browser_page.emulate_media(media="screen")
    expect(handout).to_be_hidden()


def test_axe_finds_no_violations_with_pictures_on_the_page(browser_page, site_url, axe_violations):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from treatments.models import Treatment, TreatmentPage

    def jpeg():
        out = io.BytesIO()
        Image.new("RGB", (1000, 600), "#0b5e69").save(out, "JPEG")
        return SimpleUploadedFile("photo.jpg", out.getvalue())

    page = TreatmentPage.objects.get(slug="faq")
    page.image, page.image_alt = jpeg(), "A treatment room at the clinic."
    page.save()
    treatment = Treatment.objects.get(slug="mesotherapy")
    treatment.image, treatment.image_is_decorative = jpeg(), True
    treatment.save()
    for path in [FAQ, "/"]:
        browser_page.goto(site_url + path)
        assert browser_page.locator("img.picture").count() == 1
        assert axe_violations(browser_page) == []
