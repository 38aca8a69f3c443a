"""View models of the prompt pages: the list by folder, a version with its variables and
placeholders marked, what its generations did, and the line diff of two versions."""

from __future__ import annotations

import difflib
from typing import Any

import orjson

from powerrag.domain.prompts import (
    VARIABLE,
    PromptMeta,
    PromptVersion,
    VersionUsage,
    placeholders,
    variables,
)
from powerrag.domain.timeutil import to_iso


def _in_folder(name: str, folder: str) -> str | None:
    """The part of `name` under `folder` (`` for the top), or None when it is elsewhere."""
    if not folder:
        return name
    return name[len(folder) + 1 :] if name.startswith(folder + "/") else None


def list_view(found: list[PromptMeta], folder: str) -> dict[str, Any]:
    """The prompts right in `folder`, and its sub-folders with how many prompts each holds."""
    folders: dict[str, int] = {}
    shown = []
    for meta in found:
        rest = _in_folder(meta.name, folder)
        if rest is None:
            continue
        if "/" in rest:
            sub = rest.split("/", 1)[0]
            path = f"{folder}/{sub}" if folder else sub
            folders[path] = folders.get(path, 0) + 1
            continue
        shown.append(
            {
                "name": meta.name,
                "shortName": rest,
                "type": meta.type,
                "versions": len(meta.versions),
                "labels": list(meta.labels),
                "tags": list(meta.tags),
                "lastUpdatedAt": to_iso(meta.last_updated_at),
            }
        )
    parts = folder.split("/") if folder else []
    return {
        "folder": folder,
        "parents": ["/".join(parts[: i + 1]) for i in range(len(parts))],
        "folders": [
            {"path": p, "name": p.rsplit("/", 1)[-1], "count": n} for p, n in folders.items()
        ],
        "prompts": shown,
    }


def segments(text: str) -> list[dict[str, str]]:
    """`text` cut into plain parts and `{{variable}}` parts, for the page to mark the latter."""
    parts: list[dict[str, str]] = []
    last = 0
    for match in VARIABLE.finditer(text):
        if match.start() > last:
            parts.append({"kind": "text", "text": text[last : match.start()]})
        parts.append({"kind": "var", "text": match.group(0), "name": match.group(1)})
        last = match.end()
    if last < len(text):
        parts.append({"kind": "text", "text": text[last:]})
    return parts


def _body(version: PromptVersion) -> dict[str, Any]:
    if version.type == "text":
        return {"text": segments(version.prompt), "messages": []}
    messages = [
        {"placeholder": m["name"]}
        if m.get("type") == "placeholder"
        else {"role": m["role"], "content": segments(m["content"])}
        for m in version.prompt
    ]
    return {"text": [], "messages": messages}


def _usage(usage: VersionUsage | None) -> dict[str, Any]:
    if usage is None:
        return {"generations": 0, "totalCost": None, "averageLatencySeconds": None, "scores": []}
    latency = usage.average_latency_us
    return {
        "generations": usage.generations,
        "totalCost": usage.total_cost,
        "averageLatencySeconds": latency / 1_000_000 if latency is not None else None,
        "scores": [{"name": s.name, "average": s.average, "count": s.count} for s in usage.scores],
    }


def editable(version: PromptVersion) -> str:
    """The version's body as the new-version form shows it: the text, or the messages' JSON."""
    if version.type == "text":
        return str(version.prompt)
    return orjson.dumps(version.prompt, option=orjson.OPT_INDENT_2).decode()


def version_view(
    version: PromptVersion, usage: VersionUsage | None, authors: dict[str, str] | None = None
) -> dict[str, Any]:
    """A version; `author` is the name of the member who saved it (`createdBy` is an id)."""
    return {
        "version": version.version,
        "id": version.id,
        "type": version.type,
        "labels": list(version.labels),
        "commitMessage": version.commit_message,
        "createdBy": version.created_by,
        "author": (authors or {}).get(version.created_by, version.created_by),
        "createdAt": to_iso(version.created_at),
        "config": orjson.dumps(version.config, option=orjson.OPT_INDENT_2).decode(),
        "variables": variables(version.prompt),
        "placeholders": placeholders(version.prompt),
        "usage": _usage(usage),
        **_body(version),
    }


def as_lines(version: PromptVersion) -> list[str]:
    """A version as the lines a diff compares: a chat prompt's messages headed by their role."""
    if version.type == "text":
        return str(version.prompt).splitlines()
    lines: list[str] = []
    for message in version.prompt:
        if message.get("type") == "placeholder":
            lines.append(f"[placeholder: {message['name']}]")
        else:
            lines.extend([f"[{message['role']}]", *message["content"].splitlines()])
    return lines


def diff_view(old: PromptVersion, new: PromptVersion) -> dict[str, Any]:
    """Line changes from `old` to `new`, and whether their config changed."""
    lines = []
    for line in difflib.ndiff(as_lines(old), as_lines(new)):
        kind = {"+ ": "add", "- ": "del", "  ": "same"}.get(line[:2])
        if kind is not None:
            lines.append({"kind": kind, "text": line[2:]})
    return {
        "old": old.version,
        "new": new.version,
        "lines": lines,
        "changed": any(line["kind"] != "same" for line in lines),
        "configChanged": old.config != new.config,
    }
