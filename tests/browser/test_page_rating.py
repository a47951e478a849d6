"""Rating a page in Chromium, by keyboard, with JavaScript on and off."""

import pytest
from playwright.sync_api import expect

FAQ = "/treatments/mesotherapy/faq/"


@pytest.fixture(params=[True, False], ids=["javascript", "no-javascript"])
def javascript(request):
    return request.param


def rate_by_keyboard(page, stars):
    """Shift+Tab into the star group, arrow to the wanted star, Space, Tab to the button, Enter."""
    page.get_by_role("button", name="Send rating").focus()
    page.keyboard.press("Shift+Tab")  # onto the star group (the checked star, or the last one)
    focused = int(page.evaluate("document.activeElement.value"))
    for _ in range(abs(stars - focused)):
        page.keyboard.press("ArrowRight" if stars > focused else "ArrowLeft")
    page.keyboard.press("Space")  # selects the focused star when none was selected yet
    assert page.get_by_role("radio", name=f"{stars} star" + ("s" if stars > 1 else ""), exact=True).is_checked()
    assert page.url.endswith(FAQ) or "rated=" in page.url  # arrowing never submits
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")


def summary(page):
    return page.locator("[data-rating-summary]").inner_text()


def test_rate_by_keyboard_see_the_average_rate_again_and_a_second_visitor(
    browser_context_factory, site_url, javascript
):
    page = browser_context_factory(java_script_enabled=javascript).new_page()
    page.goto(site_url + FAQ)
    assert summary(page) == "Not Rated Yet (0 out of 5)"

    rate_by_keyboard(page, 4)
    page.get_by_text("Thanks for your rating.").wait_for()
    assert summary(page) == "4.0 out of 5 (1 rating)"
    assert ("?rated=4" in page.url) is (not javascript)  # the script stays on the page
    assert page.get_by_label("How could we improve this page? (optional)").is_visible()

    rate_by_keyboard(page, 2)
    expect(page.locator("[data-rating-summary]")).to_have_text("2.0 out of 5 (1 rating)")

    other = browser_context_factory(java_script_enabled=javascript).new_page()
    other.goto(site_url + FAQ)
    rate_by_keyboard(other, 5)
    expect(other.locator("[data-rating-summary]")).to_have_text("3.5 out of 5 (2 ratings)")


def test_the_script_announces_the_new_average_politely(browser_page, site_url):
    browser_page.goto(site_url + FAQ)
    status = browser_page.locator("[data-rating-status]")
    assert status.get_attribute("aria-live") == "polite"
    browser_page.get_by_role("radio", name="3 stars").check()
    browser_page.get_by_role("button", name="Send rating").click()
    browser_page.get_by_text("It is now rated 3.0 out of 5 (1 rating).").wait_for()


def test_a_comment_after_rating_is_thanked(browser_context_factory, site_url, javascript):
    page = browser_context_factory(java_script_enabled=javascript).new_page()
    page.goto(site_url + FAQ)
    page.get_by_role("radio", name="5 stars").check()
    page.get_by_role("button", name="Send rating").click()
    comment = page.get_by_label("How could we improve this page? (optional)")
    comment.fill("More about the allergy test, please.")
    page.get_by_role("button", name="Send comment").click()
    page.get_by_text("Thank you. Your comment will help us improve this page.").wait_for()


def test_the_script_shows_a_returning_visitors_own_vote(browser_page, site_url):
    browser_page.goto(site_url + FAQ)
    browser_page.get_by_role("radio", name="4 stars").check()
    browser_page.get_by_role("button", name="Send rating").click()
    browser_page.get_by_text("Thanks for your rating.").wait_for()
    browser_page.goto(site_url + FAQ)
    browser_page.get_by_text("You rated this page 4 stars. You can change your rating.").wait_for()
    assert browser_page.get_by_role("radio", name="4 stars").is_checked()


def test_stars_are_big_enough_to_hit_and_keep_a_focus_ring_in_forced_colours(browser_page, site_url):
    browser_page.goto(site_url + FAQ)
    for option in browser_page.locator(".star-picker__option").all():
        box = option.bounding_box()
        assert box["width"] >= 24
        assert box["height"] >= 24
    browser_page.emulate_media(forced_colors="active")
    browser_page.get_by_role("button", name="Send rating").focus()
    browser_page.keyboard.press("Shift+Tab")
    ring = browser_page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement.nextElementSibling);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
    )
    assert ring[0] == "solid"
    assert ring[1] >= 2


def test_a_rating_lost_on_the_way_gets_a_plain_message(browser_context_factory, site_url):
    page = browser_context_factory().new_page()
    page.goto(site_url + FAQ)
    page.route("**/ratings/", lambda route: route.abort("internetdisconnected"))
    page.get_by_role("radio", name="3 stars").check()
    page.get_by_role("button", name="Send rating").click()
    expect(page.locator("[data-rating-status]")).to_have_text(
        "This could not be sent. Please check your connection and try again."
    )
    assert summary(page) == "Not Rated Yet (0 out of 5)"


@pytest.mark.parametrize("state", ["unrated", "rated", "rated-by-others", "returning", "commented", "refused"])
def test_axe_finds_no_violations_in_every_state_of_the_widget(
    browser_context_factory, site_url, axe_violations, state
):
    page = browser_context_factory().new_page()
    if state == "rated-by-others":
        other = browser_context_factory(java_script_enabled=False).new_page()
        other.goto(site_url + FAQ)
        other.get_by_role("radio", name="2 stars").check()
        other.get_by_role("button", name="Send rating").click()
        other.get_by_text("Thanks for your rating.").wait_for()
    page.goto(site_url + FAQ)
    if state in {"rated", "returning", "commented"}:
        page.get_by_role("radio", name="4 stars").check()
        page.get_by_role("button", name="Send rating").click()
        page.get_by_text("Thanks for your rating.").wait_for()
    if state == "returning":
        page.goto(site_url + FAQ)
        page.get_by_text("You rated this page 4 stars.").wait_for()
    if state == "commented":
        page.get_by_label("How could we improve this page? (optional)").fill("Shorter answers, please.")
        page.get_by_role("button", name="Send comment").click()
        page.get_by_text("Thank you. Your comment will help us improve this page.").wait_for()
    if state == "refused":  # the script shows the server's message when a rating is refused
        page.route("**/ratings/", lambda route: route.fulfill(status=429, json={"error": "Please try again later."}))
        page.get_by_role("radio", name="3 stars").check()
        page.get_by_role("button", name="Send rating").click()
        page.locator(".rating__error").get_by_text("Please try again later.").wait_for()
    assert axe_violations(page) == []


def test_axe_finds_no_violations_after_rating_without_javascript(browser_context_factory, site_url, axe_violations):
    page = browser_context_factory(site_scripts=False).new_page()
    page.goto(site_url + FAQ)
    page.get_by_role("radio", name="4 stars").check()
    page.get_by_role("button", name="Send rating").click()
    page.get_by_text("Thanks for your rating.").wait_for()
    assert "?rated=4" in page.url  # the form posted and came back: no script did it
    assert axe_violations(page) == []


def relative_luminance(rgb):
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(value) for value in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first, second):
    lighter, darker = sorted([relative_luminance(first), relative_luminance(second)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def star_colour(page, value):
    text = page.locator(f'.star-picker__input[value="{value}"] + .star-picker__picture').evaluate(
        "element => getComputedStyle(element).color"
    )
    return [int(part) for part in text[text.index("(") + 1 : text.index(")")].split(",")[:3]]


def star_glyph(page, value):
    return page.locator(f'.star-picker__input[value="{value}"] + .star-picker__picture').evaluate(
        "element => getComputedStyle(element, '::before').content"
    )


def test_picked_and_unpicked_stars_differ_by_at_least_3_to_1_and_in_forced_colours(browser_page, site_url):
    browser_page.goto(site_url + FAQ)
    browser_page.get_by_role("radio", name="3 stars", exact=True).check()
    picked, unpicked = star_colour(browser_page, 3), star_colour(browser_page, 4)
    assert contrast(picked, unpicked) >= 3, (picked, unpicked)
    outline = browser_page.locator(".star-picker__picture").first.evaluate(
        "element => getComputedStyle(element).webkitTextStrokeColor"
    )
    assert contrast([int(v) for v in outline[4:-1].split(",")], [255, 255, 255]) >= 3  # an unpicked star is seen
    browser_page.emulate_media(forced_colors="active")
    assert star_glyph(browser_page, 3) == '"★"'
    assert star_glyph(browser_page, 4) == '"☆"'


def test_a_visitor_who_never_rated_makes_no_request_beyond_the_page_and_its_assets(browser_page, site_url):
    requests = []
    browser_page.on("request", lambda request: requests.append(request.url))
    browser_page.goto(site_url + FAQ)
    browser_page.wait_for_load_state("networkidle")
    assert [url for url in requests if "/ratings/" in url] == []
    assert all(url.startswith(site_url) for url in requests)
    browser_page.get_by_role("radio", name="4 stars", exact=True).check()
    browser_page.get_by_role("button", name="Send rating").click()
    browser_page.get_by_text("Thanks for your rating.").wait_for()
    requests.clear()
    browser_page.reload()
    browser_page.get_by_text("You rated this page 4 stars.").wait_for()  # a voter's page asks for the vote
    assert [url for url in requests if "/ratings/mine/" in url]


def block_text(page):
    return " ".join(page.locator("[data-rating]").inner_text().split())


def test_after_a_vote_and_a_reload_the_block_never_contradicts_itself(browser_context_factory, site_url, settings):
    """With the page cache on, as in production: the kept page showed no rating before the vote."""
    settings.PAGE_CACHE = True
    page = browser_context_factory().new_page()
    old_copy = page.goto(site_url + FAQ).text()
    assert summary(page) == "Not Rated Yet (0 out of 5)"
    page.get_by_role("radio", name="4 stars").check()
    page.get_by_role("button", name="Send rating").click()
    page.get_by_text("You gave this page 4 stars.").wait_for()

    def from_an_old_copy():
        """What a proxy or the browser may still hold for a few seconds: the page before the vote."""
        page.route(site_url + FAQ, lambda route: route.fulfill(body=old_copy, content_type="text/html"))
        page.goto(site_url + FAQ)
        page.unroute(site_url + FAQ)

    for arrive in [page.reload, lambda: page.goto(site_url + FAQ), from_an_old_copy]:
        arrive()
        mine = page.locator("[data-rating-mine]")
        expect(mine).to_have_text("You rated this page 4 stars. You can change your rating.")
        expect(page.locator("[data-rating-summary]")).to_have_text("4.0 out of 5 (1 rating)")
        assert page.locator("[data-rating-prompt]").is_hidden()
        assert "Not Rated Yet" not in block_text(page)
        assert "Be the first" not in block_text(page)

    page.get_by_role("radio", name="2 stars").check()
    page.get_by_role("button", name="Send rating").click()
    page.get_by_text("You gave this page 2 stars.").wait_for()
    assert mine.is_hidden()  # the earlier vote is no longer shown beside the new one
    assert "You rated this page 4" not in block_text(page)

    stranger = browser_context_factory().new_page()
    stranger.goto(site_url + FAQ)  # anyone's next view: drawn afresh after the vote
    assert summary(stranger) == "2.0 out of 5 (1 rating)"
    assert "Be the first" not in block_text(stranger)


def test_a_typed_rated_address_thanks_nobody(browser_context_factory, site_url, javascript):
    page = browser_context_factory(java_script_enabled=javascript).new_page()
    page.goto(site_url + FAQ + "?rated=3#rating")
    assert "Thanks for your rating" not in block_text(page)
    assert not page.get_by_role("radio", name="3 stars").is_checked()
