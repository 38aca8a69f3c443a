"""Sending the golden requests, recording their answers, and normalising them (test_golden.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from fastapi.testclient import TestClient

from tests.golden.routes import route_of
from tests.golden.scenario import CLOCK_CUTOFF

SERVER_CLOCK = "<server clock>"
# The one way answers show a time: UTC, milliseconds, `Z` (powerrag/domain/timeutil.py).
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")
BAD_KEY = "Basic cGstbGYtdGVzdDp3cm9uZw=="  # pk-lf-test with a wrong secret

Who = Literal["member", "signed-out", "bad-key"]
Answer = dict[str, Any]  # a golden entry: what was asked, and what came back


@dataclass(frozen=True)
class Request:
    """One GET of a group; `cursor_from` names an earlier request whose meta.cursor it follows."""

    name: str
    url: str
    who: Who = "member"
    cursor_from: str | None = None


@dataclass
class Recorder:
    """Sends a group's requests in order and keeps each answer as it came."""

    client: TestClient
    answers: dict[str, Answer] = field(default_factory=dict)

    def record_all(self, requests: list[Request]) -> list[Answer]:
        return [self.record(request) for request in requests]

    def record(self, request: Request) -> Answer:
        url = request.url
        if request.cursor_from is not None:
            previous = json.loads(self.answers[request.cursor_from]["text"])
            url += ("&" if "?" in url else "?") + f"cursor={previous['meta']['cursor']}"
        response = self._client(request.who).get(url)
        answer: Answer = {
            "name": request.name,
            "who": request.who,
            "url": url,
            "route": route_of(self.client.app, url),
            "status": response.status_code,
            "contentType": response.headers.get("content-type"),
            "text": response.text,
        }
        if "location" in response.headers:
            answer["location"] = response.headers["location"]
        self.answers[request.name] = answer
        return answer

    def _client(self, who: Who) -> TestClient:
        if who == "member":
            return self.client
        # A fresh browser each time: no cookie (a language choice included) carries over.
        headers = {"authorization": BAD_KEY} if who == "bad-key" else {}
        return TestClient(self.client.app, headers=headers, follow_redirects=False)


def _walk(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def _json(answer: Answer) -> Any:
    if not (answer["contentType"] or "").startswith("application/json"):
        return None
    return json.loads(answer["text"])


def _rows(item: dict[str, Any], key: str) -> list[dict[str, Any]]:
    rows = item.get(key)
    if not isinstance(rows, list):
        return []
    return [row for row in rows if isinstance(row, dict) and isinstance(row.get("id"), str)]


def generated_ids(answers: list[Answer]) -> dict[str, str]:
    """Ids the server drew at random, where answers show them, each with a stable name.

    Comments (the UI's `comments` lists, numbered as first shown), API keys (the
    settings page's `keys`), prompt versions and user accounts are the only rows of the scenario whose
    ids the server chooses. An account's id shows as the `authorUserId` of what it wrote
    (numbered) and among the settings page's `admins` (by email), named where first shown.
    """
    names: dict[str, str] = {}
    for answer in answers:
        for item in _walk(_json(answer)):
            for comment in _rows(item, "comments"):
                comments = sum(name.startswith("<id of comment") for name in names.values())
                names.setdefault(comment["id"], f"<id of comment {comments + 1}>")
            for key in _rows(item, "keys"):
                names.setdefault(key["id"], f"<id of API key {key.get('publicKey')}>")
            for admin in item.get("admins") or []:
                names.setdefault(admin["userId"], f"<id of user {admin['email']}>")
            if {"id", "version", "labels", "createdBy"} <= set(item):
                # The API's answers come first and carry the name; a page's version does not.
                name = item.get("name", "?")
                names.setdefault(item["id"], f"<id of prompt {name} v{item['version']}>")
            author = item.get("authorUserId")
            if isinstance(author, str):
                authors = sum(name.startswith("<id of author") for name in names.values())
                names.setdefault(author, f"<id of author {authors + 1}>")
    return names


def normalise(answers: list[Answer], ids: dict[str, str]) -> list[Answer]:
    """The answers with server-clock times and server-drawn ids named, plus a readable body."""
    cutoff = datetime.fromisoformat(CLOCK_CUTOFF)

    def clock(match: re.Match[str]) -> str:
        return SERVER_CLOCK if datetime.fromisoformat(match.group()) > cutoff else match.group()

    result = []
    for answer in answers:
        text = _ISO.sub(clock, answer["text"])
        for raw, name in ids.items():
            text = text.replace(raw, name)
        normalised = {**answer, "text": text}
        # For reading the golden file only: the comparison is on the exact `text`.
        normalised["json"] = _json(normalised)
        result.append(normalised)
    return result
