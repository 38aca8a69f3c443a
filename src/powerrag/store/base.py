"""The storage contract every engine honours (one interface, two real engines)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from sqlalchemy import Connection

from powerrag.domain.records import IngestBatch


class Writer(Protocol):
    def write_batches(self, items: Sequence[tuple[str, IngestBatch]]) -> None:
        """Store every (project_id, batch) in one transaction, or none of them."""

    def delete_traces(self, project_id: str, trace_ids: Sequence[str]) -> int:
        """Delete traces and everything that hangs off them; return how many existed."""


class Reader(Protocol):
    def connect(self) -> AbstractContextManager[Connection]:
        """A read-only connection for the `store.read_*` query functions."""


def chunked(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
