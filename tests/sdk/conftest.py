"""SDK test fixtures: one real `powerrag serve` process (fresh database and project) per SDK."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.sdk.harness import Sdk, Server


@pytest.fixture(scope="session")
def server_for(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[Sdk], Server]]:
    """Start, on first use, one server per SDK, shared by that SDK's tests; stop all at the end."""
    servers: dict[str, Server] = {}

    def get(sdk: Sdk) -> Server:
        if not (sdk.home / ".stamp").exists():
            pytest.fail(
                f"{sdk.home} is missing: build the SDK environments with scripts/sdk-envs.sh"
            )
        if sdk.name not in servers:
            data_dir = tmp_path_factory.mktemp(f"powerrag-{sdk.name}")
            project_id = "sdk-" + sdk.name.replace(".", "-")
            servers[sdk.name] = Server(data_dir, project_id)
        return servers[sdk.name]

    yield get
    for server in servers.values():
        server.stop()
