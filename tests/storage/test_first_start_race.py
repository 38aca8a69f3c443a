"""Replicas started at the same moment on one empty database run the first-start set-up
(LANGFUSE_INIT_*) together: each must start, and the set-up happen once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from powerrag import accounts
from powerrag.bootstrap import bootstrap
from powerrag.store.database import Store
from powerrag.store.infra.schema import api_keys, users
from tests.support.pg import ENGINES

pytestmark = pytest.mark.parametrize("database_url", ENGINES, indirect=True)

REPLICAS = 4
ENVIRON = {
    "LANGFUSE_INIT_USER_EMAIL": "Ada@Example.com",
    "LANGFUSE_INIT_USER_PASSWORD": "correct horse battery",
    "LANGFUSE_INIT_USER_NAME": "Ada",
    "LANGFUSE_INIT_PROJECT_ID": "first-project",
    "LANGFUSE_INIT_PROJECT_PUBLIC_KEY": "pk-lf-shared",
    "LANGFUSE_INIT_PROJECT_SECRET_KEY": "sk-lf-shared",
}


def test_replicas_starting_together_create_the_init_user_and_project_once(
    database_url: str,
) -> None:
    stores = [Store.open(database_url, pool_size=2) for _ in range(REPLICAS)]
    together = threading.Barrier(REPLICAS)

    def first_start(store: Store) -> None:
        together.wait()
        bootstrap(store, ENVIRON)

    try:
        with ThreadPoolExecutor(REPLICAS) as pool:
            list(pool.map(first_start, stores))  # re-raises a replica's failure
        with stores[0].connect() as conn:
            assert conn.execute(select(func.count()).select_from(users)).scalar_one() == 1
            assert conn.execute(select(func.count()).select_from(api_keys)).scalar_one() == 1
        user = accounts.sign_in(
            stores[0], "ada@example.com", ENVIRON["LANGFUSE_INIT_USER_PASSWORD"]
        )
        assert user is not None and user.user.is_admin and user.user.name == "Ada"
        assert [m.role for m in accounts.list_members(stores[0], "first-project")] == [
            accounts.OWNER
        ]
    finally:
        for store in stores:
            store.close()
