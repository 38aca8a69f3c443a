"""The golden scenario: every recorded SDK write in one project, plus the UI's own state.

Everything goes through public doors, so the scenario does not depend on how the server
is built inside: HTTP on the `client` fixture (tests/conftest.py) as an SDK or a browser
sends it, and the headless set-up (LANGFUSE_INIT_USER_*) for the first admin.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import insert

from powerrag import urls
from powerrag.bootstrap import bootstrap
from powerrag.domain.score_configs import ConfigFields
from powerrag.domain.timeutil import parse_iso
from powerrag.store import score_configs
from powerrag.store.database import Store
from powerrag.store.infra.schema import annotation_queue_items, annotation_queues
from tests.support.media import PNG, RECORDED_SPAN, RECORDED_TRACE, upload
from tests.support.project import PROJECT_ID
from tests.support.recorded import fixture_files
from tests.support.replay import replay_writes
from tests.support.web import EMAIL, PASSWORD, post_form, sign_in

SESSIONS = f"/project/{PROJECT_ID}/sessions"
BOOKMARKED_SESSION = "chat-session-123"
PUBLIC_SESSION = "session-123"
# The first turn of chat-session-123: the earliest seed "process-chat-message" trace.
COMMENTED_TRACE = "fb1f87341628a0352af727c204afac59"
# Comments are written by the UI only, so their ids and times are the server's (test_golden.py).
COMMENTS = ("Golden session comment: **bold** and `code`.", "Golden trace comment.")

# python-langfuse-5.0.4-rich.jsonl: its "rich-trace" and that trace's "llm-call" generation.
RICH_TRACE, RICH_GENERATION = "09f60e82c770805935666f993d7ee055", "9f106c37a92a6a01"
# Scores the fixtures lack: every data type, source and subject, with fixed ids and times.
EXTRA_SCORES: list[dict[str, Any]] = [
    {
        "id": "golden-text",
        "name": "golden-note",
        "dataType": "TEXT",
        "value": "a free-text judgement",
        "sessionId": BOOKMARKED_SESSION,
        "source": "ANNOTATION",
        "comment": "by hand",
        "timestamp": "2026-11-24T09:00:00.000Z",
    },
    {
        "id": "golden-eval",
        "name": "golden-eval",
        "dataType": "NUMERIC",
        "value": 0.25,
        "sessionId": PUBLIC_SESSION,
        "source": "EVAL",
        "environment": "golden-env",
        "metadata": {"evaluator": "golden", "round": 2},
        "configId": "golden-config",
        "queueId": "golden-queue",
        "timestamp": "2026-11-24T09:00:01.000Z",
    },
    {
        "id": "golden-correction",
        "name": "golden-correction",
        "dataType": "CORRECTION",
        "value": "Paris, France.",
        "traceId": RICH_TRACE,
        "observationId": RICH_GENERATION,
        "timestamp": "2026-11-24T09:00:02.000Z",
    },
    {
        "id": "golden-experiment",
        "name": "golden-experiment",
        "dataType": "BOOLEAN",
        "value": 0,
        "datasetRunId": "golden-run",
        "timestamp": "2026-11-24T09:00:03.000Z",
    },
]
# Prompts made through the API: two versions of a text prompt in a folder, a chat prompt.
PROMPTS: list[dict[str, Any]] = [
    {
        "name": "golden/answer",
        "prompt": "Answer {{question}} briefly.",
        "labels": ["production"],
        "tags": ["golden"],
        "config": {"model": "gpt-4o-mini", "temperature": 0},
    },
    {"name": "golden/answer", "prompt": "Answer {{question}}.", "commitMessage": "longer"},
    {
        "name": "golden-chat",
        "type": "chat",
        "prompt": [
            {"role": "system", "content": "You help with {{topic}}."},
            {"type": "placeholder", "name": "history"},
        ],
        "labels": ["production", "staging"],
    },
]
# Later than every time the recorded SDKs and EXTRA_SCORES send: a later time in an
# answer can only be the server's clock (test_golden.py).
CLOCK_CUTOFF = "2026-11-25T00:00:00.000Z"


def _post_form(client: TestClient, path: str, data: dict[str, str]) -> None:
    answer = post_form(client, path, data)
    assert answer.status_code == 303, (path, answer.text)


def build_world(client: TestClient, store: Store) -> None:
    """Fill the project: recorded writes, extra scores, then an admin's edits in the UI.

    The client keeps the admin's cookie: the same client reads the API (its key) and the UI.
    """
    client.follow_redirects = False
    # The config "golden-eval" names (a score is checked against its config), with the
    # fixed id and time the answers pin.
    golden_config = ConfigFields("golden-eval", "NUMERIC", min_value=0.0, max_value=1.0)
    with store.transaction() as conn:
        at = parse_iso("2026-11-24T08:00:00Z")
        score_configs.insert_config(conn, PROJECT_ID, golden_config, at, config_id="golden-config")
        # The queue "golden-eval" was given in, holding the published session.
        owned = {"project_id": PROJECT_ID, "created_at": at, "updated_at": at}
        conn.execute(
            insert(annotation_queues).values(
                id="golden-queue",
                name="golden queue",
                score_config_ids='["golden-config"]',
                **owned,
            )
        )
        conn.execute(
            insert(annotation_queue_items).values(
                id="golden-item",
                queue_id="golden-queue",
                object_id=PUBLIC_SESSION,
                object_type="SESSION",
                status="PENDING",
                **owned,
            )
        )
    for name in fixture_files():
        replay_writes(client, name)
    scores = client.post("/api/public/scores", json=EXTRA_SCORES)
    assert scores.status_code == 202, scores.text
    for prompt in PROMPTS:
        made = client.post("/api/public/v2/prompts", json=prompt)
        assert made.status_code == 201, made.text
    # The media upload of python-langfuse-5.0.4-media.jsonl (its requests 1, 2 and 4).
    upload(client, PNG, "image/png", RECORDED_TRACE, RECORDED_SPAN)
    admin = {"LANGFUSE_INIT_USER_EMAIL": EMAIL, "LANGFUSE_INIT_USER_PASSWORD": PASSWORD}
    bootstrap(store, {**admin, "LANGFUSE_INIT_USER_NAME": "Admin"})
    sign_in(client, (EMAIL, PASSWORD))
    comments = urls.session_comments(PROJECT_ID, BOOKMARKED_SESSION)
    _post_form(client, comments, {"content": COMMENTS[0]})
    _post_form(client, comments, {"content": COMMENTS[1], "trace_id": COMMENTED_TRACE})
    flags = urls.session_flags(PROJECT_ID, BOOKMARKED_SESSION)
    _post_form(client, flags, {"flag": "bookmarked", "value": "1"})
    _post_form(
        client, urls.session_flags(PROJECT_ID, PUBLIC_SESSION), {"flag": "public", "value": "1"}
    )
