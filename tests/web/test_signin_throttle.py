"""Sign-in attempts are rate-limited: repeated failures wait, with Retry-After."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.query.ui_users import ensure_user
from powerrag.store.database import Store
from powerrag.web.throttle import (
    MAX_FAILURES_PER_ACCOUNT,
    MAX_FAILURES_PER_ADDRESS,
    WINDOW_SECONDS,
    SignInThrottle,
)
from tests.support.web import EMAIL, PASSWORD, csrf_of


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_failures_past_the_limit_wait_until_the_window_passes() -> None:
    clock = Clock()
    throttle = SignInThrottle(clock)
    for _ in range(MAX_FAILURES_PER_ACCOUNT):
        assert throttle.retry_after("1.2.3.4", "a@x") == 0
        throttle.failed("1.2.3.4", "a@x")
    assert 0 < throttle.retry_after("1.2.3.4", "A@X ") <= WINDOW_SECONDS + 1
    assert throttle.retry_after("5.6.7.8", "a@x") == 0  # another address is not punished
    clock.now += WINDOW_SECONDS + 1
    assert throttle.retry_after("1.2.3.4", "a@x") == 0


def test_one_address_trying_many_emails_is_limited_too() -> None:
    throttle = SignInThrottle(Clock())
    for i in range(MAX_FAILURES_PER_ADDRESS):
        throttle.failed("1.2.3.4", f"user{i}@x")
    assert throttle.retry_after("1.2.3.4", "fresh@x") > 0


def test_success_clears_the_account_count() -> None:
    throttle = SignInThrottle(Clock())
    for _ in range(MAX_FAILURES_PER_ACCOUNT - 1):
        throttle.failed("1.2.3.4", "a@x")
    throttle.succeeded("1.2.3.4", "a@x")
    throttle.failed("1.2.3.4", "a@x")
    assert throttle.retry_after("1.2.3.4", "a@x") == 0


@pytest.fixture
def browser(store: Store, settings: Settings) -> Iterator[TestClient]:
    ensure_user(store, EMAIL, "Admin", PASSWORD)
    with TestClient(create_app(settings, store=store), follow_redirects=False) as client:
        yield client


def _sign_in(client: TestClient, password: str) -> int:
    page = client.get("/login")
    data = {"email": EMAIL, "password": password, "csrf_token": csrf_of(page.text)}
    response = client.post("/login", data=data)
    if response.status_code == 429:
        assert int(response.headers["retry-after"]) > 0
        assert "Too many failed sign-ins" in response.text
    return response.status_code


def test_the_login_form_refuses_after_repeated_failures(browser: TestClient) -> None:
    statuses = [_sign_in(browser, "wrong") for _ in range(MAX_FAILURES_PER_ACCOUNT)]
    assert statuses == [401] * MAX_FAILURES_PER_ACCOUNT
    # Even the right password waits now: guessing cannot continue at full speed.
    assert _sign_in(browser, PASSWORD) == 429
