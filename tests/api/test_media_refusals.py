"""Media refusals, each with its exact status and message: registrations the server cannot
store, uploads that are not the registered bytes, forged, foreign and expired upload URLs,
and upload reports that are not reports. Anything the SDKs should not retry is a 4xx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.domain.timeutil import parse_iso
from powerrag.query.media import media_record
from powerrag.store.database import Store
from powerrag.store.infra.schema import media, media_blobs
from tests.support.media import (
    PNG,
    PNG_ID,
    Clock,
    anonymous,
    assert_error,
    count_rows,
    put_headers,
    register_body,
    registered,
    sha256_b64,
)
from tests.support.media import RECORDED_SPAN as SPAN
from tests.support.media import RECORDED_TRACE as TRACE
from tests.support.media import media_id as id_of
from tests.support.project import AUTH, PROJECT_ID

# The refusals do not depend on the engine.
pytestmark = pytest.mark.one_engine


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"contentType": "image/x-bogus"},
            "contentType 'image/x-bogus' is not a media type Langfuse accepts (MediaContentType, e.g. image/png)",
        ),
        ({"contentLength": 0}, "contentLength must be a positive integer, got 0"),
        ({"contentLength": "70"}, "contentLength must be a positive integer, got '70'"),
        (
            {"contentLength": 1025},
            "contentLength 1025 exceeds the media size limit of 1024 bytes (POWERRAG_MEDIA_MAX_BYTES)",
        ),
        (
            {"sha256Hash": "xBTNDiBN6XT3N1PH4o12OO"},
            "sha256Hash must be the standard base64 of a 32-byte SHA-256, got 'xBTNDiBN6XT3N1PH4o12OO'",
        ),
        (
            {"field": "expectedOutput"},
            "field must be one of input, output, metadata, got 'expectedOutput'",
        ),
        (
            {"traceId": None, "datasetId": "d", "datasetItemId": "i"},
            "PowerRAG keeps no datasets: media must belong to a trace (send traceId)",
        ),
        ({"traceId": "t" * 65}, "traceId must be a string of 1 to 64 characters, no NUL"),
        ({"observationId": 7}, "observationId must be a string of 1 to 64 characters, no NUL"),
        ({"traceId": "a\x00b"}, "traceId must be a string of 1 to 64 characters, no NUL"),
    ],
)
def test_registration_refuses_what_it_cannot_store(
    store: Store, tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    app = create_app(Settings(data_dir=tmp_path, media_max_bytes=1024), store=store)
    with TestClient(app, headers={"authorization": AUTH}) as client:
        body = {**register_body(PNG, "image/png", TRACE, SPAN), **change}
        assert_error(client.post("/api/public/media", json=body), 400, message)
    assert count_rows(store, media) == 0


def test_registration_needs_a_secret_key(api: TestClient) -> None:
    body = register_body(PNG, "image/png", TRACE, SPAN)
    refused = api.post(
        "/api/public/media", json=body, headers={"authorization": "Bearer pk-lf-test"}
    )
    assert refused.status_code == 401


def _put(api: TestClient, url: str, content: bytes = PNG, **headers: str) -> Any:
    sent = {**put_headers(PNG, "image/png"), **{k.replace("_", "-"): v for k, v in headers.items()}}
    return anonymous(api).put(url, content=content, headers=sent)


def test_an_upload_must_be_the_registered_bytes(api: TestClient, store: Store) -> None:
    url = registered(api)
    other = bytes(reversed(PNG))

    assert_error(
        _put(api, url, other, x_amz_checksum_sha256=sha256_b64(PNG)),
        400,
        f"The body's SHA-256 {sha256_b64(other)} differs from the registered sha256Hash "
        f"{sha256_b64(PNG)}",
    )
    assert_error(
        _put(api, url, PNG[:60]),
        400,
        "Content-Length 60 differs from the registered contentLength 70",
    )
    assert_error(
        _put(api, url, PNG + b"!!"),
        413,
        "Content-Length 72 differs from the registered contentLength 70",
    )
    assert_error(
        _put(api, url, content_type="image/jpeg"),
        415,
        "Content-Type 'image/jpeg' differs from the registered contentType 'image/png'",
    )
    assert_error(
        _put(api, url, x_amz_checksum_sha256=sha256_b64(other)),
        400,
        f"x-amz-checksum-sha256 {sha256_b64(other)!r} differs from the registered sha256Hash "
        f"{sha256_b64(PNG)!r}",
    )
    assert count_rows(store, media_blobs) == 0
    assert _put(api, url).status_code == 200
    assert _put(api, url).status_code == 200  # a retry of a stored upload is no error
    assert count_rows(store, media_blobs) == 1


def test_upload_urls_are_refused_when_forged_expired_or_for_other_media(
    api: TestClient, clock: Clock
) -> None:
    url = registered(api)
    base, token = url.split("?token=")
    project, expires, signature = token.split(".")
    forged = "A" if signature[0] != "A" else "B"
    later = f"{project}.{int(expires) + 3600}.{signature}"
    other_media = url.replace(PNG_ID, id_of(b"other"))
    cases = [
        (
            f"{base}?token={project}.{expires}.{forged}{signature[1:]}",
            "Invalid media upload token: its signature does not match this media",
        ),
        (
            f"{base}?token={later}",
            "Invalid media upload token: its signature does not match this media",
        ),
        (other_media, "Invalid media upload token: its signature does not match this media"),
        (
            f"{base}?token=not-a-token",
            "Invalid media upload token: it is not one this server signed",
        ),
        (base, "The media upload URL has no token: use the URL as answered"),
    ]
    for bad, message in cases:
        assert_error(_put(api, bad), 403, message)
    clock.now += 3600 * 1_000_000
    assert_error(
        _put(api, url),
        403,
        "The media upload URL has expired; ask for a new one (POST /api/public/media)",
    )
    clock.now -= 1_000_000
    assert _put(api, url).status_code == 200


def test_patch_records_a_failed_upload_and_get_says_so(api: TestClient, store: Store) -> None:
    registered(api)
    assert_error(api.get(f"/api/public/media/{PNG_ID}"), 404, "Media not yet uploaded")
    report = {
        "uploadedAt": "2026-11-23T22:40:23.5Z",
        "uploadHttpStatus": 415,
        "uploadHttpError": "wrong type",
        "uploadTimeMs": 9,
    }

    patched = api.patch(f"/api/public/media/{PNG_ID}", json=report)

    assert (patched.status_code, patched.content) == (204, b"")
    row = media_record(store, PROJECT_ID, PNG_ID)
    assert row is not None
    assert (row.uploaded_at, row.upload_http_status, row.upload_http_error, row.upload_time_ms) == (
        parse_iso("2026-11-23T22:40:23.5Z"),
        415,
        "wrong type",
        9,
    )
    assert_error(
        api.get(f"/api/public/media/{PNG_ID}"),
        404,
        "Media upload failed with status 415: wrong type",
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"uploadHttpStatus": 200},
            "uploadedAt must be an ISO 8601 datetime from 1990 to 2200, got None",
        ),
        (
            {"uploadedAt": "yesterday", "uploadHttpStatus": 200},
            "uploadedAt must be an ISO 8601 datetime from 1990 to 2200, got 'yesterday'",
        ),
        (
            {"uploadedAt": "9999-12-31T23:59:59-23:59", "uploadHttpStatus": 200},
            "uploadedAt must be an ISO 8601 datetime from 1990 to 2200, "
            "got '9999-12-31T23:59:59-23:59'",
        ),
        ({"uploadedAt": "2026-11-23T22:40:22Z"}, "uploadHttpStatus is required"),
        (
            {"uploadedAt": "2026-11-23T22:40:22Z", "uploadHttpStatus": 99},
            "uploadHttpStatus must be an integer from 100 to 599, got 99",
        ),
        (
            {"uploadedAt": "2026-11-23T22:40:22Z", "uploadHttpStatus": 200, "uploadTimeMs": -1},
            "uploadTimeMs must be an integer from 0 to 2147483647, got -1",
        ),
        ([], "Invalid request data: the body must be a JSON object"),
    ],
)
def test_patch_refuses_a_body_that_is_not_a_report(
    api: TestClient, body: Any, message: str
) -> None:
    registered(api)
    assert_error(api.patch(f"/api/public/media/{PNG_ID}", json=body), 400, message)
