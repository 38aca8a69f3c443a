"""Two projects on one database for the isolation tests: B's data, which A must never reach.

Used by tests/security (API keys and UI users of project A against project B's ids) and
by any test that enumerates the app's routes.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Iterator
from typing import Any

import orjson
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from powerrag import datasets
from powerrag.domain.model_defs import definition_from_body
from powerrag.store import evaluation, models, rules
from powerrag.store.database import Store
from powerrag.store.infra.schema import (
    annotation_queue_items,
    annotation_queues,
    comments,
    metadata,
    score_configs,
)
from tests.support.bodies import SpanFactory, json_doc, json_span, string_attr
from tests.support.media import media_id, upload

A_ID, B_ID = "project-a", "project-b"
A_KEYS = ("pk-lf-aaaa", "sk-lf-aaaa")
B_KEYS = ("pk-lf-bbbb", "sk-lf-bbbb")
# Text that exists only in project B: none of it may reach A.
B_MARKERS = (
    "b-secret-prompt",
    "b-secret-answer",
    "b-secret-user",
    "b-secret-comment",
    "b-trace-name",
    "b-secret-media",
    "b-secret-check",
    "b-secret-alert",
    "b-secret-judge",
    "b-secret-dataset",
    "b-secret-expected",
    "b-secret-model",
    "b-secret-config",
    "b-secret-queue",
    "b-secret-note",
)
B_SESSION = "b-session-1"
B_MEDIA = b"b-secret-media: bytes only project B uploaded"
# B's check rule, alert, LLM connection, evaluator, evaluation rule and model share one id,
# so `{rule_id}`, `{item_id}` and `{model_id}` reach each (tables differ).
B_RULE = "b-rule-1"
# B's prompt, in a folder (its name reaches `{prompt_name}` and `{name}` URL-encoded).
B_PROMPT = "b-folder/b-prompt"
# B's dataset and run; its item's id is B_RULE too (`{item_id}`). The names are not secret
# (A's requests echo them in their 404s); the description, item and run texts are.
B_DATASET, B_RUN = "b-dataset", "b-run"


def basic_auth(keys: tuple[str, str]) -> str:
    return "Basic " + base64.b64encode(":".join(keys).encode()).decode()


class World:
    """Two projects on one real database; B holds a trace, a session and scores."""

    def __init__(self, client: TestClient, store: Store) -> None:
        self.client, self.store = client, store
        spec, child = SpanFactory(99).trace(children=1)
        self.trace_id, self.observation_id, self.child_id = (
            spec.trace_id,
            spec.span_id,
            child.span_id,
        )
        self.score_id = "b-score-1"
        self.session_score_id = "b-score-2"
        self.media_id = media_id(B_MEDIA)

    def as_b(self) -> dict[str, str]:
        return {"authorization": basic_auth(B_KEYS)}

    def as_a(self) -> dict[str, str]:
        return {"authorization": basic_auth(A_KEYS)}

    def ids(self) -> dict[str, str]:
        return {
            "trace_id": self.trace_id,
            "observation_id": self.observation_id,
            "session_id": B_SESSION,
            "score_id": self.score_id,
            "media_id": self.media_id,
            "project_id": B_ID,
            "rule_id": B_RULE,
            "item_id": B_RULE,
            "model_id": B_RULE,
            "config_id": B_RULE,
            "comment_id": B_RULE,
            "queue_id": B_RULE,
            "kind": "rules",
            "prompt_name": B_PROMPT.replace("/", "%2F"),
            "name": B_PROMPT.replace("/", "%2F"),
            "version": "1",
            "dataset_name": B_DATASET,
            "run_name": B_RUN,
        }

    def fill_b(self) -> None:
        spec, child = SpanFactory(99).trace(children=1)
        root = json_span(
            spec,
            [
                string_attr("langfuse.trace.name", "b-trace-name"),
                string_attr("langfuse.observation.input", "b-secret-prompt"),
                string_attr("langfuse.observation.output", "b-secret-answer"),
                string_attr("langfuse.user.id", "b-secret-user"),
                string_attr("langfuse.session.id", B_SESSION),
            ],
        )
        doc = json_doc([root, json_span(child)])
        response = self.client.post(
            "/api/public/otel/v1/traces",
            content=orjson.dumps(doc),
            headers={**self.as_b(), "content-type": "application/json"},
        )
        assert response.status_code == 200, response.text
        for score_id, target in (
            (self.score_id, {"traceId": self.trace_id, "observationId": self.observation_id}),
            (self.session_score_id, {"sessionId": B_SESSION}),
        ):
            score = {"id": score_id, "name": "quality", "value": 0.9, "comment": "b-secret-comment"}
            answer = self.client.post(
                "/api/public/scores", json={**score, **target}, headers=self.as_b()
            )
            assert answer.status_code == 200, answer.text
        upload(self.client, B_MEDIA, "text/plain", self.trace_id, headers=self.as_b())
        self._b_rules()
        self._b_judge()
        prompt = {"name": B_PROMPT, "prompt": "b-secret-prompt {{q}}", "labels": ["production"]}
        made = self.client.post("/api/public/v2/prompts", json=prompt, headers=self.as_b())
        assert made.status_code == 201, made.text
        self._b_dataset()
        self._b_model()
        self._b_annotation()

    def _b_dataset(self) -> None:
        body = {"name": B_DATASET, "description": "b-secret-dataset"}
        made = datasets.create_dataset(self.store, B_ID, body, 1)
        self.dataset_id = made.id
        item = {"datasetName": B_DATASET, "id": B_RULE, "input": "b-secret-prompt"}
        datasets.create_item(self.store, B_ID, item | {"expectedOutput": "b-secret-expected"}, 1)
        link = {"runName": B_RUN, "datasetItemId": B_RULE, "traceId": self.trace_id}
        datasets.create_run_item(self.store, B_ID, link | {"runDescription": "b-secret-dataset"}, 1)

    def _b_annotation(self) -> None:
        """B's score config, an API comment, a queue holding B's session (fixed ids)."""
        owned = {"id": B_RULE, "project_id": B_ID, "created_at": 1, "updated_at": 1}
        with self.store.transaction() as conn:
            conn.execute(
                insert(score_configs).values(
                    **owned, name="b-secret-config", data_type="NUMERIC", is_archived=False
                )
            )
            conn.execute(
                insert(comments).values(
                    **owned, object_type="SESSION", object_id=B_SESSION, content="b-secret-note"
                )
            )
            conn.execute(
                insert(annotation_queues).values(
                    **owned, name="b-secret-queue", score_config_ids=f'["{B_RULE}"]'
                )
            )
            conn.execute(
                insert(annotation_queue_items).values(
                    **owned,
                    queue_id=B_RULE,
                    object_id=B_SESSION,
                    object_type="SESSION",
                    status="PENDING",
                )
            )

    def _b_model(self) -> None:
        body = {"modelName": "b-secret-model", "matchPattern": "^b-secret-model$", "totalPrice": 1}
        with self.store.transaction() as conn:
            models.add_model(conn, definition_from_body(body, B_RULE, B_ID, 1))

    def _b_rules(self) -> None:
        times = {"created_at": 1, "updated_at": 1, "enabled": True}
        with self.store.transaction() as conn:
            rules.add_rule(
                conn,
                "check",
                {
                    "id": B_RULE,
                    "project_id": B_ID,
                    "name": "b-secret-check",
                    "check_kind": "turns",
                    "target": "session",
                    "threshold": 1.0,
                    "pattern": None,
                    **times,
                },
            )
            rules.add_rule(
                conn,
                "alert",
                {
                    "id": B_RULE,
                    "project_id": B_ID,
                    "name": "b-secret-alert",
                    "metric": "session_cost",
                    "threshold": 1.0,
                    "score_name": None,
                    "webhook_url": "http://127.0.0.1:9/b-secret-alert",
                    "secret": "b-secret-alert",
                    **times,
                },
            )

    def _b_judge(self) -> None:
        times = {"created_at": 1, "updated_at": 1}
        owned = {"id": B_RULE, "project_id": B_ID, **times}
        with self.store.transaction() as conn:
            evaluation.add(
                conn,
                "connection",
                {
                    **owned,
                    "provider": "b-secret-judge",
                    "adapter": "openai",
                    "base_url": "http://127.0.0.1:9/b-secret-judge",
                    "secret": "b-secret-judge-sealed",
                    "display_secret_key": "...udge",
                    "custom_models": ["b-secret-judge"],
                    "with_default_models": False,
                    "extra_header_keys": [],
                    "config": None,
                },
            )
            evaluation.add(
                conn,
                "evaluator",
                {
                    **owned,
                    "name": "b-secret-judge",
                    "version": 1,
                    "prompt": "b-secret-judge {{x}}",
                    "output_definition": {"dataType": "BOOLEAN"},
                    "model_config": None,
                    "mapping": None,
                },
            )
            evaluation.add(
                conn,
                "rule",
                {
                    **owned,
                    "name": "b-secret-judge",
                    "evaluator_id": B_RULE,
                    "target": "session",
                    "enabled": True,
                    "sampling": 1.0,
                    "delay_ms": 0,
                    "filters": [],
                    "mapping": [{"variable": "x", "source": "transcript", "jsonPath": None}],
                },
            )

    def snapshot_b(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of project B, table by table."""
        rows: dict[str, list[tuple[Any, ...]]] = {}
        with self.store.connect() as conn:
            for table in metadata.sorted_tables:
                column = table.c.get("project_id")
                if column is None:
                    column = table.c.id if table.name == "projects" else None
                if column is None:
                    continue
                query = select(table).where(column == B_ID)
                rows[table.name] = sorted(tuple(r) for r in conn.execute(query))
        return rows


def walk_routes(routes: Iterable[Any], prefix: str = "") -> Iterator[tuple[str, set[str]]]:
    """Every APIRoute as (path, methods); newer FastAPI nests included routers."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            context = getattr(route, "include_context", None)
            yield from walk_routes(inner.routes, prefix + getattr(context, "prefix", ""))
        elif isinstance(route, APIRoute):
            yield prefix + route.path, set(route.methods or ())


def fill_path(path: str, ids: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[0]
        assert name in ids, f"path parameter {name!r} of {path}: teach this test B's value for it"
        return ids[name]

    return re.sub(r"\{([^}]+)\}", value, path)
