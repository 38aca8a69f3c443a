"""Settings and publishing (issue 12, item 8): PRG with a one-time flash, the project's id and
name, administrators among the members, the public page's privacy and its absolute link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from powerrag import accounts, project_options, urls
from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.store.database import Store
from powerrag.store.memberships import MEMBER, OWNER, set_membership
from tests.support.project import AUTH, PROJECT_ID
from tests.support.web import post_form, sign_in

pytestmark = pytest.mark.one_engine

ADMIN = ("admin@example.com", "admin password 1")
OWEN = ("owen@example.com", "owen password 1")  # owner
MIA = ("mia@example.com", "mia password 1")  # member
SETTINGS = f"/project/{PROJECT_ID}/settings"
FLASH = "powerrag_flash"
END_USER = "alice@example.com"
SESSION = f"/project/{PROJECT_ID}/sessions/pub-session"
TURNS = urls.session_turns(PROJECT_ID, "pub-session")


@pytest.fixture
def web(store: Store, settings: Settings) -> Iterator[TestClient]:
    accounts.ensure_user(store, *ADMIN[:1], "Ada Admin", ADMIN[1])
    owen = accounts.ensure_user(store, OWEN[0], "Owen", OWEN[1])
    mia = accounts.ensure_user(store, MIA[0], "Mia", MIA[1])
    with store.transaction() as conn:
        set_membership(conn, PROJECT_ID, owen.id, OWNER)
        set_membership(conn, PROJECT_ID, mia.id, MEMBER)
    with TestClient(create_app(settings, store=store), follow_redirects=False) as client:
        yield client


def _keys(web: TestClient) -> list[dict[str, Any]]:
    keys: list[dict[str, Any]] = web.get(SETTINGS, params={"format": "json"}).json()["keys"]
    return keys


def test_a_new_key_is_shown_once_after_a_redirect_and_reloading_creates_none(
    web: TestClient,
) -> None:
    sign_in(web, OWEN)
    before = len(_keys(web))
    answer = post_form(web, f"{SETTINGS}/keys", {"note": "ci"})
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{SETTINGS}#api-keys"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith(FLASH))
    for part in (f"Path={SETTINGS}", "HttpOnly", "Max-Age=120", "SameSite=strict"):
        assert part in cookie, cookie
    assert "sk-lf-" not in answer.headers["location"]

    shown = web.get(SETTINGS)
    assert shown.headers["cache-control"] == "no-store"
    secret = shown.text.split('id="new-secret-key">')[1].split("<")[0]
    public = shown.text.split('id="new-public-key">')[1].split("<")[0]
    assert secret.startswith("sk-lf-") and f'data-copy="{secret}"' in shown.text
    assert web.get("/api/public/projects", auth=(public, secret)).status_code == 200
    # Shown once: the page that showed it deleted the cookie; reloads create no key.
    assert 'id="new-secret-key"' not in web.get(SETTINGS).text
    assert 'id="new-secret-key"' not in web.get(SETTINGS).text
    assert len(_keys(web)) == before + 1


def _flash(store: Store, user_id: str, expires: float, path: str = SETTINGS) -> str:
    """A flash cookie as web/flash.py signs it."""
    created = {"publicKey": "pk-lf-forged", "secretKey": "sk-lf-forged"}
    doc = {"u": user_id, "p": path, "e": int(expires), "m": {"created": created}}
    body = base64.urlsafe_b64encode(orjson.dumps(doc)).decode()
    key = project_options.flash_key(store)
    signature = hmac.new(key, f"flash|{body}".encode(), hashlib.sha256).hexdigest()
    return f"{body}.{signature}"


def _shows_flash(web: TestClient, value: str) -> bool:
    web.cookies.set(FLASH, value, path=SETTINGS)
    shown = "sk-lf-forged" in web.get(SETTINGS).text
    web.cookies.delete(FLASH, path=SETTINGS)
    return shown


def test_a_flash_is_shown_only_to_its_user_signed_and_in_time(
    web: TestClient, store: Store
) -> None:
    sign_in(web, OWEN)
    owen = accounts.sign_in(store, *OWEN)
    assert owen is not None
    owen_id = owen.user.id
    assert _shows_flash(web, _flash(store, owen_id, time.time() + 60))
    assert not _shows_flash(web, _flash(store, owen_id, time.time() - 1))
    assert not _shows_flash(web, _flash(store, "someone-else", time.time() + 60))
    assert not _shows_flash(web, _flash(store, owen_id, time.time() + 60, "/elsewhere"))
    body, signature = _flash(store, owen_id, time.time() + 60).split(".")
    assert not _shows_flash(web, f"{body}.{signature[::-1]}")


def test_the_project_id_is_shown_and_owners_rename_the_project(web: TestClient) -> None:
    sign_in(web, MIA)
    page = web.get(SETTINGS).text
    assert f'<code id="project-id">{PROJECT_ID}</code>' in page
    assert f'data-copy="{PROJECT_ID}"' in page
    assert f"powerrag keys create --project {PROJECT_ID}" in page
    assert 'id="rename-project-form"' not in page
    assert post_form(web, f"{SETTINGS}/name", {"name": "Mia's"}).status_code == 403

    sign_in(web, OWEN)
    answer = post_form(web, f"{SETTINGS}/name", {"name": "  Support bot  "})
    assert answer.status_code == 303 and answer.headers["location"] == f"{SETTINGS}#project"
    assert web.get(SETTINGS, params={"format": "json"}).json()["project"]["name"] == "Support bot"
    assert post_form(web, f"{SETTINGS}/name", {"name": "  "}).status_code == 400
    too_long = post_form(web, f"{SETTINGS}/name", {"name": "x" * 201})
    assert too_long.status_code == 400 and "at most 200 characters" in too_long.text


def test_administrators_are_listed_with_the_members(web: TestClient) -> None:
    sign_in(web, MIA)
    twin = web.get(SETTINGS, params={"format": "json"}).json()
    assert [(a["email"], a["role"]) for a in twin["admins"]] == [(ADMIN[0], "admin")]
    assert [m["email"] for m in twin["members"]] == [OWEN[0], MIA[0]]
    page = web.get(SETTINGS).text
    row = page.split(f'data-admin="{ADMIN[0]}"')[1].split("</tr>")[0]
    assert "Administrator" in row and "Ada Admin" in row and "<form" not in row


def _published_session(web: TestClient) -> None:
    trace = {"id": "pub-trace", "sessionId": "pub-session", "userId": END_USER}
    trace |= {"input": "where is my order?", "output": "on its way"}
    event = {"id": "ev", "type": "trace-create", "timestamp": "2025-11-23T10:00:00Z"}
    batch = {"batch": [{**event, "body": trace}]}
    sent = web.post("/api/public/ingestion", json=batch, headers={"authorization": AUTH})
    assert sent.status_code == 207 and not sent.json()["errors"], sent.text
    flags = urls.session_flags(PROJECT_ID, "pub-session")
    assert post_form(web, flags, {"flag": "public", "value": "1"}).status_code == 303


def _anonymous_text(web: TestClient) -> str:
    anon = TestClient(web.app, follow_redirects=False)
    answers = [
        anon.get(SESSION),
        anon.get(SESSION, params={"format": "json"}),
        anon.get(f"{TURNS}&offset=0"),
        anon.get(f"{TURNS}&offset=0&format=json"),
        anon.get(urls.session_figures(PROJECT_ID, "pub-session")),
    ]
    assert [a.status_code for a in answers] == [200] * 5
    return "".join(a.text for a in answers)


def test_the_public_page_hides_user_ids_unless_the_project_opts_in(web: TestClient) -> None:
    sign_in(web, OWEN)
    _published_session(web)
    member = web.get(SESSION, params={"format": "json"}).json()
    assert member["session"]["userIds"] == [END_USER]
    assert member["publicUrl"] == f"http://testserver{SESSION}"
    assert f'data-copy="http://testserver{SESSION}"' in web.get(SESSION).text

    hidden = _anonymous_text(web)
    assert END_USER not in hidden and "on its way" in hidden
    assert "hidden on public pages" in hidden
    assert f'id="public-sign-in" href="/login?next={SESSION}"' in hidden

    sign_in(web, MIA)
    refused = post_form(web, f"{SETTINGS}/public", {"show_users": "1"})
    assert refused.status_code == 403
    assert END_USER not in _anonymous_text(web)

    sign_in(web, OWEN)
    answer = post_form(web, f"{SETTINGS}/public", {"show_users": "1"})
    assert answer.status_code == 303 and answer.headers["location"] == f"{SETTINGS}#public-pages"
    assert web.get(SETTINGS, params={"format": "json"}).json()["publicShowsUsers"] is True
    assert END_USER in _anonymous_text(web)

    assert post_form(web, f"{SETTINGS}/public", {}).status_code == 303
    assert END_USER not in _anonymous_text(web)


def test_owners_set_the_projects_session_idle_timeout(web: TestClient, store: Store) -> None:
    sign_in(web, MIA)
    assert post_form(web, f"{SETTINGS}/session-idle", {"seconds": "90"}).status_code == 403
    page = web.get(SETTINGS, params={"format": "json"}).json()
    assert (page["sessionIdleSeconds"], page["serverIdleSeconds"]) == (None, 1800)
    sign_in(web, OWEN)
    answer = post_form(web, f"{SETTINGS}/session-idle", {"seconds": "90"})
    assert (answer.status_code, answer.headers["location"]) == (
        303,
        f"{SETTINGS}#session-lifecycle",
    )
    assert project_options.session_idle_seconds(store, PROJECT_ID) == 90
    assert 'id="session-idle-seconds" type="number" min="10" step="1" value="90"' in (
        web.get(SETTINGS).text
    )
    bad = post_form(web, f"{SETTINGS}/session-idle", {"seconds": "1.5"})
    assert bad.status_code == 400 and "whole number of seconds, got &#39;1.5&#39;" in bad.text
    assert post_form(web, f"{SETTINGS}/session-idle", {"seconds": ""}).status_code == 303
    assert project_options.session_idle_seconds(store, PROJECT_ID) is None
