"""Start-up and footprint: `powerrag serve` spawn-to-healthy time, idle RSS, bytes per span.

A first start on an empty database (runs the migrations) and warm restarts on a
database filled with `--spans` of the workload; the database size is reported per
1,000 spans (SQLite: file + WAL; PostgreSQL: the tables with TOAST and indexes)
and per table/index (SQLite's `dbstat` when present; `pg_total_relation_size`).
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.backend import Backend, add_argument, backend
from benchmarks.common import emit, rss_kib
from benchmarks.floor import fill
from benchmarks.workload import Shape


def start_once(target: Backend) -> tuple[float, float]:
    """(seconds to healthy, idle RSS MB one second later) of one server start."""
    server = target.server()
    try:
        seconds = server.start()
        time.sleep(1.0)
        return seconds, rss_kib(server.pid)["VmRSS"] / 1024
    finally:
        server.stop()


def table_sizes(db: Path) -> dict[str, float]:
    """MB per table and index, largest first (empty when SQLite lacks dbstat)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
        ).fetchall()
    except sqlite3.OperationalError:
        return {}
    finally:
        conn.close()
    return {name: round(size / 2**20, 2) for name, size in rows if size >= 2**16}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spans", type=int, default=10_000, help="fill before warm restarts")
    parser.add_argument("--restarts", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    add_argument(parser)
    args = parser.parse_args()
    figures: dict[str, Any] = {"tool": "startup"}
    with (
        tempfile.TemporaryDirectory(prefix="powerrag-startup-") as tmp,
        backend(args, Path(tmp)) as target,
    ):
        figures["backend"] = target.name
        first, first_rss = start_once(target)
        figures["first_start_s"] = round(first, 3)
        figures["first_idle_rss_mb"] = round(first_rss, 1)
        shape = Shape.for_spans(args.spans, seed=args.seed)
        fill(target, shape, 100).close()
        runs = [start_once(target) for _ in range(args.restarts)]
        figures["spans"] = shape.total_spans
        figures["warm_start_s"] = [round(s, 3) for s, _ in runs]
        figures["warm_start_median_s"] = round(statistics.median(s for s, _ in runs), 3)
        figures["idle_rss_mb"] = round(statistics.median(r for _, r in runs), 1)
        sizes = target.size_figures(shape.total_spans)
        tables = sizes.pop("tables_mb", None) or table_sizes(target.data_dir / "powerrag.db")
        figures.update(sizes)
        fts = [mb for name, mb in tables.items() if "fts" in name.lower()]
        # None means the schema has no full-text index (yet), not that it is empty.
        figures["full_text_index_mb"] = round(sum(fts), 2) if fts else None
        figures["tables_mb"] = tables
    emit(figures)


if __name__ == "__main__":
    main()
