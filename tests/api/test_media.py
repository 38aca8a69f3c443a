"""Media: Langfuse's register → PUT → PATCH flow (tests/data/sdk-traffic.md §6), the signed
download URL, the same bytes stored once, media going with the last trace that held it,
other projects kept out, and the URLs on real server processes (proxy, replicas)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from powerrag.domain.rows import MediaContent, MediaLinkRow
from powerrag.domain.timeutil import parse_iso
from powerrag.query.media import media_content, media_of_trace, media_record
from powerrag.store.database import Store
from powerrag.store.infra.schema import media, media_blobs, media_links
from tests.support.media import (
    PNG,
    PNG_ID,
    Clock,
    anonymous,
    assert_error,
    count_rows,
    put_headers,
    register_body,
    upload,
)
from tests.support.media import RECORDED_SPAN as SPAN
from tests.support.media import RECORDED_TRACE as TRACE
from tests.support.media import media_id as id_of
from tests.support.pg import PostgresServer, unique_db_name
from tests.support.project import PROJECT_ID
from tests.support.recorded import load
from tests.support.replay import other_project_auth
from tests.support.server import ServerProcess

RECORDED = "python-langfuse-5.0.4-media.jsonl"
SQLITE_ONLY = pytest.mark.one_engine


def test_the_recorded_python_5_flow_stores_the_bytes_once(api: TestClient, store: Store) -> None:
    rec = {r.seq: r for r in load(RECORDED)}
    first = api.post(rec[1].url, content=rec[1].body, headers=rec[1].replay_headers())
    assert first.status_code == 200, first.text
    answer = first.json()
    assert answer["mediaId"] == PNG_ID == id_of(rec[2].body)
    url = answer["uploadUrl"]
    assert url.startswith(f"http://testserver/api/public/media/{PNG_ID}/upload?token=")

    put = anonymous(api).put(url, content=rec[2].body, headers=rec[2].replay_headers())
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

    assert (
        count_rows(store, media),
        count_rows(store, media_blobs),
        count_rows(store, media_links),
    ) == (
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
    served = anonymous(api).get(url)
    assert served.status_code == 200
    assert served.content == PNG
    assert served.headers["content-type"] == "image/png"
    assert served.headers["content-disposition"] == f'inline; filename="{PNG_ID}.png"'
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in served.headers["content-security-policy"]
    assert "default-src 'none'" in served.headers["content-security-policy"]

    clock.now += 3600 * 1_000_000
    assert_error(
        anonymous(api).get(url),
        403,
        "The media download URL has expired; ask for a new one (GET /api/public/media/{mediaId})",
    )


@SQLITE_ONLY
def test_an_uploaded_svg_is_served_as_an_attachment_that_runs_nothing(api: TestClient) -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    upload(api, svg, "image/svg+xml", TRACE)

    url = api.get(f"/api/public/media/{id_of(svg)}").json()["url"]
    served = anonymous(api).get(url)

    assert served.content == svg
    assert served.headers["content-type"] == "image/svg+xml"
    assert served.headers["content-disposition"] == f'attachment; filename="{id_of(svg)}.svg"'
    assert served.headers["content-security-policy"].endswith("; sandbox")


def test_the_same_bytes_in_two_traces_are_stored_once(api: TestClient, store: Store) -> None:
    first = upload(api, PNG, "image/png", "trace-a", "span-a")
    second = upload(api, PNG, "image/png", "trace-b", None, "output")

    assert first.upload_url is not None and second.upload_url is None
    assert first.media_id == second.media_id == PNG_ID
    assert (count_rows(store, media), count_rows(store, media_blobs)) == (1, 1)
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
    assert (
        count_rows(store, media),
        count_rows(store, media_blobs),
        count_rows(store, media_links),
    ) == (
        0,
        0,
        0,
    )
    assert_error(api.get(f"/api/public/media/{PNG_ID}"), 404, "Media asset not found")


def test_another_project_can_neither_read_nor_patch_the_media(
    api: TestClient, store: Store
) -> None:
    upload(api, PNG, "image/png", TRACE, SPAN)
    other = {"authorization": other_project_auth(store)}
    report = {"uploadedAt": "2026-11-23T22:40:22Z", "uploadHttpStatus": 200}

    assert_error(
        api.get(f"/api/public/media/{PNG_ID}", headers=other), 404, "Media asset not found"
    )
    assert_error(
        api.patch(f"/api/public/media/{PNG_ID}", json=report, headers=other),
        404,
        f"Media asset {PNG_ID} not found in this project",
    )
    # The other project registers the same bytes: its own record, asked to upload them.
    body = register_body(PNG, "image/png", "their-trace")
    answer = api.post("/api/public/media", json=body, headers=other).json()
    assert answer["mediaId"] == PNG_ID and answer["uploadUrl"] is not None
    assert_error(
        api.get(f"/api/public/media/{PNG_ID}", headers=other), 404, "Media not yet uploaded"
    )


@pytest.mark.parametrize("media_id", ["no-such-media", PNG_ID])
def test_an_unknown_media_id_is_not_found(api: TestClient, media_id: str) -> None:
    assert_error(api.get(f"/api/public/media/{media_id}"), 404, "Media asset not found")
    report = {"uploadedAt": "2026-11-23T22:40:22Z", "uploadHttpStatus": 200}
    assert_error(
        api.patch(f"/api/public/media/{media_id}", json=report),
        404,
        f"Media asset {media_id} not found in this project",
    )


def test_a_media_id_holding_nul_is_refused_before_the_database(api: TestClient) -> None:
    # PostgreSQL stores no NUL in text: the id is refused as bad input, never a 500.
    nul = "Invalid request data: the path or a query parameter holds NUL"
    assert_error(api.get("/api/public/media/a%00b"), 400, nul)
    report = {"uploadedAt": "2026-11-23T22:40:22Z", "uploadHttpStatus": 200}
    assert_error(api.patch("/api/public/media/a%00b", json=report), 400, nul)


def _register_on(server: ServerProcess, headers: dict[str, str] | None = None) -> str:
    body = register_body(PNG, "image/png", TRACE, SPAN)
    answer = httpx.post(
        f"{server.url}/api/public/media", json=body, auth=server.auth, headers=headers, timeout=30
    )
    assert answer.status_code == 200, answer.text
    url: str = answer.json()["uploadUrl"]
    return url


@pytest.mark.slow
@pytest.mark.parametrize(("trusted", "scheme"), [("127.0.0.1", "https"), ("", "http")])
def test_the_upload_url_follows_a_trusted_proxy_only(
    tmp_path: Path, trusted: str, scheme: str
) -> None:
    """The URL is the one the SDK called: the proxy's scheme when `--forwarded-allow-ips`
    names it, the connection's otherwise; the host is the Host header either way."""
    server = ServerProcess(tmp_path / "data", forwarded_allow_ips=trusted)
    server.start()
    try:
        proxied = {"host": "traces.example.com", "x-forwarded-proto": "https"}
        url = _register_on(server, proxied)
    finally:
        server.stop()
    assert url.startswith(f"{scheme}://traces.example.com/api/public/media/{PNG_ID}/upload?token=")


@pytest.mark.slow
@pytest.mark.postgres
def test_replicas_share_the_signing_key_and_the_bytes(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    """Registered on one replica, uploaded to the other, served by the first."""
    url = postgres_server.create_database(unique_db_name("media"))
    first = ServerProcess(tmp_path / "first", database_url=url)
    second = ServerProcess(tmp_path / "second", database_url=url)
    try:
        first.start()
        second.start()
        upload_url = _register_on(first).replace(first.url, second.url)
        put = httpx.put(upload_url, content=PNG, headers=put_headers(PNG, "image/png"))
        assert put.status_code == 200, put.text
        record = httpx.get(f"{second.url}/api/public/media/{PNG_ID}", auth=second.auth).json()
        served = httpx.get(record["url"].replace(second.url, first.url))
        assert (served.status_code, served.content) == (200, PNG)
    finally:
        first.stop()
        second.stop()
