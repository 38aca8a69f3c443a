"""The first administrator (issue 19, M6): a one-time token, a known Host, exactly once.

Concurrent set-ups go through the real app in process (httpx's ASGI transport) on both
database engines: the database, not the process, decides which one wins.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from powerrag import accounts, cli
from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.store.database import Store
from powerrag.store.infra.schema import users
from tests.support.loops import run_coroutine
from tests.support.web import csrf_of, while_started

FORM = {"email": "ada@example.com", "name": "Ada", "password": "a long password"}


def _counts(store: Store) -> tuple[int, int]:
    """(users, administrators)."""
    with store.connect() as conn:
        every = conn.execute(select(func.count()).select_from(users)).scalar_one()
        admins = conn.execute(
            select(func.count()).select_from(users).where(users.c.is_admin.is_(True))
        ).scalar_one()
    return int(every), int(admins)


def _post_setup(client: TestClient, **fields: str) -> httpx.Response:
    page = client.get("/login")
    return client.post("/setup", data={**FORM, **fields, "csrf_token": csrf_of(page.text)})


def test_set_up_needs_the_one_time_token(store: Store, settings: Settings) -> None:
    token = accounts.setup_token(store)
    assert token
    app = create_app(settings, store=store)
    with TestClient(app, base_url="http://localhost", follow_redirects=False) as client:
        assert _post_setup(client).status_code == 403  # no token: the first visitor is not admin
        assert _post_setup(client, token="not-the-token").status_code == 403
        assert _counts(store) == (0, 0)
        prefilled = client.get("/setup", params={"token": token}).text
        assert f'value="{token}"' in prefilled

        made = _post_setup(client, token=token)

        assert made.status_code == 303 and _counts(store) == (1, 1)
        assert _post_setup(client, token=token).status_code == 400  # used up
        assert accounts.setup_token(store) is None


@pytest.mark.parametrize("host", ["rebound.attacker.example", "rebound.attacker.example:3000"])
def test_set_up_refuses_a_host_that_is_not_this_powerrag(
    store: Store, settings: Settings, host: str
) -> None:
    """DNS rebinding: a page on another site reaches 127.0.0.1 under its own name."""
    token = accounts.setup_token(store)
    assert token
    app = create_app(settings.with_overrides(public_url="https://rag.example.com"), store=store)
    with TestClient(app, base_url=f"http://{host}", follow_redirects=False) as client:
        assert _post_setup(client, token=token).status_code == 403
        assert client.get("/setup", params={"token": token}).status_code == 403
    assert _counts(store) == (0, 0)
    for known in ("rag.example.com", "localhost:3000", "127.0.0.1:3000", "[::1]:3000"):
        with TestClient(app, base_url=f"http://{known}", follow_redirects=False) as client:
            assert client.get("/setup", params={"token": token}).status_code == 200, known


def test_twenty_concurrent_set_ups_make_exactly_one_admin(store: Store, settings: Settings) -> None:
    token = accounts.setup_token(store)
    assert token
    app = create_app(settings, store=store)

    async def race() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            csrf = csrf_of((await client.get("/login")).text)
            forms = [
                {**FORM, "email": f"admin{i}@example.com", "token": token, "csrf_token": csrf}
                for i in range(20)
            ]
            answers = await asyncio.gather(*(client.post("/setup", data=f) for f in forms))
        return [a.status_code for a in answers]

    statuses = run_coroutine(while_started(app, race))

    assert statuses.count(303) == 1, statuses
    assert _counts(store) == (1, 1)


def test_the_cli_shows_the_set_up_token_until_an_admin_exists(
    store: Store, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = ["--database-url", database_url]
    assert cli.main(["user", "setup-token", *url]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed == accounts.setup_token(store)

    accounts.create_first_admin(store, printed, FORM["email"], FORM["name"], FORM["password"])

    assert cli.main(["user", "setup-token", *url]) == 2
    assert "an administrator exists" in capsys.readouterr().err
