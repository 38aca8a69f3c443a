"""Prompt versions on both engines: numbering, `latest`, labels unique per name, tags per
name, deletion handing `latest` on, the list's filters and paging."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from powerrag import prompts as writes
from powerrag.domain.errors import InvalidRequestError, NotFoundError
from powerrag.domain.prompts import PromptFilter
from powerrag.query import prompts as reads
from powerrag.store import accounts
from powerrag.store.database import Store
from tests.support.pg import ENGINES, PostgresServer

P, OTHER = "p-prompts", "p-other"
CHAT = [
    {"role": "system", "content": "You answer about {{topic}}.", "type": "chatmessage"},
    {"type": "placeholder", "name": "history"},
]


@pytest.fixture(params=ENGINES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'prompts.db'}"
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        url = request.getfixturevalue("postgres_test_db")
        server.empty_database(url.rsplit("/", 1)[1])
    opened = Store.open(url, pool_size=2)
    with opened.transaction() as conn:
        accounts.create_project(conn, "Prompts", P)
        accounts.create_project(conn, "Other", OTHER)
    yield opened
    opened.close()


def _new(store: Store, now: int, project: str = P, **body: Any) -> Any:
    return writes.create(store, project, {"name": "qa/answer", "prompt": "v", **body}, "API", now)


def _labels(store: Store, name: str = "qa/answer") -> dict[int, tuple[str, ...]]:
    return {v.version: v.labels for v in reads.versions(store, P, name)}


def test_versions_count_up_and_latest_moves(store: Store) -> None:
    one = _new(store, 1_000, labels=["production"], tags=["b", "a"], config={"t": 0.2})
    two = _new(store, 2_000, prompt="second {{x}}", commitMessage="shorter")
    assert (one.version, two.version) == (1, 2)
    assert _labels(store) == {2: ("latest",), 1: ("production",)}
    assert two.tags == ("a", "b") and two.config == {} and two.commit_message == "shorter"
    got = reads.get(store, P, "qa/answer", version=None, label=None)
    assert (got.version, got.prompt, got.config) == (1, "v", {"t": 0.2})
    assert reads.get(store, P, "qa/answer", version=None, label="latest").version == 2
    assert reads.get(store, P, "qa/answer", version=2, label=None).prompt == "second {{x}}"


def test_a_label_names_one_version_and_moving_it_keeps_the_others(store: Store) -> None:
    _new(store, 1_000, labels=["production", "staging"])
    _new(store, 2_000, labels=["staging"])
    assert _labels(store) == {2: ("latest", "staging"), 1: ("production",)}
    moved = writes.add_labels(store, P, "qa/answer", 2, {"newLabels": ["production"]}, 3_000)
    assert moved.labels == ("latest", "production", "staging")
    assert _labels(store) == {2: ("latest", "production", "staging"), 1: ()}
    assert moved.updated_at == 3_000
    assert reads.versions(store, P, "qa/answer")[1].updated_at == 3_000


def test_bad_labels_types_and_missing_versions_are_refused(store: Store) -> None:
    _new(store, 1_000)
    with pytest.raises(InvalidRequestError, match="'latest' is always assigned"):
        writes.add_labels(store, P, "qa/answer", 1, {"newLabels": ["latest"]}, 2_000)
    with pytest.raises(InvalidRequestError, match="label 'Prod!' must be"):
        _new(store, 2_000, labels=["Prod!"])
    with pytest.raises(InvalidRequestError, match="different prompt type"):
        _new(store, 2_000, type="chat", prompt=CHAT)
    with pytest.raises(NotFoundError, match="version 9 not found"):
        writes.add_labels(store, P, "qa/answer", 9, {"newLabels": ["x"]}, 2_000)
    with pytest.raises(
        NotFoundError, match="Prompt not found: 'qa/answer' with label 'production'"
    ):
        reads.get(store, P, "qa/answer", version=None, label=None)
    with pytest.raises(InvalidRequestError, match="Cannot specify both"):
        reads.get(store, P, "qa/answer", version=1, label="latest")
    assert [v.version for v in reads.versions(store, P, "qa/answer")] == [1]


def test_chat_messages_are_stored_as_langfuse_stores_them(store: Store) -> None:
    made = writes.create(
        store, P, {"name": "chat", "type": "chat", "prompt": CHAT, "labels": []}, "u1", 5
    )
    assert made.prompt == [
        {"role": "system", "content": "You answer about {{topic}}."},
        {"type": "placeholder", "name": "history"},
    ]
    assert (made.type, made.created_by, made.labels) == ("chat", "u1", ("latest",))
    clash = [{"role": "user", "content": "{{history}}"}, {"type": "placeholder", "name": "history"}]
    with pytest.raises(InvalidRequestError, match="not: history"):
        writes.create(store, P, {"name": "chat", "type": "chat", "prompt": clash}, "u1", 6)


def test_deleting_the_latest_version_hands_latest_to_the_highest_left(store: Store) -> None:
    for at in (1, 2, 3):
        _new(store, at, labels=["production"] if at == 1 else [])
    assert writes.delete(store, P, "qa/answer", 3, None) == 1
    assert _labels(store) == {2: ("latest",), 1: ("production",)}
    assert writes.delete(store, P, "qa/answer", None, "production") == 1
    assert _labels(store) == {2: ("latest",)}
    with pytest.raises(NotFoundError):
        writes.delete(store, P, "qa/answer", 7, None)
    assert writes.delete(store, P, "qa/answer", None, None) == 1
    with pytest.raises(NotFoundError):
        reads.versions(store, P, "qa/answer")
    assert _new(store, 9).version == 1


def test_the_list_filters_versions_and_pages_by_name(store: Store) -> None:
    _new(store, 1_000, labels=["production"], tags=["qa"])
    _new(store, 2_000)
    writes.create(store, P, {"name": "a/first", "prompt": "x", "tags": ["x"]}, "API", 1_500)
    writes.create(store, P, {"name": "z", "prompt": "x", "config": {"m": 1}}, "API", 3_000)
    _new(store, 4_000, project=OTHER)
    everything = reads.page(store, P, PromptFilter(), 1, 2)
    assert everything.total == 3
    assert [(m.name, m.versions, m.labels) for m in everything.items] == [
        ("a/first", (1,), ("latest",)),
        ("qa/answer", (1, 2), ("latest", "production")),
    ]
    assert everything.items[1].tags == ("qa",) and everything.items[1].last_updated_at == 2_000
    last = reads.page(store, P, PromptFilter(), 2, 2).items
    assert [(m.name, m.last_config) for m in last] == [("z", {"m": 1})]
    cases = {
        PromptFilter(label="production"): [("qa/answer", (1,))],
        PromptFilter(tag="qa"): [("qa/answer", (1, 2))],
        PromptFilter(name="z"): [("z", (1,))],
        PromptFilter(version=2): [("qa/answer", (2,))],
        # Version 1 changed at 2_000 when `latest` moved from it to version 2.
        PromptFilter(from_updated_at=2_000, to_updated_at=3_000): [("qa/answer", (1, 2))],
        PromptFilter(from_updated_at=1_000, to_updated_at=1_600): [("a/first", (1,))],
    }
    for f, expected in cases.items():
        assert [(m.name, m.versions) for m in reads.page(store, P, f, 1, 10).items] == expected
