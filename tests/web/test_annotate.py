"""Annotation in place (issue 12, item 7): who may edit and delete, refused forms keep input.

Ann (a member) writes scores and comments; Ben (another member) may not change them
(403); Owen (an owner) may. A refused form answers 422 with the replay, the typed input
in the form and the error beside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from powerrag import accounts, urls
from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.store.database import Store
from powerrag.store.memberships import MEMBER, OWNER, set_membership
from tests.support.project import AUTH, PROJECT_ID
from tests.support.web import post_form, sign_in

pytestmark = pytest.mark.one_engine

ANN = ("ann@example.com", "ann password 1")
BEN = ("ben@example.com", "ben password 1")
OWEN = ("owen@example.com", "owen password 1")
SESSION_ID = "annotated-session"
PAGE = urls.session(PROJECT_ID, SESSION_ID)
SCORES = urls.session_scores(PROJECT_ID, SESSION_ID)
COMMENTS = urls.session_comments(PROJECT_ID, SESSION_ID)


def _score_url(score_id: str, action: str) -> str:
    return urls.score_action(PROJECT_ID, SESSION_ID, score_id, action)


def _comment_url(comment_id: str, action: str) -> str:
    return urls.comment_action(PROJECT_ID, SESSION_ID, comment_id, action)


def _in_html(url: str) -> str:
    """`url` as an attribute of the page holds it (`&` escaped)."""
    return url.replace("&", "&amp;")


TURNS = 23  # more than a page of turns (20): a refused form on the last must still show
T0 = "2025-11-23T10:00:{:02d}.000Z"


def _trace(i: int) -> dict[str, Any]:
    body = {
        "id": f"turn-{i:02d}",
        "sessionId": SESSION_ID,
        "timestamp": T0.format(i * 2),
        "input": f"question {i}",
        "output": f"answer {i}",
    }
    return {"id": f"ev-{i}", "type": "trace-create", "timestamp": T0.format(i * 2), "body": body}


@pytest.fixture
def web(store: Store, settings: Settings) -> Iterator[TestClient]:
    accounts.ensure_user(store, "admin@example.com", "Admin", "admin password 1")
    people = {
        email: accounts.ensure_user(store, email, email[:3], pw) for email, pw in (ANN, BEN, OWEN)
    }
    with store.transaction() as conn:
        set_membership(conn, PROJECT_ID, people[ANN[0]].id, MEMBER)
        set_membership(conn, PROJECT_ID, people[BEN[0]].id, MEMBER)
        set_membership(conn, PROJECT_ID, people[OWEN[0]].id, OWNER)
    with TestClient(create_app(settings, store=store), follow_redirects=False) as client:
        batch = {"batch": [_trace(i) for i in range(TURNS)]}
        sent = client.post("/api/public/ingestion", json=batch, headers={"authorization": AUTH})
        assert sent.status_code == 207 and not sent.json()["errors"], sent.text
        yield client


def _twin(web: TestClient) -> dict[str, Any]:
    answer: dict[str, Any] = web.get(PAGE, params={"format": "json"}).json()
    return answer


def _turn(web: TestClient, trace_id: str) -> dict[str, Any]:
    """The turn as the replay loads it (live updates ask for turns by id)."""
    answer = web.get(urls.session_turns(PROJECT_ID, SESSION_ID) + f"&id={trace_id}&format=json")
    (turn,) = answer.json()["turns"]
    assert turn["id"] == trace_id
    found: dict[str, Any] = turn
    return found


def _turn_scores(web: TestClient, trace_id: str) -> list[dict[str, Any]]:
    scores: list[dict[str, Any]] = _turn(web, trace_id)["scores"]
    return scores


def test_a_score_is_edited_and_deleted_by_its_author_and_an_owner_only(web: TestClient) -> None:
    sign_in(web, ANN)
    added = post_form(
        web,
        SCORES,
        {"name": "quality", "data_type": "NUMERIC", "value": "0.5", "trace_id": "turn-00"},
    )
    assert added.status_code == 303 and added.headers["location"] == f"{PAGE}#turn-turn-00"
    (score,) = _turn_scores(web, "turn-00")
    assert (score["name"], score["value"], score["source"]) == ("quality", 0.5, "ANNOTATION")
    edit, delete = _score_url(score["id"], "edit"), _score_url(score["id"], "delete")

    edited = post_form(web, edit, {"value": "0.75", "comment": "better"})
    assert edited.status_code == 303 and edited.headers["location"] == f"{PAGE}#turn-turn-00"
    (score,) = _turn_scores(web, "turn-00")
    assert (score["value"], score["comment"], score["name"]) == (0.75, "better", "quality")

    sign_in(web, BEN)
    assert post_form(web, edit, {"value": "0"}).status_code == 403
    assert post_form(web, delete, {}).status_code == 403
    assert [s["value"] for s in _turn_scores(web, "turn-00")] == [0.75]

    sign_in(web, OWEN)
    assert post_form(web, edit, {"value": "0.25", "comment": ""}).status_code == 303
    (score,) = _turn_scores(web, "turn-00")
    assert (score["value"], score["comment"]) == (0.25, None)
    assert post_form(web, delete, {}).status_code == 303
    assert _turn_scores(web, "turn-00") == []
    api = web.get(f"/api/public/v2/scores/{score['id']}", headers={"authorization": AUTH})
    assert api.status_code == 404
    assert post_form(web, delete, {}).status_code == 404


def test_a_comment_is_edited_and_deleted_by_its_author_and_an_owner_only(
    web: TestClient,
) -> None:
    sign_in(web, ANN)
    form = {"content": "first look", "trace_id": "turn-01"}
    assert post_form(web, COMMENTS, form).status_code == 303
    (comment,) = _turn(web, "turn-01")["comments"]
    edit, delete = (
        _comment_url(comment["id"], "edit"),
        _comment_url(comment["id"], "delete"),
    )
    assert post_form(web, edit, {"content": "second look"}).status_code == 303

    sign_in(web, BEN)
    assert post_form(web, edit, {"content": "not mine"}).status_code == 403
    assert post_form(web, delete, {}).status_code == 403
    assert [c["content"] for c in _turn(web, "turn-01")["comments"]] == ["second look"]

    sign_in(web, OWEN)
    answer = post_form(web, delete, {})
    assert answer.status_code == 303 and answer.headers["location"] == f"{PAGE}#turn-turn-01"
    assert _turn(web, "turn-01")["comments"] == []


def test_edit_and_delete_controls_show_only_to_who_may_use_them(web: TestClient) -> None:
    sign_in(web, ANN)
    post_form(web, COMMENTS, {"content": "ann's note"})
    (comment,) = _twin(web)["comments"]
    control = _in_html(_comment_url(comment["id"], "edit"))
    assert control in web.get(PAGE).text
    sign_in(web, BEN)
    assert control not in web.get(PAGE).text
    sign_in(web, OWEN)
    assert control in web.get(PAGE).text


def test_a_refused_score_keeps_what_was_typed_on_a_turn_past_the_first_page(
    web: TestClient,
) -> None:
    sign_in(web, ANN)
    last = f"turn-{TURNS - 1:02d}"
    typed = {
        "name": "helpful",
        "data_type": "NUMERIC",
        "value": "very <b>much</b>",
        "comment": "typed with care",
        "trace_id": last,
    }
    answer = post_form(web, SCORES, typed)
    assert answer.status_code == 422
    html = answer.text
    turn = html.split(f'id="turn-{last}"')[1].split("</li>\n")[0]
    form = turn.split('class="annotate-form score-form')[1].split("</form>")[0]
    assert 'name="name" value="helpful"' in form
    assert 'name="value" value="very &lt;b&gt;much&lt;/b&gt;"' in form
    assert 'name="comment" value="typed with care"' in form
    assert '<option value="NUMERIC" selected>' in form
    error = re.search(r"data-annotation-error>([^<]*)</p>", form)
    assert error is not None
    assert error.group(1) == (
        "Not saved: a numeric score needs a number, got &#39;very &lt;b&gt;much&lt;/b&gt;&#39;"
    )
    assert html.count("data-annotation-error") == 1  # only the refused form says so
    assert _turn_scores(web, last) == []


def test_a_refused_edit_keeps_the_typed_value_and_changes_nothing(web: TestClient) -> None:
    sign_in(web, ANN)
    form = {"name": "ok", "data_type": "BOOLEAN", "value": "true", "trace_id": "turn-02"}
    assert post_form(web, SCORES, form).status_code == 303
    (score,) = _turn_scores(web, "turn-02")
    assert score["value"] is True
    answer = post_form(web, _score_url(score["id"], "edit"), {"value": "maybe"})
    assert answer.status_code == 422
    edit = answer.text.split(_in_html(_score_url(score["id"], "edit")))[1].split("</form>")[0]
    assert 'name="value" value="maybe"' in edit
    assert "a boolean score is true or false, got &#39;maybe&#39;" in edit
    assert _turn_scores(web, "turn-02")[0]["value"] is True
    # A boolean reads true/false on the page, never Python's True.
    page = web.get(PAGE).text
    assert "ok: true" in page and "ok: True" not in page


def test_an_empty_comment_is_refused_in_its_form(web: TestClient) -> None:
    sign_in(web, ANN)
    answer = post_form(web, COMMENTS, {"content": "   "})
    assert answer.status_code == 422
    assert "Not saved: a comment needs some text" in answer.text
    assert _twin(web)["comments"] == []


def test_a_score_or_comment_of_another_session_is_not_found_here(web: TestClient) -> None:
    sign_in(web, OWEN)
    form = {"name": "q", "data_type": "CATEGORICAL", "value": "good"}
    assert post_form(web, SCORES, form).status_code == 303
    (score,) = _twin(web)["session"]["scores"]
    other = urls.score_action(PROJECT_ID, "no-such-session", score["id"], "delete")
    assert post_form(web, other, {}).status_code == 404
    assert post_form(web, _score_url("no-such-score", "edit"), {"value": "x"}).status_code == 404
    assert post_form(web, _comment_url("no-such-comment", "delete"), {}).status_code == 404
    assert [s["value"] for s in _twin(web)["session"]["scores"]] == ["good"]


def test_a_score_sent_by_the_api_is_deleted_by_an_owner_but_not_edited(web: TestClient) -> None:
    score = {"id": "api-score", "traceId": "turn-03", "name": "auto", "value": 1}
    sent = web.post("/api/public/scores", json=score, headers={"authorization": AUTH})
    assert sent.is_success, sent.text
    sign_in(web, ANN)
    assert post_form(web, _score_url("api-score", "delete"), {}).status_code == 403
    sign_in(web, OWEN)
    refused = post_form(web, _score_url("api-score", "edit"), {"value": "0"})
    assert refused.status_code == 403 and "is not edited here, only deleted" in refused.text
    assert post_form(web, _score_url("api-score", "delete"), {}).status_code == 303
    assert _turn_scores(web, "turn-03") == []


def test_a_refused_comment_edit_keeps_the_text_in_its_form(web: TestClient) -> None:
    sign_in(web, ANN)
    post_form(web, COMMENTS, {"content": "short", "trace_id": "turn-04"})
    (comment,) = _turn(web, "turn-04")["comments"]
    answer = post_form(web, _comment_url(comment["id"], "edit"), {"content": "x" * 5001})
    assert answer.status_code == 422
    edit = answer.text.split(_in_html(_comment_url(comment["id"], "edit")))[1]
    edit = edit.split("</form>")[0]
    assert "x" * 5001 + "</textarea>" in edit
    assert "Not saved: a comment has at most 5000 characters" in edit
    assert [c["content"] for c in _turn(web, "turn-04")["comments"]] == ["short"]


def test_the_annotation_controls_read_in_chinese(web: TestClient) -> None:
    sign_in(web, ANN)
    post_form(web, COMMENTS, {"content": "看过了", "trace_id": "turn-05"})
    web.cookies.set("powerrag_lang", "zh-CN")
    page = web.get(PAGE).text
    for label in ("添加评分", "添加评论", "编辑", "删除", "数值", "类别", "是 / 否", "写一条评论"):
        assert label in page, label
    refused = post_form(web, SCORES, {"name": "x", "data_type": "NUMERIC", "value": "y"})
    assert refused.status_code == 422 and "未保存: a numeric score needs a number" in refused.text
