"""A real `powerrag serve` process holding recorded SDK traffic and demo data, and Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from powerrag.demo import DemoResult, run_demo
from tests.fixtures import AUTH, PUBLIC_KEY, SECRET_KEY, fixture_files, writes

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PROJECT = "test-project"
EMAIL, PASSWORD = "admin@example.com", "browser-test-password"


@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]
    data_dir: Path
    log: IO[bytes]
    demo: DemoResult | None = None

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, auth=(PUBLIC_KEY, SECRET_KEY), timeout=30)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(data_dir: Path, *, with_user: bool) -> Server:
    port = _free_port()
    env = {
        **os.environ,
        "LANGFUSE_INIT_PROJECT_ID": PROJECT,
        "LANGFUSE_INIT_PROJECT_NAME": "Test project",
        "LANGFUSE_INIT_PROJECT_PUBLIC_KEY": PUBLIC_KEY,
        "LANGFUSE_INIT_PROJECT_SECRET_KEY": SECRET_KEY,
    }
    if with_user:
        env |= {"LANGFUSE_INIT_USER_EMAIL": EMAIL, "LANGFUSE_INIT_USER_PASSWORD": PASSWORD}
    command = [sys.executable, "-m", "powerrag", "serve", "--port", str(port)]
    log = (data_dir / "server.log").open("wb")
    process = subprocess.Popen(
        [*command, "--data-dir", str(data_dir)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60  # the CI machine may be busy
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{base}/api/public/health").status_code == 200:
                return Server(base, process, data_dir, log)
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    log.close()
    raise RuntimeError("powerrag serve did not start:\n" + (data_dir / "server.log").read_text())


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(10)
    except subprocess.TimeoutExpired:
        server.process.kill()
    server.log.close()


def send_recorded_traffic(server: Server) -> None:
    """Every successful recorded SDK request, byte for byte."""
    with httpx.Client(base_url=server.base, timeout=30) as client:
        for name in fixture_files():
            if "errors" in name or "verbatim-fails" in name:
                continue
            for rec in writes(name):
                headers = {**rec.replay_headers(), "authorization": AUTH}
                response = client.post(rec.url, content=rec.body, headers=headers)
                assert response.status_code < 300, (name, response.text)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = start_server(tmp_path_factory.mktemp("powerrag-browser"), with_user=True)
    try:
        send_recorded_traffic(srv)
        srv.demo = run_demo(srv.base, PUBLIC_KEY, SECRET_KEY)
        yield srv
    finally:
        stop_server(srv)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def sign_in(page: Page, base: str, email: str = EMAIL, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.fill("#login-form input[name=email]", email)
    page.fill("#login-form input[name=password]", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{base}/project/**")


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext, server: Server) -> Page:
    """A signed-in page; any script error or dialog fails the test that caused it."""
    p = context.new_page()
    p.errors = []  # type: ignore[attr-defined]
    p.on("pageerror", lambda exc: p.errors.append(str(exc)))  # type: ignore[attr-defined]
    p.on("dialog", lambda dialog: (p.errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))  # type: ignore[attr-defined]
    sign_in(p, server.base)
    return p
