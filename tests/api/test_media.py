"""Media: Langfuse's register → PUT → PATCH flow (tests/data/sdk-traffic.md §6), the signed
upload and download URLs, every refusal with its status and message, and media going with
the last trace that held it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.domain.rows import MediaContent, MediaLinkRow
from powerrag.domain.timeutil import parse_iso
from powerrag.query.media import media_content, media_of_trace, media_record
from powerrag.store.database import Store
from powerrag.store.infra.schema import media, media_blobs, media_links
from tests.support.media import PNG, PNG_ID, put_headers, register_body, sha256_b64, upload
from tests.support.media import media_id as id_of
from tests.support.project import AUTH, PROJECT_ID
from tests.support.recorded import load
from tests.support.replay import other_project_auth

RECORDED = "python-langfuse-5.0.4-media.jsonl"
TRACE = "87d92606419c979f03acc357eb434010"
SPAN = "9ba7ec299fffb8b3"
START_US = 1_795_473_622_000_000  # 2026-11-23T22:40:22Z, when the fixture was recorded
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


class Clock:
    """The app's clock, moved by the tests (create_app's `clock=`)."""

    def __init__(self) -> None:
        self.now = START_US

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def api(store: Store, settings: Settings, clock: Clock) -> Iterator[TestClient]:
    app = create_app(settings, store=store, clock=clock)
    with TestClient(app, headers={"authorization": AUTH}) as c:
        yield c


def _anonymous(api: TestClient) -> TestClient:
    """A client of the same running app that sends no API keys."""
    return TestClient(api.app)


def _count(store: Store, table: Any) -> int:
    with store.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _registered(api: TestClient, content: bytes = PNG, content_type: str = "image/png") -> str:
    answer = api.post("/api/public/media", json=register_body(content, content_type, TRACE, SPAN))
    assert answer.status_code == 200, answer.text
    url: str = answer.json()["uploadUrl"]
    return url


def _error(response: Any, status: int, message: str) -> None:
    assert (response.status_code, response.json()["message"]) == (status, message)


def test_the_recorded_python_5_flow_stores_the_bytes_once(api: TestClient, store: Store) -> None:
    rec = {r.seq: r for r in load(RECORDED)}
    first = api.post(rec[1].url, content=rec[1].body, headers=rec[1].replay_headers())
    assert first.status_code == 200, first.text
    answer = first.json()
    assert answer["mediaId"] == PNG_ID == id_of(rec[2].body)
    url = answer["uploadUrl"]
    assert url.startswith(f"http://testserver/api/public/media/{PNG_ID}/upload?token=")

    put = _anonymous(api).put(url, content=rec[2].body, headers=rec[2].replay_headers())
    assert (put.status_code, put.content) == (200, b"")
    for seq, status in ((3, 200), (4, 204)):
        sent = api.request(
            rec[seq].method, rec[seq].url, content=rec[seq].body, headers=rec[seq].replay_headers()
        )
        assert sent.status_code == status, sent.text
    again = api.post(rec[5].url, content=rec[5].body, headers=rec[5].replay_headers())
    assert again.json() == {"mediaId": PNG_ID, "uploadUrl": None}
    last = api.patch(rec[7].url, content=rec[7].body, headers=rec[7].replay_headers())
    assert (last.status_code, last.content) == (204, b"")

    assert (_count(store, media), _count(store, media_blobs), _count(store, media_links)) == (
        1,
        1,
        1,
    )
    row = media_record(store, PROJECT_ID, PNG_ID)
    assert row is not None
    assert (row.content_type, row.content_length, row.sha256, row.held) == (
        "image/png",
        70,
        "xBTNDiBN6XT3N1PH4o12OOezaRu4saK6trJbt/7Xznc=",
        True,
    )
    assert (row.uploaded_at, row.upload_http_status, row.upload_http_error, row.upload_time_ms) == (
        parse_iso("2026-11-23T22:40:22.140379Z"),
        200,
        None,
        43,
    )
    assert media_content(store, PROJECT_ID, PNG_ID) == MediaContent(PNG_ID, "image/png", PNG)
    assert media_of_trace(store, PROJECT_ID, TRACE) == [
        MediaLinkRow(PNG_ID, TRACE, SPAN, "input", "image/png", 70, True)
    ]
    observation = api.get(f"/api/public/observations/{SPAN}").json()
    assert observation["input"]["data_uri"] == (
        f"@@@langfuseMedia:type=image/png|id={PNG_ID}|source=base64_data_uri@@@"
    )


def test_get_answers_a_download_url_serving_the_same_bytes(api: TestClient, clock: Clock) -> None:
    upload(api, PNG, "image/png", TRACE, SPAN)

    answer = api.get(f"/api/public/media/{PNG_ID}")

    assert answer.status_code == 200, answer.text
    body = answer.json()
    url = body.pop("url")
    assert body == {
        "mediaId": PNG_ID,
        "contentType": "image/png",
        "contentLength": 70,
        "uploadedAt": "2026-11-23T22:40:22.048Z",
        "urlExpiry": "2026-11-23T23:40:22.000Z",
    }
    assert url.startswith(f"http://testserver/api/public/media/{PNG_ID}/download?token=")
    served = _anonymous(api).get(url)
    assert served.status_code == 200
    assert served.content == PNG
    assert served.headers["content-type"] == "image/png"
    assert served.headers["content-disposition"] == f'inline; filename="{PNG_ID}.png"'
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in served.headers["content-security-policy"]
    assert "default-src 'none'" in served.headers["content-security-policy"]

    clock.now += 3600 * 1_000_000
    _error(
        _anonymous(api).get(url),
        403,
        "The media download URL has expired; ask for a new one (GET /api/public/media/{mediaId})",
    )


@SQLITE_ONLY
def test_an_uploaded_svg_is_served_as_an_attachment_that_runs_nothing(api: TestClient) -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    upload(api, svg, "image/svg+xml", TRACE)

    url = api.get(f"/api/public/media/{id_of(svg)}").json()["url"]
    served = _anonymous(api).get(url)

    assert served.content == svg
    assert served.headers["content-type"] == "image/svg+xml"
    assert served.headers["content-disposition"] == f'attachment; filename="{id_of(svg)}.svg"'
    assert served.headers["content-security-policy"].endswith("; sandbox")


def test_the_same_bytes_in_two_traces_are_stored_once(api: TestClient, store: Store) -> None:
    first = upload(api, PNG, "image/png", "trace-a", "span-a")
    second = upload(api, PNG, "image/png", "trace-b", None, "output")

    assert first.upload_url is not None and second.upload_url is None
    assert first.media_id == second.media_id == PNG_ID
    assert (_count(store, media), _count(store, media_blobs)) == (1, 1)
    assert media_of_trace(store, PROJECT_ID, "trace-b") == [
        MediaLinkRow(PNG_ID, "trace-b", None, "output", "image/png", 70, True)
    ]


def test_deleting_traces_deletes_the_media_no_other_trace_holds(
    api: TestClient, store: Store
) -> None:
    other = b"%PDF-1.4 only in trace a"
    upload(api, PNG, "image/png", "trace-a", "span-a")
    upload(api, other, "application/pdf", "trace-a", "span-a", "output")
    upload(api, PNG, "image/png", "trace-b", "span-b")

    deleted = api.request("DELETE", "/api/public/traces", json={"traceIds": ["trace-a"]})

    assert deleted.status_code == 200, deleted.text
    assert media_record(store, PROJECT_ID, id_of(other)) is None
    assert media_content(store, PROJECT_ID, PNG_ID) == MediaContent(PNG_ID, "image/png", PNG)
    assert media_of_trace(store, PROJECT_ID, "trace-a") == []
    assert api.delete("/api/public/traces/trace-b").status_code == 200
    assert (_count(store, media), _count(store, media_blobs), _count(store, media_links)) == (
        0,
        0,
        0,
    )
    _error(api.get(f"/api/public/media/{PNG_ID}"), 404, "Media asset not found")


@SQLITE_ONLY
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
        _error(client.post("/api/public/media", json=body), 400, message)
    assert _count(store, media) == 0


@SQLITE_ONLY
def test_registration_needs_a_secret_key(api: TestClient) -> None:
    body = register_body(PNG, "image/png", TRACE, SPAN)
    refused = api.post(
        "/api/public/media", json=body, headers={"authorization": "Bearer pk-lf-test"}
    )
    assert refused.status_code == 401


def _put(api: TestClient, url: str, content: bytes = PNG, **headers: str) -> Any:
    sent = {**put_headers(PNG, "image/png"), **{k.replace("_", "-"): v for k, v in headers.items()}}
    return _anonymous(api).put(url, content=content, headers=sent)


@SQLITE_ONLY
def test_an_upload_must_be_the_registered_bytes(api: TestClient, store: Store) -> None:
    url = _registered(api)
    other = bytes(reversed(PNG))

    _error(
        _put(api, url, other, x_amz_checksum_sha256=sha256_b64(PNG)),
        400,
        f"The body's SHA-256 {sha256_b64(other)} differs from the registered sha256Hash "
        f"{sha256_b64(PNG)}",
    )
    _error(
        _put(api, url, PNG[:60]),
        400,
        "Content-Length 60 differs from the registered contentLength 70",
    )
    _error(
        _put(api, url, PNG + b"!!"),
        413,
        "Content-Length 72 differs from the registered contentLength 70",
    )
    _error(
        _put(api, url, content_type="image/jpeg"),
        415,
        "Content-Type 'image/jpeg' differs from the registered contentType 'image/png'",
    )
    _error(
        _put(api, url, x_amz_checksum_sha256=sha256_b64(other)),
        400,
        f"x-amz-checksum-sha256 {sha256_b64(other)!r} differs from the registered sha256Hash "
        f"{sha256_b64(PNG)!r}",
    )
    assert _count(store, media_blobs) == 0
    assert _put(api, url).status_code == 200
    assert _put(api, url).status_code == 200  # a retry of a stored upload is no error
    assert _count(store, media_blobs) == 1


@SQLITE_ONLY
def test_upload_urls_are_refused_when_forged_expired_or_for_other_media(
    api: TestClient, clock: Clock
) -> None:
    url = _registered(api)
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
        _error(_put(api, bad), 403, message)
    clock.now += 3600 * 1_000_000
    _error(
        _put(api, url),
        403,
        "The media upload URL has expired; ask for a new one (POST /api/public/media)",
    )
    clock.now -= 1_000_000
    assert _put(api, url).status_code == 200


def test_another_project_can_neither_read_nor_patch_the_media(
    api: TestClient, store: Store
) -> None:
    upload(api, PNG, "image/png", TRACE, SPAN)
    other = {"authorization": other_project_auth(store)}
    report = {"uploadedAt": "2026-11-23T22:40:22Z", "uploadHttpStatus": 200}

    _error(api.get(f"/api/public/media/{PNG_ID}", headers=other), 404, "Media asset not found")
    _error(
        api.patch(f"/api/public/media/{PNG_ID}", json=report, headers=other),
        404,
        f"Media asset {PNG_ID} not found in this project",
    )
    # The other project registers the same bytes: its own record, asked to upload them.
    body = register_body(PNG, "image/png", "their-trace")
    answer = api.post("/api/public/media", json=body, headers=other).json()
    assert answer["mediaId"] == PNG_ID and answer["uploadUrl"] is not None
    _error(api.get(f"/api/public/media/{PNG_ID}", headers=other), 404, "Media not yet uploaded")


@SQLITE_ONLY
def test_patch_records_a_failed_upload_and_get_says_so(api: TestClient, store: Store) -> None:
    _registered(api)
    _error(api.get(f"/api/public/media/{PNG_ID}"), 404, "Media not yet uploaded")
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
    _error(
        api.get(f"/api/public/media/{PNG_ID}"),
        404,
        "Media upload failed with status 415: wrong type",
    )


@SQLITE_ONLY
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
    _registered(api)
    _error(api.patch(f"/api/public/media/{PNG_ID}", json=body), 400, message)


@pytest.mark.parametrize("media_id", ["no-such-media", "a%00b", PNG_ID])
def test_an_unknown_media_id_is_not_found(api: TestClient, media_id: str) -> None:
    # No id PostgreSQL refuses (a NUL) reaches it: media ids are 22 URL-safe characters.
    _error(api.get(f"/api/public/media/{media_id}"), 404, "Media asset not found")
    report = {"uploadedAt": "2026-11-23T22:40:22Z", "uploadHttpStatus": 200}
    _error(
        api.patch(f"/api/public/media/{media_id}", json=report),
        404,
        f"Media asset {media_id.replace('%00', chr(0))} not found in this project",
    )
