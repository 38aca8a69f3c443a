"""Runs a real `powerrag serve` process and the pinned Langfuse SDK environments against it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.server import ServerProcess

REPO = Path(__file__).resolve().parents[2]
ENVS = REPO / ".sdk-envs"
PROGRAMS = REPO / "tests" / "sdk" / "programs"
RUN_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class Sdk:
    """One pinned SDK environment under .sdk-envs/ (built by scripts/sdk-envs.sh)."""

    name: str  # e.g. "py-3.15.0", "js-v4"
    language: str  # "py" or "js"

    @property
    def home(self) -> Path:
        return ENVS / self.name


PY3 = Sdk("py-3.15.0", "py")
PY4 = Sdk("py-4.18.0", "py")
PY5 = Sdk("py-5.0.4", "py")
JS4 = Sdk("js-v4", "js")
JS5 = Sdk("js-v5", "js")


@dataclass(frozen=True)
class Project:
    """The project and key pair a server was started with (LANGFUSE_INIT_*)."""

    id: str
    public_key: str
    secret_key: str
    base_url: str

    def sdk_environ(self) -> dict[str, str]:
        """The environment an SDK process gets: only what it needs, pointing at the server."""
        keep = ("PATH", "HOME", "LANG", "TMPDIR", "SYSTEMROOT")
        env = {k: os.environ[k] for k in keep if k in os.environ}
        env.update(
            LANGFUSE_PUBLIC_KEY=self.public_key,
            LANGFUSE_SECRET_KEY=self.secret_key,
            LANGFUSE_BASE_URL=self.base_url,
            LANGFUSE_HOST=self.base_url,
            LANGFUSE_BASEURL=self.base_url,
            PYTHONUNBUFFERED="1",
        )
        return env


class Server(ServerProcess):
    """A server for one SDK's tests, started at once, with its own project named after it."""

    def __init__(self, data_dir: Path, project_id: str, *, database_url: str | None = None) -> None:
        super().__init__(
            data_dir,
            project_id=project_id,
            project_name=f"SDK test {project_id}",
            public_key=f"pk-lf-{project_id}",
            secret_key=f"sk-lf-{project_id}",
            database_url=database_url or "",
        )
        self.project = Project(project_id, self.public_key, self.secret_key, self.url)
        self.start()


def _run(cmd: list[str], project: Project, cwd: Path) -> str:
    done = subprocess.run(
        cmd,
        cwd=cwd,
        env=project.sdk_environ(),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )
    output = done.stdout + done.stderr
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {done.returncode}:\n{output}")
    return output


def run_program(
    sdk: Sdk, source: str, suffix: str, project: Project, tag: str, args: tuple[str, ...] = ()
) -> str:
    """Write `source` into the SDK environment (so its packages resolve) and run it there."""
    work = sdk.home / "run"
    work.mkdir(exist_ok=True)
    path = work / f"{project.id}-{tag}{suffix}"
    path.write_text(source, encoding="utf-8")
    if sdk.language == "py":
        cmd = [str(sdk.home / "bin" / "python"), str(path)]
    elif suffix == ".ts":
        cmd = [str(sdk.home / "node_modules" / ".bin" / "tsx"), str(path)]
    else:
        cmd = [shutil.which("node") or "node", str(path)]
    return _run([*cmd, *args], project, work)


def run_file(sdk: Sdk, program: Path, project: Project, tag: str, *args: str) -> str:
    """Run one of the programs in tests/sdk/programs/ with the SDK, passing `args`."""
    source = program.read_text(encoding="utf-8")
    return run_program(sdk, source, program.suffix, project, tag, args)


def read_back(
    sdk: Sdk, project: Project, session_ids: list[str], *, scores: bool = False
) -> dict[str, Any]:
    """Sessions and their traces (with observations and scores), and with `scores` the
    sessions' own scores, read through the SDK's API client (see programs/readback.*)."""
    program = PROGRAMS / ("readback.py" if sdk.language == "py" else "readback.mjs")
    tag = "readback-" + "-".join(session_ids)  # kept after the run, for a look when one fails
    out_file = sdk.home / "run" / f"{project.id}-{tag}.json"
    out_file.unlink(missing_ok=True)
    flags = ["--scores"] if scores else []
    run_file(sdk, program, project, tag, str(out_file), *flags, *session_ids)
    result: dict[str, Any] = json.loads(out_file.read_text(encoding="utf-8"))
    return result
