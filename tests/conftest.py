"""Shared fixtures: a real SQLite database file, the app, an in-process client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.store import accounts
from powerrag.store.database import Store
from tests.fixtures import AUTH, PUBLIC_KEY, SECRET_KEY

PROJECT_ID = "test-project"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path / 'powerrag.db'}", pool_size=4)
    with s.transaction() as conn:
        accounts.create_project(conn, "Test project", PROJECT_ID)
        accounts.create_api_key(conn, PROJECT_ID, public_key=PUBLIC_KEY, secret_key=SECRET_KEY)
    yield s
    s.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path)


@pytest.fixture
def client(store: Store, settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings, store=store)
    with TestClient(app, headers={"authorization": AUTH}) as c:
        yield c
