"""The write contract every engine honours (the pipeline depends on it, not on Store)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from powerrag.domain.records import IngestBatch


class Writer(Protocol):
    def write_batches(self, items: Sequence[tuple[str, IngestBatch]]) -> None:
        """Store every (project_id, batch) in one transaction, or none of them."""

    def delete_traces(self, project_id: str, trace_ids: Sequence[str]) -> int:
        """Delete traces and everything that hangs off them; return how many existed."""


# Keeps IN (...) lists under every engine's parameter limit.
IN_LIST_CHUNK = 500


def chunked(items: Sequence[str], size: int = IN_LIST_CHUNK) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
