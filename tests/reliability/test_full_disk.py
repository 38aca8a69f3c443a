"""A full disk refuses writes cleanly with 503 and loses nothing acknowledged (issue 6 §1).

Two ways to fill the disk, both real SQLite errors: an 8 MB tmpfs under a real
`powerrag serve` (needs root to mount; skipped otherwise), and SQLite's
`max_page_count` set on every connection of an in-process store (always runs).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.store import accounts
from powerrag.store.database import Store
from tests.support.bodies import OTLP_PATH, SpanFactory
from tests.support.checks import inconsistencies, missing_or_wrong, open_read_only
from tests.support.load import Body, make_bodies, send_all
from tests.support.project import AUTH as CLIENT_AUTH
from tests.support.project import PUBLIC_KEY, SECRET_KEY
from tests.support.server import AUTH, PROJECT_ID, ServerProcess


def _bodies(seed: int, traces: int) -> list[Body]:
    factory = SpanFactory(seed)
    return make_bodies([factory.trace(children=2) for _ in range(traces)], 3)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """An 8 MB tmpfs (a new database, ten migrations in, takes ~1.5 MB, and its WAL 4 MB while
    they run: with incremental auto-vacuum, each table a migration drops moves pages).

    Skips where mounting is not allowed (not root, or no CAP_SYS_ADMIN).
    """
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root; the max_page_count test covers this")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


@pytest.mark.slow
def test_full_filesystem_answers_503_and_keeps_what_was_acknowledged(small_disk: Path) -> None:
    bodies = _bodies(seed=31, traces=1000)
    server = ServerProcess(small_disk / "data")
    server.start()
    try:
        tally = send_all(server.url, AUTH, bodies, list(range(len(bodies))), 2)
        assert tally.acked and tally.refused, "the disk never filled"
        assert set(tally.refused.values()) == {503} and not tally.unanswered
        assert tally.retry_after == {"1"}
        refused = next(iter(tally.refused))
        response = httpx.post(
            server.url + OTLP_PATH,
            content=bodies[refused].content,
            headers=bodies[refused].headers,
            auth=AUTH,
        )
        assert response.status_code == 503
        assert response.json()["error"] == "StorageFullError"

        db = small_disk / "data" / "powerrag.db"
        acked_specs = [s for i in tally.acked for s in bodies[i].specs]
        with open_read_only(db) as conn:
            assert missing_or_wrong(conn, PROJECT_ID, acked_specs) == []
            assert inconsistencies(conn, PROJECT_ID) == []

        # Space comes back (the operator grows the volume): the retries are stored.
        subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
        retry = send_all(server.url, AUTH, bodies, sorted(tally.refused), 2)
        assert retry.acked == set(tally.refused)
        with open_read_only(db) as conn:
            assert missing_or_wrong(conn, PROJECT_ID, [s for b in bodies for s in b.specs]) == []
            assert inconsistencies(conn, PROJECT_ID) == []
    finally:
        server.stop()


def _limit_pages(store: Store, pages: int) -> None:
    """Every new connection of the store may grow the file to `pages` pages at most."""

    def limit(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute(f"PRAGMA max_page_count={pages}")

    event.listen(store.engine, "connect", limit)
    store.engine.dispose()  # pooled connections reopen with the limit


def test_database_at_max_page_count_answers_503(tmp_path: Path) -> None:
    db = tmp_path / "powerrag.db"
    store = Store.open(f"sqlite:///{db}", pool_size=2)
    with store.transaction() as conn:
        accounts.create_project(conn, "Full", PROJECT_ID)
        accounts.create_api_key(conn, PROJECT_ID, public_key=PUBLIC_KEY, secret_key=SECRET_KEY)
    with open_read_only(db) as conn:
        used = conn.execute("PRAGMA page_count").fetchone()[0]
    _limit_pages(store, used + 40)
    bodies = _bodies(seed=32, traces=300)
    acked: list[int] = []
    refused: list[int] = []
    app = create_app(Settings(data_dir=tmp_path), store=store)
    with TestClient(app, headers={"authorization": CLIENT_AUTH}) as client:
        for index, body in enumerate(bodies):
            response = client.post(OTLP_PATH, content=body.content, headers=body.headers)
            if response.status_code == 200:
                acked.append(index)
                continue
            assert response.status_code == 503, response.text
            assert response.headers["retry-after"] == "1"
            assert response.json()["error"] == "StorageFullError"
            refused.append(index)
    store.close()
    assert acked and refused
    with open_read_only(db) as conn:
        assert missing_or_wrong(conn, PROJECT_ID, [s for i in acked for s in bodies[i].specs]) == []
        refused_ids = {s.span_id for i in refused for s in bodies[i].specs}
        stored = {r[0] for r in conn.execute("SELECT id FROM observations")}
        assert not stored & refused_ids, "a refused request was partly stored"
        assert inconsistencies(conn, PROJECT_ID) == []
