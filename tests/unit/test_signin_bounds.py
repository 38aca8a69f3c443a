"""The sign-in throttle's bounded memory and wait, and the sign-in cookie's attributes."""

from __future__ import annotations

import pytest
from starlette.requests import Request
from starlette.responses import Response

from powerrag.accounts import SignIn, User
from powerrag.web import throttle as throttle_module
from powerrag.web.auth import Cookies, csrf_token
from powerrag.web.throttle import (
    MAX_FAILURES_PER_ACCOUNT,
    WINDOW_SECONDS,
    SignInThrottle,
    TooManyAttemptsError,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _keys(address: str, email: str) -> set[tuple[str, ...]]:
    return {("pair", address, email), ("email", email), ("address", address)}


def test_the_wait_is_until_the_oldest_counted_attempt_leaves_the_window() -> None:
    clock = Clock()
    throttle = SignInThrottle(clock)
    for _ in range(MAX_FAILURES_PER_ACCOUNT):
        throttle.reserve("1.2.3.4", "a@x")
        clock.now += 10
    with pytest.raises(TooManyAttemptsError) as caught:
        throttle.reserve("1.2.3.4", "a@x")
    assert caught.value.retry_after == int(WINDOW_SECONDS) - 50 + 1
    assert str(caught.value) == f"retry after {int(WINDOW_SECONDS) - 49} s"


def test_a_full_table_first_forgets_keys_whose_attempts_left_the_window(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(throttle_module, "MAX_KEYS", 6)
    clock = Clock()
    throttle = SignInThrottle(clock)
    throttle.reserve("a1", "e1")
    clock.now += 1
    throttle.reserve("a2", "e2")
    clock.now += WINDOW_SECONDS - 1
    throttle.reserve("a3", "e3")
    assert set(throttle._attempts) == _keys("a2", "e2") | _keys("a3", "e3")


def test_a_table_still_full_forgets_its_oldest_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(throttle_module, "MAX_KEYS", 6)
    throttle = SignInThrottle(Clock())
    throttle.reserve("a1", "e1")
    throttle.reserve("a2", "e2")
    throttle.reserve("a3", "e3")
    assert set(throttle._attempts) == (
        {("email", "e1"), ("address", "a1")} | _keys("a2", "e2") | _keys("a3", "e3")
    )


def _attributes(response: Response) -> list[str]:
    (header,) = response.headers.getlist("set-cookie")
    return sorted(
        part for part in header.split("; ")[1:] if not part.startswith(("expires=", "Max-Age="))
    )


@pytest.mark.parametrize("secure", [True, False])
def test_signing_out_clears_the_cookie_with_the_attributes_it_was_set_with(secure: bool) -> None:
    cookies = Cookies(secure=secure)
    user = User(id="u1", email="a@x", name="A", password_hash="-", is_admin=False)
    set_response, clear_response = Response(), Response()
    cookies.set_session(set_response, SignIn(user, "token", 60))
    cookies.clear_session(clear_response)
    expected = ["HttpOnly", "Path=/", "SameSite=lax"] + (["Secure"] if secure else [])
    assert _attributes(set_response) == _attributes(clear_response) == expected
    (cleared,) = clear_response.headers.getlist("set-cookie")
    assert cleared.startswith('powerrag_session=""; ')
    assert "Max-Age=0" in cleared.split("; ")
    (issued,) = set_response.headers.getlist("set-cookie")
    assert issued.startswith("powerrag_session=token; ")
    assert "Max-Age=60" in issued.split("; ")


def test_a_success_gives_back_its_place_under_the_email(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(throttle_module, "MAX_FAILURES_PER_EMAIL", 3)
    throttle = SignInThrottle(Clock())
    throttle.reserve("10.0.0.1", "a@x")
    throttle.reserve("10.0.0.2", "a@x")
    throttle.succeeded(throttle.reserve("10.0.0.3", "a@x"))
    throttle.reserve("10.0.0.4", "a@x")
    with pytest.raises(TooManyAttemptsError):
        throttle.reserve("10.0.0.5", "a@x")


def test_an_attempt_whose_keys_were_forgotten_is_settled_without_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(throttle_module, "MAX_KEYS", 3)
    throttle = SignInThrottle(Clock())
    first = throttle.reserve("a1", "e1")
    second = throttle.reserve("a2", "e2")
    throttle.reserve("a3", "e3")
    assert not set(throttle._attempts) & (_keys("a1", "e1") | {("pair", "a2", "e2")})
    throttle.succeeded(first)
    throttle.cancel(second)
    assert set(throttle._attempts) == _keys("a3", "e3") | {("email", "e2"), ("address", "a2")}


@pytest.mark.parametrize("secure", [True, False])
def test_the_csrf_cookie_is_http_only_lax_and_secure_when_told(secure: bool) -> None:
    response = Response()
    Cookies(secure=secure).set_csrf(response, "csrf-token")
    (header,) = response.headers.getlist("set-cookie")
    assert header.startswith("powerrag_csrf=csrf-token; ")
    expected = ["HttpOnly", "Path=/", "SameSite=lax"] + (["Secure"] if secure else [])
    assert _attributes(response) == expected


def test_less_than_a_second_left_still_refuses_and_waits_one_second() -> None:
    clock = Clock()
    throttle = SignInThrottle(clock)
    for _ in range(MAX_FAILURES_PER_ACCOUNT):
        throttle.reserve("1.2.3.4", "a@x")
    clock.now += WINDOW_SECONDS - 0.5
    with pytest.raises(TooManyAttemptsError) as caught:
        throttle.reserve("1.2.3.4", "a@x")
    assert caught.value.retry_after == 1


def _request(cookie: str | None) -> Request:
    headers = [(b"cookie", cookie.encode())] if cookie else []
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers})


def test_a_page_without_a_csrf_cookie_uses_one_new_token_for_all_its_forms() -> None:
    request = _request(None)
    first = csrf_token(request)
    assert len(first) == 43
    assert csrf_token(request) == first
    assert csrf_token(_request(None)) != first


def test_the_csrf_cookie_s_token_is_reused() -> None:
    assert csrf_token(_request("powerrag_csrf=kept")) == "kept"
