"""Full-text search on both engines: words in any order, Chinese words, error messages and
names, partial user and environment filters, and an index that follows every write.

The world tells the rules apart: words split over two turns (a session matches, no trace
does), a plural (prefix match), the four characters of 杭州推荐 in another order (no
match), words that are only JSON keys (not content).
"""

from __future__ import annotations

from typing import Any

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import text

from powerrag.domain.filters import (
    PageRequest,
    SessionFilter,
    SessionOrder,
    TraceFilter,
    TraceOrder,
)
from powerrag.search_indexer import SearchIndexer
from powerrag.store import sessions, traces
from powerrag.store.database import Store
from powerrag.store.infra import migrate
from tests.support.project import PROJECT_ID
from tests.support.search import app_indexer, index_now

_T0 = "2026-02-01T10:00:{:02d}.000Z"

# trace id, session, user, environment, the generation's input, output (None: no generation)
_TURNS: list[tuple[str, str | None, str, str, Any, Any]] = [
    (
        "t-refund",
        "s-refund",
        "alice@example.com",
        "production",
        [{"role": "user", "content": "I want a refund for my headphones"}],
        "Sure.",
    ),
    ("t-split-1", "s-split", "bob@example.com", "staging", "refund please", "ok"),
    ("t-split-2", "s-split", "bob@example.com", "staging", "my headphones broke", "ok"),
    ("t-refunds", "s-plural", "malice", "prod-eu", "two refunds and new headphones", "ok"),
    ("t-hz", "s-hz", "wang.lei", "staging", "你好，我想去杭州玩三天，有什么推荐？", "好的"),
    ("t-hz-only", "s-hz-only", "wang.lei", "staging", "杭州天气怎么样", "晴"),
    ("t-near", "s-near", "li", "staging", "杭推州荐", "?"),
    ("t-loose", None, "dave", "staging", "refund headphones", "ok"),
]


def _events() -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for i, (trace_id, session, user, env, given, answer) in enumerate(_TURNS):
        events.append(_trace(trace_id, i, sessionId=session, userId=user, environment=env))
        events.append(
            _observation(
                "generation-create",
                f"{trace_id}-gen",
                trace_id,
                i,
                input=given,
                output=answer,
                environment=env,
            )
        )
    events += [
        _trace("t-only", 20, sessionId="s-only", userId="carol", input="refund my order"),
        _trace("t-err", 21, sessionId="s-err", userId="erin"),
        _observation(
            "span-create",
            "t-err-tool",
            "t-err",
            21,
            name="lookup",
            level="ERROR",
            statusMessage="upstream Timeout after 30s",
        ),
        _trace("t-name", 22, sessionId="s-name", userId="nick"),
        _observation("span-create", "t-name-step", "t-name", 22, name="search-policies"),
    ]
    return events


def _trace(trace_id: str, second: int, **fields: Any) -> dict[str, Any]:
    body = {"id": trace_id, "timestamp": _T0.format(second), "name": "turn", **fields}
    return {
        "id": f"ev-{trace_id}",
        "type": "trace-create",
        "timestamp": body["timestamp"],
        "body": body,
    }


def _observation(
    kind: str, obs_id: str, trace_id: str, second: int, **fields: Any
) -> dict[str, Any]:
    at = _T0.format(second)
    body = {"id": obs_id, "traceId": trace_id, "startTime": at, **fields}
    return {"id": f"ev-{obs_id}-{kind}-{second}", "type": kind, "timestamp": at, "body": body}


def _send(client: TestClient, events: list[dict[str, Any]]) -> None:
    """Ingest, then index what was marked (the app's indexer does it after the commit)."""
    answer = client.post("/api/public/ingestion", json={"batch": events})
    assert answer.status_code == 207 and answer.json()["errors"] == [], answer.text
    index_now(client)


def _sessions(store: Store, **criteria: Any) -> set[str]:
    f = SessionFilter(**criteria)
    with store.connect() as conn:
        found = sessions.list_sessions(conn, PROJECT_ID, f, SessionOrder(), PageRequest(1, 100))
        assert sessions.count_sessions(conn, PROJECT_ID, f) == len(found)
    return {s.id for s in found}


def _traces(store: Store, **criteria: Any) -> set[str]:
    f = TraceFilter(**criteria)
    with store.connect() as conn:
        found = traces.list_traces(conn, PROJECT_ID, f, TraceOrder(), PageRequest(1, 100))
        assert traces.count_traces(conn, PROJECT_ID, f) == len(found)
    return {t.id for t in found}


SESSION_SEARCHES: list[tuple[str, set[str]]] = [
    ("refund headphones", {"s-refund", "s-split", "s-plural"}),
    ("headphones refund", {"s-refund", "s-split", "s-plural"}),
    ("REFUND", {"s-refund", "s-split", "s-plural", "s-only"}),
    ("refunds", {"s-plural"}),
    ("杭州天气", {"s-hz-only"}),
    ("推荐杭州", set()),
    ("杭州 推荐", {"s-hz"}),
    ("推荐 杭州", {"s-hz"}),
    ("杭州", {"s-hz", "s-hz-only"}),
    ("杭", {"s-hz", "s-hz-only", "s-near"}),
    ("推州", {"s-near"}),
    ("timeout", {"s-err"}),
    ("upstream 30s", {"s-err"}),
    ("policies", {"s-name"}),
    ("role content", set()),
    ("!!!", set()),
]
TRACE_SEARCHES: list[tuple[str, set[str]]] = [
    ("refund headphones", {"t-refund", "t-refunds", "t-loose"}),
    ("refund", {"t-refund", "t-split-1", "t-refunds", "t-loose", "t-only"}),
    ("杭州 推荐", {"t-hz"}),
    ("lookup timeout", {"t-err"}),
    ("turn", {t[0] for t in _TURNS} | {"t-only", "t-err", "t-name"}),
    ("t-name", {"t-name"}),
]


@pytest.fixture
def world(client: TestClient, store: Store) -> Store:
    _send(client, _events())
    return store


def _check_searches(store: Store) -> None:
    for query, expected in SESSION_SEARCHES:
        assert _sessions(store, text=query) == expected, query
    for query, expected in TRACE_SEARCHES:
        assert _traces(store, text=query) == expected, query


def test_words_in_any_order_chinese_errors_and_names_find_exactly_their_rows(world: Store) -> None:
    _check_searches(world)


def test_user_and_environment_filters_match_parts_case_insensitively(world: Store) -> None:
    assert _sessions(world, user_contains="alice") == {"s-refund", "s-plural"}
    assert _sessions(world, user_contains="ALICE@") == {"s-refund"}
    assert _sessions(world, environment_contains="prod") == {"s-refund", "s-plural"}
    assert _sessions(world, environment_contains="PROD-") == {"s-plural"}
    assert _traces(world, user_contains="wang") == {"t-hz", "t-hz-only"}
    assert _traces(world, environment_contains="uction") == {"t-refund"}
    assert _sessions(world, user_contains="bob", text="refund headphones") == {"s-split"}


def test_the_index_follows_updates_late_events_and_deletions(
    world: Store, client: TestClient
) -> None:
    newer = _observation(
        "generation-update", "t-refund-gen", "t-refund", 40, output="Your parcel ships today"
    )
    _send(client, [newer])
    assert _sessions(world, text="parcel") == {"s-refund"}
    assert _sessions(world, text="sure") == set()
    older = _observation("generation-update", "t-refund-gen", "t-refund", 30, output="stale words")
    _send(client, [older])
    assert _sessions(world, text="stale") == set()
    assert _sessions(world, text="parcel") == {"s-refund"}

    assert client.delete("/api/public/traces/t-hz").status_code == 200
    assert _sessions(world, text="杭州 推荐") == set()
    assert _traces(world, text="杭州") == {"t-hz-only"}
    with world.connect() as conn:
        left = conn.execute(text("SELECT count(*) FROM search_documents WHERE trace_id = 't-hz'"))
        assert left.scalar_one() == 0


def test_migration_0008_marks_the_data_stored_before_it_for_the_indexer(
    world: Store, client: TestClient, database_url: str
) -> None:
    app_indexer(client).stop()  # this test indexes in its own thread
    with world.transaction() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(text("DROP TABLE search_fts"))
        conn.execute(text("DROP TABLE search_documents"))
        conn.execute(text("DROP TABLE search_pending"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0007'"))
    assert _index_size(world) is None

    # 0008 alone: the later migrations' tables are still there.
    command.upgrade(migrate.alembic_config(database_url), "0008")
    with world.transaction() as conn:
        conn.execute(text(f"UPDATE alembic_version SET version_num = '{migrate.head_revision()}'"))

    traces_stored = len(_TURNS) + 3
    assert _index_size(world) == 0
    assert world.search_backlog(PROJECT_ID).traces == traces_stored
    assert SearchIndexer(world).drain() == traces_stored
    assert _index_size(world) == traces_stored
    assert world.search_backlog().traces == 0
    _check_searches(world)


def _index_size(store: Store) -> int | None:
    with store.connect() as conn:
        present = conn.dialect.has_table(conn, "search_documents")
        if not present:
            return None
        return int(conn.execute(text("SELECT count(*) FROM search_documents")).scalar_one())


def test_a_search_of_too_many_words_is_refused_by_name(world: Store) -> None:
    from powerrag.domain.errors import InvalidRequestError

    with pytest.raises(InvalidRequestError, match=r"search: at most 16 words, got 17"):
        _sessions(world, text=" ".join(f"w{i}" for i in range(17)))
