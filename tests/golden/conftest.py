"""The goldens run on SQLite only: PostgreSQL sorts NULLs differently (test_golden.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """Replaces the engine-parametrised fixture of tests/conftest.py with its SQLite case."""
    return f"sqlite:///{tmp_path / 'powerrag.db'}"
