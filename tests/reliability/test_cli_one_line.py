"""Every `powerrag` command answers a wrong key, a missing server or an unreachable database
with one line on stderr and a non-zero exit, never a traceback (issue 12, item 11)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.common import free_port
from tests.support.server import POWERRAG, PUBLIC_KEY, SECRET_KEY, ServerProcess

NO_DATABASE = "postgresql://nobody@127.0.0.1:{port}/none"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    srv = ServerProcess(tmp_path_factory.mktemp("cli") / "data")
    srv.start()
    yield srv
    srv.stop()


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(POWERRAG), *argv], capture_output=True, text=True, timeout=120, check=False
    )


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_demo_with_a_wrong_key_is_one_line_naming_the_way_to_a_new_key(
    server: ServerProcess,
) -> None:
    line = _one_line(_run("demo", "--url", server.url, "--public-key", PUBLIC_KEY,
                          "--secret-key", "sk-lf-wrong"))  # fmt: skip
    assert line == (
        f"powerrag: PowerRAG at {server.url} refused the key pair (HTTP 401): check "
        "--public-key and --secret-key; a lost key is replaced by "
        "`powerrag keys create --project ID`"
    )


def test_demo_with_no_server_is_one_line_naming_the_address() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    line = _one_line(_run("demo", "--url", url, "--public-key", "pk", "--secret-key", "sk"))
    assert line.startswith(f"powerrag: cannot reach PowerRAG at {url}: ")
    assert line.endswith("is it running (`make run`)? Pass its address with --url")


def test_demo_with_the_right_key_still_works(server: ServerProcess) -> None:
    result = _run("demo", "--url", server.url, "--public-key", PUBLIC_KEY,
                  "--secret-key", SECRET_KEY)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("sent ")


@pytest.mark.parametrize(
    "argv",
    [
        ["keys", "list"],
        ["keys", "create", "--project", "p"],
        ["keys", "revoke", "pk-lf-x"],
        ["project", "list"],
        ["project", "create", "name"],
        ["user", "setup-token"],
        ["user", "create", "a@example.com", "--password", "long enough password"],
        ["migrate"],
        ["serve"],
        ["export", "--project", "p", "--out", "out.jsonl"],
        ["import", "in.jsonl"],
    ],
    ids=lambda argv: " ".join(argv[:2]),
)
def test_each_database_command_with_no_database_is_one_line(
    argv: list[str], tmp_path: Path
) -> None:
    (tmp_path / "in.jsonl").write_text("")
    url = NO_DATABASE.format(port=free_port())
    result = subprocess.run(
        [str(POWERRAG), *argv, "--database-url", url],
        capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path,
    )  # fmt: skip
    line = _one_line(result)
    assert line.startswith("powerrag: cannot connect to the database postgresql"), line
