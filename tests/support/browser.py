"""The browser tests' `powerrag serve` process (the test project, optionally a first user)."""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.sync_api import Page

from powerrag.demo import DemoResult
from tests.support.project import PROJECT_ID, PUBLIC_KEY, SECRET_KEY
from tests.support.server import ServerProcess

EMAIL, PASSWORD = "admin@example.com", "browser-test-password"


class BrowserServer(ServerProcess):
    """A server with the test project; `with_user` also creates the first UI user."""

    def __init__(self, data_dir: Path, *, with_user: bool) -> None:
        super().__init__(
            data_dir,
            project_id=PROJECT_ID,
            project_name="Test project",
            public_key=PUBLIC_KEY,
            secret_key=SECRET_KEY,
            user=(EMAIL, PASSWORD) if with_user else None,
        )
        self.demo: DemoResult | None = None

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, auth=self.auth, timeout=30)


def sign_in(page: Page, base: str, email: str = EMAIL, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.fill("#login-form input[name=email]", email)
    page.fill("#login-form input[name=password]", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{base}/project/**")
