"""A real `powerrag serve` process for the durability tests: start, SIGKILL, restart."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

POWERRAG = Path(sys.executable).parent / "powerrag"
PROJECT_ID = "durable"
PUBLIC_KEY, SECRET_KEY = "pk-lf-durable", "sk-lf-durable"
AUTH = (PUBLIC_KEY, SECRET_KEY)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """`powerrag serve --port P --data-dir D`, with the project and key from LANGFUSE_INIT_*."""

    def __init__(self, data_dir: Path, **settings: str) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data_dir.parent / f"serve-{self.port}.log"
        self._env = {
            **os.environ,
            "LANGFUSE_INIT_PROJECT_ID": PROJECT_ID,
            "LANGFUSE_INIT_PROJECT_PUBLIC_KEY": PUBLIC_KEY,
            "LANGFUSE_INIT_PROJECT_SECRET_KEY": SECRET_KEY,
            **{f"POWERRAG_{k.upper()}": v for k, v in settings.items()},
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> None:
        command = [
            str(POWERRAG),
            "serve",
            "--port",
            str(self.port),
            "--data-dir",
            str(self.data_dir),
        ]
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(command, env=self._env, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=1.0) as client:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"powerrag serve exited: {self.log.read_text()[-2000:]}")
                try:
                    if client.get(self.url + "/api/public/health").status_code == 200:
                        return
                except httpx.TransportError:
                    time.sleep(0.05)
        raise RuntimeError("powerrag serve did not become healthy")

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, as in a crash or an OOM kill."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None:
            terminate(self.proc)


def terminate(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM (a clean shutdown), then SIGKILL if it has not exited within 15 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
