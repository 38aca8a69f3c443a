"""End-to-end ingestion: protobuf batches to a real `powerrag serve`, N requests in flight.

Measures spans/s from the first request to the last 2xx, then probes the public
read API until every span and trace is queryable and reports that lag, then until no trace
waits for the search index (`searchable_lag_s`); samples the server's RSS idle and during
the run. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, inspect, text

from benchmarks.backend import add_argument, backend
from benchmarks.common import AUTH, RssSampler, emit, rss_kib
from benchmarks.workload import CONTENT_TYPE, Shape, batches
from powerrag.store.infra.engines import normalise_url, sqlite_url

OTLP_PATH = "/api/public/otel/v1/traces"


def send_all(url: str, bodies: list[tuple[bytes, int]], inflight: int) -> dict[str, Any]:
    """POST every body with `inflight` concurrent requests; returns timings and statuses."""
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    lock = threading.Lock()
    clients = [httpx.Client(base_url=url, auth=AUTH, timeout=120.0) for _ in range(inflight)]

    def post(index: int) -> None:
        body, _ = bodies[index]
        client = clients[index % inflight]
        began = time.perf_counter()
        answer = client.post(OTLP_PATH, content=body, headers={"content-type": CONTENT_TYPE})
        with lock:
            latencies.append(time.perf_counter() - began)
            statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1

    def post_all(indexes: range) -> None:
        for index in indexes:
            post(index)

    began = time.perf_counter()
    try:
        with ThreadPoolExecutor(inflight) as pool:
            # Each worker walks its own stride, so exactly `inflight` requests are open.
            stripes = [range(i, len(bodies), inflight) for i in range(inflight)]
            for future in [pool.submit(post_all, stripe) for stripe in stripes]:
                future.result()
    finally:
        for client in clients:
            client.close()
    last_answer = time.perf_counter()
    latencies.sort()
    return {
        "elapsed_s": last_answer - began,
        "last_answer": last_answer,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "request_p50_ms": round(latencies[len(latencies) // 2] * 1000, 1),
        "request_p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 1),
    }


def queryable_counts(url: str) -> tuple[int, int]:
    """(observations, traces) as the public read API counts them."""
    with httpx.Client(base_url=url, auth=AUTH, timeout=60.0) as client:
        obs = client.get("/api/public/observations", params={"limit": 1})
        traces = client.get("/api/public/traces", params={"limit": 1})
    obs.raise_for_status()
    traces.raise_for_status()
    return int(obs.json()["meta"]["totalItems"]), int(traces.json()["meta"]["totalItems"])


def probe_lag(url: str, shape: Shape, last_answer: float, timeout: float = 600.0) -> dict[str, Any]:
    """Poll the read API until all spans and traces count; the lag is measured, not assumed."""
    expected_traces = shape.sessions * shape.traces
    probes = 0
    while True:
        probes += 1
        began = time.perf_counter()
        spans, traces = queryable_counts(url)
        done = time.perf_counter()
        if spans >= shape.total_spans and traces >= expected_traces:
            break
        if done - last_answer > timeout:
            raise RuntimeError(f"only {spans} spans / {traces} traces queryable after {timeout} s")
        time.sleep(0.01)
    return {
        # The first probe is sent right after the last 2xx; if it already sees
        # everything, nothing was left to store when the client got its answer.
        "queryable_lag_s": 0.0 if probes == 1 else round(began - last_answer, 3),
        "lag_probes": probes,
        "probe_ms": round((done - began) * 1000, 1),
        "queryable_spans": spans,
        "queryable_traces": traces,
    }


def probe_search_lag(
    database_url: str, last_answer: float, timeout: float = 600.0
) -> dict[str, Any]:
    """Poll the search index's marks (`search_pending`) until none is left: how long after
    the last answer everything became searchable. Empty for a build without the table."""
    engine = create_engine(normalise_url(database_url))
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("search_pending"):
                return {}
        while True:
            with engine.connect() as conn:
                left = conn.execute(text("SELECT count(*) FROM search_pending")).scalar_one()
            waited = time.perf_counter() - last_answer
            if left == 0:
                return {"searchable_lag_s": round(waited, 3)}
            if waited > timeout:
                raise RuntimeError(f"{left} traces still not searchable after {timeout} s")
            time.sleep(0.05)
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spans", type=int, default=40_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--inflight", type=int, default=4)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--url", default=None, help="target a running server (no RSS figures)")
    parser.add_argument("--pid-file", default=None, help="write the server pid here (profiling)")
    add_argument(parser)
    args = parser.parse_args()
    shape = Shape.for_spans(args.spans, seed=args.seed)
    bodies = list(batches(shape, args.batch))
    figures: dict[str, Any] = {"tool": "ingest", "spans": shape.total_spans, "batch": args.batch}
    figures["inflight"] = args.inflight
    figures["mb_sent"] = round(sum(len(b) for b, _ in bodies) / 2**20, 1)
    if args.url:
        figures.update(_run(args.url, bodies, shape, args.inflight))
        figures.pop("last_answer")
        emit(figures)
        return
    with (
        tempfile.TemporaryDirectory(prefix="powerrag-bench-") as tmp,
        backend(args, Path(tmp)) as target,
        target.server() as server,
    ):
        figures["backend"] = target.name
        if args.pid_file:
            with open(args.pid_file, "w") as f:
                f.write(str(server.pid))
        time.sleep(1.0)
        figures["idle_rss_mb"] = round(rss_kib(server.pid)["VmRSS"] / 1024, 1)
        with RssSampler(server.pid) as sampler:
            figures.update(_run(server.url, bodies, shape, args.inflight))
            url = target.database_url() or sqlite_url(server.data_dir)
            figures.update(probe_search_lag(url, figures.pop("last_answer")))
        figures["peak_rss_mb"] = round(sampler.peak_kib / 1024, 1)
        figures["vm_hwm_mb"] = round(rss_kib(server.pid)["VmHWM"] / 1024, 1)
        figures.update(target.size_figures(shape.total_spans))
    emit(figures)


def _run(url: str, bodies: list[tuple[bytes, int]], shape: Shape, inflight: int) -> dict[str, Any]:
    sent = send_all(url, bodies, inflight)
    lag = probe_lag(url, shape, sent["last_answer"])
    return {
        "spans_per_s": round(shape.total_spans / sent["elapsed_s"]),
        "elapsed_s": round(sent["elapsed_s"], 2),
        "statuses": sent["statuses"],
        "request_p50_ms": sent["request_p50_ms"],
        "request_p95_ms": sent["request_p95_ms"],
        "last_answer": sent["last_answer"],
        **lag,
    }


if __name__ == "__main__":
    main()
