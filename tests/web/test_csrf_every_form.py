"""CSRF on every POST form of the UI: routes are found in `app.routes`, never listed by hand.

Each form is posted four ways by a signed-in user: with the cookie's token (accepted),
without the CSRF cookie, without the field, and with a wrong token (each refused, 403,
and nothing done). A POST route missing from FORMS fails the test that lists them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from powerrag import accounts, urls
from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.store.database import Store
from tests.support import exact_world
from tests.support.isolation import walk_routes
from tests.support.project import AUTH, PROJECT_ID
from tests.support.web import CSRF_COOKIE, EMAIL, PASSWORD, csrf_of, post_form

pytestmark = pytest.mark.one_engine

SETTINGS = f"/project/{PROJECT_ID}/settings"
SESSION = urls.session(PROJECT_ID, "sess-m")
FLAGS = urls.session_flags(PROJECT_ID, "sess-m")
SCORES = urls.session_scores(PROJECT_ID, "sess-m")
COMMENTS = urls.session_comments(PROJECT_ID, "sess-m")
MEMBER = ("member@example.com", "a member's password")


@dataclass(frozen=True)
class Form:
    """A form as a browser would post it, and the status of an accepted post."""

    path: str
    data: dict[str, str]
    accepted: int


def _settings_json(ui: TestClient) -> dict[str, list[dict[str, str]]]:
    answer: dict[str, list[dict[str, str]]] = ui.get(SETTINGS, params={"format": "json"}).json()
    return answer


def _new_key(ui: TestClient) -> Form:
    created = post_form(ui, f"{SETTINGS}/keys", {"note": "to revoke"})
    assert created.status_code == 303, created.text
    (key,) = [k for k in _settings_json(ui)["keys"] if k["note"] == "to revoke"]
    return Form(f"{SETTINGS}/keys/{key['id']}/revoke", {}, 303)


def _new_member(ui: TestClient) -> str:
    email, password = MEMBER
    form = {"email": email, "name": "Member", "password": password, "role": "member"}
    assert post_form(ui, f"{SETTINGS}/members/new", form).status_code == 303
    (member,) = [m for m in _settings_json(ui)["members"] if m["email"] == email]
    return member["userId"]


def _member_to_remove(ui: TestClient) -> Form:
    return Form(f"{SETTINGS}/members/{_new_member(ui)}/remove", {}, 303)


def _member_to_add(ui: TestClient) -> Form:
    user_id = _new_member(ui)
    assert post_form(ui, f"{SETTINGS}/members/{user_id}/remove", {}).status_code == 303
    return Form(f"{SETTINGS}/members", {"email": MEMBER[0], "role": "member"}, 303)


def _session_json(ui: TestClient) -> dict[str, Any]:
    answer: dict[str, Any] = ui.get(SESSION, params={"format": "json"}).json()
    return answer


def _score(ui: TestClient, action: str) -> Form:
    form = {"name": f"to {action}", "data_type": "NUMERIC", "value": "1"}
    assert post_form(ui, SCORES, form).status_code == 303
    (score,) = [s for s in _session_json(ui)["session"]["scores"] if s["name"] == f"to {action}"]
    return Form(urls.score_action(PROJECT_ID, "sess-m", score["id"], action), {"value": "2"}, 303)


def _comment(ui: TestClient, action: str) -> Form:
    assert post_form(ui, COMMENTS, {"content": f"to {action}"}).status_code == 303
    (comment,) = [c for c in _session_json(ui)["comments"] if c["content"] == f"to {action}"]
    url = urls.comment_action(PROJECT_ID, "sess-m", comment["id"], action)
    return Form(url, {"content": "edited"}, 303)


EVALUATION = f"{SETTINGS}/evaluation"


def _new_check(ui: TestClient) -> Form:
    form = {"name": "to delete", "check": "turns", "threshold": "3", "pattern": ""}
    assert post_form(ui, f"{EVALUATION}/checks", form).status_code == 303
    (check,) = [c for c in _evaluation_json(ui)["checks"] if c["name"] == "to delete"]
    return Form(f"{EVALUATION}/checks/{check['id']}/delete", {}, 303)


def _evaluation_json(ui: TestClient) -> dict[str, Any]:
    answer: dict[str, Any] = ui.get(EVALUATION, params={"format": "json"}).json()
    return answer


def _session_rule(ui: TestClient) -> Form:
    """A connection, an evaluator and a session rule, made through the settings' own forms;
    then the replay's "try on this session" form."""
    connection = {"provider": "local", "base_url": "http://127.0.0.1:9/v1", "secret_key": "sk-1"}
    assert post_form(ui, f"{EVALUATION}/connections", connection).status_code == 303
    evaluator = {
        "name": "helpful",
        "prompt": "{{conversation}}",
        "data_type": "BOOLEAN",
        "reasoning_description": "why",
        "score_description": "helped",
        "provider": "local",
        "model": "m",
    }
    assert post_form(ui, f"{EVALUATION}/evaluators", evaluator).status_code == 303
    rule = {
        "name": "judge",
        "evaluator": "helpful",
        "target": "session",
        "sampling": "1",
        "delay": "0",
        "mapping": "conversation=transcript",
    }
    assert post_form(ui, f"{EVALUATION}/rules", rule).status_code == 303
    (found,) = _evaluation_json(ui)["rules"]
    return Form(f"{EVALUATION}/run", {"rule_id": found["rule"]["id"], "session_id": "sess-m"}, 303)


PROMPTS = f"/project/{PROJECT_ID}/prompts"


def _prompt(ui: TestClient, action: str) -> Form:
    """A prompt made through the API, then its page's form: a label moved, a new version, a try."""
    made = ui.post(
        "/api/public/v2/prompts",
        json={"name": f"forms/{action}", "prompt": "v1"},
        headers={"authorization": AUTH},
    )
    assert made.status_code == 201, made.text
    if action == "try":
        # No LLM connection in this project: accepted past CSRF, then refused by name (422).
        return Form(f"{PROMPTS}/forms%2Ftry/try", {"version": "1", "connection": "none"}, 422)
    data = {"version": "1", "label": "production"} if action == "labels" else {"prompt": "v2"}
    return Form(f"{PROMPTS}/forms%2F{action}/{action}", data, 303)


DATASETS = f"/project/{PROJECT_ID}/datasets"


def _to_dataset(ui: TestClient, source: str) -> Form:
    """The replay's "add to dataset" of its first turn, or of the session up to it."""
    (turn, *_) = _session_json(ui)["turns"]
    form = {"session_id": "sess-m", "dataset": "cases"}
    form |= {"trace_id": turn["id"]} if source == "turn" else {"turn": "1"}
    return Form(f"{DATASETS}/add-{source}", form, 303)


def _dataset_item(ui: TestClient, action: str) -> Form:
    made = _to_dataset(ui, "session")
    assert post_form(ui, made.path, made.data).status_code == 303
    (dataset,) = ui.get(DATASETS, params={"format": "json"}).json()["datasets"]
    page = ui.get(f"{DATASETS}/{dataset['id']}", params={"format": "json"}).json()
    data = {"input": "edited"} if action == "edit" else {"status": "ARCHIVED"}
    return Form(f"{DATASETS}/{dataset['id']}/items/{page['items'][0]['id']}/{action}", data, 303)


MODELS = f"{SETTINGS}/models"
MODEL_FORM = {"model_name": "house", "match_pattern": "", "unit": "TOKENS", "input_price": "1"}


def _new_model(ui: TestClient, action: str) -> Form:
    form = {**MODEL_FORM, "model_name": f"to {action}"}
    assert post_form(ui, MODELS, form).status_code == 303
    found = ui.get(MODELS, params={"format": "json"}).json()["models"]
    (model,) = [m for m in found if m["modelName"] == f"to {action}"]
    return Form(f"{MODELS}/{model['id']}/{action}", {**form, "total_price": ""}, 303)


CONFIGS = f"{SETTINGS}/score-configs"
QUEUES = f"/project/{PROJECT_ID}/queues"


def _config(ui: TestClient) -> str:
    """A score config made through the settings form; its id."""
    form = {"name": "csat", "data_type": "NUMERIC", "min_value": "1", "max_value": "5"}
    assert post_form(ui, CONFIGS, form).status_code == 303
    listed = ui.get(CONFIGS, params={"format": "json"}).json()["configs"]
    (config,) = [c for c in listed if c["name"] == "csat"]
    return str(config["id"])


def _queue(ui: TestClient) -> tuple[str, str]:
    """A queue (with a config) holding the session, made through the UI's forms; its id and
    its item's."""
    form = {"name": "triage", "config_id": _config(ui)}
    assert post_form(ui, QUEUES, form).status_code == 303
    (queue,) = ui.get(QUEUES, params={"format": "json"}).json()["queues"]
    added = {"queue_id": queue["id"], "object_type": "SESSION", "object_id": "sess-m"}
    assert post_form(ui, f"{QUEUES}/add", added).status_code == 303
    page = ui.get(f"{QUEUES}/{queue['id']}", params={"format": "json"}).json()
    return str(queue["id"]), str(page["item"]["id"])


def _queue_score(ui: TestClient) -> Form:
    queue_id, item_id = _queue(ui)
    config_id = ui.get(f"{QUEUES}/{queue_id}", params={"format": "json"}).json()["configs"][0]["id"]
    form = {"config_id": config_id, "value": "4"}
    return Form(f"{QUEUES}/{queue_id}/items/{item_id}/score", form, 303)


def _queue_done(ui: TestClient) -> Form:
    queue_id, item_id = _queue(ui)
    return Form(f"{QUEUES}/{queue_id}/items/{item_id}/done", {}, 303)


# Path template (as in app.routes) -> the form to post, made ready on a signed-in client.
FORMS: dict[str, Callable[[TestClient], Form]] = {
    "/login": lambda ui: Form("/login", {"email": EMAIL, "password": PASSWORD}, 303),
    # The first admin exists: an accepted post is told so (400), a refused one 403.
    "/setup": lambda ui: Form("/setup", {"email": "x@example.com", "password": "x" * 12}, 400),
    "/logout": lambda ui: Form("/logout", {}, 303),
    "/logout/everywhere": lambda ui: Form("/logout/everywhere", {}, 303),
    "/projects": lambda ui: Form("/projects", {"name": "Another"}, 303),
    "/project/{project_id}/replay/flags": lambda ui: Form(
        FLAGS, {"flag": "public", "value": "1"}, 303
    ),
    "/project/{project_id}/replay/comments": lambda ui: Form(
        COMMENTS, {"content": "a comment"}, 303
    ),
    "/project/{project_id}/replay/scores": lambda ui: Form(
        SCORES, {"name": "q", "data_type": "NUMERIC", "value": "1"}, 303
    ),
    "/project/{project_id}/replay/scores/edit": lambda ui: _score(ui, "edit"),
    "/project/{project_id}/replay/scores/delete": lambda ui: _score(ui, "delete"),
    "/project/{project_id}/replay/comments/edit": lambda ui: _comment(ui, "edit"),
    "/project/{project_id}/replay/comments/delete": lambda ui: _comment(ui, "delete"),
    # An old form address (web/routes_legacy.py): sent on to the new one, method and body kept.
    "/project/{project_id}/sessions/{rest:path}": lambda ui: Form(
        f"{SESSION}/flags", {"flag": "public", "value": "1"}, 308
    ),
    "/project/{project_id}/settings/keys": lambda ui: Form(
        f"{SETTINGS}/keys", {"note": "new key"}, 303
    ),
    "/project/{project_id}/settings/name": lambda ui: Form(
        f"{SETTINGS}/name", {"name": "Renamed"}, 303
    ),
    "/project/{project_id}/settings/retention": lambda ui: Form(
        f"{SETTINGS}/retention", {"days": "30"}, 303
    ),
    "/project/{project_id}/settings/public": lambda ui: Form(
        f"{SETTINGS}/public", {"show_users": "1"}, 303
    ),
    "/project/{project_id}/settings/session-idle": lambda ui: Form(
        f"{SETTINGS}/session-idle", {"seconds": "900"}, 303
    ),
    "/project/{project_id}/settings/keys/{key_id}/revoke": _new_key,
    "/project/{project_id}/settings/members": _member_to_add,
    "/project/{project_id}/settings/members/new": lambda ui: Form(
        f"{SETTINGS}/members/new",
        {"email": "new@example.com", "name": "New", "password": "a new password", "role": "member"},
        303,
    ),
    "/project/{project_id}/settings/members/{user_id}/remove": _member_to_remove,
    "/project/{project_id}/settings/evaluation/{kind}": lambda ui: Form(
        f"{EVALUATION}/checks", {"name": "long", "check": "turns", "threshold": "3"}, 303
    ),
    "/project/{project_id}/settings/evaluation/{kind}/{item_id}/delete": _new_check,
    "/project/{project_id}/settings/evaluation/run": _session_rule,
    "/project/{project_id}/prompts": lambda ui: Form(PROMPTS, {"name": "a", "prompt": "x"}, 303),
    "/project/{project_id}/prompts/{name:path}/labels": lambda ui: _prompt(ui, "labels"),
    "/project/{project_id}/prompts/{name:path}/versions": lambda ui: _prompt(ui, "versions"),
    "/project/{project_id}/prompts/{name:path}/try": lambda ui: _prompt(ui, "try"),
    "/project/{project_id}/datasets": lambda ui: Form(DATASETS, {"name": "made"}, 303),
    "/project/{project_id}/datasets/add-turn": lambda ui: _to_dataset(ui, "turn"),
    "/project/{project_id}/datasets/add-session": lambda ui: _to_dataset(ui, "session"),
    "/project/{project_id}/datasets/{dataset_id}/items/{item_id:path}/edit": lambda ui: (
        _dataset_item(ui, "edit")
    ),
    "/project/{project_id}/datasets/{dataset_id}/items/{item_id:path}/status": lambda ui: (
        _dataset_item(ui, "status")
    ),
    "/project/{project_id}/settings/models": lambda ui: Form(MODELS, MODEL_FORM, 303),
    "/project/{project_id}/settings/models/{model_id}/edit": lambda ui: _new_model(ui, "edit"),
    "/project/{project_id}/settings/models/{model_id}/delete": lambda ui: _new_model(ui, "delete"),
    "/project/{project_id}/settings/models/{model_id}/recost": lambda ui: _new_model(ui, "recost"),
    "/project/{project_id}/settings/score-configs": lambda ui: Form(
        CONFIGS, {"name": "resolved", "data_type": "BOOLEAN"}, 303
    ),
    "/project/{project_id}/settings/score-configs/{config_id}/archive": lambda ui: Form(
        f"{CONFIGS}/{_config(ui)}/archive", {}, 303
    ),
    "/project/{project_id}/queues": lambda ui: Form(QUEUES, {"name": "review"}, 303),
    "/project/{project_id}/queues/add": lambda ui: Form(
        f"{QUEUES}/add",
        {"queue_id": _queue(ui)[0], "object_type": "SESSION", "object_id": "sess-m"},
        303,
    ),
    "/project/{project_id}/queues/{queue_id}/items/{item_id}/score": _queue_score,
    "/project/{project_id}/queues/{queue_id}/items/{item_id}/done": _queue_done,
}


@pytest.fixture
def ui(store: Store, tmp_path: Path) -> Iterator[TestClient]:
    """A signed-in client over a project holding the exact world (a session to act on)."""
    app = create_app(Settings(data_dir=tmp_path), store=store)
    # localhost: the set-up form refuses Host names that are not this PowerRAG's.
    with TestClient(app, base_url="http://localhost", follow_redirects=False) as client:
        exact_world.write_world(client, AUTH)
        # The first admin, made (and signed in) through the set-up form as a person would,
        # with the one-time token `powerrag serve` prints.
        token = accounts.setup_token(store) or ""
        account = {"email": EMAIL, "name": "Admin", "password": PASSWORD, "token": token}
        assert client.get("/login").status_code == 200
        made = post_form(client, "/setup", account)
        assert made.status_code == 303, made.text
        yield client


def test_every_post_route_of_the_ui_is_in_the_table(ui: TestClient) -> None:
    posts = {
        path
        for path, methods in walk_routes(ui.app.routes)  # type: ignore[attr-defined]
        if "POST" in methods and not path.startswith("/api/")
    }
    assert posts == set(FORMS), "teach FORMS how to post each new form"


def _state(ui: TestClient) -> str:
    """What a form could change: the settings page's keys, members, project and options,
    the session (its scores and comments), projects."""
    settings = _settings_json(ui)
    session = ui.get(SESSION, params={"format": "json"}).json()
    changeable = ("keys", "members", "projects", "project", "publicShowsUsers")
    evaluation = _evaluation_json(ui)
    return repr(([settings[k] for k in changeable], session, evaluation))


def _refused(ui: TestClient, form: Form, data: dict[str, str], *, drop_cookie: bool) -> None:
    before = _state(ui)
    if drop_cookie:
        ui.cookies.delete(CSRF_COOKIE)
    answer = ui.post(form.path, data={**form.data, **data})
    assert answer.status_code == 403, (form.path, answer.status_code, answer.text[:300])
    assert _state(ui) == before, f"{form.path} acted on a refused post"


@pytest.mark.parametrize("template", sorted(FORMS))
def test_a_form_with_the_cookies_token_is_accepted(ui: TestClient, template: str) -> None:
    form = FORMS[template](ui)
    answer = post_form(ui, form.path, form.data)
    assert answer.status_code == form.accepted, (form.path, answer.text[:300])


@pytest.mark.parametrize("template", sorted(FORMS))
def test_a_form_without_the_csrf_cookie_is_refused(ui: TestClient, template: str) -> None:
    form = FORMS[template](ui)
    token = ui.cookies[CSRF_COOKIE]
    _refused(ui, form, {"csrf_token": token}, drop_cookie=True)


@pytest.mark.parametrize("template", sorted(FORMS))
def test_a_form_without_the_csrf_field_is_refused(ui: TestClient, template: str) -> None:
    _refused(ui, FORMS[template](ui), {}, drop_cookie=False)


@pytest.mark.parametrize("template", sorted(FORMS))
def test_a_form_with_a_wrong_token_is_refused(ui: TestClient, template: str) -> None:
    form = FORMS[template](ui)
    token = ui.cookies[CSRF_COOKIE]
    _refused(ui, form, {"csrf_token": token[::-1]}, drop_cookie=False)


def test_the_page_field_is_the_cookies_token(ui: TestClient) -> None:
    assert csrf_of(ui.get(SETTINGS).text) == ui.cookies[CSRF_COOKIE]


@pytest.mark.parametrize("template", sorted(FORMS))
def test_every_accepted_form_answers_with_a_redirect_to_a_page(
    ui: TestClient, template: str
) -> None:
    """POST-redirect-GET: reloading what a form led to never posts it again (issue 12, item 8).

    The first-admin form is the exception only because an admin exists: it is refused; so is
    "Try it", as this project has no LLM connection (its redirect: tests/web/test_prompt_try.py).
    """
    form = FORMS[template](ui)
    answer = post_form(ui, form.path, form.data)
    if template == "/setup":
        assert answer.status_code == 400
        return
    if form.accepted == 422:
        assert answer.status_code == 422 and "no LLM connection" in answer.text
        return
    if form.accepted == 308:  # an old address: sent on to the form that answers 303
        assert answer.headers["location"] == FLAGS
        answer = post_form(ui, FLAGS, form.data)
    assert answer.status_code == 303, (form.path, answer.text[:300])
    location = answer.headers["location"]
    assert location.startswith("/") and "csrf" not in location
    if template in ("/logout", "/logout/everywhere"):
        return  # signed out: the next page is the sign-in form
    landed = ui.get(location.split("#")[0], follow_redirects=True)
    assert landed.status_code == 200, (form.path, location)
