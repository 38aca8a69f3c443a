"""LIKE-based filters of `powerrag.store.filters` on a real SQLite table: wildcards are literal."""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest
from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Integer,
    MetaData,
    Table,
    Text,
    create_engine,
    select,
)

from powerrag.store.filters import (
    contains_phrase,
    contains_text,
    has_all,
    json_element,
    like_escaped,
    phrase_forms,
)

ROWS = {
    1: "100% sure",
    2: "1000 sure",
    3: "snake_case",
    4: "snakeXcase",
    5: "wow!",
    6: "wow!!",
    7: "wo",
}
TAGS = {1: ["a_b", "c"], 2: ["aXb", "c"], 3: ["100%"], 4: ["1000"]}
_META = MetaData()
_ROWS = Table("rows", _META, Column("id", Integer, primary_key=True), Column("text", Text))
_TAGGED = Table("tagged", _META, Column("id", Integer, primary_key=True), Column("tags", Text))


@pytest.fixture(scope="module")
def db() -> Iterator[Connection]:
    engine = create_engine("sqlite://")
    _META.create_all(engine)
    with engine.begin() as conn:
        conn.execute(_ROWS.insert(), [{"id": k, "text": v} for k, v in ROWS.items()])
        conn.execute(
            _TAGGED.insert(),
            [{"id": k, "tags": orjson.dumps(v).decode()} for k, v in TAGS.items()],
        )
        yield conn
    engine.dispose()


def _ids(db: Connection, table: Table, condition: ColumnElement[bool]) -> list[int]:
    return list(db.scalars(select(table.c.id).where(condition).order_by(table.c.id)))


def test_the_escape_character_doubles_and_guards_the_wildcards() -> None:
    assert like_escaped("a!b%c_d") == "a!!b!%c!_d"
    assert like_escaped("plain") == "plain"


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("100%", [1]),
        ("E_C", [3]),
        ("wow!", [5, 6]),
        ("wow!!", [6]),
        ("SURE", [1, 2]),
    ],
)
def test_a_text_filter_matches_wildcards_literally(
    db: Connection, text: str, ids: list[int]
) -> None:
    assert _ids(db, _ROWS, contains_text(_ROWS.c.text, text)) == ids


@pytest.mark.parametrize(("phrase", "ids"), [("100%", [1]), ("e_c", [3]), ("w!", [5, 6])])
def test_a_phrase_filter_matches_wildcards_literally(
    db: Connection, phrase: str, ids: list[int]
) -> None:
    assert _ids(db, _ROWS, contains_phrase([_ROWS.c.text], phrase)) == ids


def test_a_tag_filter_matches_whole_tags_with_literal_wildcards(db: Connection) -> None:
    assert _ids(db, _TAGGED, json_element(_TAGGED.c.tags, "a_b")) == [1]
    assert _ids(db, _TAGGED, json_element(_TAGGED.c.tags, "100%")) == [3]
    assert _ids(db, _TAGGED, has_all(_TAGGED.c.tags, ["a_b", "c"])) == [1]
    assert _ids(db, _TAGGED, has_all(_TAGGED.c.tags, [])) == [1, 2, 3, 4]


def test_a_phrase_is_searched_raw_and_in_both_json_escapings() -> None:
    assert phrase_forms('say "é"') == ['say "é"', 'say \\"é\\"', 'say \\"\\u00e9\\"']
    assert phrase_forms("plain") == ["plain"]
