"""Receiving every recorded SDK body twice stores exactly what receiving it once did.

SDKs resend byte-identical bodies after timeouts and 429/503 (tests/data/sdk-traffic.md §7.2);
the architecture promises that a resend changes nothing.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from powerrag.store.database import Store
from powerrag.store.infra.schema import metadata
from tests.support.recorded import fixture_files, writes
from tests.support.replay import replay_writes

TABLES = ["traces", "trace_updates", "observations", "sessions", "scores"]
WRITE_FILES = [name for name in fixture_files() if writes(name)]


def dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the data tables, without the columns that record when a write ran."""
    result = {}
    with store.connect() as conn:
        for name in TABLES:
            table = metadata.tables[name]
            columns = [c for c in table.c if c.name != "updated_at"]
            pk = list(table.primary_key.columns)
            rows = conn.execute(select(*columns).order_by(*pk)).all()
            result[name] = [tuple(row) for row in rows]
    return result


def test_every_fixture_body_sent_twice_changes_nothing(client: TestClient, store: Store) -> None:
    for name in WRITE_FILES:
        replay_writes(client, name)
    once = dump(store)
    assert all(once[t] for t in TABLES)
    for name in WRITE_FILES:
        replay_writes(client, name)
    assert dump(store) == once


def test_reads_are_unchanged_by_a_resend(client: TestClient) -> None:
    urls = ["/api/public/traces?limit=100", "/api/public/sessions", "/api/public/v2/scores"]
    for name in WRITE_FILES:
        replay_writes(client, name)
    before = [client.get(url).json() for url in urls]
    for name in WRITE_FILES:
        replay_writes(client, name)
    after = [client.get(url).json() for url in urls]
    strip = _without_updated_at
    assert strip(after) == strip(before)


def _without_updated_at(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_updated_at(v) for k, v in value.items() if k != "updatedAt"}
    if isinstance(value, list):
        return [_without_updated_at(v) for v in value]
    return value
