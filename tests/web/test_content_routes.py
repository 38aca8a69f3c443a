"""The media and whole-value routes of the UI: who may read what, and how it is served.

Members read every media and value of their project; a published session's link reads the
media its traces reference and its turns' values; everyone else gets what a missing project
gets (a sign-in redirect when signed out, 404 when signed in)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from powerrag import urls
from powerrag.accounts import ensure_user, join_project
from powerrag.store.database import Store
from powerrag.web.i18n import MESSAGES
from tests.support.media import PNG, PNG_ID, RECORDED_SPAN, RECORDED_TRACE, media_id, upload
from tests.support.project import AUTH, PROJECT_ID
from tests.support.replay import OTHER_PROJECT, other_project_auth
from tests.support.web import post_form, sign_in

pytestmark = pytest.mark.one_engine

BASE = f"/project/{PROJECT_ID}"
SESSION = "session-123"  # of the seed fixtures; its first trace is replaced below
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
NEVER_UPLOADED = "NeverUploadedMedia0001"
LONG = "x" * 120_000


def _trace_of_session(web: TestClient) -> str:
    turns = web.get(f"{BASE}/sessions/{SESSION}?format=json").json()["turns"]
    return str(turns[0]["id"])


def _ingest(web: TestClient, body: dict[str, object]) -> None:
    batch = {
        "batch": [
            {
                "id": f"e-{body['id']}",
                "type": "trace-create",
                "timestamp": "2026-11-23T22:40:00Z",
                "body": body,
            }
        ]
    }
    answer = web.post("/api/public/ingestion", json=batch, headers={"authorization": AUTH})
    assert answer.status_code == 207 and not answer.json()["errors"], answer.text


@pytest.fixture
def media_trace(web: TestClient) -> str:
    """A trace of the session whose input references the PNG, an SVG and a media never
    uploaded, and whose output is 120,000 characters."""
    trace_id = "media-ui-trace"
    refs = [
        f"@@@langfuseMedia:type=image/png|id={PNG_ID}|source=base64_data_uri@@@",
        f"@@@langfuseMedia:type=image/svg+xml|id={media_id(SVG)}|source=bytes@@@",
        f"@@@langfuseMedia:type=image/png|id={NEVER_UPLOADED}|source=base64_data_uri@@@",
    ]
    content = [{"type": "text", "text": "look"}] + [
        {"type": "image_url", "image_url": {"url": ref}} for ref in refs
    ]
    _ingest(
        web,
        {
            "id": trace_id,
            "sessionId": SESSION,
            "input": [{"role": "user", "content": content}],
            "output": LONG,
            "metadata": {"attachment": refs[0]},
        },
    )
    api = {"authorization": AUTH}
    upload(web, PNG, "image/png", trace_id, field="input", headers=api)
    upload(web, SVG, "image/svg+xml", trace_id, field="input", headers=api)
    return trace_id


def _media(view: dict[str, object]) -> list[dict[str, object]]:
    messages = view["messages"]
    assert isinstance(messages, list)
    return [m for message in messages for m in message["media"]]


def test_the_replay_shows_each_reference_as_media_with_its_bytes_or_a_placeholder(
    web: TestClient, media_trace: str
) -> None:
    turns = web.get(f"{BASE}/sessions/{SESSION}?format=json").json()["turns"]
    turn = next(t for t in turns if t["id"] == media_trace)
    assert [(m["id"], m["kind"], m["held"], m["url"]) for m in _media(turn["input"])] == [
        (PNG_ID, "image", True, f"{BASE}/media/{PNG_ID}"),
        (media_id(SVG), "file", True, f"{BASE}/media/{media_id(SVG)}"),
        (NEVER_UPLOADED, "image", False, f"{BASE}/media/{NEVER_UPLOADED}"),
    ]
    assert turn["input"]["messages"][0]["text"] == "look"
    assert turn["output"]["rawUrl"] == urls.trace_content(PROJECT_ID, media_trace, "output")
    html = web.get(f"{BASE}/sessions/{SESSION}").text
    assert f'<img class="media-image" src="{BASE}/media/{PNG_ID}"' in html
    assert MESSAGES["en"]["media_missing_image"] in html and "@@@langfuseMedia" not in html


def test_media_are_served_to_members_with_their_type_and_never_as_a_page(
    web: TestClient, media_trace: str
) -> None:
    png = web.get(f"{BASE}/media/{PNG_ID}")
    assert (png.status_code, png.content, png.headers["content-type"]) == (200, PNG, "image/png")
    assert png.headers["x-content-type-options"] == "nosniff"
    assert png.headers["content-disposition"] == f'inline; filename="{PNG_ID}.png"'
    assert "sandbox" in png.headers["content-security-policy"]
    assert "script-src" not in png.headers["content-security-policy"]  # default-src 'none'
    svg = web.get(f"{BASE}/media/{media_id(SVG)}")
    assert svg.headers["content-disposition"].startswith("attachment;")
    asked = web.get(f"{BASE}/media/{PNG_ID}?download=1")
    assert asked.headers["content-disposition"] == f'attachment; filename="{PNG_ID}.png"'
    missing = web.get(f"{BASE}/media/{NEVER_UPLOADED}")
    assert missing.status_code == 404
    assert web.get(f"{BASE}/media/not-a-media-id").status_code == 404


def test_non_members_and_other_projects_get_nothing(
    web: TestClient, store: Store, media_trace: str
) -> None:
    other_project_auth(store)
    # The administrator is a member of every project; the other project holds no such bytes.
    assert web.get(f"/project/{OTHER_PROJECT}/media/{PNG_ID}").status_code == 404
    signed_out = TestClient(web.app, follow_redirects=False)
    answer = signed_out.get(f"{BASE}/media/{PNG_ID}")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    outsider = ensure_user(store, "outsider@example.com", "Outsider", "outsider password 1")
    join_project(store, outsider, OTHER_PROJECT, "member")
    sign_in(web, ("outsider@example.com", "outsider password 1"))
    for url in (
        f"{BASE}/media/{PNG_ID}",
        urls.trace_content(PROJECT_ID, media_trace, "output"),
        f"{BASE}/media/{PNG_ID}?session={SESSION}",  # not published
    ):
        assert web.get(url).status_code == 404, url


def test_a_published_session_serves_its_own_media_and_values_and_nothing_else(
    web: TestClient, media_trace: str
) -> None:
    other_trace = "media-ui-other-trace"
    _ingest(web, {"id": other_trace, "sessionId": "chat-session-123", "input": "hi"})
    other_png = b"another image, as bytes"
    upload(web, other_png, "image/png", other_trace, headers={"authorization": AUTH})
    post_form(web, urls.session_flags(PROJECT_ID, SESSION), {"flag": "public", "value": "1"})
    anon = TestClient(web.app, follow_redirects=False)
    turns = anon.get(f"{BASE}/sessions/{SESSION}?format=json").json()["turns"]
    turn = next(t for t in turns if t["id"] == media_trace)
    url = _media(turn["input"])[0]["url"]
    assert url == f"{BASE}/media/{PNG_ID}?session={SESSION}"
    assert anon.get(url).content == PNG
    via = f"?session={SESSION}"
    assert anon.get(f"{BASE}/media/{media_id(other_png)}{via}").status_code == 404
    assert anon.get(f"{BASE}/media/{media_id(other_png)}").status_code == 303
    public_output = urls.trace_content(PROJECT_ID, media_trace, "output", SESSION)
    assert public_output.endswith(f"&session={SESSION}")
    output = anon.get(public_output)
    assert output.status_code == 200 and output.text == LONG
    other_input = urls.trace_content(PROJECT_ID, other_trace, "input", SESSION)
    assert anon.get(other_input).status_code == 404
    assert turn["output"]["rawUrl"] == public_output


def test_whole_values_are_shown_and_downloaded_in_full(web: TestClient, media_trace: str) -> None:
    shown = web.get(urls.trace_content(PROJECT_ID, media_trace, "output"))
    assert shown.headers["content-type"] == "text/plain; charset=utf-8"
    assert shown.text == LONG and shown.headers["content-disposition"].startswith("inline;")
    down = web.get(urls.trace_content(PROJECT_ID, media_trace, "output") + "&download=1")
    assert down.headers["content-type"] == "application/json; charset=utf-8"
    assert down.headers["content-disposition"] == (
        f'attachment; filename="{media_trace}-output.json"'
    )
    assert json.loads(down.content) == LONG
    meta = web.get(urls.trace_content(PROJECT_ID, media_trace, "metadata"))
    assert json.loads(meta.text)["attachment"].startswith("@@@langfuseMedia:")
    # An observation's value, from the recorded media fixture (python-langfuse-5.0.4-media).
    span = web.get(urls.observation_content(PROJECT_ID, RECORDED_TRACE, RECORDED_SPAN, "input"))
    assert json.loads(span.text)["image"].startswith("@@@langfuseMedia:type=image/png")
    bad = web.get(urls.trace_content(PROJECT_ID, media_trace, "secrets"))
    assert bad.status_code == 400 and "use input, output or metadata" in bad.text
    none = web.get(urls.observation_content(PROJECT_ID, RECORDED_TRACE, RECORDED_SPAN, "output"))
    assert none.status_code == 404


def test_chinese_pages_say_every_new_label_and_duration_in_chinese(
    web: TestClient, media_trace: str
) -> None:
    web.cookies.set("powerrag_lang", "zh-CN")
    replay = web.get(f"{BASE}/sessions/{SESSION}").text
    for key in ("view_raw", "download", "show_more", "media_missing_image", "truncated"):
        assert MESSAGES["zh-CN"][key] != MESSAGES["en"][key], key
        assert MESSAGES["zh-CN"][key] in replay, key
    listed = web.get(f"{BASE}/sessions").text
    # chat-session-123 lasts 7 min 38 s, your-session-id 17.97 s (the seed fixtures).
    assert "7 分 38 秒" in listed and "17.97 秒" in listed
    assert '<time datetime="2026-11-23T22:33:15.591Z"' in listed
    web.cookies.set("powerrag_lang", "en")
    assert "7m 38s" in web.get(f"{BASE}/sessions").text
