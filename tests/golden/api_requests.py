"""The golden requests of the public API, one group per resource.

Each list covers: the plain list, each filter alone with a value matching a strict
subset, paging (page/limit, or the cursor for v2 observations and v3 scores), the field
groups, the orders, the single gets (present and missing), and 400/401/404 answers.
Ids are the recorded fixtures' (tests/support/recorded.py) or the scenario's.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from tests.golden.recording import Request
from tests.golden.scenario import (
    BOOKMARKED_SESSION,
    PUBLIC_SESSION,
    RICH_GENERATION,
    RICH_TRACE,
)

# python-langfuse-5.0.4-rich.jsonl: the rich trace's root span, its agent trace and embedding.
RICH_ROOT = "035386d1c9f7c3e2"
AGENT_TRACE, EMBEDDING = "72c724256dbb4fc8a0d50453af4a13df", "a03239c577e71642"
MEDIA_TRACE = "87d92606419c979f03acc357eb434010"  # python-langfuse-5.0.4-media.jsonl
JS_RICH_TRACE = "df877b62b5bf705962991411ea247c7a"  # js-tracing-5.11.1-rich.jsonl
ERROR_RUN_TRACE = "fd8cea8bb52c7b89f1323573f01e1968"  # the last js-tracing-5.11.1-errors.jsonl run
# Scores: a Python SDK 5 observation score (relevance), a JS session score, the scenario's.
PY_SCORE, JS_SESSION_SCORE = "5ec4fa56748209ce", "7a35d622-0513-4611-ab1b-623f240b5f7c"

A = "/api/public"

HEALTH = [
    Request("health", f"{A}/health"),
    Request("health-with-database", f"{A}/health?failIfDatabaseUnavailable=true"),
    Request("ready", f"{A}/ready"),
    Request("projects", f"{A}/projects"),
    Request("projects-without-key", f"{A}/projects", who="signed-out"),
    Request("projects-wrong-key", f"{A}/projects", who="bad-key"),
    Request("media-missing", f"{A}/media/some-media-id"),
    Request("media-download-forged", f"{A}/media/some-media-id/download?token=cA.1.forged"),
    Request("media-download-without-token", f"{A}/media/some-media-id/download"),
    Request("openapi-document", "/api/openapi.json"),
    # Off unless a metrics token is set (tests/api/test_metrics.py scrapes it turned on).
    Request("metrics-off", "/metrics"),
]

SESSIONS = [
    Request("list", f"{A}/sessions"),
    Request("limit-2", f"{A}/sessions?limit=2"),
    Request("limit-2-page-2", f"{A}/sessions?limit=2&page=2"),
    Request("page-past-the-end", f"{A}/sessions?page=9"),
    Request("from-timestamp", f"{A}/sessions?fromTimestamp=2026-11-23T22:35:00Z"),
    Request("to-timestamp", f"{A}/sessions?toTimestamp=2026-11-23T22:34:00Z"),
    Request("environment", f"{A}/sessions?environment=staging"),
    Request("get", f"{A}/sessions/{BOOKMARKED_SESSION}"),
    Request("get-public", f"{A}/sessions/{PUBLIC_SESSION}"),
    Request("get-missing", f"{A}/sessions/no-such-session"),
    Request("bad-limit", f"{A}/sessions?limit=0"),
    Request("bad-page", f"{A}/sessions?page=first"),
    Request("bad-timestamp", f"{A}/sessions?fromTimestamp=yesterday"),
    Request("status-active", f"{A}/sessions?status=active&limit=2"),
    Request("status-ended", f"{A}/sessions?status=ended"),
    Request("bad-status", f"{A}/sessions?status=closed"),
    Request("without-key", f"{A}/sessions", who="signed-out"),
]

# The scenario defines no check or alert (their ids and times are the server's): the empty
# lists, a missing one, and its missing log.
AUTOMATIONS = [
    Request(f"{kind}-{name}", f"{A}/{kind}{path}")
    for kind, log in (("checks", "runs"), ("alerts", "deliveries"))
    for name, path in (
        ("list", ""),
        ("get-missing", "/no-such-rule"),
        ("log-missing", f"/no-such-rule/{log}"),
    )
]

# Nor a connection, evaluator or evaluation rule: the empty pages, paging errors, missing ones.
U = f"{A}/unstable"
EVALUATION = [
    Request("connections-list", f"{A}/llm-connections"),
    Request("connections-bad-limit", f"{A}/llm-connections?limit=0"),
    Request("evaluators-list", f"{U}/evaluators?page=2&limit=10"),
    Request("evaluators-get-missing", f"{U}/evaluators/no-such-evaluator"),
    Request("evaluators-bad-page", f"{U}/evaluators?page=0"),
    Request("evaluators-without-key", f"{U}/evaluators", who="signed-out"),
    Request("rules-list", f"{U}/evaluation-rules"),
    Request("rules-get-missing", f"{U}/evaluation-rules/no-such-rule"),
    Request("rules-runs-missing", f"{U}/evaluation-rules/no-such-rule/runs"),
]

# The scenario holds no dataset (a dataset's id is the server's): the empty pages, the
# missing dataset, item and run, and the refused questions.
DATASETS = [
    Request("datasets-list", f"{A}/v2/datasets"),
    Request("datasets-bad-limit", f"{A}/v2/datasets?limit=0"),
    Request("datasets-get-missing", f"{A}/v2/datasets/no-such-dataset"),
    Request("datasets-without-key", f"{A}/v2/datasets", who="signed-out"),
    Request("items-list", f"{A}/dataset-items?sourceTraceId={RICH_TRACE}"),
    Request("items-get-missing", f"{A}/dataset-items/no-such-item"),
    Request("items-of-missing-dataset", f"{A}/dataset-items?datasetName=no-such-dataset"),
    Request("items-version", f"{A}/dataset-items?datasetName=x&version=2026-01-01T00:00:00Z"),
    Request("runs-of-missing-dataset", f"{A}/datasets/no-such-dataset/runs"),
    Request("run-missing", f"{A}/datasets/no-such-dataset/runs/no-such-run"),
    Request("run-items-without-run", f"{A}/dataset-run-items?datasetId=x"),
    Request("run-items-missing", f"{A}/dataset-run-items?datasetId=x&runName=y"),
]

P = f"{A}/v2/prompts"
PROMPTS = [
    Request("list", P),
    Request("limit-1-page-2", f"{P}?limit=1&page=2"),
    Request("label", f"{P}?label=staging"),
    Request("tag", f"{P}?tag=golden"),
    Request("name", f"{P}?name=golden%2Fanswer"),
    Request("version", f"{P}?version=2"),
    Request("bad-limit", f"{P}?limit=101"),
    Request("get-production", f"{P}/golden%2Fanswer"),
    Request("get-version", f"{P}/golden%2Fanswer?version=2"),
    Request("get-latest", f"{P}/golden%2Fanswer?label=latest"),
    Request("get-chat", f"{P}/golden-chat?label=staging"),
    Request("get-missing-label", f"{P}/golden%2Fanswer?label=staging"),
    Request("get-missing-version", f"{P}/golden%2Fanswer?version=3"),
    Request("get-missing", f"{P}/no-such-prompt"),
    Request("get-both", f"{P}/golden%2Fanswer?version=1&label=latest"),
    Request("without-key", P, who="signed-out"),
]

# Models: the bundled ones (the scenario adds none), paged, one by id, a missing one.
MODELS = [
    Request("models-list", f"{A}/models?limit=3"),
    Request("models-page-2", f"{A}/models?limit=50&page=2"),
    Request("models-get-builtin", f"{A}/models/b9854a5c92dc496b997d99d20"),
    Request("models-get-missing", f"{A}/models/no-such-model"),
    Request("models-bad-limit", f"{A}/models?limit=0"),
    Request("models-without-key", f"{A}/models", who="signed-out"),
]


def _metrics(version: str, query: dict[str, Any]) -> str:
    window = {"fromTimestamp": "2026-11-01T00:00:00Z", "toTimestamp": "2026-11-25T00:00:00Z"}
    path = f"{A}/v2/metrics" if version == "v2" else f"{A}/metrics"
    return f"{path}?query={quote(json.dumps({**window, **query}))}"


_COUNT = {"measure": "count", "aggregation": "count"}
METRICS = [
    Request("v1-traces-by-session", _metrics("v1", {
        "view": "traces", "dimensions": [{"field": "sessionId"}],
        "metrics": [_COUNT, {"measure": "totalCost", "aggregation": "sum"}]})),
    Request("v1-observations-by-model", _metrics("v1", {
        "view": "observations", "dimensions": [{"field": "providedModelName"}],
        "metrics": [{"measure": "totalTokens", "aggregation": "sum"},
                    {"measure": "latency", "aggregation": "p95"}]})),
    Request("v1-traces-per-hour", _metrics("v1", {
        "view": "traces", "metrics": [_COUNT], "timeDimension": {"granularity": "hour"},
        "fromTimestamp": "2026-11-23T20:00:00Z", "toTimestamp": "2026-11-24T10:00:00Z"})),
    Request("v2-scores-by-name", _metrics("v2", {
        "view": "scores-numeric", "dimensions": [{"field": "name"}],
        "metrics": [_COUNT, {"measure": "value", "aggregation": "avg"}]})),
    Request("v2-categorical", _metrics("v2", {
        "view": "scores-categorical", "dimensions": [{"field": "stringValue"}],
        "metrics": [_COUNT]})),
    Request("v2-traces-refused", _metrics("v2", {"view": "traces", "metrics": [_COUNT]})),
    Request("v1-without-query", f"{A}/metrics"),
    Request("v1-without-key", _metrics("v1", {"view": "traces", "metrics": [_COUNT]}),
            who="signed-out"),
]  # fmt: skip

_ORDERS = ("userId", "sessionId", "id", "timestamp", "name", "release", "version", "public")
TRACES = [
    Request("list", f"{A}/traces"),
    Request("limit-5-page-2", f"{A}/traces?limit=5&page=2"),
    Request("name", f"{A}/traces?name=agent-run"),
    Request("user-id", f"{A}/traces?userId=user-42"),
    Request("session-id", f"{A}/traces?sessionId=your-session-id"),
    Request("tags", f"{A}/traces?tags=tag-a"),
    Request("from-timestamp", f"{A}/traces?fromTimestamp=2026-11-23T22:40:50Z"),
    Request("to-timestamp", f"{A}/traces?toTimestamp=2026-11-23T22:33:20Z"),
    Request("environment", f"{A}/traces?environment=staging&limit=10"),
    Request("version", f"{A}/traces?version=trace-v2"),
    Request("release", f"{A}/traces?release=rel-1.2.3&limit=10"),
    *[
        Request(f"fields-{group}", f"{A}/traces?fields={group}&sessionId={BOOKMARKED_SESSION}")
        for group in ("core", "io", "scores", "observations", "metrics", "core,io,unknown")
    ],
    *[
        Request(f"order-{name}-asc", f"{A}/traces?orderBy={name}.asc&fields=core&limit=10")
        for name in _ORDERS
    ],
    Request("order-bookmarked-desc", f"{A}/traces?orderBy=bookmarked.desc&fields=core&limit=10"),
    Request("get", f"{A}/traces/{RICH_TRACE}"),
    Request("get-js", f"{A}/traces/{JS_RICH_TRACE}"),
    Request("get-agent", f"{A}/traces/{AGENT_TRACE}"),
    Request("get-media", f"{A}/traces/{MEDIA_TRACE}"),
    Request("get-error-run", f"{A}/traces/{ERROR_RUN_TRACE}"),
    Request("get-fields-core", f"{A}/traces/{RICH_TRACE}?fields=core"),
    Request("get-missing", f"{A}/traces/no-such-trace"),
    Request("bad-order", f"{A}/traces?orderBy=cost.asc"),
    Request("bad-order-direction", f"{A}/traces?orderBy=name.up"),
    Request("bad-limit", f"{A}/traces?limit=101"),
    Request("bad-timestamp", f"{A}/traces?toTimestamp=2026-13-01"),
]

_OBSERVATION_FILTERS = {
    "name": "name=llm-call",
    "user-id": "userId=user-42",
    "session-id": f"sessionId={PUBLIC_SESSION}",
    "type": "type=EVENT",
    "trace-id": f"traceId={RICH_TRACE}",
    "level": "level=WARNING",
    "parent": f"parentObservationId={RICH_ROOT}",
    "is-root": "isRootObservation=true&limit=5",
    "environment": "environment=default&limit=5",
    "from-start-time": "fromStartTime=2026-11-23T22:40:54.534Z",
    "to-start-time": "toStartTime=2026-11-23T22:33:20Z",
    "version": "version=prompt-v3",
}
OBSERVATIONS = [
    Request("list", f"{A}/observations"),
    Request("limit-50-page-3", f"{A}/observations?page=3"),
    *[Request(name, f"{A}/observations?{query}") for name, query in _OBSERVATION_FILTERS.items()],
    Request("get-generation", f"{A}/observations/{RICH_GENERATION}"),
    Request("get-embedding", f"{A}/observations/{EMBEDDING}"),
    Request("get-missing", f"{A}/observations/no-such-observation"),
    Request("bad-type", f"{A}/observations?type=SPANNER"),
    Request("bad-level", f"{A}/observations?level=LOUD"),
    Request("bad-is-root", f"{A}/observations?isRootObservation=maybe"),
]

_V2_GROUPS = ("core", "basic", "time", "io", "metadata", "model", "usage", "prompt", "metrics")
V2 = f"{A}/v2/observations"
OBSERVATIONS_V2 = [
    Request("list", V2),
    Request("limit-5", f"{V2}?limit=5"),
    Request("limit-5-next", f"{V2}?limit=5", cursor_from="limit-5"),
    Request("limit-5-third", f"{V2}?limit=5", cursor_from="limit-5-next"),
    *[Request(f"fields-{g}", f"{V2}?fields={g}&traceId={RICH_TRACE}") for g in _V2_GROUPS],
    Request("fields-trace-context", f"{V2}?fields=trace_context&traceId={RICH_TRACE}"),
    Request("fields-all", f"{V2}?fields={','.join(_V2_GROUPS)},trace_context&limit=3"),
    Request("expand-metadata", f"{V2}?fields=metadata&expandMetadata=attributes&limit=3"),
    *[Request(name, f"{V2}?{query}") for name, query in _OBSERVATION_FILTERS.items()],
    Request("bad-parse-io", f"{V2}?parseIoAsJson=true"),
    Request("bad-cursor", f"{V2}?cursor=not-a-cursor"),
    Request("bad-limit", f"{V2}?limit=1001"),
]

_SCORE_FILTERS = {
    "user-id": "userId=user-42",
    "name": "name=quality",
    "from-timestamp": "fromTimestamp=2026-11-24T00:00:00Z",
    "to-timestamp": "toTimestamp=2026-11-23T22:36:44Z",
    "environment": "environment=golden-env",
    "source": "source=ANNOTATION",
    "value": "value=0.75",
    "value-operator": "value=0.9&operator=%3E%3D",
    "score-ids": f"scoreIds={PY_SCORE},golden-text",
    "config-id": "configId=golden-config",
    "session-id": f"sessionId={BOOKMARKED_SESSION}",
    "dataset-run-id": "datasetRunId=golden-run",
    "trace-id": f"traceId={RICH_TRACE}",
    "observation-id": f"observationId={RICH_GENERATION}",
    "queue-id": "queueId=golden-queue",
    "data-type": "dataType=CATEGORICAL",
    "trace-tags": "traceTags=tag-b",
}
SCORES_V2 = [
    Request("list", f"{A}/v2/scores"),
    Request("limit-5-page-2", f"{A}/v2/scores?limit=5&page=2"),
    *[Request(name, f"{A}/v2/scores?{query}") for name, query in _SCORE_FILTERS.items()],
    Request("fields-score", f"{A}/v2/scores?fields=score&limit=5"),
    Request("fields-trace", f"{A}/v2/scores?fields=trace&limit=5"),
    Request("get", f"{A}/v2/scores/{PY_SCORE}"),
    Request("get-session-score", f"{A}/v2/scores/{JS_SESSION_SCORE}"),
    Request("get-correction", f"{A}/v2/scores/golden-correction"),
    Request("get-missing", f"{A}/v2/scores/no-such-score"),
    Request("bad-source", f"{A}/v2/scores?source=HUMAN"),
    Request("bad-data-type", f"{A}/v2/scores?dataType=NUMBER"),
    Request("bad-value", f"{A}/v2/scores?value=high"),
    Request("bad-operator", f"{A}/v2/scores?value=1&operator=~"),
]

SCORES_V1 = [
    Request("list", f"{A}/scores"),
    Request("limit-5-page-2", f"{A}/scores?limit=5&page=2"),
    Request("name", f"{A}/scores?name=user-feedback"),
    Request("trace-id", f"{A}/scores?traceId={RICH_TRACE}"),
    Request("data-type-correction", f"{A}/scores?dataType=CORRECTION"),
    Request("get", f"{A}/scores/{PY_SCORE}"),
    Request("get-session-score", f"{A}/scores/{JS_SESSION_SCORE}"),
    Request("get-correction", f"{A}/scores/golden-correction"),
    Request("get-missing", f"{A}/scores/no-such-score"),
]

V3 = f"{A}/v3/scores"
_V3_FILTERS = {
    "id": f"id={PY_SCORE}&id=golden-eval",
    "name": "name=relevance",
    "source": "source=eval",
    "data-type": "dataType=TEXT",
    "environment": "environment=golden-env",
    "config-id": "configId=golden-config",
    "queue-id": "queueId=golden-queue",
    "author-user-id-none": "authorUserId=nobody",
    "value-categorical": "dataType=CATEGORICAL&value=good",
    "value-boolean": "dataType=BOOLEAN&value=false",
    "value-numeric": "dataType=NUMERIC&value=4",
    "value-min-max": "dataType=NUMERIC&valueMin=0.5&valueMax=0.9",
    "trace-id": f"traceId={RICH_TRACE}",
    "session-id": f"sessionId={PUBLIC_SESSION}",
    "observation-id": f"traceId={RICH_TRACE}&observationId={RICH_GENERATION}",
    "experiment-id": "experimentId=golden-run",
    "from-timestamp": "fromTimestamp=2026-11-24T09:00:01Z",
    "to-timestamp": "toTimestamp=2026-11-23T22:37:00Z",
}
SCORES_V3 = [
    Request("list", V3),
    Request("limit-5", f"{V3}?limit=5"),
    Request("limit-5-next", f"{V3}?limit=5", cursor_from="limit-5"),
    *[Request(name, f"{V3}?{query}") for name, query in _V3_FILTERS.items()],
    *[
        Request(f"fields-{group}", f"{V3}?fields={group}&limit=5")
        for group in ("details", "subject", "annotation", "details,subject,annotation")
    ],
    Request("bad-fields", f"{V3}?fields=everything"),
    Request("bad-exclusive", f"{V3}?traceId={RICH_TRACE}&sessionId={PUBLIC_SESSION}"),
    Request("bad-observation-alone", f"{V3}?observationId={RICH_GENERATION}"),
    Request("bad-value-min", f"{V3}?valueMin=1"),
    Request("bad-value-type", f"{V3}?value=1"),
    Request("bad-cursor", f"{V3}?cursor=not-base64!"),
]

# Issue 18: the JSON filter, score configs, comments, annotation queues. The scenario has no
# config or queue, and its comments (ids drawn by the server) are read back in
# tests/sdk/test_scripting_api.py: here the empty lists, refusals and missing ones.
_TAG_FILTER = '[{"type":"arrayOptions","column":"tags","operator":"any of","value":["tag-a"]}]'
_LATENCY = '[{"type":"number","column":"latency","operator":">","value":1}]'
_QUEUE = f"{A}/annotation-queues/no-such-queue"
SCRIPTING = [
    Request("traces-json-filter", f"{A}/traces?fields=core&filter={_TAG_FILTER}"),
    Request("traces-json-filter-unsupported", f"{A}/traces?filter={_LATENCY}"),
    Request("traces-json-filter-not-json", f"{A}/traces?filter=tags"),
    Request(
        "observations-json-filter",
        f"{A}/observations?filter="
        '[{"type":"string","column":"type","operator":"=","value":"EVENT"}]',
    ),
    Request(
        "scores-json-filter",
        f"{A}/v2/scores?filter="
        '[{"type":"stringOptions","column":"dataType","operator":"any of","value":["BOOLEAN"]}]',
    ),
    Request("score-configs-list", f"{A}/score-configs"),
    Request("score-configs-bad-limit", f"{A}/score-configs?limit=0"),
    Request("score-configs-get-missing", f"{A}/score-configs/no-such-config"),
    Request("comments-of-prompts", f"{A}/comments?objectType=PROMPT"),
    Request("comments-object-id-without-type", f"{A}/comments?objectId=x"),
    Request("comments-bad-type", f"{A}/comments?objectType=DATASET"),
    Request("comments-get-missing", f"{A}/comments/no-such-comment"),
    Request("queues-list", f"{A}/annotation-queues"),
    Request("queues-get-missing", _QUEUE),
    Request("queue-items-missing-queue", f"{_QUEUE}/items"),
    Request("queue-item-missing", f"{_QUEUE}/items/no-such-item"),
    Request("comments-without-key", f"{A}/comments", who="signed-out"),
]

GROUPS = {
    "api-health": HEALTH,
    "api-sessions": SESSIONS,
    "api-traces": TRACES,
    "api-observations": OBSERVATIONS,
    "api-observations-v2": OBSERVATIONS_V2,
    "api-scores-v2": SCORES_V2,
    "api-scores-v1": SCORES_V1,
    "api-scores-v3": SCORES_V3,
    "api-automations": AUTOMATIONS,
    "api-evaluation": EVALUATION,
    "api-prompts": PROMPTS,
    "api-datasets": DATASETS,
    "api-models": MODELS,
    "api-metrics": METRICS,
    "api-scripting": SCRIPTING,
}
