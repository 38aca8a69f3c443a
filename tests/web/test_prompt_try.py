""" "Try it" on a prompt version over the in-process app and a local fake OpenAI endpoint:
the compiled messages are sent, the call is recorded as a trace linked to the version with
its answer and cost, and a refused call shows the form again with its error (422)."""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from powerrag.accounts import ensure_user
from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.store.database import Store
from tests.support.fake_openai import MODEL, FakeOpenAI, failure, text
from tests.support.project import AUTH, PROJECT_ID
from tests.support.web import EMAIL, PASSWORD, post_form, sign_in

pytestmark = pytest.mark.one_engine

API = {"authorization": AUTH}
PAGE = f"/project/{PROJECT_ID}/prompts/support%2Fchat"
CHAT = [
    {"role": "system", "content": "You help with {{product}}."},
    {"type": "placeholder", "name": "history"},
    {"role": "user", "content": "{{question}}"},
]
HISTORY = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]


@pytest.fixture
def ui(store: Store, settings: Settings) -> Iterator[TestClient]:
    ensure_user(store, EMAIL, "Admin", PASSWORD)
    with TestClient(create_app(settings, store=store), follow_redirects=False) as client:
        body = {"name": "support/chat", "type": "chat", "prompt": CHAT}
        body["config"] = {"model": "gpt-4o-mini"}
        assert client.post("/api/public/v2/prompts", json=body, headers=API).status_code == 201
        sign_in(client, (EMAIL, PASSWORD))
        yield client


def _connect(ui: TestClient, base_url: str) -> str:
    connection = {
        "provider": "local",
        "adapter": "openai",
        "secretKey": "sk-try-it-key-1234",
        "baseURL": base_url,
        "customModels": ["small-model"],
    }
    answer = ui.put("/api/public/llm-connections", json=connection, headers=API)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id"])


def _form(connection: str, **changes: str) -> dict[str, str]:
    form = {
        "version": "1",
        "connection": connection,
        "model": "gpt-4o-mini",
        "var_product": "Acme <Router>",
        "var_question": "Why is it blinking?",
        "ph_history": '[{"role": "user", "content": "hi"}, '
        '{"role": "assistant", "content": "hello"}]',
    }
    return {**form, **changes}


def test_without_a_connection_the_form_is_absent(ui: TestClient) -> None:
    assert 'id="try-form"' not in ui.get(PAGE, params={"version": "1"}).text
    assert ui.get(PAGE, params={"format": "json"}).json()["tryIt"] is None


def test_the_form_defaults_to_the_version_s_model(ui: TestClient) -> None:
    connection = _connect(ui, "http://127.0.0.1:9/v1")
    twin = ui.get(PAGE, params={"version": "1", "format": "json"}).json()["tryIt"]
    assert twin["connection"] == connection and twin["model"] == "gpt-4o-mini"
    assert [v["name"] for v in twin["variables"]] == ["product", "question"]
    assert [p["name"] for p in twin["placeholders"]] == ["history"]


def test_a_run_is_recorded_as_a_trace_linked_to_the_version(ui: TestClient) -> None:
    with FakeOpenAI([text("Check the cable.")], [(400, 200)]) as fake:
        connection = _connect(ui, fake.base_url)
        answer = post_form(ui, f"{PAGE}/try", _form(connection))
    assert answer.status_code == 303, answer.text
    compiled = [
        {"role": "system", "content": "You help with Acme <Router>."},
        *HISTORY,
        {"role": "user", "content": "Why is it blinking?"},
    ]
    assert fake.requests == [{"model": "gpt-4o-mini", "messages": compiled}]
    assert fake.headers[0]["authorization"] == "Bearer sk-try-it-key-1234"
    trace_id = answer.headers["location"].rsplit("/", 1)[1]
    assert answer.headers["location"] == f"/project/{PROJECT_ID}/traces/{trace_id}"
    trace = ui.get(f"/api/public/traces/{trace_id}", headers=API).json()
    assert (trace["environment"], trace["tags"]) == ("powerrag-playground", ["powerrag-playground"])
    assert trace["totalCost"] == 0.003
    [generation] = trace["observations"]
    assert generation["type"] == "GENERATION" and generation["model"] == MODEL
    assert (generation["input"], generation["output"]) == (compiled, "Check the cable.")
    assert (generation["promptName"], generation["promptVersion"]) == ("support/chat", 1)
    assert (generation["environment"], generation["usageDetails"]["total"]) == (
        "powerrag-playground",
        600,
    )
    usage = ui.get(PAGE, params={"format": "json"}).json()["shown"]["usage"]
    assert (usage["generations"], usage["totalCost"]) == (1, 0.003)


def _refused(ui: TestClient, form: dict[str, str], reason: str) -> str:
    answer = post_form(ui, f"{PAGE}/try", form)
    assert answer.status_code == 422, answer.text
    page = html.unescape(answer.text)
    assert 'id="try-error"' in answer.text and reason in page, page
    return page


def test_an_endpoint_500_shows_the_form_again_with_the_typed_values(ui: TestClient) -> None:
    with FakeOpenAI([failure(500, "the model is down")], [(0, 0)]) as fake:
        connection = _connect(ui, fake.base_url)
        page = _refused(ui, _form(connection), "the LLM answered HTTP 500")
    assert "the model is down" in page
    assert ">Why is it blinking?</textarea>" in page and ">Acme <Router></textarea>" in page
    assert ui.get("/api/public/traces", headers=API).json()["data"] == []


def test_a_missing_variable_or_connection_is_named(ui: TestClient) -> None:
    with FakeOpenAI([], []) as fake:
        connection = _connect(ui, fake.base_url)
        _refused(ui, _form(connection, var_question=""), "no value for question")
        _refused(ui, _form(connection, ph_history='{"role": 1}'), "placeholder history must be")
        _refused(ui, _form("not-a-connection"), "no LLM connection 'not-a-connection'")
    assert fake.requests == []


def test_an_unreachable_endpoint_is_shown(ui: TestClient) -> None:
    connection = _connect(ui, "http://127.0.0.1:9/v1")
    _refused(ui, _form(connection), "no answer from the LLM")


def test_a_destination_outside_the_allow_list_is_refused(store: Store, settings: Settings) -> None:
    ensure_user(store, EMAIL, "Admin", PASSWORD)
    public_only = replace(settings, outbound_allowed="public")
    with TestClient(create_app(public_only, store=store), follow_redirects=False) as ui:
        body = {"name": "support/chat", "type": "chat", "prompt": CHAT}
        assert ui.post("/api/public/v2/prompts", json=body, headers=API).status_code == 201
        sign_in(ui, (EMAIL, PASSWORD))
        with FakeOpenAI([], []) as fake:
            connection = _connect(ui, fake.base_url)
            _refused(ui, _form(connection), "loopback")
        assert fake.requests == []
