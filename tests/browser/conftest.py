"""The browser-test harness: Debian's Chromium driven by Playwright against pytest-django's live
server, plus an axe-core check. Later browser tests reuse `browser_page`, `site_url` and `axe_violations`."""

import contextlib
import email
import email.policy
import os

import pytest
from aiosmtpd.controller import Controller
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from tests.machine import CHROMIUM
from tests.processes import free_port

# Playwright's sync API runs an event loop in this thread; the test's own database calls are
# still synchronous, so Django's guard against async-unsafe calls is lifted for these tests only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def playwright_browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_context_factory(playwright_browser):
    """New, isolated browser contexts (separate cookies and storage), closed after the test.

    `site_scripts=False` refuses the site's own scripts: the page is what a browser without
    JavaScript shows (the site has no `<noscript>` content), yet axe-core, which runs through
    `page.evaluate`, still works there. With `java_script_enabled=False` that call never returns.
    """
    contexts = []

    def make(*, site_scripts=True, **options):
        options.setdefault("viewport", {"width": 1024, "height": 768})
        context = playwright_browser.new_context(**options)
        context.set_default_timeout(10_000)
        if not site_scripts:
            context.route("**/*.js", lambda route: route.abort())
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def browser_page(browser_context_factory):
    """A page in a fresh context; console errors (CSP violations included) fail the test."""
    page = browser_context_factory().new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert errors == [], f"the browser console reported errors: {errors}"


@pytest.fixture
def site_url(live_server):
    """The live server's address, with the site's real content loaded."""
    call_command("seed_content", verbosity=0)
    return live_server.url


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def inbox(settings):
    """A real SMTP server on loopback for the confirmation e-mails, stopped after the test."""
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.APPOINTMENT_MIN_FILL_SECONDS = 0  # a person takes longer than Playwright
    received = Inbox()
    controller = Controller(received, hostname="127.0.0.1", port=port)
    controller.start()
    yield received
    with contextlib.suppress(AssertionError):
        controller.stop()


@pytest.fixture(scope="session")
def axe():
    return Axe()


@pytest.fixture
def axe_violations(axe):
    """Runs axe-core (WCAG 2.x A/AA and best practices) on the page; returns a readable list."""

    def check(page):
        results = axe.run(page)
        return [
            f"{violation['id']}: {violation['help']} at {[node['target'] for node in violation['nodes']]}"
            for violation in results.response["violations"]
        ]

    return check
