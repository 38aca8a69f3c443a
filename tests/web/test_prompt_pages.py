"""The prompt pages over the in-process app: the list by folder, a prompt's versions with
their generations' figures, the diff of two versions, labels moved and versions made by
forms (POST, 303 to the page), refused forms naming what was wrong."""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from powerrag.accounts import ensure_user
from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.store.database import Store
from tests.support.project import AUTH, PROJECT_ID
from tests.support.web import EMAIL, PASSWORD, post_form, sign_in

pytestmark = pytest.mark.one_engine

PROMPTS = f"/project/{PROJECT_ID}/prompts"
NAME = "support/triage"
PAGE = f"{PROMPTS}/support%2Ftriage"
API = {"authorization": AUTH}


@pytest.fixture
def ui(store: Store, settings: Settings) -> Iterator[TestClient]:
    ensure_user(store, EMAIL, "Admin", PASSWORD)
    with TestClient(create_app(settings, store=store), follow_redirects=False) as client:
        for body in (
            {"name": NAME, "prompt": "Sort {{ticket}}.", "labels": ["production"], "tags": ["t"]},
            {"name": NAME, "prompt": "Sort {{ticket}}.\nBe brief.", "commitMessage": "shorter"},
            {"name": "support/billing/refund", "prompt": "Refund?"},
            {"name": "top", "prompt": "x"},
        ):
            assert client.post("/api/public/v2/prompts", json=body, headers=API).status_code == 201
        sign_in(client, (EMAIL, PASSWORD))
        yield client


def _twin(ui: TestClient, url: str, **params: str) -> dict[str, Any]:
    answer = ui.get(url, params={**params, "format": "json"})
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def test_the_list_shows_a_folder_s_prompts_and_sub_folders(ui: TestClient) -> None:
    top = _twin(ui, PROMPTS)
    assert top["folders"] == [{"path": "support", "name": "support", "count": 2}]
    assert [(p["name"], p["versions"]) for p in top["prompts"]] == [("top", 1)]
    inside = _twin(ui, PROMPTS, folder="support")
    assert inside["folders"] == [{"path": "support/billing", "name": "billing", "count": 1}]
    assert inside["prompts"][0] | {"lastUpdatedAt": None} == {
        "name": NAME,
        "shortName": "triage",
        "type": "text",
        "versions": 2,
        "labels": ["latest", "production"],
        "tags": ["t"],
        "lastUpdatedAt": None,
    }
    assert inside["parents"] == ["support"]
    page = ui.get(PROMPTS, params={"folder": "support"}).text
    assert f'href="{PAGE}"' in page and "?folder=support%2Fbilling" in page


def _generation(n: int, version: int, cost: float, seconds: int) -> dict[str, Any]:
    start = "2026-11-23T10:00:00Z"
    body = {
        "id": f"gen-{n}",
        "traceId": f"trace-{n}",
        "startTime": start,
        "endTime": f"2026-11-23T10:00:0{seconds}Z",
        "promptName": NAME,
        "promptVersion": version,
        "costDetails": {"total": cost},
    }
    return {"id": f"e-{n}", "type": "generation-create", "timestamp": start, "body": body}


def test_a_version_shows_what_its_generations_did_and_a_diff(ui: TestClient) -> None:
    batch = [_generation(1, 2, 0.5, 2), _generation(2, 2, 0.25, 4), _generation(3, 1, 1.0, 1)]
    sent = ui.post("/api/public/ingestion", json={"batch": batch}, headers=API)
    assert sent.status_code == 207 and not sent.json()["errors"]
    scores = [
        {"name": "helpful", "value": 1, "traceId": "trace-1", "observationId": "gen-1"},
        {"name": "helpful", "value": 0, "traceId": "trace-2"},
    ]
    for score in scores:
        assert ui.post("/api/public/scores", json=score, headers=API).status_code == 200
    page = _twin(ui, PAGE, diff="1")
    shown = page["shown"]
    assert (shown["version"], shown["labels"], shown["variables"]) == (2, ["latest"], ["ticket"])
    assert shown["usage"] == {
        "generations": 2,
        "totalCost": 0.75,
        "averageLatencySeconds": 3.0,
        "scores": [{"name": "helpful", "average": 0.5, "count": 2}],
    }
    assert [v["usage"]["generations"] for v in page["versions"]] == [2, 1]
    assert page["diff"]["lines"] == [
        {"kind": "same", "text": "Sort {{ticket}}."},
        {"kind": "add", "text": "Be brief."},
    ]
    assert page["movableLabels"] == ["production"]
    shown_html = ui.get(PAGE, params={"diff": "1"}).text
    assert '<mark class="var" title="Variables">{{ticket}}</mark>' in shown_html
    assert '<span class="diff-add">+ Be brief.</span>' in shown_html


def test_moving_a_label_and_saving_versions_through_the_forms(ui: TestClient) -> None:
    moved = post_form(ui, f"{PAGE}/labels", {"version": "2", "label": "production"})
    assert moved.status_code == 303 and moved.headers["location"] == f"{PAGE}?version=2"
    assert [v["labels"] for v in _twin(ui, PAGE)["versions"]] == [["latest", "production"], []]
    form = {"type": "text", "prompt": "Sort <b>{{ticket}}</b>", "labels": "staging"}
    made = post_form(ui, f"{PAGE}/versions", {**form, "commit_message": "bold"})
    assert made.status_code == 303 and made.headers["location"] == f"{PAGE}?version=3"
    third = _twin(ui, PAGE)["shown"]
    assert (third["version"], third["labels"], third["commitMessage"]) == (
        3,
        ["latest", "staging"],
        "bold",
    )
    assert "Sort &lt;b&gt;" in ui.get(PAGE).text
    chat = {"name": "chat/one", "type": "chat", "config": '{"model": "m"}'}
    messages = '[{"role": "system", "content": "Hi {{who}}"}, {"type": "placeholder", "name": "h"}]'
    created = post_form(ui, PROMPTS, {**chat, "prompt": messages})
    assert created.headers["location"] == f"{PROMPTS}/chat%2Fone?version=1"
    shown = _twin(ui, f"{PROMPTS}/chat%2Fone")["shown"]
    assert (shown["placeholders"], shown["variables"]) == (["h"], ["who"])
    assert shown["messages"][1] == {"placeholder": "h"}


def test_refused_forms_say_what_was_wrong(ui: TestClient) -> None:
    cases: list[tuple[str, dict[str, str], str]] = [
        (PROMPTS, {"name": "c", "type": "chat", "prompt": "not json"}, "the messages must be JSON"),
        (f"{PAGE}/labels", {"version": "1", "label": "latest"}, "'latest'"),
        # The UI's 404 page says only that nothing is there (web/render.py).
        (f"{PAGE}/labels", {"version": "9", "label": "x"}, "Not found"),
        (f"{PAGE}/versions", {"type": "chat", "prompt": "[]"}, "different prompt type"),
        (PROMPTS, {"name": "new", "prompt": "x"}, "name cannot be 'new'"),
    ]
    for path, form, words in cases:
        answer = post_form(ui, path, form)
        said = html.unescape(answer.text)
        assert answer.status_code in (400, 404) and words in said, (path, said)
    assert _twin(ui, PAGE)["shown"]["version"] == 2
    assert ui.get(f"{PROMPTS}/no-such-prompt").status_code == 404
    assert ui.get(PAGE, params={"version": "7"}).status_code == 404
    forged = ui.post(f"{PAGE}/labels", data={"version": "1", "label": "x"})
    assert forged.status_code == 403


def test_the_pages_speak_chinese_when_asked(ui: TestClient) -> None:
    zh = {"accept-language": "zh-CN"}
    listed = ui.get(PROMPTS, headers=zh).text
    assert "<h1>提示词</h1>" in listed and "新建提示词" in listed
    shown = ui.get(PAGE, params={"diff": "1"}, headers=zh).text
    assert "从版本 1 到版本 2 的改动" in shown and "把“production”移到这里" in shown
    assert "新版本" in ui.get(PAGE, headers=zh).text
