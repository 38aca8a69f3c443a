"""The in-process floor: the workload's batches decoded, mapped and written with no HTTP.

`serial` decodes and commits one request at a time (decode and write timed apart);
`pipeline` decodes in several submitter threads and hands the batches to
`Pipeline.submit_sync`, so the writer thread and group commit are included as the
server uses them. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.backend import Backend, add_argument, backend
from benchmarks.common import PROJECT_ID, emit
from benchmarks.workload import CONTENT_TYPE, Shape, batches
from powerrag.domain.records import IngestBatch
from powerrag.ingest.otlp_request import decode_otlp_request
from powerrag.pipeline import Pipeline
from powerrag.store.database import Store

MAX_BYTES = 32 * 1024 * 1024


def decode(body: bytes) -> IngestBatch:
    return decode_otlp_request(
        body,
        content_type=CONTENT_TYPE,
        content_encoding=None,
        ingestion_version=None,
        max_bytes=MAX_BYTES,
    )


def run_serial(store: Store, bodies: list[tuple[bytes, int]]) -> dict[str, float]:
    decode_s = write_s = 0.0
    for body, _ in bodies:
        t0 = time.perf_counter()
        batch = decode(body)
        t1 = time.perf_counter()
        store.write_batches([(PROJECT_ID, batch)])
        write_s += time.perf_counter() - t1
        decode_s += t1 - t0
    spans = sum(n for _, n in bodies)
    return {
        "serial_spans_per_s": round(spans / (decode_s + write_s)),
        "decode_us_per_span": round(decode_s / spans * 1e6, 1),
        "write_us_per_span": round(write_s / spans * 1e6, 1),
    }


def run_pipeline(store: Store, bodies: list[tuple[bytes, int]], threads: int) -> float:
    """Spans/s through the server's own writer thread and group commit."""
    pipeline = Pipeline(store)
    pipeline.start()
    try:
        began = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            jobs = [pool.submit(_decode_and_submit, pipeline, body) for body, _ in bodies]
            for job in jobs:
                job.result()
        elapsed = time.perf_counter() - began
    finally:
        pipeline.stop()
    return sum(n for _, n in bodies) / elapsed


def _decode_and_submit(pipeline: Pipeline, body: bytes) -> None:
    """What a server request does: decode in its own thread, then wait for the commit."""
    pipeline.submit_sync(PROJECT_ID, decode(body))


def fill(target: Backend, shape: Shape, batch_size: int, threads: int = 4) -> Store:
    """Write a whole shape through the pipeline, generating lazily (used by reads.py)."""
    store = target.store()
    pipeline = Pipeline(store, max_pending=threads * 2, wait_seconds=60.0)
    pipeline.start()
    try:
        with ThreadPoolExecutor(threads) as pool:
            pending = []
            for body, _ in batches(shape, batch_size):
                pending.append(pool.submit(_decode_and_submit, pipeline, body))
                if len(pending) >= threads * 4:
                    pending.pop(0).result()
            for job in pending:
                job.result()
    finally:
        pipeline.stop()
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spans", type=int, default=40_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--threads", type=int, default=4, help="submitters for pipeline mode")
    parser.add_argument("--seed", type=int, default=42)
    add_argument(parser)
    args = parser.parse_args()
    shape = Shape.for_spans(args.spans, seed=args.seed)
    bodies = list(batches(shape, args.batch))
    figures: dict[str, object] = {"tool": "floor", "spans": shape.total_spans, "batch": args.batch}
    with (
        tempfile.TemporaryDirectory(prefix="powerrag-floor-") as tmp,
        backend(args, Path(tmp)) as target,
    ):
        figures["backend"] = target.name
        store = target.other("serial").store()
        figures.update(run_serial(store, bodies))
        store.close()
        pipelined = target.other("pipeline")
        store = pipelined.store()
        rate = run_pipeline(store, bodies, args.threads)
        store.close()
        figures["pipeline_threads"] = args.threads
        figures["pipeline_spans_per_s"] = round(rate)
        figures["db_mb_per_1k_spans"] = pipelined.size_figures(shape.total_spans)[
            "db_mb_per_1k_spans"
        ]
    emit(figures)


if __name__ == "__main__":
    main()
