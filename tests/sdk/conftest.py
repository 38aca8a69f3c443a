"""SDK test fixtures: one real `powerrag serve` process (fresh database and project) per SDK.

The whole SDK suite runs once per engine: SQLite in the data directory, then a fresh
database on the PostgreSQL server the tests start.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.support.pg import ENGINES, PostgresServer, unique_db_name
from tests.support.sdk import Sdk, Server


@pytest.fixture(scope="session", params=ENGINES)
def server_for(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[Sdk], Server]]:
    """Start, on first use, one server per SDK, shared by that SDK's tests; stop all at the end."""
    servers: dict[str, Server] = {}
    engine: str = request.param

    def get(sdk: Sdk) -> Server:
        if not (sdk.home / ".stamp").exists():
            pytest.fail(
                f"{sdk.home} is missing: build the SDK environments with scripts/sdk-envs.sh"
            )
        if sdk.name not in servers:
            data_dir = tmp_path_factory.mktemp(f"powerrag-{engine}-{sdk.name}")
            project_id = "sdk-" + sdk.name.replace(".", "-")
            database_url = None
            if engine == "postgresql":
                postgres: PostgresServer = request.getfixturevalue("postgres_server")
                database_url = postgres.create_database(unique_db_name())
            servers[sdk.name] = Server(data_dir, project_id, database_url=database_url)
        return servers[sdk.name]

    yield get
    for server in servers.values():
        server.stop()
