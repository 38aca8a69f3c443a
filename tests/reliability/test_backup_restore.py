"""`powerrag backup` and `powerrag restore` (powerrag/backup.py) against a running server.

A backup taken while a thread keeps sending restores to a database whose API answers
equal the source's for every trace acknowledged before the backup began; restoring over
a running server's database is refused; bad input gets a one-line error naming it.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from powerrag.backup import BackupError, backup, restore, server_lock
from powerrag.store import accounts
from powerrag.store.database import Store
from powerrag.store.infra.migrate import REVISIONS
from tests.support.server import POWERRAG, ServerProcess

ACKED_BEFORE = 15  # traces acknowledged before the backup starts
ACKED_AFTER = 10  # and at least this many more while and after it runs


def _turn(n: int) -> dict[str, Any]:
    trace_id = f"bk-{n:05d}"
    stamp = f"2026-03-01T10:{n // 60 % 60:02d}:{n % 60:02d}.000Z"
    events = [
        {
            "id": f"e-{trace_id}",
            "type": "trace-create",
            "timestamp": stamp,
            "body": {
                "id": trace_id,
                "sessionId": f"chat-{n % 4}",
                "userId": "u-1",
                "timestamp": stamp,
                "input": {"question": f"question {n}"},
            },
        },
        {
            "id": f"g-{trace_id}",
            "type": "generation-create",
            "timestamp": stamp,
            "body": {
                "id": f"{trace_id}-g",
                "traceId": trace_id,
                "startTime": stamp,
                "model": "gpt-4o",
                "output": f"answer {n}",
                "usageDetails": {"input": 10 + n, "output": 5},
            },
        },
    ]
    return {"batch": events}


class Sender:
    """Sends one turn a request until stopped; remembers when each was acknowledged."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.acked: list[tuple[str, float]] = []
        self.failures: list[str] = []
        self.stop = threading.Event()
        self._want = 0
        self.reached = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def wait_for(self, count: int) -> None:
        self._want = count
        self.reached.clear()
        if len(self.acked) < count:
            assert self.reached.wait(60), f"only {len(self.acked)} acknowledged"

    def _run(self) -> None:
        with httpx.Client(base_url=self.server.url, auth=self.server.auth, timeout=30) as http:
            n = 0
            while not self.stop.is_set():
                answer = http.post("/api/public/ingestion", json=_turn(n))
                if answer.status_code != 207 or answer.json()["errors"]:
                    self.failures.append(answer.text)
                else:
                    self.acked.append((f"bk-{n:05d}", time.monotonic()))
                    if len(self.acked) >= self._want:
                        self.reached.set()
                n += 1


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(POWERRAG), *args], capture_output=True, text=True, timeout=120, check=False
    )


def _answers(server: ServerProcess, trace_ids: list[str]) -> dict[str, Any]:
    with httpx.Client(base_url=server.url, auth=server.auth, timeout=30) as http:
        found = {t: http.get(f"/api/public/traces/{t}").json() for t in trace_ids}
        sessions = {f"chat-{k}": http.get(f"/api/public/sessions/chat-{k}") for k in range(4)}
    # A session's list of traces grows after the backup; its other fields must not differ
    # for the traces both hold, which the trace answers already cover.
    found["sessions-exist"] = sorted(s for s, a in sessions.items() if a.status_code == 200)
    return found


def test_a_backup_during_ingestion_restores_everything_acknowledged_before_it(
    tmp_path: Path,
) -> None:
    source = ServerProcess(tmp_path / "source")
    source.start()
    sender = Sender(source)
    sender.thread.start()
    try:
        sender.wait_for(ACKED_BEFORE)
        before = [t for t, _ in sender.acked]
        began = time.monotonic()
        copy = tmp_path / "nightly.db"
        made = _cli("backup", str(copy), "--data-dir", str(source.data_dir))
        assert made.returncode == 0, made.stderr
        assert made.stdout.startswith(f"backed up to {copy}: ")
        sender.wait_for(len(sender.acked) + ACKED_AFTER)

        database = source.data_dir.resolve() / "powerrag.db"
        with pytest.raises(BackupError) as refused:
            restore(copy, f"sqlite:///{database}")
        assert str(refused.value) == (
            f"a PowerRAG server is running on {database}; "
            "stop it first, or pass --force to restore into the running database"
        )
        with pytest.raises(BackupError, match="exists; name a new file, or pass --force"):
            backup(f"sqlite:///{database}", copy)
    finally:
        sender.stop.set()
        sender.thread.join()
    assert sender.failures == []
    # Ingestion went on while the backup ran: requests were acknowledged after it began.
    assert any(at > began for _, at in sender.acked)
    expected = _answers(source, before)
    source.stop()

    restored_dir = tmp_path / "restored"
    put_back = restore(copy, f"sqlite:///{restored_dir / 'powerrag.db'}")
    assert put_back.path == restored_dir / "powerrag.db"
    with sqlite3.connect(restored_dir / "powerrag.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = conn.execute("SELECT count(*) FROM traces").fetchone()[0]
    assert len(before) <= stored <= len(sender.acked)
    restored = ServerProcess(restored_dir)
    restored.start()
    try:
        assert _answers(restored, before) == expected
    finally:
        restored.stop()


def test_bad_input_is_named(tmp_path: Path) -> None:
    database = tmp_path / "data" / "powerrag.db"
    url = f"sqlite:///{database}"
    with pytest.raises(BackupError, match=re.escape(f"there is no database at {database}")):
        backup(url, tmp_path / "out.db")
    with pytest.raises(
        BackupError, match=re.escape(f"there is no backup at {tmp_path / 'missing.db'}")
    ):
        restore(tmp_path / "missing.db", url)
    text = tmp_path / "notes.txt"
    text.write_text("not a database, but long enough to look like one " * 200)
    with pytest.raises(BackupError, match=r"notes\.txt is not a readable SQLite database"):
        restore(text, url)
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(BackupError, match=r"foreign\.db is not a PowerRAG database"):
        restore(foreign, url)
    newer = tmp_path / "newer.db"
    with sqlite3.connect(newer) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        conn.execute("INSERT INTO alembic_version VALUES ('9999')")
    with pytest.raises(BackupError, match="has schema '9999', which this PowerRAG does not know"):
        restore(newer, url)
    with pytest.raises(BackupError, match="for PostgreSQL use pg_dump"):
        backup("postgresql://u@localhost/db", tmp_path / "out.db")
    cli = _cli("restore", str(newer), "--data-dir", str(tmp_path / "data"))
    assert cli.returncode == 2
    assert cli.stderr.startswith("powerrag: ") and len(cli.stderr.strip().splitlines()) == 1
    assert not database.exists()  # nothing was restored


def test_force_restores_under_a_running_server(tmp_path: Path) -> None:
    """Held by a server (its lock, its open connections), the database is restored only
    when forced, through SQLite, and the server's next read sees the restored data."""
    source = Store.open(f"sqlite:///{tmp_path / 'source.db'}", pool_size=1)
    with source.transaction() as conn:
        accounts.create_project(conn, "Kept", "kept-project")
    source.close()
    copy = tmp_path / "copy.db"
    backup(f"sqlite:///{tmp_path / 'source.db'}", copy)
    live_path = tmp_path / "live" / "powerrag.db"
    live_path.parent.mkdir()
    live = Store.open(f"sqlite:///{live_path}", pool_size=1)
    try:
        with live.transaction() as conn:
            accounts.create_project(conn, "Replaced", "replaced-project")
        with server_lock(live_path):
            with pytest.raises(BackupError, match="a PowerRAG server is running"):
                restore(copy, f"sqlite:///{live_path}")
            done = restore(copy, f"sqlite:///{live_path}", force=True)
        assert done.revision == REVISIONS[-1]
        with live.connect() as conn:
            assert [p.id for p in accounts.list_projects(conn)] == ["kept-project"]
    finally:
        live.close()
    # With no server on it, the command restores and says what it put where.
    fresh = tmp_path / "fresh"
    done_cli = _cli("restore", str(copy), "--data-dir", str(fresh))
    assert done_cli.returncode == 0, done_cli.stderr
    assert done_cli.stdout.strip() == (
        f"restored {copy} into {fresh.resolve() / 'powerrag.db'} (schema {REVISIONS[-1]})"
    )
    with sqlite3.connect(fresh / "powerrag.db") as conn:
        assert conn.execute("SELECT id FROM projects").fetchall() == [("kept-project",)]
