"""Headless Chromium for browser tests, pointed at the live test server.

The server is the session's `live_url` (tests/conftest.py: uvicorn over the test database with the
demo city). Set GEO_IOC_TEST_URL to drive an already running server instead, for example a dev
server while working on the client: `GEO_IOC_TEST_URL=http://127.0.0.1:8010 pytest -m browser`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Request,
    Response,
    expect,
    sync_playwright,
)

CHROMIUM = os.environ.get("GEO_IOC_CHROMIUM", "/usr/bin/chromium")
# Debian's Chromium, offline. With --disable-gpu, Chromium still gives WebGL through its software
# rasteriser (SwiftShader), which is all MapLibre needs; no --use-gl / --use-angle flags required.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1440, "height": 900}
# The ceiling of every wait for a page state. Tests wait for states, never for time, so a generous
# ceiling costs nothing when the page is quick and keeps a slow, loaded machine (software WebGL on
# two busy cores) from failing a test that would have passed a little later.
WAIT_MS = int(os.environ.get("GEO_IOC_BROWSER_WAIT_MS", "120000"))
expect.set_options(timeout=WAIT_MS)


@dataclass
class PageProblems:
    """What went wrong in the page: console errors, uncaught exceptions, failed requests."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def all(self) -> list[str]:
        return self.console_errors + self.page_errors + self.failed_requests


@dataclass
class BrowserPage:
    """A page, the base URL it tests and what went wrong in it so far."""

    page: Page
    url: str
    problems: PageProblems


@pytest.fixture(scope="session")
def server_url(request: pytest.FixtureRequest) -> str:
    """Base URL of the server under test: GEO_IOC_TEST_URL, else the session's live server."""
    url = os.environ.get("GEO_IOC_TEST_URL")
    if url:
        return url.rstrip("/")
    return str(request.getfixturevalue("live_url")).rstrip("/")


# Module scope, and the server resolved first: Playwright's sync API runs an event loop, and
# while one runs Django refuses database work (SynchronousOnlyOperation), so the live server's
# database set-up must happen before it starts and other test modules must not run under it;
# so must the session's login user, which any browser test may ask for.
@pytest.fixture(scope="module")
def browser(server_url: str, operator_login: Login) -> Iterator[Browser]:
    """Headless Debian Chromium (never a downloaded one)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (set GEO_IOC_CHROMIUM)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def _watch(page: Page, problems: PageProblems) -> None:
    def on_console(msg: ConsoleMessage) -> None:
        if msg.type == "error":
            problems.console_errors.append(f"console: {msg.text} @ {msg.location}")

    def on_failed(req: Request) -> None:
        # MapLibre cancels the requests of tiles that left the view: not a failure.
        if req.failure == "net::ERR_ABORTED" and req.url.split("?")[0].endswith((".mvt", ".pbf")):
            return
        problems.failed_requests.append(f"failed: {req.method} {req.url} ({req.failure})")

    def on_response(resp: Response) -> None:
        if resp.status >= 400:
            problems.failed_requests.append(f"HTTP {resp.status}: {resp.request.method} {resp.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.page_errors.append(f"page error: {exc}"))
    page.on("requestfailed", on_failed)
    page.on("response", on_response)


@pytest.fixture(scope="module")
def browser_page(browser: Browser, server_url: str) -> Iterator[BrowserPage]:
    """A fresh page per test module, watched for console errors and failed requests."""
    context = browser.new_context(viewport=VIEWPORT, locale="vi-VN", service_workers="block")
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    problems = PageProblems()
    _watch(page, problems)
    yield BrowserPage(page=page, url=server_url, problems=problems)
    context.close()


@dataclass(frozen=True)
class Login:
    """A committed operator with a password, to log in through the login page."""

    username: str
    password: str


@pytest.fixture(scope="session")
def operator_login(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Login:
    """An operator who logs in by the form (the API tokens of `users` do not open pages)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from geo_ioc.core.roles import Role, ensure_groups

    login = Login(username="console_operator", password="wall-and-console-9")
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        ensure_groups()
        user, _ = get_user_model().objects.get_or_create(username=login.username)
        user.set_password(login.password)
        user.save()
        user.groups.add(Group.objects.get(name=Role.OPERATOR.value))
    return login


def open_page(
    browser: Browser, server_url: str, **context_options: object
) -> tuple[BrowserPage, Callable[[], None]]:
    """A new watched page in its own context (own cookies); call the second value to close it."""
    options: dict[str, object] = {
        "viewport": VIEWPORT,
        "locale": "vi-VN",
        "service_workers": "block",
        **context_options,
    }
    context = browser.new_context(**options)  # type: ignore[arg-type]
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    problems = PageProblems()
    _watch(page, problems)
    return BrowserPage(page=page, url=server_url, problems=problems), context.close


def log_in(bp: BrowserPage, login: Login, next_path: str = "/") -> None:
    """Log in through the login page, landing on `next_path`."""
    bp.page.goto(f"{bp.url}/login?next={next_path}", wait_until="load")
    bp.page.fill("#id_username", login.username)
    bp.page.fill("#id_password", login.password)
    with bp.page.expect_navigation():
        bp.page.click(".login-card button[type=submit]")
