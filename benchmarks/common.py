"""Shared benchmark plumbing: a `powerrag serve` child process, RSS sampling, statistics.

`free_port` and `terminate` are also the tests' (tests/support/server.py): the tests may
import the benchmarks, never the other way round.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from powerrag.store import accounts
from powerrag.store.database import Store

PROJECT_ID = "bench"
PUBLIC_KEY = "pk-lf-bench"
SECRET_KEY = "sk-lf-bench"
AUTH = (PUBLIC_KEY, SECRET_KEY)
POWERRAG = Path(sys.executable).parent / "powerrag"


def emit(figures: dict[str, Any]) -> None:
    """The one JSON line every benchmark prints."""
    print(json.dumps(figures, sort_keys=False), flush=True)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "p50_ms": round(statistics.median(ms), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "max_ms": round(max(ms), 2),
        "n": len(ms),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def terminate(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM (a clean shutdown), then SIGKILL if it has not exited within 15 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def rss_kib(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (peak since start) of a process, from /proc."""
    out: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(rest.split()[0])
    return out


class RssSampler:
    """Samples a process's RSS every `interval` seconds in a thread; keeps the maximum."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self._pid, self._interval = pid, interval
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kib = max(self.peak_kib, rss_kib(self._pid)["VmRSS"])
            self._stop.wait(self._interval)


def fresh_store(data_dir: Path, database_url: str = "", clickhouse_url: str = "") -> Store:
    """A migrated store (SQLite in `data_dir` unless a URL is given) with the benchmark key."""
    data_dir.mkdir(parents=True, exist_ok=True)
    url = database_url or f"sqlite:///{data_dir / 'powerrag.db'}"
    store = Store.open(url, pool_size=4, clickhouse_url=clickhouse_url)
    with store.transaction() as conn:
        accounts.ensure_project(conn, PROJECT_ID, PROJECT_ID)
        accounts.ensure_api_key(conn, PROJECT_ID, PUBLIC_KEY, SECRET_KEY)
    return store


def db_bytes(data_dir: Path) -> dict[str, int]:
    files = {"db": "powerrag.db", "wal": "powerrag.db-wal", "shm": "powerrag.db-shm"}
    return {
        k: (data_dir / f).stat().st_size if (data_dir / f).exists() else 0 for k, f in files.items()
    }


class Server:
    """A real `powerrag serve` on a free port with a temp data dir (unless one is given)."""

    def __init__(
        self, data_dir: Path | None = None, extra_env: dict[str, str] | None = None
    ) -> None:
        self._tmp = None if data_dir else tempfile.TemporaryDirectory(prefix="powerrag-bench-")
        self.data_dir = data_dir or Path(self._tmp.name)  # type: ignore[union-attr]
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._env = {
            **os.environ,
            "POWERRAG_DATA_DIR": str(self.data_dir),
            "POWERRAG_PORT": str(self.port),
            "POWERRAG_LOG_LEVEL": "warning",
            "LANGFUSE_INIT_PROJECT_ID": PROJECT_ID,
            "LANGFUSE_INIT_PROJECT_PUBLIC_KEY": PUBLIC_KEY,
            "LANGFUSE_INIT_PROJECT_SECRET_KEY": SECRET_KEY,
            **(extra_env or {}),
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.start_seconds = 0.0

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout: float = 60.0) -> float:
        """Start the process; returns seconds from spawn to the first healthy answer."""
        began = time.perf_counter()
        self.proc = subprocess.Popen(
            [str(POWERRAG), "serve"], env=self._env, stdout=subprocess.DEVNULL
        )
        with httpx.Client(timeout=1.0) as client:
            while time.perf_counter() - began < timeout:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"powerrag serve exited with {self.proc.returncode}")
                try:
                    if client.get(self.url + "/api/public/health").status_code == 200:
                        self.start_seconds = time.perf_counter() - began
                        return self.start_seconds
                except httpx.TransportError:
                    pass
                time.sleep(0.01)
        self.stop()
        raise RuntimeError(f"powerrag serve was not healthy within {timeout} s")

    def stop(self) -> None:
        if self.proc is not None:
            terminate(self.proc)
        self.proc = None

    def cleanup(self) -> None:
        self.stop()
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.cleanup()
