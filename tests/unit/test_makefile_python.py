"""`make` with a Python older than 3.11: one clear line, no .venv; an old .venv is rebuilt.

Runs the repository's Makefile in a temporary copy with a fake `python3.10` script, so
nothing is installed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

MAKEFILE = Path(__file__).resolve().parents[2] / "Makefile"
FAKE_PYTHON_310 = """#!/bin/sh
# Answers like Python 3.10: -V prints the version, any -c check (the version test) fails.
if [ "$1" = "-V" ]; then echo "Python 3.10.12"; exit 0; fi
if [ "$1" = "-c" ]; then exit 1; fi
echo "the fake python was asked to run: $*" >&2
exit 3
"""


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    if shutil.which("make") is None:
        pytest.fail("make is missing: apt-get install -y make")
    shutil.copy(MAKEFILE, tmp_path / "Makefile")
    fake = tmp_path / "python3.10"
    fake.write_text(FAKE_PYTHON_310)
    fake.chmod(0o755)
    return tmp_path


def _make(where: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", *argv],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_an_old_python_is_refused_in_one_line_before_a_venv_exists(copy: Path) -> None:
    result = _make(copy, "PYTHON=./python3.10", "install")

    assert result.returncode != 0
    assert result.stderr.splitlines()[0] == (
        "PowerRAG needs Python 3.11 or newer; ./python3.10 is Python 3.10.12: "
        "run make PYTHON=python3.11 (or newer)"
    )
    assert "fake python was asked" not in result.stderr
    assert not (copy / ".venv").exists()


def test_a_venv_made_by_an_old_python_is_removed_and_rebuilt(copy: Path) -> None:
    bin_dir = copy / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    shutil.copy(copy / "python3.10", bin_dir / "python")
    (bin_dir / "uv").write_text("stale")

    result = _make(copy, "PYTHON=./python3.10", "install")

    assert result.stdout.splitlines()[0] == ".venv was made by Python 3.10.12: rebuilding it"
    assert not (copy / ".venv").exists()
    assert "PowerRAG needs Python 3.11 or newer" in result.stderr


def test_clean_keeps_the_data_and_clean_data_removes_it(copy: Path) -> None:
    data = copy / "powerrag-data"
    data.mkdir()
    (data / "powerrag.db").write_text("the data")
    (copy / ".venv").mkdir()

    assert _make(copy, "clean").returncode == 0
    assert not (copy / ".venv").exists()
    assert (data / "powerrag.db").read_text() == "the data"

    assert _make(copy, "clean-data").returncode == 0
    assert not data.exists()
