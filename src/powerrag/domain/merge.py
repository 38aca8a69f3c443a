"""How a trace's fields follow from every update its spans and events carried.

The result depends only on the set of updates, never on their arrival order,
so out-of-order spans, retries and replicas all converge (architecture note,
"Out of order is normal"; reference §1.15). Updates are applied in order of
(timestamp, source_id): later non-empty values win, tags are a union,
metadata is deep-merged, `public` is true once any update says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from powerrag.domain.records import TraceUpdate


@dataclass(slots=True)
class MergedTrace:
    """Trace-level fields; name/input/output fall back to the root observation."""

    timestamp: int
    name: str | None = None
    user_id: str | None = None
    session_id: str | None = None
    release: str | None = None
    version: str | None = None
    environment: str | None = None
    public: bool = False
    tags: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    input: str | None = None
    output: str | None = None


def deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Merge `extra` into a copy of `base`, recursing into nested objects."""
    result = dict(base)
    for key, value in extra.items():
        current = result.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            result[key] = deep_merge(current, value)
        else:
            result[key] = value
    return result


_SCALARS = ("name", "user_id", "session_id", "release", "version", "environment", "input", "output")


def merge_trace(updates: list[TraceUpdate]) -> MergedTrace:
    """Fold a trace's updates into its fields. `updates` must not be empty."""
    ordered = sorted(updates, key=lambda u: (u.timestamp, u.source_id))
    merged = MergedTrace(timestamp=min(u.timestamp for u in ordered))
    tags: set[str] = set()
    for update in ordered:
        for name in _SCALARS:
            value = getattr(update, name)
            if value not in (None, ""):
                setattr(merged, name, value)
        if update.public:
            merged.public = True
        tags.update(update.tags)
        if update.metadata:
            merged.metadata = deep_merge(merged.metadata, update.metadata)
    merged.tags = sorted(tags)
    return merged
