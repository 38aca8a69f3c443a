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


def insert_settings(cluster: str | None, quorum: str | None = None) -> dict[str, Any]:
    """The settings of every insert. On a cluster an insert is acknowledged once a majority
    of the shard's replicas has it (`insert_quorum='auto'`), so a replica lost right after
    the answer loses nothing acknowledged; `insert_quorum_parallel` lets inserts of several
    writers wait for their quorums at once
    (https://clickhouse.com/docs/operations/settings/settings#insert_quorum). `quorum`
    (`&insert_quorum=N` in the URL) sets another quorum."""
    if quorum is not None and cluster is None:
        raise ClickHouseUnavailableError(
            "insert_quorum in the ClickHouse URL needs ?cluster=NAME: one server has no replicas"
        )
    if cluster is None:
        return dict(INSERT_SETTINGS)
    if quorum is not None and not (quorum == "auto" or (quorum.isdigit() and int(quorum) > 0)):
        raise ClickHouseUnavailableError(
            f"insert_quorum in the ClickHouse URL is {quorum!r}: use auto or a number of replicas"
        )
    return {**INSERT_SETTINGS, "insert_quorum": quorum or "auto", "insert_quorum_parallel": 1}


def target_of(url: str) -> tuple[str, str, str | None, dict[str, Any]]:
    """(dsn for clickhouse-connect, database, cluster, insert settings) of a PowerRAG
    ClickHouse URL."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    if parts.scheme == "chdb":
        if not parts.path or parts.path == "/":
            raise ClickHouseUnavailableError(
                f"the ClickHouse URL {url!r} names no data directory: use chdb:///path/to/dir"
            )
        database = query.get("database", [DEFAULT_DATABASE])[0]
        return f"chdb://{parts.path}", database, None, insert_settings(None)
    if parts.scheme in ("http", "https"):
        database = parts.path.strip("/") or DEFAULT_DATABASE
        cluster = query.get("cluster", [None])[0]
        inserts = insert_settings(cluster, query.get("insert_quorum", [None])[0])
        return parts._replace(path="", query="").geturl(), database, cluster, inserts
    raise ClickHouseUnavailableError(
        f"the ClickHouse URL {url!r} is neither http(s)://host:port/database nor chdb:///path"
    )


class ClickHouse:
    """Clients on one database, one per thread: a chDB client runs one query at a time (a
    lock per handle), so the search indexer and the writer would otherwise wait for each
    other and for every read."""

    def __init__(self, url: str, *, retention_days: int = 0) -> None:
        import clickhouse_connect

        self._dsn, self.database, self.cluster, self.insert_settings = target_of(url)
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
            settings={**self.insert_settings, "insert_deduplication_token": token},
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
