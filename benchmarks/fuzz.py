"""Long fuzz runs: each target for `--seconds` (default 600) with fresh random seeds.

Targets are those of benchmarks/fuzz_targets.py (tests/reliability/test_fuzz.py runs
them briefly in CI with a fixed seed): the protobuf and JSON OTLP decoders, the batch
decoder, and the OTLP and batch endpoints of an in-process app on a SQLite file.
Prints one JSON line per target: examples run, examples per second, failures (with
the first one's text).
"""

from __future__ import annotations

import argparse
import base64
import random
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from benchmarks.common import AUTH, emit, fresh_store
from benchmarks.fuzz_targets import (
    BATCH_DOCS,
    JSON_DOCS,
    MAX_BYTES,
    check_batch,
    check_otlp,
    json_bytes,
    protobuf_requests,
)
from powerrag.app import create_app
from powerrag.config import Settings

DEADLINE_MS = 2000
ROUND_EXAMPLES = 500


def _endpoint_checks(client: TestClient) -> dict[str, Callable[[Any], object]]:
    def post(path: str, body: bytes, headers: dict[str, str]) -> None:
        response = client.post(path, content=body, headers=headers)
        assert response.status_code < 500, response.text

    def otlp(value: Any) -> None:
        kind, payload = value
        if kind == "protobuf":
            body, encoding = payload
            headers = {"content-type": "application/x-protobuf"}
            if encoding:
                headers["content-encoding"] = encoding
            post("/api/public/otel/v1/traces", body, headers)
        else:
            post(
                "/api/public/otel/v1/traces",
                json_bytes(payload),
                {"content-type": "application/json"},
            )

    def batch(doc: Any) -> None:
        post("/api/public/ingestion", json_bytes(doc), {"content-type": "application/json"})

    return {"otlp_endpoint": otlp, "batch_endpoint": batch}


def _run_target(
    name: str, strategy: st.SearchStrategy[Any], check: Callable[[Any], object], seconds: float
) -> dict[str, Any]:
    """Rounds of ROUND_EXAMPLES with new seeds until `seconds` have passed."""
    examples, failures, first_failure = 0, 0, ""
    began = time.monotonic()
    while time.monotonic() - began < seconds:

        def body(value: Any) -> None:
            nonlocal examples
            examples += 1
            check(value)

        test = seed(random.getrandbits(64))(
            settings(
                max_examples=ROUND_EXAMPLES,
                deadline=DEADLINE_MS,
                database=None,
                phases=[Phase.generate, Phase.shrink],
                suppress_health_check=list(HealthCheck),
            )(given(strategy)(body))
        )
        try:
            test()
        except Exception:
            failures += 1
            first_failure = first_failure or traceback.format_exc(limit=3)[-2000:]
    elapsed = time.monotonic() - began
    return {
        "target": name,
        "seconds": round(elapsed),
        "examples": examples,
        "examples_per_s": round(examples / elapsed, 1),
        "failing_rounds": failures,
        "first_failure": first_failure,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=600.0, help="per target")
    parser.add_argument("--targets", default="", help="comma-separated subset")
    args = parser.parse_args()
    pure: dict[str, tuple[st.SearchStrategy[Any], Callable[[Any], object]]] = {
        "protobuf_decoder": (
            protobuf_requests(),
            lambda r: check_otlp(r[0], "application/x-protobuf", r[1]),
        ),
        "json_decoder": (JSON_DOCS, lambda d: check_otlp(json_bytes(d), "application/json", None)),
        "batch_decoder": (BATCH_DOCS, check_batch),
    }
    wanted = set(filter(None, args.targets.split(",")))
    with tempfile.TemporaryDirectory(prefix="powerrag-fuzz-") as tmp:
        store = fresh_store(Path(tmp))
        app = create_app(Settings(data_dir=Path(tmp), max_body_bytes=MAX_BYTES), store=store)
        headers = {"authorization": "Basic " + base64.b64encode(":".join(AUTH).encode()).decode()}
        with TestClient(app, headers=headers, raise_server_exceptions=False) as client:
            checks = _endpoint_checks(client)
            otlp_values = st.tuples(st.just("protobuf"), protobuf_requests()) | st.tuples(
                st.just("json"), JSON_DOCS
            )
            targets = {
                **pure,
                "otlp_endpoint": (otlp_values, checks["otlp_endpoint"]),
                "batch_endpoint": (BATCH_DOCS, checks["batch_endpoint"]),
            }
            for name, (strategy, check) in targets.items():
                if not wanted or name in wanted:
                    emit(_run_target(name, strategy, check, args.seconds))
        store.close()


if __name__ == "__main__":
    main()
