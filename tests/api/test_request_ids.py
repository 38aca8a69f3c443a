"""Request ids (powerrag/request_ids.py) and JSON log lines (powerrag/logs.py).

Every answer carries `X-Request-Id`: the caller's when sane, else a new one; in JSON
mode every log line written while handling the request names it, in-process and in a
real `powerrag serve`.
"""

from __future__ import annotations

import io
import logging
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from fastapi.testclient import TestClient

from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.logs import JsonFormatter, RequestIdFilter, uvicorn_log_config
from powerrag.store.database import Store
from tests.support.project import AUTH
from tests.support.server import ServerProcess

NEW_ID = re.compile(r"[0-9a-f]{32}")
LONG_SESSION = "s" * 201  # over the 200 characters a session id may have: logged, dropped


def _turn(trace_id: str) -> dict[str, Any]:
    body = {"id": trace_id, "sessionId": LONG_SESSION, "name": "turn"}
    event = {"id": f"e-{trace_id}", "type": "trace-create", "timestamp": "2026-01-01T00:00:00Z"}
    return {"batch": [{**event, "body": body}]}


@pytest.fixture
def client(store: Store, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path, lifecycle_interval_seconds=0)
    with TestClient(create_app(settings, store=store), headers={"authorization": AUTH}) as c:
        yield c


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """PowerRAG's loggers through the JSON formatter into a buffer, as `serve` sets them."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("powerrag")
    logger.addHandler(handler)
    try:
        yield out
    finally:
        logger.removeHandler(handler)


@pytest.mark.one_engine
@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("req-42", True),
        ("6f1d2a4e-58b3-4c0e-9d7a-0c2b9e1f5a11", True),
        ("Root=1-67891233-abcdef012345678912345678", True),
        ("two words", False),
        ("x" * 129, False),
        ("-leading-dash", False),
        ("", False),
    ],
)
def test_a_sane_id_is_kept_any_other_replaced(client: TestClient, sent: str, kept: bool) -> None:
    answer = client.get("/api/public/health", headers={"x-request-id": sent})
    assert answer.status_code == 200
    found = answer.headers["x-request-id"]
    if kept:
        assert found == sent
    else:
        assert NEW_ID.fullmatch(found), found


@pytest.mark.one_engine
def test_each_request_without_one_gets_its_own(client: TestClient) -> None:
    ids = {client.get("/login").headers["x-request-id"] for _ in range(3)}
    assert len(ids) == 3 and all(NEW_ID.fullmatch(i) for i in ids)
    refused = client.post("/api/public/ingestion", json={}, headers={"authorization": "Basic x"})
    assert refused.status_code == 401 and NEW_ID.fullmatch(refused.headers["x-request-id"])


@pytest.mark.one_engine
def test_a_log_line_names_the_request_that_wrote_it(
    client: TestClient, json_lines: io.StringIO
) -> None:
    answer = client.post(
        "/api/public/ingestion", json=_turn("t-long"), headers={"x-request-id": "support-ticket-7"}
    )
    assert answer.status_code == 207 and answer.headers["x-request-id"] == "support-ticket-7"
    lines = [orjson.loads(line) for line in json_lines.getvalue().splitlines()]
    warned = [line for line in lines if line["logger"] == "powerrag.api"]
    assert len(warned) == 1
    assert warned[0]["requestId"] == "support-ticket-7"
    assert warned[0]["level"] == "WARNING"
    assert "session id" in warned[0]["message"]


def test_json_formatter_carries_the_traceback() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        info = sys.exc_info()
    record = logging.LogRecord(
        "powerrag.x", logging.ERROR, __file__, 1, "failed %s", ("once",), info
    )
    line = orjson.loads(JsonFormatter().format(record))
    assert (line["level"], line["logger"], line["message"]) == (
        "ERROR",
        "powerrag.x",
        "failed once",
    )
    assert "RuntimeError: boom" in line["exception"]
    assert "requestId" not in line  # logged outside any request


def test_log_format_names_what_it_accepts(tmp_path: Path) -> None:
    assert uvicorn_log_config("text", "info") is None
    with pytest.raises(ValueError, match="POWERRAG_LOG_FORMAT: expected text or json, got 'xml'"):
        uvicorn_log_config("xml", "info")
    with pytest.raises(ValueError, match="got 'xml'"):
        create_app(Settings(data_dir=tmp_path, log_format="xml"))


def test_serve_writes_json_lines(tmp_path: Path) -> None:
    """A real server in JSON mode: every line it writes is a JSON object, uvicorn's too,
    and the warning of a request names the request's id."""
    server = ServerProcess(tmp_path / "data", log_format="json")
    server.start()
    try:
        with httpx.Client(base_url=server.url, auth=server.auth) as http:
            answer = http.post(
                "/api/public/ingestion", json=_turn("t-1"), headers={"x-request-id": "rid-json-1"}
            )
            assert answer.status_code == 207
            assert answer.headers["x-request-id"] == "rid-json-1"
    finally:
        server.stop()
    printed = [line for line in server.log().splitlines() if line.startswith("{")]
    lines = [orjson.loads(line) for line in printed]
    assert any(line["logger"].startswith("uvicorn") for line in lines)
    warned = [line for line in lines if line.get("requestId") == "rid-json-1"]
    assert [w["logger"] for w in warned] == ["powerrag.api"]
    assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)
