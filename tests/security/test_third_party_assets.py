"""No page of PowerRAG loads anything from another host (issue 19, M7).

A script from a CDN runs with the UI's origin: whoever changes that file owns every
signed-in session. So every UI page (walked from `app.routes`, signed in and out), its
error page and the static files reference only the server itself, the CSP names no host,
and FastAPI's Swagger UI page (/api/docs, scripts from a CDN) is not served.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from powerrag.config import Settings
from powerrag.store.database import Store
from tests.security.hostile import ingest, signed_in, trace_batch
from tests.support.isolation import fill_path, walk_routes
from tests.support.project import AUTH, PROJECT_ID

SESSION, TRACE = "asset-session", "asset-trace"
IDS = {
    "project_id": PROJECT_ID,
    "session_id": SESSION,
    "trace_id": TRACE,
    "observation_id": f"{TRACE}-generation",
    "media_id": "no-such-media-0000000000",
    "field": "input",
    "language": "en",
    "name": "assets%2Fprompt",
    "queue_id": "no-such-queue",
}
# Attributes whose URL the browser fetches (or submits to) without a click.
LOADED = {
    "script": "src",
    "link": "href",
    "img": "src",
    "iframe": "src",
    "frame": "src",
    "embed": "src",
    "object": "data",
    "source": "src",
    "audio": "src",
    "video": "src",
    "track": "src",
    "form": "action",
    "base": "href",
}
CSP_SOURCES = {"'self'", "'none'", "data:"}
_OTHER_HOST = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|//|\\\\)", re.IGNORECASE)


class _Resources(HTMLParser):
    """URLs a page loads by itself, and inline scripts or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        url = values.get(LOADED.get(tag, ""))
        if url is not None:
            self.urls.append(url)
        # A JSON data block is never run; any other inline script would be.
        if tag == "script" and "src" not in values and values.get("type") != "application/json":
            self.inline.append("script")
        if tag == "style" or "style" in values or any(a.startswith("on") for a in values):
            self.inline.append(tag)
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
            self.urls.append(values.get("content") or "")


def _loaded(html: str) -> _Resources:
    parser = _Resources()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture
def ui(store: Store, settings: Settings) -> Iterator[TestClient]:
    with signed_in(store, settings) as client:
        ingest(client, trace_batch(TRACE, SESSION, ["hi [link](https://example.com/)", "hello"]))
        prompt = {"name": "assets/prompt", "prompt": "See https://example.com/ {{x}}"}
        made = client.post("/api/public/v2/prompts", json=prompt, headers={"authorization": AUTH})
        assert made.status_code == 201, made.text
        # A dataset with an item from the trace and a run of it, so its pages have content.
        api = {"authorization": AUTH}
        client.post("/api/public/v2/datasets", json={"name": "qa"}, headers=api)
        item = {"datasetName": "qa", "id": "case-1", "input": "[x](https://example.com/)"}
        client.post("/api/public/dataset-items", json=item, headers=api)
        link = {"runName": "r1", "datasetItemId": "case-1", "traceId": TRACE}
        assert client.post("/api/public/dataset-run-items", json=link, headers=api).is_success
        yield client


def _pages(client: TestClient) -> list[str]:
    """The UI's GET routes, filled with the stored ids; a new path parameter fails here."""
    dataset = client.get("/api/public/v2/datasets/qa", headers={"authorization": AUTH}).json()
    ids = {**IDS, "dataset_id": dataset["id"]}
    paths = []
    for path, methods in walk_routes(client.app.routes):  # type: ignore[attr-defined]
        # The event stream is not a page (it carries trace ids) and never ends.
        if "GET" in methods and not path.startswith("/api/") and not path.endswith("/events"):
            paths.append(fill_path(path, ids))
    return paths


def test_no_page_loads_anything_from_another_host(ui: TestClient) -> None:
    signed_in_pages = _pages(ui)
    visitor = TestClient(ui.app, follow_redirects=False)
    pages, urls = 0, set()
    for client, path in [(ui, p) for p in signed_in_pages] + [(visitor, p) for p in ["/login"]]:
        for url in (path, f"/project/{PROJECT_ID}-missing/traces"):
            answer = client.get(url)
            if not answer.headers.get("content-type", "").startswith("text/html"):
                continue
            pages += 1
            found = _loaded(answer.text)
            urls.update(found.urls)
            assert not [u for u in found.urls if _OTHER_HOST.match(u)], (url, found.urls)
            assert not found.inline, (url, found.inline)
            csp = answer.headers["content-security-policy"]
            for directive in filter(None, (d.strip() for d in csp.split(";"))):
                assert set(directive.split()[1:]) <= CSP_SOURCES, (url, directive)
    assert pages >= len(signed_in_pages)
    assert {"/static/app.css", "/static/common.js", "/static/replay.js"} <= urls


def test_static_files_name_no_other_host() -> None:
    static = Path(str(resources.files("powerrag.web").joinpath("static")))
    files = sorted(static.iterdir())
    assert {f.suffix for f in files} >= {".css", ".js"}
    for file in files:
        text = file.read_text()
        assert "http://" not in text and "https://" not in text, file.name
        assert "@import" not in text and "url(//" not in text, file.name


def test_no_swagger_ui_page(ui: TestClient) -> None:
    """FastAPI's /api/docs loads Swagger UI from a CDN; the document itself is served."""
    for path in ("/api/docs", "/api/docs/oauth2-redirect", "/api/redoc", "/docs", "/redoc"):
        assert ui.get(path).status_code == 404, path
    document = ui.get("/api/openapi.json")
    assert document.status_code == 200 and document.json()["openapi"].startswith("3.")
