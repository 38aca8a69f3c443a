"""Sign-in attempts are rate-limited: counted before checking; repeated failures wait."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from powerrag.accounts import ensure_user
from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.store.database import Store
from powerrag.web.throttle import (
    MAX_FAILURES_PER_ACCOUNT,
    MAX_FAILURES_PER_ADDRESS,
    MAX_FAILURES_PER_EMAIL,
    WINDOW_SECONDS,
    SignInThrottle,
    TooManyAttemptsError,
)
from tests.support.web import EMAIL, PASSWORD, csrf_of


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _refused(throttle: SignInThrottle, address: str, email: str) -> int:
    """The wait of a refused attempt, or 0 when it was counted (and so may go ahead)."""
    try:
        throttle.reserve(address, email)
    except TooManyAttemptsError as exc:
        return exc.retry_after
    return 0


def test_attempts_past_the_limit_wait_until_the_window_passes() -> None:
    clock = Clock()
    throttle = SignInThrottle(clock)
    for _ in range(MAX_FAILURES_PER_ACCOUNT):
        assert _refused(throttle, "1.2.3.4", "a@x") == 0  # counted before any check
    assert 0 < _refused(throttle, "1.2.3.4", "A@X ") <= WINDOW_SECONDS + 1
    assert _refused(throttle, "5.6.7.8", "a@x") == 0  # another address is not punished
    clock.now += WINDOW_SECONDS + 1
    assert _refused(throttle, "1.2.3.4", "a@x") == 0


def test_one_address_trying_many_emails_is_limited_too() -> None:
    throttle = SignInThrottle(Clock())
    for i in range(MAX_FAILURES_PER_ADDRESS):
        assert _refused(throttle, "1.2.3.4", f"user{i}@x") == 0
    assert _refused(throttle, "1.2.3.4", "fresh@x") > 0


def test_many_addresses_guessing_one_email_are_limited_too() -> None:
    throttle = SignInThrottle(Clock())
    for i in range(MAX_FAILURES_PER_EMAIL):
        assert _refused(throttle, f"10.0.0.{i}", "a@x") == 0
    assert _refused(throttle, "10.0.1.1", "a@x") > 0
    assert _refused(throttle, "10.0.1.1", "b@x") == 0


def test_success_clears_the_account_count_and_gives_its_attempt_back() -> None:
    throttle = SignInThrottle(Clock())
    for _ in range(MAX_FAILURES_PER_ACCOUNT - 1):
        throttle.reserve("1.2.3.4", "a@x")
    throttle.succeeded(throttle.reserve("1.2.3.4", "a@x"))
    for _ in range(MAX_FAILURES_PER_ACCOUNT):
        assert _refused(throttle, "1.2.3.4", "a@x") == 0


def test_an_attempt_never_checked_does_not_count() -> None:
    throttle = SignInThrottle(Clock())
    for _ in range(MAX_FAILURES_PER_ADDRESS):
        throttle.cancel(throttle.reserve("1.2.3.4", "a@x"))
    assert _refused(throttle, "1.2.3.4", "a@x") == 0


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
