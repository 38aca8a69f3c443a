"""Read-only checks of a PowerRAG SQLite file: stored spans and summary consistency."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.bodies import SpanSpec


@contextmanager
def open_read_only(db: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to the file, closed on exit (the server may be running)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        yield conn
    finally:
        conn.close()


def missing_or_wrong(conn: sqlite3.Connection, project_id: str, specs: list[SpanSpec]) -> list[str]:
    """Problems with the stored copies of `specs` (empty when every one is stored as sent)."""
    rows = {
        r["id"]: r
        for r in conn.execute(
            "SELECT id, trace_id, parent_observation_id, name, start_time, input_tokens,"
            " output_tokens FROM observations WHERE project_id = ?",
            (project_id,),
        )
    }
    problems = []
    for spec in specs:
        row = rows.get(spec.span_id)
        if row is None:
            problems.append(f"missing span {spec.span_id}")
            continue
        expected = (
            spec.trace_id,
            spec.parent_id,
            spec.name,
            spec.start_ns // 1000,
            spec.input_tokens,
            spec.output_tokens,
        )
        stored = (
            row["trace_id"],
            row["parent_observation_id"],
            row["name"],
            row["start_time"],
            row["input_tokens"],
            row["output_tokens"],
        )
        if stored != expected:
            problems.append(f"span {spec.span_id}: stored {stored}, sent {expected}")
    return problems


def inconsistencies(conn: sqlite3.Connection, project_id: str) -> list[str]:
    """Summary rows that differ from what they summarise (traces from observations,
    sessions from traces)."""
    problems = []
    trace_sql = """
        SELECT t.id, t.observation_count, t.input_tokens, t.output_tokens, t.total_cost,
               COUNT(o.id) AS n, COALESCE(SUM(o.input_tokens), 0) AS inp,
               COALESCE(SUM(o.output_tokens), 0) AS outp, COALESCE(SUM(o.total_cost), 0) AS cost
        FROM traces t LEFT JOIN observations o ON o.project_id = t.project_id AND o.trace_id = t.id
        WHERE t.project_id = ? GROUP BY t.id"""
    for r in conn.execute(trace_sql, (project_id,)):
        if (r["observation_count"], r["input_tokens"], r["output_tokens"]) != (
            r["n"],
            r["inp"],
            r["outp"],
        ) or abs(r["total_cost"] - r["cost"]) > 1e-9:
            problems.append(f"trace {r['id']} figures differ from its observations")
    session_sql = """
        SELECT s.id, s.trace_count, s.input_tokens, s.output_tokens, s.total_tokens, s.total_cost,
               COUNT(t.id) AS n, COALESCE(SUM(t.input_tokens), 0) AS inp,
               COALESCE(SUM(t.output_tokens), 0) AS outp, COALESCE(SUM(t.total_tokens), 0) AS tot,
               COALESCE(SUM(t.total_cost), 0) AS cost
        FROM sessions s LEFT JOIN traces t ON t.project_id = s.project_id AND t.session_id = s.id
        WHERE s.project_id = ? GROUP BY s.id"""
    for r in conn.execute(session_sql, (project_id,)):
        if (r["trace_count"], r["input_tokens"], r["output_tokens"], r["total_tokens"]) != (
            r["n"],
            r["inp"],
            r["outp"],
            r["tot"],
        ) or abs(r["total_cost"] - r["cost"]) > 1e-9:
            problems.append(f"session {r['id']} figures differ from its traces: {dict(r)}")
    orphans = conn.execute(
        "SELECT COUNT(*) FROM traces t WHERE t.project_id = ? AND t.session_id IS NOT NULL AND"
        " NOT EXISTS (SELECT 1 FROM sessions s WHERE s.project_id = t.project_id"
        " AND s.id = t.session_id)",
        (project_id,),
    ).fetchone()[0]
    if orphans:
        problems.append(f"{orphans} traces name a session that has no row")
    return problems


def expected_session_tokens(specs: list[SpanSpec]) -> dict[str, tuple[int, int, int]]:
    """Per session: (traces, input tokens, output tokens) of everything in `specs`."""
    session_of: dict[str, str] = {s.trace_id: s.session_id for s in specs if s.session_id}
    traces: dict[str, set[str]] = defaultdict(set)
    inp: dict[str, int] = defaultdict(int)
    out: dict[str, int] = defaultdict(int)
    for spec in specs:
        session = session_of.get(spec.trace_id)
        if session:
            traces[session].add(spec.trace_id)
            inp[session] += spec.input_tokens
            out[session] += spec.output_tokens
    return {s: (len(traces[s]), inp[s], out[s]) for s in traces}


def stored_session_tokens(
    conn: sqlite3.Connection, project_id: str
) -> dict[str, tuple[int, int, int]]:
    rows = conn.execute(
        "SELECT id, trace_count, input_tokens, output_tokens FROM sessions WHERE project_id = ?",
        (project_id,),
    )
    return {
        r["id"]: (r["trace_count"], int(r["input_tokens"]), int(r["output_tokens"])) for r in rows
    }
