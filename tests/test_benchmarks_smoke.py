"""Each benchmark tool runs end to end on a tiny workload and prints one JSON line.

Not a timed test: figures are checked for shape and consistency, never for speed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from benchmarks.workload import Generator, Shape, batches

ROOT = Path(__file__).resolve().parents[1]


def run_tool(module: str, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{module}", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout
    figures: dict[str, Any] = json.loads(lines[0])
    assert figures["tool"] == module
    return figures


def test_workload_is_deterministic_and_sized_like_llm_traffic() -> None:
    first = [body for body, _ in batches(Shape(sessions=3, seed=5), 7)]
    again = [body for body, _ in batches(Shape(sessions=3, seed=5), 7)]
    other = [body for body, _ in batches(Shape(sessions=3, seed=6), 7)]
    assert first == again
    assert first != other
    spans = list(Generator(Shape(sessions=3)).spans())
    assert len(spans) == 3 * 5 * 4
    assert 2000 <= sum(s.ByteSize() for s in spans) / len(spans) <= 3000
    keys = {kv.key for s in spans for kv in s.attributes}
    assert {"session.id", "gen_ai.usage.input_tokens", "openinference.span.kind"} <= keys


def test_workload_tool() -> None:
    figures = run_tool("workload", "--spans", "40", "--batch", "10")
    assert figures["spans"] == 40
    assert figures["requests"] == 4


def test_floor_writes_every_span() -> None:
    figures = run_tool("floor", "--spans", "40", "--batch", "10", "--threads", "2")
    assert figures["spans"] == 40
    assert figures["serial_spans_per_s"] > 0
    assert figures["pipeline_spans_per_s"] > 0


@pytest.mark.slow
def test_ingest_against_a_real_server_finds_every_span_queryable() -> None:
    figures = run_tool("ingest", "--spans", "40", "--batch", "10", "--inflight", "2")
    assert figures["statuses"] == {"200": 4}
    assert figures["queryable_spans"] == 40
    assert figures["queryable_traces"] == 10
    assert figures["peak_rss_mb"] > 0


@pytest.mark.slow
def test_reads_probes_api_and_ui(tmp_path: Path) -> None:
    args = ("--sessions", "2", "--long-traces", "10", "--repeat", "2", "--data-dir", str(tmp_path))
    figures = run_tool("reads", *args)
    assert figures["spans"] == 2 * 20 + 10 * 4 + 50
    for name in ("api_sessions_list_50", "api_session_long", "api_trace_50_observations"):
        assert figures[name]["n"] == 2
    assert json.loads((tmp_path / "bench-shape.json").read_text())["spans"] == figures["spans"]


@pytest.mark.slow
def test_startup_reports_time_memory_and_size() -> None:
    figures = run_tool("startup", "--spans", "40", "--restarts", "1")
    assert figures["first_start_s"] > 0
    assert len(figures["warm_start_s"]) == 1
    assert figures["db_mb_per_1k_spans"] > 0


def test_hotspots_summarises_collapsed_stacks(tmp_path: Path) -> None:
    profile = tmp_path / "profile.txt"
    profile.write_text(
        "main (app.py:1);write (powerrag/store/writer.py:9) 3\n"
        "main (app.py:1);decode (powerrag/ingest/otlp.py:5) 1\n"
    )
    figures = run_tool("hotspots", str(profile))
    assert figures["samples"] == 4
    assert figures["self_pct"][0] == ["powerrag/store/writer.py:write", 75.0]
    assert ["app.py:main", 100.0] in figures["total_pct"]


@pytest.mark.parametrize("bad", ["0", "-3"])
def test_batch_size_must_be_positive(bad: str) -> None:
    with pytest.raises(ValueError, match="batch size"):
        next(batches(Shape(sessions=1), int(bad)))


def test_repeat_reports_median_and_spread() -> None:
    figures = run_tool("repeat", "2", "workload", "--spans", "40", "--batch", "10")
    assert len(figures["runs"]) == 2
    assert figures["figures"]["spans"] == {"median": 40.0, "min": 40.0, "max": 40.0}


@pytest.mark.slow
@pytest.mark.postgres
def test_floor_and_ingest_on_postgres_write_every_span() -> None:
    floor = run_tool("floor", "--spans", "40", "--batch", "10", "--threads", "2", "--postgres")
    assert floor["backend"] == "postgresql"
    assert floor["pipeline_spans_per_s"] > 0
    assert floor["db_mb_per_1k_spans"] > 0
    figures = run_tool("ingest", "--spans", "40", "--batch", "10", "--inflight", "2", "--postgres")
    assert figures["backend"] == "postgresql"
    assert figures["statuses"] == {"200": 4}
    assert (figures["queryable_spans"], figures["queryable_traces"]) == (40, 10)
    assert figures["pg_database_mb"] > figures["db_mb"] > 0
    assert figures["tables_mb"]["observations"] > 0


@pytest.mark.slow
@pytest.mark.postgres
def test_startup_on_postgres_runs_migrations_then_restarts() -> None:
    figures = run_tool("startup", "--spans", "40", "--restarts", "1", "--postgres")
    assert figures["backend"] == "postgresql"
    assert figures["first_start_s"] > 0
    assert len(figures["warm_start_s"]) == 1
    assert figures["tables_mb"]["observations"] > 0


@pytest.mark.slow
@pytest.mark.postgres
def test_reads_on_postgres_keeps_and_reuses_its_cluster() -> None:
    # Not tmp_path: the `postgres` user must reach the cluster, and pytest's base is private.
    with tempfile.TemporaryDirectory(prefix="powerrag-bench-smoke-") as tmp:
        _reads_twice_on_one_cluster(Path(tmp))


def _reads_twice_on_one_cluster(tmp_path: Path) -> None:
    args = ("--sessions", "2", "--long-traces", "10", "--repeat", "2", "--data-dir", str(tmp_path))
    first = run_tool("reads", *args, "--postgres")
    again = run_tool("reads", *args, "--postgres")
    assert first["backend"] == again["backend"] == "postgresql"
    assert first["spans"] == again["spans"] == 2 * 20 + 10 * 4 + 50
    assert again["fill_s"] == first["fill_s"]  # the marker's: the database was not refilled
    assert again["api_session_long"]["n"] == 2
    assert "ui_error" not in again
    assert (tmp_path / "postgres" / "data" / "PG_VERSION").exists()
    with pytest.raises(AssertionError, match="holds another shape"):
        run_tool("reads", *args)
