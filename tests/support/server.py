"""A real `powerrag serve` child process on a free port: start, SIGKILL, stop, restart.

The one wrapper of the tests that need a server process (durability, overload, full
disk, keys, replicas, SDKs, browser). Each starts with one project and key created by
LANGFUSE_INIT_*; `database_url` selects PostgreSQL, other `settings` become POWERRAG_*
variables. `free_port` and `terminate` are the benchmarks' (benchmarks/common.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from benchmarks.common import free_port, terminate

POWERRAG = Path(sys.executable).parent / "powerrag"
# The default project of a server process; the SDK and browser tests name their own.
PROJECT_ID = "durable"
PUBLIC_KEY, SECRET_KEY = "pk-lf-durable", "sk-lf-durable"
AUTH = (PUBLIC_KEY, SECRET_KEY)
START_TIMEOUT_S = 60.0  # the CI machine may be busy


class ServerProcess:
    """`powerrag serve --port P --data-dir D`; its output goes to `log_path`, beside D."""

    def __init__(
        self,
        data_dir: Path,
        *,
        project_id: str = PROJECT_ID,
        project_name: str | None = None,
        public_key: str = PUBLIC_KEY,
        secret_key: str = SECRET_KEY,
        user: tuple[str, str] | None = None,
        database_url: str = "",
        **settings: str,
    ) -> None:
        self.data_dir = data_dir
        self.project_id, self.public_key, self.secret_key = project_id, public_key, secret_key
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Beside the data directory, not in it: the full-disk test's data directory is a
        # tiny tmpfs, and a restart appends to the same log.
        self.log_path = data_dir.parent / f"{data_dir.name}-serve.log"
        # POWERRAG_* and LANGFUSE_* from the caller's shell (a database URL, say) must not
        # reach the test server.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("POWERRAG_", "LANGFUSE_"))}
        env |= {
            "LANGFUSE_INIT_PROJECT_ID": project_id,
            "LANGFUSE_INIT_PROJECT_NAME": project_name or project_id,
            "LANGFUSE_INIT_PROJECT_PUBLIC_KEY": public_key,
            "LANGFUSE_INIT_PROJECT_SECRET_KEY": secret_key,
            **{f"POWERRAG_{k.upper()}": v for k, v in settings.items()},
        }
        if user is not None:
            env |= {"LANGFUSE_INIT_USER_EMAIL": user[0], "LANGFUSE_INIT_USER_PASSWORD": user[1]}
        if database_url:
            env["POWERRAG_DATABASE_URL"] = database_url
        self._env = env
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def auth(self) -> tuple[str, str]:
        """The project's key pair, as httpx's `auth=`."""
        return self.public_key, self.secret_key

    def start(self, timeout: float = START_TIMEOUT_S) -> None:
        """Start the process and return once it answers its health check."""
        command = [
            str(POWERRAG),
            "serve",
            "--port",
            str(self.port),
            "--data-dir",
            str(self.data_dir),
        ]
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                command, env=self._env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=1.0) as client:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"powerrag serve exited:\n{self.log()[-4000:]}")
                try:
                    if client.get(self.url + "/api/public/health").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.05)  # polling the health endpoint is the only way to see it is up
        self.stop()
        raise RuntimeError(f"powerrag serve not healthy after {timeout} s:\n{self.log()[-4000:]}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, as in a crash or an OOM kill."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None:
            terminate(self.proc)
