"""UI pages over the in-process app: sign-in, CSRF, headers, JSON twins, scoping, search."""

from __future__ import annotations

import json
import re
import secrets
import time
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from powerrag import urls
from powerrag.config import Settings
from powerrag.store.database import Store
from tests.support.project import AUTH, PROJECT_ID
from tests.support.web import EMAIL, PASSWORD, csrf_of

pytestmark = pytest.mark.one_engine

SESSIONS = "/project/test-project/sessions"


class _ScriptAudit(HTMLParser):
    """Collects inline scripts and event-handler attributes (both forbidden by the CSP)."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script" and "src" not in names and names.get("type") != "application/json":
            self.problems.append("inline <script>")
        self.problems += [f"{tag} {k}=" for k in names if k.startswith("on")]
        self.problems += [f"{tag} style=" for k in names if k == "style"]


def test_pages_ask_for_sign_in_and_the_json_twin_answers_401(
    store: Store, settings: Settings
) -> None:
    from powerrag.app import create_app

    with TestClient(create_app(settings, store=store), follow_redirects=False) as anon:
        response = anon.get(SESSIONS)
        assert response.status_code == 303
        assert response.headers["location"] == f"/login?next={SESSIONS}"
        assert anon.get(SESSIONS + "?format=json").status_code == 401
        login = anon.get("/login")
        assert "setup-form" in login.text  # no user yet: offer the first admin
        assert anon.post("/setup", data={"email": EMAIL, "password": PASSWORD}).status_code == 403


def test_every_page_is_csp_clean_and_sends_security_headers(web: TestClient) -> None:
    trace_id = web.get("/project/test-project/traces?format=json").json()["traces"][0]["id"]
    for url in (
        SESSIONS,
        f"{SESSIONS}/chat-session-123",
        "/project/test-project/traces",
        f"/project/test-project/traces/{trace_id}",
        "/project/test-project/settings",
        "/login",
    ):
        response = web.get(url)
        assert response.status_code == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-frame-options"] == "DENY"
        audit = _ScriptAudit()
        audit.feed(response.text)
        assert audit.problems == [], (url, audit.problems)
        # A label Jinja resolved to a dict method (`t.copy`) instead of its text.
        assert "built-in method" not in response.text, url


def test_posts_without_the_csrf_token_or_with_a_wrong_one_are_refused(web: TestClient) -> None:
    url = "/project/test-project/settings/keys"
    assert web.post(url, data={"note": "x"}).status_code == 403
    assert web.post(url, data={"note": "x", "csrf_token": "forged"}).status_code == 403
    token = csrf_of(web.get("/project/test-project/settings").text)
    created = web.post(url, data={"note": "x", "csrf_token": token})
    assert created.status_code == 303, created.text
    assert created.headers["location"] == "/project/test-project/settings#api-keys"
    shown = web.get("/project/test-project/settings")
    assert "new-secret-key" in shown.text
    assert shown.headers["cache-control"] == "no-store"


def test_the_first_admin_form_is_one_shot(web: TestClient) -> None:
    token = csrf_of(web.get("/login").text)
    response = web.post(
        "/setup", data={"email": "mallory@example.com", "password": "x" * 12, "csrf_token": token}
    )
    assert response.status_code == 400
    assert "already exists" in response.text


def test_sign_in_never_redirects_off_site(web: TestClient) -> None:
    token = csrf_of(web.get("/login").text)
    response = web.post(
        "/login",
        data={"email": EMAIL, "password": PASSWORD, "csrf_token": token, "next": "//evil.example"},
    )
    assert response.headers["location"] == "/"


def test_sessions_json_twin_carries_the_list_figures(web: TestClient) -> None:
    data = web.get(SESSIONS + "?format=json&sort=traces&order=desc").json()
    row = next(s for s in data["sessions"] if s["id"] == "chat-session-123")
    assert row["userIds"] == ["user-42"] and row["environment"] == "staging"
    assert row["traceCount"] == 9 and row["totalTokens"] > 0 and row["errorCount"] > 0
    assert {s["name"] for s in row["scores"]} >= {"session-rating"}
    counts = [s["traceCount"] for s in data["sessions"]]
    assert counts == sorted(counts, reverse=True)
    bad = web.get(SESSIONS + "?format=json&sort=nope")
    assert bad.status_code == 400 and "cannot sort sessions by 'nope'" in bad.json()["message"]


def _otlp_json(session_id: str, text_json: str) -> bytes:
    now = time.time_ns()
    span = {
        "traceId": secrets.token_hex(16),
        "spanId": secrets.token_hex(8),
        "name": "escaped",
        "startTimeUnixNano": str(now - 1_000_000),
        "endTimeUnixNano": str(now),
        "attributes": [
            {"key": "langfuse.session.id", "value": {"stringValue": session_id}},
            {"key": "langfuse.observation.input", "value": {"stringValue": text_json}},
        ],
    }
    body = {
        "resourceSpans": [{"scopeSpans": [{"scope": {"name": "langfuse-sdk"}, "spans": [span]}]}]
    }
    return json.dumps(body).encode()


def test_chinese_search_finds_raw_and_ascii_escaped_json(web: TestClient) -> None:
    # The Python SDK json.dumps() its values: non-ASCII arrives as \\uXXXX escapes.
    escaped = json.dumps({"question": "杭州的西湖美吗？"})
    raw = json.dumps({"question": "北京的长城远吗？"}, ensure_ascii=False)
    assert "\\u" in escaped and "\\u" not in raw
    for session_id, value in (("zh-escaped", escaped), ("zh-raw", raw)):
        response = web.post(
            "/api/public/otel/v1/traces",
            content=_otlp_json(session_id, value),
            headers={"content-type": "application/json", "authorization": AUTH},
        )
        assert response.status_code == 200, response.text
    for phrase, expected in (("西湖美", "zh-escaped"), ("长城", "zh-raw")):
        found = web.get(SESSIONS, params={"q": phrase, "format": "json"}).json()["sessions"]
        assert [s["id"] for s in found] == [expected], phrase
    replay = web.get(f"{SESSIONS}/zh-escaped?format=json").json()
    assert replay["turns"][0]["input"]["messages"][0]["text"] == "杭州的西湖美吗？"


def test_other_projects_ids_answer_404(web: TestClient) -> None:
    token = csrf_of(web.get("/project/test-project/settings").text)
    created = web.post("/projects", data={"name": "Other", "csrf_token": token})
    other = created.headers["location"].split("/")[2]
    trace_id = web.get("/project/test-project/traces?format=json").json()["traces"][0]["id"]
    for url in (
        f"/project/{other}/traces/{trace_id}",
        f"/project/{other}/sessions/chat-session-123",
        urls.session_turns(other, "chat-session-123"),
        "/project/nope/sessions",
    ):
        response = web.get(url)
        assert response.status_code == 404, url
        main = response.text.split("<main", 1)[1]  # the header echoes the URL in its links
        assert "chat-session-123" not in main and trace_id not in main
    assert web.get(f"/project/{other}/sessions?format=json").json()["sessions"] == []
    flags = web.post(
        urls.session_flags(other, "chat-session-123"),
        data={"flag": "public", "value": "1", "csrf_token": token},
    )
    assert flags.status_code == 404


def test_a_published_session_is_readable_signed_out_and_nothing_else(
    web: TestClient, store: Store, settings: Settings
) -> None:
    token = csrf_of(web.get(f"{SESSIONS}/session-123").text)
    web.post(
        urls.session_flags(PROJECT_ID, "session-123"),
        data={"flag": "public", "value": "1", "csrf_token": token},
    )
    anon = TestClient(web.app, follow_redirects=False)
    public = anon.get(f"{SESSIONS}/session-123?format=json")
    assert public.status_code == 200 and public.json()["readOnly"] is True
    assert anon.get(urls.session_turns(PROJECT_ID, "session-123") + "&offset=0").status_code == 200
    html = anon.get(f"{SESSIONS}/session-123").text
    # No links or forms beyond it: its turns' whole values go through the session's link.
    links = re.findall(r'href="([^"]*/traces?[/?][^"]*)"', html)
    whole = f"/project/{PROJECT_ID}/trace/content?"
    assert links and all(u.startswith(whole) and "&amp;session=session-123" in u for u in links)
    assert "csrf_token" not in html
    assert anon.get(f"{SESSIONS}/chat-session-123?format=json").status_code == 401
    # Session ids may hold "/": this names the (unpublished, absent) session "session-123/flags".
    assert anon.get(f"{SESSIONS}/session-123/flags").status_code == 303
    trace_id = public.json()["turns"][0]["id"]
    assert anon.get(f"/project/test-project/traces/{trace_id}").status_code == 303


def test_scores_and_comments_from_the_replay_are_stored(web: TestClient) -> None:
    url = f"{SESSIONS}/chat-session-123"
    scores = urls.session_scores(PROJECT_ID, "chat-session-123")
    token = csrf_of(web.get(url).text)
    trace_id = web.get(url + "?format=json").json()["turns"][0]["id"]
    bad = web.post(
        scores,
        data={"name": "q", "data_type": "NUMERIC", "value": "high", "csrf_token": token},
    )
    # Refused in the form: the replay again, the typed value kept, the error beside it.
    assert bad.status_code == 422 and "needs a number" in bad.text
    assert 'name="value" value="high"' in bad.text and "data-annotation-error" in bad.text
    for data in (
        {"name": "ui-quality", "data_type": "NUMERIC", "value": "0.75", "comment": "ok"},
        {"name": "correct", "data_type": "BOOLEAN", "value": "false", "trace_id": trace_id},
    ):
        assert web.post(scores, data={**data, "csrf_token": token}).status_code == 303
    web.post(
        urls.session_comments(PROJECT_ID, "chat-session-123"),
        data={"content": "<script>x</script>", "csrf_token": token},
    )
    page = web.get(url + "?format=json").json()
    assert any(s["name"] == "ui-quality" and s["value"] == 0.75 for s in page["session"]["scores"])
    assert any(s["name"] == "correct" and s["value"] is False for s in page["turns"][0]["scores"])
    assert page["comments"][0]["content"] == "<script>x</script>"
    assert "&lt;script&gt;x&lt;/script&gt;" in web.get(url).text
    # Written through the ingest pipeline: the public API reads it like any other score.
    api = web.get("/api/public/v2/scores?name=ui-quality", headers={"authorization": AUTH})
    assert [s["source"] for s in api.json()["data"]] == ["ANNOTATION"]
    assert re.search(r"ui-quality: 0\.75", web.get(url).text)


def test_session_cookie_flags_follow_the_settings(store: Store, settings: Settings) -> None:
    from powerrag.accounts import ensure_user
    from powerrag.app import create_app

    ensure_user(store, EMAIL, "Admin", PASSWORD)
    for secure in (False, True):
        app = create_app(settings.with_overrides(secure_cookies=secure), store=store)
        # Over https, so the client sends Secure cookies back.
        with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
            token = csrf_of(client.get("/login").text)
            response = client.post(
                "/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token}
            )
            cookie = next(
                c for c in response.headers.get_list("set-cookie") if "powerrag_session=" in c
            )
            assert "HttpOnly" in cookie and "SameSite=lax" in cookie
            assert ("Secure" in cookie) is secure
