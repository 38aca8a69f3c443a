"""Turns what the read API returned into name-keyed views that compare against expected tables."""

from __future__ import annotations

from typing import Any

# Ids differ on every run, so traces are keyed by name and observations by name within a trace.
SEED_FIELDS = ("type", "parent", "model", "input", "output")
RICH_FIELDS = (*SEED_FIELDS, "level", "statusMessage", "usageDetails", "costDetails")


def _unique(names: list[str], what: str) -> None:
    duplicates = sorted({n for n in names if names.count(n) > 1})
    assert not duplicates, f"{what} names are not unique: {duplicates}"


def observations_view(
    trace: dict[str, Any],
    fields: tuple[str, ...],
    expected: dict[str, dict[str, Any]] | None = None,
) -> dict[str, dict[str, Any]]:
    """{observation name: {field: value}}; `parent` is the parent's name (None for a root).

    Where an `expected` row lists metadata, only its keys are kept: the server adds its own."""
    observations = trace["observations"]
    _unique([o["name"] for o in observations], f"trace {trace['name']!r} observation")
    names = {o["id"]: o["name"] for o in observations}
    view: dict[str, dict[str, Any]] = {}
    for o in observations:
        row = {**o, "parent": names.get(o.get("parentObservationId") or "")}
        if o.get("parentObservationId") and row["parent"] is None:
            row["parent"] = f"<unknown {o['parentObservationId']}>"
        entry = {field: row.get(field) for field in fields}
        want = (expected or {}).get(o["name"], {})
        if "metadata" in want:
            entry["metadata"] = metadata_subset(o.get("metadata"), want["metadata"])
        view[o["name"]] = entry
    return view


def metadata_subset(metadata: Any, expected: dict[str, Any]) -> dict[str, Any]:
    """The expected metadata keys, as read back (absent keys read as None)."""
    present = metadata if isinstance(metadata, dict) else {}
    return {key: present.get(key) for key in expected}


def session_traces(readback: dict[str, Any], session_id: str) -> dict[str, dict[str, Any]]:
    """{trace name: full trace (GET /api/public/traces/{id})} for one session."""
    session = readback["sessions"][session_id]
    assert session["id"] == session_id
    traces = [readback["traces"][t["id"]] for t in session["traces"]]
    _unique([t["name"] for t in traces], f"session {session_id!r} trace")
    for trace in traces:
        assert trace["sessionId"] == session_id, f"trace {trace['name']!r}: {trace['sessionId']!r}"
    return {t["name"]: t for t in traces}


def scores_view(scores: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Scores as {name, value, dataType, comment, stringValue} rows, sorted by name and value."""
    rows = [
        {k: s.get(k) for k in ("name", "value", "dataType", "comment", "stringValue")}
        for s in scores
    ]
    return sorted(rows, key=lambda r: (r["name"], str(r["value"])))
