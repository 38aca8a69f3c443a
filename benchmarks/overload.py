"""Overload: OTLP at 3× the sustainable rate, from a generator that retries like an exporter.

1. Calibrate: closed-loop senders measure the spans/s a real `powerrag serve` stores.
2. Burst: an open-loop generator offers `--factor` × that rate for `--seconds`. Each body
   is retried as the OTel exporters do (429/502/503/504, honouring Retry-After) until its
   deadline (`--timeouts`, the SDK's LANGFUSE_TIMEOUT, 5 s by default), then dropped.
3. Count what arrived: acknowledged spans are compared with the rows in the database.
4. The same burst from the real Python SDK (`.sdk-envs/py-5.0.4`, built by
   `scripts/test-deps.sh`) with its default settings and with a longer exporter
   deadline and a larger span queue: what arrived, and what the SDK gave up on.
Prints one JSON line per run.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from benchmarks.common import AUTH, PUBLIC_KEY, SECRET_KEY, RssSampler, Server, emit, summary_ms
from benchmarks.workload import CONTENT_TYPE, Shape, batches

OTLP_PATH = "/api/public/otel/v1/traces"
RETRYABLE = (429, 502, 503, 504)


@dataclass
class Outcome:
    acked_first: int = 0
    acked_retried: int = 0
    dropped: int = 0
    spans_acked: int = 0
    spans_dropped: int = 0
    acked_bodies: list[bytes] = field(default_factory=list)
    attempts: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def export(client: httpx.Client, body: bytes, spans: int, deadline_s: float, out: Outcome) -> None:
    """One export with the exporter's retry policy; records whether it arrived."""
    began = time.monotonic()
    backoff, tries = 1.0, 0
    while True:
        tries += 1
        remaining = deadline_s - (time.monotonic() - began)
        try:
            response = client.post(
                OTLP_PATH,
                content=body,
                headers={"content-type": CONTENT_TYPE},
                timeout=max(remaining, 0.1),
            )
            status = str(response.status_code)
        except httpx.TransportError as exc:
            response, status = None, type(exc).__name__
        with out.lock:
            out.attempts[status] += 1
        if response is not None and response.is_success:
            with out.lock:
                out.acked_first += tries == 1
                out.acked_retried += tries > 1
                out.spans_acked += spans
                out.acked_bodies.append(body)
                out.latencies.append(time.monotonic() - began)
            return
        retryable = response is None or response.status_code in RETRYABLE
        wait = (
            float(response.headers.get("retry-after", backoff)) if response is not None else backoff
        )
        if not retryable or time.monotonic() - began + wait >= deadline_s:
            with out.lock:
                out.dropped += 1
                out.spans_dropped += spans
            return
        time.sleep(wait)
        backoff = min(backoff * 2, 32.0)


def calibrate(url: str, bodies: list[tuple[bytes, int]], seconds: float, threads: int) -> float:
    """Spans/s stored with `threads` closed-loop senders."""
    stop = time.monotonic() + seconds
    stored = Counter[str]()
    lock = threading.Lock()
    cursor = iter(range(10**9))

    def worker() -> None:
        with httpx.Client(base_url=url, auth=AUTH, timeout=60) as client:
            while time.monotonic() < stop:
                with lock:
                    body, spans = bodies[next(cursor) % len(bodies)]
                if client.post(
                    OTLP_PATH, content=body, headers={"content-type": CONTENT_TYPE}
                ).is_success:
                    with lock:
                        stored["spans"] += spans

    began = time.monotonic()
    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return stored["spans"] / (time.monotonic() - began)


def burst(
    server: Server, bodies: list[tuple[bytes, int]], rate: float, seconds: float, deadline: float
) -> dict[str, Any]:
    """Offer `rate` spans/s for `seconds`, open loop; each body retried until `deadline`."""
    out = Outcome()
    stored_before = _stored_spans(server)
    per_body = bodies[0][1]
    interval = per_body / rate
    count = int(seconds / interval)
    limits = httpx.Limits(max_connections=1024, max_keepalive_connections=1024)
    with (
        httpx.Client(base_url=server.url, auth=AUTH, limits=limits) as client,
        ThreadPoolExecutor(max_workers=1024) as pool,
        RssSampler(server.pid) as rss,
    ):
        began = time.monotonic()
        for index in range(count):
            time.sleep(max(0.0, began + index * interval - time.monotonic()))
            body, spans = bodies[index % len(bodies)]
            pool.submit(export, client, body, spans, deadline, out)
        pool.shutdown(wait=True)
        elapsed = time.monotonic() - began
    stored = _stored_spans(server) - stored_before
    return {
        "exporter_deadline_s": deadline,
        "offered_spans_per_s": round(rate),
        "offered_seconds": seconds,
        "bodies": count,
        "spans_offered": count * per_body,
        "acked_first_try": out.acked_first,
        "acked_after_retries": out.acked_retried,
        "dropped_bodies": out.dropped,
        "spans_acked": out.spans_acked,
        "spans_dropped": out.spans_dropped,
        # Stored includes bodies whose sender timed out before the answer came.
        "spans_stored": stored,
        "acked_spans_missing": _missing(server, out.acked_bodies),
        "attempts_by_status": dict(out.attempts),
        "drain_seconds": round(elapsed, 1),
        "ack_latency": summary_ms(out.latencies) if out.latencies else {},
        "server_peak_rss_mib": round(rss.peak_kib / 1024),
    }


def _missing(server: Server, bodies: list[bytes]) -> int:
    """Spans of acknowledged bodies that are not in the database (must be 0)."""
    conn = sqlite3.connect(f"file:{server.data_dir / 'powerrag.db'}?mode=ro", uri=True)
    try:
        stored = {row[0] for row in conn.execute("SELECT id FROM observations")}
    finally:
        conn.close()
    missing = 0
    for body in bodies:
        request = ExportTraceServiceRequest.FromString(body)
        for rs in request.resource_spans:
            for ss in rs.scope_spans:
                missing += sum(span.span_id.hex() not in stored for span in ss.spans)
    return missing


def _stored_spans(server: Server) -> int:
    conn = sqlite3.connect(f"file:{server.data_dir / 'powerrag.db'}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM observations").fetchone()[0])
    finally:
        conn.close()


SDK_PYTHON = Path(__file__).resolve().parents[1] / ".sdk-envs" / "py-5.0.4" / "bin" / "python"
# Runs inside the SDK's virtualenv: `count` generations at `rate` per second, then flush.
SDK_SCRIPT = """
import json, logging, sys, time
from langfuse import Langfuse

count, rate = int(sys.argv[1]), float(sys.argv[2])
seen = {"queue_full_drops": 0, "export_errors": 0}

class Tally(logging.Handler):
    def emit(self, record):
        if "Queue full" in record.getMessage():
            seen["queue_full_drops"] += 1
        elif record.levelno >= logging.WARNING and record.name.startswith("opentelemetry"):
            seen["export_errors"] += 1

logging.getLogger().addHandler(Tally())
client = Langfuse()
began = time.monotonic()
for i in range(count):
    time.sleep(max(0.0, began + i / rate - time.monotonic()))
    with client.start_as_current_observation(name=f"turn-{i}", as_type="generation",
                                             model="gpt-4o-mini") as gen:
        gen.update(input="question", output="answer", usage_details={"input": 10, "output": 5})
created = time.monotonic() - began
client.flush()
seen.update(created_seconds=round(created, 1), flushed_seconds=round(time.monotonic() - began, 1))
print(json.dumps(seen))
"""


def sdk_burst(server: Server, spans: int, rate: float, settings: dict[str, str]) -> dict[str, Any]:
    """Run the real SDK against the server; spans stored are counted in the database."""
    before = _stored_spans(server)
    env = {
        **os.environ,
        "LANGFUSE_BASE_URL": server.url,
        "LANGFUSE_PUBLIC_KEY": PUBLIC_KEY,
        "LANGFUSE_SECRET_KEY": SECRET_KEY,
        **settings,
    }
    done = subprocess.run(
        [str(SDK_PYTHON), "-c", SDK_SCRIPT, str(spans), str(rate)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=1800,
    )
    child = json.loads(done.stdout.strip().splitlines()[-1])
    stored = _stored_spans(server) - before
    return {
        "sdk": "python langfuse 5.0.4",
        "sdk_settings": settings,
        "offered_spans_per_s": round(rate),
        "spans_created": spans,
        "spans_stored": stored,
        "spans_lost": spans - stored,
        **child,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--factor", type=float, default=3.0, help="times the sustainable rate")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the burst")
    parser.add_argument("--calibrate-seconds", type=float, default=10.0)
    parser.add_argument("--spans-per-body", type=int, default=100)
    parser.add_argument("--timeouts", default="5,30", help="exporter deadlines to try, seconds")
    parser.add_argument("--sdk", action="store_true", help="also burst from the real Python SDK")
    parser.add_argument(
        "--queue-wait",
        default="",
        help="the server's POWERRAG_QUEUE_WAIT_SECONDS (default: its own)",
    )
    args = parser.parse_args()
    env = {"POWERRAG_QUEUE_WAIT_SECONDS": args.queue_wait} if args.queue_wait else {}
    for deadline in (float(t) for t in args.timeouts.split(",")):
        with Server(extra_env=env) as server:
            sustainable = _calibrate(server, args)
            total = int(sustainable * args.factor * args.seconds) + args.spans_per_body
            bodies = list(batches(Shape.for_spans(total, seed=2), args.spans_per_body))
            result = burst(server, bodies, sustainable * args.factor, args.seconds, deadline)
            result["sustainable_spans_per_s"] = round(sustainable)
            result["server_queue_wait_s"] = float(args.queue_wait or 4.0)
            emit(result)
    if not args.sdk:
        return
    if not SDK_PYTHON.exists():
        raise SystemExit(f"{SDK_PYTHON} is missing: run `bash scripts/test-deps.sh` first")
    for settings in (
        {},
        {"LANGFUSE_TIMEOUT": "60", "OTEL_BSP_MAX_QUEUE_SIZE": "1000000"},
    ):
        with Server() as server:
            rate = _calibrate(server, args) * args.factor
            result = sdk_burst(server, int(rate * args.seconds), rate, settings)
            emit(result)


def _calibrate(server: Server, args: argparse.Namespace) -> float:
    warmup = list(batches(Shape.for_spans(20_000, seed=1), args.spans_per_body))
    return calibrate(server.url, warmup, args.calibrate_seconds, threads=8)


if __name__ == "__main__":
    main()
