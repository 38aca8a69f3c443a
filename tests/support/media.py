"""Media through the API as an SDK sends it: register, PUT the bytes, PATCH the result."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from powerrag.store.database import Store

# The 1x1 PNG of tests/data/sdk-traffic/python-langfuse-5.0.4-media.jsonl (seq 2).
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
PNG_ID = "xBTNDiBN6XT3N1PH4o12OO"


def sha256_b64(content: bytes) -> str:
    return base64.b64encode(hashlib.sha256(content).digest()).decode()


def media_id(content: bytes) -> str:
    """As the SDKs compute it: the first 22 characters of the URL-safe base64 SHA-256."""
    return sha256_b64(content).replace("+", "-").replace("/", "_")[:22]


def register_body(
    content: bytes,
    content_type: str,
    trace_id: str,
    observation_id: str | None = None,
    field: str = "input",
) -> dict[str, object]:
    """A GetMediaUploadUrlRequest for these bytes."""
    return {
        "traceId": trace_id,
        "observationId": observation_id,
        "datasetId": None,
        "datasetItemId": None,
        "contentType": content_type,
        "contentLength": len(content),
        "sha256Hash": sha256_b64(content),
        "field": field,
    }


def put_headers(content: bytes, content_type: str) -> dict[str, str]:
    """The headers langfuse-python's media manager sends with its PUT."""
    return {
        "content-type": content_type,
        "x-ms-blob-type": "BlockBlob",
        "x-amz-checksum-sha256": sha256_b64(content),
    }


@dataclass(frozen=True)
class Uploaded:
    media_id: str
    upload_url: str | None


def upload(
    client: httpx.Client,
    content: bytes,
    content_type: str,
    trace_id: str,
    observation_id: str | None = None,
    field: str = "input",
    *,
    headers: dict[str, str] | None = None,
) -> Uploaded:
    """Register, PUT (when asked to) and PATCH, asserting each step succeeds; `headers`
    authenticate the API calls when the client's own do not."""
    body = register_body(content, content_type, trace_id, observation_id, field)
    answer = client.post("/api/public/media", json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    found = answer.json()
    url = found["uploadUrl"]
    if url is not None:
        put = client.put(url, content=content, headers=put_headers(content, content_type))
        assert put.status_code == 200, put.text
        report = {
            "uploadedAt": "2026-11-23T22:40:22.048515Z",
            "uploadHttpStatus": 200,
            "uploadHttpError": "",
            "uploadTimeMs": 12,
        }
        patched = client.patch(
            f"/api/public/media/{found['mediaId']}", json=report, headers=headers
        )
        assert patched.status_code == 204, patched.text
    return Uploaded(found["mediaId"], url)


RECORDED_TRACE = "87d92606419c979f03acc357eb434010"  # of python-langfuse-5.0.4-media.jsonl
RECORDED_SPAN = "9ba7ec299fffb8b3"
START_US = 1_795_473_622_000_000  # 2026-11-23T22:40:22Z, when that fixture was recorded


class Clock:
    """The app's clock, moved by the tests (create_app's `clock=`)."""

    def __init__(self) -> None:
        self.now = START_US

    def __call__(self) -> int:
        return self.now


def anonymous(client: TestClient) -> TestClient:
    """A client of the same running app that sends no API keys."""
    return TestClient(client.app)


def count_rows(store: Store, table: Any) -> int:
    with store.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def registered(client: TestClient) -> str:
    """The upload URL of the PNG, registered for the recorded trace and span."""
    body = register_body(PNG, "image/png", RECORDED_TRACE, RECORDED_SPAN)
    answer = client.post("/api/public/media", json=body)
    assert answer.status_code == 200, answer.text
    url: str = answer.json()["uploadUrl"]
    return url


def assert_error(response: httpx.Response, status: int, message: str) -> None:
    """A refusal with exactly this status and message."""
    assert (response.status_code, response.json()["message"]) == (status, message)
