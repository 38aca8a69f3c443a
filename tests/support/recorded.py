"""Recorded SDK traffic (tests/data/sdk-traffic, one JSON line per request), for replay tests."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from tests.support.project import AUTH

DATA = Path(__file__).resolve().parents[1] / "data"
TRAFFIC = DATA / "sdk-traffic"
# Headers a replay must not copy: transport ones that the client sets itself.
_TRANSPORT = {"host", "content-length", "transfer-encoding", "connection", "authorization"}


@dataclass(frozen=True)
class Recorded:
    file: str
    seq: int
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    record: dict[str, Any]

    @property
    def url(self) -> str:
        return self.path + (f"?{self.query}" if self.query else "")

    def replay_headers(self) -> dict[str, str]:
        headers = {k: v for k, v in self.headers.items() if k not in _TRANSPORT}
        headers["authorization"] = AUTH
        return headers


@cache
def load(name: str) -> tuple[Recorded, ...]:
    rows = []
    for line in (TRAFFIC / name).read_text().splitlines():
        rec = json.loads(line)
        rows.append(
            Recorded(
                file=name,
                seq=rec["seq"],
                method=rec["method"],
                path=rec["path"],
                query=rec.get("query") or "",
                headers=rec["headers"],
                body=base64.b64decode(rec.get("body_b64") or ""),
                record=rec,
            )
        )
    return tuple(rows)


def fixture_files() -> list[str]:
    return sorted(p.name for p in TRAFFIC.glob("*.jsonl"))


def is_write(rec: Recorded) -> bool:
    return rec.method == "POST" and rec.path in (
        "/api/public/otel/v1/traces",
        "/api/public/ingestion",
        "/api/public/scores",
    )


def writes(name: str) -> list[Recorded]:
    """The tracing and scoring requests of a fixture file (error scenarios: one per distinct body)."""
    seen: set[bytes] = set()
    result = []
    for rec in load(name):
        if is_write(rec) and rec.body not in seen:
            seen.add(rec.body)
            result.append(rec)
    return result
