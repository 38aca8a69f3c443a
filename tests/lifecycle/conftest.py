"""An app with an injected clock and no background worker: the tests run its passes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.lifecycle import Lifecycle
from powerrag.store.database import Store
from tests.support.lifecycle import Clock
from tests.support.project import AUTH


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def lifecycle_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, session_idle_seconds=600, lifecycle_interval_seconds=0)


@pytest.fixture
def api(store: Store, lifecycle_settings: Settings, clock: Clock) -> Iterator[TestClient]:
    app = create_app(lifecycle_settings, store=store, clock=clock)
    with TestClient(app, headers={"authorization": AUTH}) as c:
        yield c


@pytest.fixture
def worker(store: Store, lifecycle_settings: Settings, clock: Clock) -> Lifecycle:
    return Lifecycle(store, lifecycle_settings, clock)
