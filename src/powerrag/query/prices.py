"""Observations with the prices of their matched model (the API shows them beside the cost)
and the id of the prompt version they name (`promptId`)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from powerrag.domain.rows import ObservationRow
from powerrag.store.database import Store


@dataclass(frozen=True, slots=True)
class PricedObservation:
    """An observation and its model's default-tier prices per usage type (None: no model)."""

    row: ObservationRow
    prices: dict[str, float] | None


def priced(store: Store, project_id: str, rows: list[ObservationRow]) -> list[PricedObservation]:
    """A prompt version sent before it was created, or deleted since, has no id (as Langfuse
    answers a generation naming an unknown prompt): the name and version stay."""
    result = []
    book = store.price_book(project_id) if any(row.model for row in rows) else store.prices
    named = {(r.prompt_name, r.prompt_version) for r in rows if r.prompt_name and r.prompt_version}
    prompt_ids = store.prompt_ids(project_id, named)
    for row in rows:
        key = (row.prompt_name or "", row.prompt_version or 0)
        row = replace(row, prompt_id=prompt_ids.get(key))
        model = book.match(project_id, row.model, row.start_time) if row.model else None
        tier = model.default_tier if model else None
        result.append(PricedObservation(row, dict(tier.prices) if tier else None))
    return result
