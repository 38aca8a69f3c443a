"""One-time messages across a POST-redirect-GET: a signed, short-lived cookie.

A form's answer is a redirect (reloading never posts again); what the next page must
show once, such as a new API key's secret, travels in this cookie, never in the URL
(issue 12, item 8). The cookie is HttpOnly, sent only to the page that shows it, signed
with an instance secret (every replica checks it alike), bound to the signed-in user,
valid for FLASH_SECONDS, and deleted by the page that shows it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

import orjson
from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from powerrag import project_options
from powerrag.context import context_of
from powerrag.domain.jsondoc import JSONObject
from powerrag.web.state import web_state

FLASH_COOKIE = "powerrag_flash"
FLASH_SECONDS = 120


def _signature(key: bytes, body: str) -> str:
    return hmac.new(key, f"flash|{body}".encode(), hashlib.sha256).hexdigest()


async def _key(request: Request) -> bytes:
    return await run_in_threadpool(project_options.flash_key, context_of(request).store)


async def set_flash(
    request: Request, response: Response, path: str, user_id: str, message: JSONObject
) -> None:
    """Attach `message` for the next GET of `path` by this user."""
    expires = int(time.time()) + FLASH_SECONDS
    doc = {"u": user_id, "p": path, "e": expires, "m": message}
    body = base64.urlsafe_b64encode(orjson.dumps(doc)).decode()
    value = f"{body}.{_signature(await _key(request), body)}"
    response.set_cookie(
        FLASH_COOKIE,
        value,
        max_age=FLASH_SECONDS,
        path=path,
        httponly=True,
        samesite="strict",
        secure=web_state(request).cookies.secure,
    )


async def take_flash(request: Request, path: str, user_id: str) -> JSONObject | None:
    """The message meant for this user and page (`path`), if one came and is still valid."""
    value = request.cookies.get(FLASH_COOKIE)
    if not value or "." not in value:
        return None
    body, signature = value.rsplit(".", 1)
    if not hmac.compare_digest(signature, _signature(await _key(request), body)):
        return None
    doc: Any = orjson.loads(base64.urlsafe_b64decode(body))
    fresh = doc["e"] >= time.time() and doc["u"] == user_id and doc["p"] == path
    return doc["m"] if fresh and isinstance(doc["m"], dict) else None


def clear_flash(request: Request, response: Response, path: str) -> None:
    """Delete the cookie on the page (`path`) that showed it, or refused it."""
    if FLASH_COOKIE in request.cookies:
        response.delete_cookie(
            FLASH_COOKIE,
            path=path,
            httponly=True,
            samesite="strict",
            secure=web_state(request).cookies.secure,
        )
