"""Observations with the prices of their matched model (the API shows them beside the cost)."""

from __future__ import annotations

from dataclasses import dataclass

from powerrag.domain.rows import ObservationRow
from powerrag.store.database import Store


@dataclass(frozen=True, slots=True)
class PricedObservation:
    """An observation and its model's default-tier prices per usage type (None: no model)."""

    row: ObservationRow
    prices: dict[str, float] | None


def priced(store: Store, project_id: str, rows: list[ObservationRow]) -> list[PricedObservation]:
    result = []
    book = store.price_book(project_id) if any(row.model for row in rows) else store.prices
    for row in rows:
        model = book.match(project_id, row.model, row.start_time) if row.model else None
        tier = model.default_tier if model else None
        result.append(PricedObservation(row, dict(tier.prices) if tier else None))
    return result
