"""Read probes at scale: p50/p95 of the session list, session replays and a wide trace.

Fills a database in-process with the floor writer (S sessions of the workload, plus
one session of 1,000 traces and one trace of 50 observations), starts a real
`powerrag serve` on it and times the public API and the UI's JSON twins
(`?format=json`, signed in as a user). `--data-dir` keeps the database for re-runs.
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from benchmarks.backend import Backend, add_argument, backend
from benchmarks.common import AUTH, PROJECT_ID, emit, summary_ms
from benchmarks.floor import decode, fill
from benchmarks.workload import BASE_TIME_NS, Generator, Shape, encode
from powerrag import accounts

MARKER = "bench-shape.json"
LONG_SESSION = "sess-long"
WIDE_SESSION = "sess-wide-50"
BUDGET_SECONDS, MIN_SAMPLES = 60.0, 10
UI_EMAIL, UI_PASSWORD = "bench@example.com", "bench-password-123"


def build(target: Backend, sessions: int, seed: int, long_traces: int) -> dict[str, Any]:
    """Fill the target's database once; the marker file in its data dir records what is in it."""
    marker = target.data_dir / MARKER
    wanted = (target.name, sessions, seed, long_traces)
    if marker.exists():
        info: dict[str, Any] = json.loads(marker.read_text())
        held = (info.get("backend", "sqlite"), info["sessions"], info["seed"], info["long_traces"])
        if held == wanted:
            return info
        raise SystemExit(f"{target.data_dir} holds another shape ({info}); use an empty --data-dir")
    began = time.perf_counter()
    shape = Shape(sessions=sessions, seed=seed)
    store = fill(target, shape, batch_size=500)
    extra = Generator(Shape(sessions=1, seed=seed + 1))
    long_spans = [
        s for t in range(long_traces) for s in extra.turn(LONG_SESSION, "user-long", t, _at(t))
    ]
    for i in range(0, len(long_spans), 500):
        store.write_batches([(PROJECT_ID, decode(encode(long_spans[i : i + 500])))])
    wide_id, wide_spans = extra.wide_trace(WIDE_SESSION, 50)
    store.write_batches([(PROJECT_ID, decode(encode(wide_spans)))])
    accounts.ensure_user(store, UI_EMAIL, "Bench", UI_PASSWORD)
    store.close()
    info = {
        "backend": target.name,
        "sessions": sessions,
        "seed": seed,
        "long_traces": long_traces,
        "long_session": LONG_SESSION,
        "spans": shape.total_spans + len(long_spans) + len(wide_spans),
        "wide_trace_id": wide_id,
        "fill_s": round(time.perf_counter() - began, 1),
    }
    marker.write_text(json.dumps(info))
    return info


def _at(turn: int) -> int:
    return BASE_TIME_NS - 10**12 + turn * 30_000_000_000


def sign_in(client: httpx.Client) -> None:
    """Double-submit CSRF: the login page sets the cookie, the form echoes it."""
    client.get("/login").raise_for_status()
    token = client.cookies.get("powerrag_csrf")
    form = {"email": UI_EMAIL, "password": UI_PASSWORD, "csrf_token": token or "", "next": "/"}
    answer = client.post("/login", data=form)
    if answer.status_code != 303:
        raise RuntimeError(f"UI sign-in answered {answer.status_code}")


def timed(client: httpx.Client, paths: Callable[[], str], repeat: int) -> dict[str, Any]:
    """Latency of GET `paths()` (a fresh path per call), after three warm-up calls.

    Stops early after BUDGET_SECONDS (but with at least MIN_SAMPLES), so a slow
    probe at scale reports its figures instead of holding the run for an hour.
    """
    for _ in range(3):
        client.get(paths()).raise_for_status()
    seconds: list[float] = []
    size = 0
    deadline = time.perf_counter() + BUDGET_SECONDS
    for _ in range(repeat):
        if len(seconds) >= MIN_SAMPLES and time.perf_counter() > deadline:
            break
        began = time.perf_counter()
        answer = client.get(paths())
        seconds.append(time.perf_counter() - began)
        answer.raise_for_status()
        size = len(answer.content)
    return {**summary_ms(seconds), "bytes": size}


def probes(url: str, info: dict[str, Any], repeat: int) -> dict[str, Any]:
    rng = random.Random(7)
    sessions, seed, wide = info["sessions"], info["seed"], info["wide_trace_id"]
    long = info["long_session"]

    def any_session() -> str:
        return f"sess-{seed}-{rng.randrange(sessions):07d}"

    ui = f"/project/{PROJECT_ID}"
    out: dict[str, Any] = {}
    with httpx.Client(base_url=url, auth=AUTH, timeout=120.0) as api:
        out["api_sessions_list_50"] = timed(api, lambda: "/api/public/sessions?limit=50", repeat)
        out["api_session_5_traces"] = timed(
            api, lambda: f"/api/public/sessions/{any_session()}", repeat
        )
        out["api_session_long"] = timed(api, lambda: f"/api/public/sessions/{long}", repeat)
        out["api_trace_50_observations"] = timed(api, lambda: f"/api/public/traces/{wide}", repeat)
    with httpx.Client(base_url=url, timeout=120.0) as web:
        try:
            sign_in(web)
            out["ui_sessions_list_50"] = timed(web, lambda: f"{ui}/sessions?format=json", repeat)
            out["ui_replay_5_traces"] = timed(
                web, lambda: f"{ui}/sessions/{any_session()}?format=json", repeat
            )
            out["ui_replay_long_first_screen"] = timed(
                web, lambda: f"{ui}/sessions/{long}?format=json", repeat
            )
            out["ui_trace_50_observations"] = timed(
                web, lambda: f"{ui}/traces/{wide}?format=json", repeat
            )
        except (httpx.HTTPError, RuntimeError) as exc:
            out["ui_error"] = f"{type(exc).__name__}: {exc}"
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=100_000, help="20 spans each")
    parser.add_argument("--long-traces", type=int, default=1000, help="traces of the long session")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--data-dir", type=Path, default=None, help="keep/reuse the database")
    add_argument(parser)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="powerrag-reads-") as tmp:
        data_dir = args.data_dir or Path(tmp)
        data_dir.mkdir(parents=True, exist_ok=True)
        with backend(args, data_dir, keep=args.data_dir is not None) as target:
            info = build(target, args.sessions, args.seed, args.long_traces)
            figures: dict[str, Any] = {"tool": "reads", **info, "repeat": args.repeat}
            figures["db_mb"] = target.size_figures(info["spans"])["db_mb"]
            with target.server() as server:
                figures.update(probes(server.url, info, args.repeat))
    emit(figures)


if __name__ == "__main__":
    main()
