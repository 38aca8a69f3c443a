"""Fixtures of the API tests: an app whose clock the test moves (the media URLs expire)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.store.database import Store
from tests.support.media import Clock
from tests.support.project import AUTH


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def api(store: Store, settings: Settings, clock: Clock) -> Iterator[TestClient]:
    """The `client` fixture's app and key (tests/conftest.py), on `clock`."""
    app = create_app(settings, store=store, clock=clock)
    with TestClient(app, headers={"authorization": AUTH}) as client:
        yield client
