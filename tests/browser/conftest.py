"""A real `powerrag serve` process holding recorded SDK traffic and demo data, and Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from powerrag.demo import run_demo
from tests.support.browser import BrowserServer, sign_in
from tests.support.project import PUBLIC_KEY, SECRET_KEY
from tests.support.replay import replay_successful

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserServer]:
    srv = BrowserServer(tmp_path_factory.mktemp("powerrag-browser"), with_user=True)
    srv.start()
    try:
        with srv.api() as client:
            replay_successful(client)
        srv.demo = run_demo(srv.url, PUBLIC_KEY, SECRET_KEY)
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext, server: BrowserServer) -> Page:
    """A signed-in page; any script error or dialog fails the test that caused it."""
    p = context.new_page()
    p.errors = []  # type: ignore[attr-defined]
    p.on("pageerror", lambda exc: p.errors.append(str(exc)))  # type: ignore[attr-defined]
    p.on("dialog", lambda dialog: (p.errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))  # type: ignore[attr-defined]
    sign_in(p, server.url)
    return p
