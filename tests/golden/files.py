"""Golden files: one JSON document per request group, and a readable diff on mismatch."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
REGENERATE = "POWERRAG_GOLDEN_WRITE=1 (or: python -m tests.golden.generate)"
MAX_DIFF_LINES = 150


def path_of(group: str) -> Path:
    return DATA / f"{group}.json"


def dumps(value: Any) -> str:
    """Pretty, key-sorted JSON: what the golden files hold, and what diffs compare."""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(group: str, answers: list[dict[str, Any]]) -> None:
    DATA.mkdir(exist_ok=True)
    path_of(group).write_text(dumps({"group": group, "answers": answers}), encoding="utf-8")


def load(group: str) -> list[dict[str, Any]]:
    path = path_of(group)
    if not path.exists():
        raise AssertionError(f"{path} is missing: a new group; write it with {REGENERATE}")
    answers: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["answers"]
    return answers


def differences(group: str, got: list[dict[str, Any]]) -> list[str]:
    """Why each answer that differs from its golden does, as a diff; empty when all match."""
    expected = load(group)
    names = [a["name"] for a in got]
    if names != [a["name"] for a in expected]:
        return [
            f"{group}: the requests changed (golden {[a['name'] for a in expected]}, "
            f"table {names}); after adding requests on purpose, rewrite with {REGENERATE}"
        ]
    return [
        _explain(group, want, have)
        for want, have in zip(expected, got, strict=True)
        if want != have
    ]


def report(found: list[str]) -> str:
    """The first difference in full, then the first line of every other one."""
    others = [f"  {text.splitlines()[0]}" for text in found[1:]]
    also = ["", f"{len(others)} more answers differ:", *others] if others else []
    return "\n".join([found[0], *also])


def _explain(group: str, want: dict[str, Any], have: dict[str, Any]) -> str:
    """Diff the readable form; if only the exact text differs (key order, number format), say so."""
    readable, note = want.get("json") is not None, "answer differs"
    if _without_text(want) == _without_text(have):
        want, have = _text_lines(want), _text_lines(have)
        if readable:
            note = "same JSON value, different bytes (key order, number format)"
    elif readable:  # the `json` member shows the body
        want, have = _without_text(want), _without_text(have)
    diff = difflib.unified_diff(
        dumps(want).splitlines(),
        dumps(have).splitlines(),
        f"golden {path_of(group).name}",
        "this run",
        lineterm="",
        n=4,
    )
    lines = list(diff)
    if len(lines) > MAX_DIFF_LINES:
        more = len(lines) - MAX_DIFF_LINES
        lines = [
            *lines[:MAX_DIFF_LINES],
            f"… {more} more lines (to see them all: {REGENERATE}, then git diff)",
        ]
    return f"{group} / {want['name']} ({want['url']}): {note}\n" + "\n".join(lines)


def _without_text(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k != "text"}


def _text_lines(answer: dict[str, Any]) -> dict[str, Any]:
    """The exact text cut after each comma, so a diff points at the changed member."""
    return {"name": answer["name"], "url": answer["url"], "text": answer["text"].split(",")}
