"""One ClickHouse database through clickhouse-connect: a server (`http(s)://`) or chDB in
process (`chdb:///path`), with the settings every read and insert runs with."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson

from powerrag.domain.errors import PowerRAGError

DEFAULT_DATABASE = "powerrag"

# Reads see one version of each row: `final` applies FINAL to every ReplacingMergeTree of a
# query, joins and subqueries included (https://clickhouse.com/docs/operations/settings/settings#final).
# `join_use_nulls` and `cast_keep_nullable` make outer joins and casts answer NULL as SQL does.
READ_SETTINGS: dict[str, Any] = {
    "final": 1,
    "join_use_nulls": 1,
    "cast_keep_nullable": 1,
}
# Acknowledged means stored: chDB's own default is async_insert=1 (docs/deployment.md), so an
# insert waits for its part to be written, and a resent insert with the same token is dropped
# (https://clickhouse.com/docs/operations/settings/settings#insert_deduplication_token).
INSERT_SETTINGS: dict[str, Any] = {
    "async_insert": 0,
    "wait_for_async_insert": 1,
    "insert_deduplicate": 1,
}


class ClickHouseUnavailableError(PowerRAGError):
    """The ClickHouse URL is malformed or its server or data directory cannot be opened."""


def _target(url: str) -> tuple[str, str, str | None]:
    """(dsn for clickhouse-connect, database, cluster) of a PowerRAG ClickHouse URL."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    if parts.scheme == "chdb":
        if not parts.path or parts.path == "/":
            raise ClickHouseUnavailableError(
                f"the ClickHouse URL {url!r} names no data directory: use chdb:///path/to/dir"
            )
        return f"chdb://{parts.path}", query.get("database", [DEFAULT_DATABASE])[0], None
    if parts.scheme in ("http", "https"):
        database = parts.path.strip("/") or DEFAULT_DATABASE
        cluster = query.get("cluster", [None])[0]
        return parts._replace(path="", query="").geturl(), database, cluster
    raise ClickHouseUnavailableError(
        f"the ClickHouse URL {url!r} is neither http(s)://host:port/database nor chdb:///path"
    )


class ClickHouse:
    """Clients on one database, one per thread: a chDB client runs one query at a time (a
    lock per handle), so the search indexer and the writer would otherwise wait for each
    other and for every read."""

    def __init__(self, url: str, *, retention_days: int = 0) -> None:
        import clickhouse_connect

        self._dsn, self.database, self.cluster = _target(url)
        # The server's default retention, for projects that follow it (expiry.py).
        self.retention_days = retention_days
        self._local = threading.local()
        self._opened: list[Any] = []
        self._lock = threading.Lock()
        try:
            bootstrap = clickhouse_connect.get_client(dsn=self._dsn)
            bootstrap.command(f"CREATE DATABASE IF NOT EXISTS `{self.database}`")
            bootstrap.close()
            self.client.command("SELECT 1")
        except Exception as exc:  # clickhouse-connect raises its own and OSError kinds
            raise ClickHouseUnavailableError(
                f"cannot open ClickHouse at {_shown(url)}: {str(exc).splitlines()[0]}"
            ) from None

    @property
    def client(self) -> Any:
        """This thread's client."""
        client = getattr(self._local, "client", None)
        if client is None:
            import clickhouse_connect

            client = clickhouse_connect.get_client(dsn=self._dsn, database=self.database)
            self._local.client = client
            with self._lock:
                self._opened.append(client)
        return client

    def query(self, sql: str, parameters: dict[str, Any] | None = None) -> Any:
        return self.client.query(sql, parameters=parameters or None, settings=READ_SETTINGS)

    def stream(self, sql: str, parameters: dict[str, Any] | None = None) -> Any:
        """A context manager over the result's blocks of rows."""
        return self.client.query_row_block_stream(
            sql, parameters=parameters or None, settings=READ_SETTINGS
        )

    def command(self, sql: str, settings: dict[str, Any] | None = None) -> Any:
        return self.client.command(sql, settings=settings)

    def insert(self, table: str, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
        """Insert rows synchronously, deduplicated by a token of their content: an insert
        retried after a lost answer stores nothing twice."""
        if not rows:
            return
        data = [[row[c] for c in columns] for row in rows]
        token = hashlib.sha256(orjson.dumps([table, list(columns), data])).hexdigest()
        self.client.insert(
            table,
            data,
            column_names=list(columns),
            settings={**INSERT_SETTINGS, "insert_deduplication_token": token},
        )

    def close(self) -> None:
        with self._lock:
            opened, self._opened = self._opened, []
        for client in opened:
            client.close()


def _shown(url: str) -> str:
    """The URL without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")).geturl()
