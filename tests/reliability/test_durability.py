"""Nothing acknowledged is lost: SIGKILL under load, restart, resend (issue 6 §1).

A real `powerrag serve` takes sustained OTLP load from threads (protobuf and JSON
bodies with known span ids) and is killed with SIGKILL mid-load. After a restart on
the same data directory the SQLite file is read directly (read-only) to prove that
every span answered 2xx before the kill is stored as sent, that every trace and
session summary equals the sum of what it summarises, and that resending the
unanswered bodies (as SDKs do) creates no duplicates.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from tests.support.bodies import SpanFactory, SpanSpec
from tests.support.checks import (
    expected_session_tokens,
    inconsistencies,
    missing_or_wrong,
    open_read_only,
    stored_session_tokens,
)
from tests.support.load import Tally, make_batch_bodies, make_bodies, send_all
from tests.support.server import AUTH, PROJECT_ID, ServerProcess

TRACES = 900
TRACES_PER_BODY = 3
KILL_AFTER_ACKED = 0.4  # share of bodies acknowledged before the SIGKILL


@pytest.mark.slow
@pytest.mark.parametrize("endpoint", ["otlp", "batch"])
def test_sigkill_under_load_loses_nothing_acknowledged(tmp_path: Path, endpoint: str) -> None:
    factory = SpanFactory(seed=6)
    traces = [factory.trace(children=2) for _ in range(TRACES)]
    make = make_bodies if endpoint == "otlp" else make_batch_bodies
    bodies = make(traces, TRACES_PER_BODY)
    data_dir = tmp_path / "data"
    server = ServerProcess(data_dir)
    server.start()
    try:
        stop = threading.Event()
        tallies: list[Tally] = []
        everything = list(range(len(bodies)))
        sender = threading.Thread(
            target=lambda: tallies.append(send_all(server.url, AUTH, bodies, everything, 6, stop))
        )
        sender.start()
        _kill_mid_load(server, sender, stop, len(bodies))
        sender.join()
        tally = tallies[0]
        assert tally.acked and tally.unanswered and not tally.refused, "the kill was not mid-load"

        server.start()
        _check_after_restart(
            data_dir / "powerrag.db", [s for i in tally.acked for s in bodies[i].specs]
        )

        # The senders retry what got no answer, and some acknowledged bodies too (an
        # SDK whose answer was lost in transit resends a body that was stored).
        resend = sorted(set(everything) - tally.acked) + sorted(tally.acked)[:25]
        retry = send_all(server.url, AUTH, bodies, resend, 4)
        assert retry.acked == set(resend), (retry.refused, retry.unanswered)
        _check_complete(data_dir / "powerrag.db", [s for b in bodies for s in b.specs])
    finally:
        server.stop()


def _check_after_restart(db: Path, acked: list[SpanSpec]) -> None:
    with open_read_only(db) as conn:
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        assert missing_or_wrong(conn, PROJECT_ID, acked) == []
        assert inconsistencies(conn, PROJECT_ID) == []


def _check_complete(db: Path, specs: list[SpanSpec]) -> None:
    """Everything stored once: no duplicate, no double-counted session figure."""
    with open_read_only(db) as conn:
        assert missing_or_wrong(conn, PROJECT_ID, specs) == []
        assert conn.execute("SELECT COUNT(*) FROM observations").fetchone()[0] == len(specs)
        assert conn.execute("SELECT COUNT(*) FROM traces").fetchone()[0] == TRACES
        assert inconsistencies(conn, PROJECT_ID) == []
        assert stored_session_tokens(conn, PROJECT_ID) == expected_session_tokens(specs)


def _kill_mid_load(
    server: ServerProcess,
    sender: threading.Thread,
    stop: threading.Event,
    total: int,
) -> None:
    """SIGKILL once enough bodies are acknowledged, while the senders are still busy."""
    db = server.data_dir / "powerrag.db"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and sender.is_alive():
        with open_read_only(db) as conn:
            stored = conn.execute("SELECT COUNT(*) FROM observations").fetchone()[0]
        if stored >= KILL_AFTER_ACKED * total * TRACES_PER_BODY * 3:
            break
        time.sleep(0.02)
    server.kill()
    stop.set()
