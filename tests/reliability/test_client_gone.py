"""A client that disconnects mid-body costs one log line (issue 19, L12).

It used to log a 120-line traceback at ERROR. The app is driven at the ASGI edge,
as uvicorn drives it: part of the body, then `http.disconnect`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.store.database import Store
from tests.support.answers import stored
from tests.support.bodies import BATCH_PATH, JSON, OTLP_PATH, SpanFactory, json_body
from tests.support.project import AUTH

DROPS = 3  # more than the two admission places of max_pending_requests=1


async def _drop_mid_body(app: FastAPI, path: str, body: bytes) -> BaseException | None:
    """Send half of `body`, then disconnect; what escaped the app, if anything."""
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": body[: len(body) // 2], "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if len(messages) > 1 else messages[0]

    async def send(_: dict[str, Any]) -> None:
        return None

    headers = [
        (b"host", b"testserver"),
        (b"authorization", AUTH.encode()),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    try:
        await app(scope, receive, send)
    except Exception as exc:
        return exc
    return None


@pytest.mark.parametrize("path", [OTLP_PATH, BATCH_PATH])
def test_client_gone_mid_body_logs_one_line_and_frees_its_place(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    caplog.set_level(logging.INFO)
    app = create_app(Settings(data_dir=tmp_path, max_pending_requests=1), store=store)
    factory = SpanFactory(81)
    dropped, sent = factory.trace(children=0), factory.trace(children=0)
    with TestClient(app, headers={"authorization": AUTH}) as client:
        assert client.portal is not None
        for _ in range(DROPS):
            assert client.portal.call(_drop_mid_body, app, path, json_body(dropped)) is None
        # Every place was given back: a whole body still gets in.
        assert client.post(OTLP_PATH, content=json_body(sent), headers=JSON).json() == {}
        assert stored(client, sent[0].span_id) and not stored(client, dropped[0].span_id)
    assert [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info] == []
    gone = [r for r in caplog.records if "disconnected" in r.getMessage()]
    assert len(gone) == DROPS
    assert all(r.levelno == logging.INFO and path in r.getMessage() for r in gone)
