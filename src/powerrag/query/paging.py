"""Pages as the lists return them: numbered pages with a total, or keyset pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from powerrag.domain.filters import PageRequest

T = TypeVar("T")
C = TypeVar("C")


@dataclass(frozen=True, slots=True)
class Paged(Generic[T]):
    """One numbered page of rows and the total that matched."""

    items: list[T]
    page: PageRequest
    total: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one, so an empty list has a page 1)."""
        return max(1, -(-self.total // self.page.limit))


@dataclass(frozen=True, slots=True)
class KeysetPage(Generic[T, C]):
    """Rows after a cursor, and the cursor of the next page (None on the last one)."""

    items: list[T]
    next_cursor: C | None
