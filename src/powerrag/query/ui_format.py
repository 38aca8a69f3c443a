"""Shared shaping for UI views: times, scores, score summaries (plain JSON-able dicts)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import orjson

from powerrag.domain.timeutil import to_iso


def iso(us: int | None) -> str | None:
    return to_iso(us)


def seconds(start: int | None, end: int | None) -> float | None:
    if start is None or end is None:
        return None
    return round(max(end - start, 0) / 1_000_000, 3)


def json_list(text: str | None) -> list[Any]:
    if not text:
        return []
    value = orjson.loads(text)
    return value if isinstance(value, list) else []


def score_view(row: dict[str, Any]) -> dict[str, Any]:
    value: Any = row["value"]
    if row["data_type"] == "CATEGORICAL" or (row["string_value"] and value is None):
        value = row["string_value"]
    elif row["data_type"] == "BOOLEAN" and value is not None:
        value = bool(value)
    return {
        "id": row["id"],
        "name": row["name"],
        "dataType": row["data_type"],
        "value": value,
        "comment": row["comment"],
        "source": row["source"],
        "traceId": row["trace_id"],
        "observationId": row["observation_id"],
        "timestamp": iso(row["timestamp"]),
    }


def score_summary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One line per score name: the mean of numbers and booleans, the categories seen."""
    by_name: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_name[row["name"]].append(row)
    summary = []
    for name, items in sorted(by_name.items()):
        numbers = [
            r["value"]
            for r in items
            if r["data_type"] in ("NUMERIC", "BOOLEAN") and r["value"] is not None
        ]
        labels = sorted(
            {
                str(r["string_value"])
                for r in items
                if r["data_type"] == "CATEGORICAL" and r["string_value"]
            }
        )
        if numbers:
            text = f"{sum(numbers) / len(numbers):.2f}".rstrip("0").rstrip(".")
        else:
            text = ", ".join(labels)
        summary.append({"name": name, "value": text, "count": len(items)})
    return summary
