"""The tokens search indexes and asks for (domain/search.py), exactly."""

from __future__ import annotations

import pytest

from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.search import MAX_QUERY_WORDS, Word, document_tokens, parse_query


def test_a_document_keeps_each_word_once_in_order_values_not_keys() -> None:
    messages = '[{"role": "user", "content": "Refund the HEADPHONES, refund_now x2"}]'
    assert document_tokens(["search-policies", None], [messages, '"ok"']) == [
        "search", "policies", "user", "refund", "the", "headphones", "now", "x2", "ok",
    ]  # fmt: skip


def test_chinese_runs_become_pairs_and_their_last_character() -> None:
    assert document_tokens([], ['"去杭州，有推荐？"']) == [
        "去杭",
        "杭州",
        "州",
        "有推",
        "推荐",
        "荐",
    ]
    # Escaped as Python's json.dumps writes it, decoded before splitting.
    assert document_tokens([], ['"\\u676d\\u5dde"']) == ["杭州", "州"]
    assert document_tokens(["ＧＰＴ４ｏ 模型"], []) == ["gpt4o", "模型", "型"]


def test_text_that_is_not_json_is_indexed_as_it_is() -> None:
    assert document_tokens([], ["{broken json: refund"]) == ["broken", "json", "refund"]


def test_long_words_are_cut_alike_in_documents_and_queries() -> None:
    word = "a" * 40
    assert document_tokens([word], []) == ["a" * 32, "a" * 8]
    assert parse_query(word) == (Word(("a" * 32, "a" * 8)),)


def test_a_query_is_distinct_words_each_with_its_tokens() -> None:
    assert parse_query("  headphones refund  refund 杭州 杭 gpt-4o 推荐杭州 ?! ") == (
        Word(("headphones",)),
        Word(("refund",)),
        Word(("杭州",)),
        Word(("杭",)),
        Word(("gpt", "4o")),
        Word(("推荐", "荐杭", "杭州")),
    )
    assert parse_query("!!! ...") == ()


def test_too_many_words_are_refused_naming_the_limit() -> None:
    assert len(parse_query(" ".join(f"w{i}" for i in range(MAX_QUERY_WORDS)))) == MAX_QUERY_WORDS
    with pytest.raises(InvalidRequestError, match="at most 16 words, got 17"):
        parse_query(" ".join(f"w{i}" for i in range(MAX_QUERY_WORDS + 1)))


def test_a_short_latin_word_is_whole_a_longer_or_cjk_one_a_prefix() -> None:
    prefixes = {text: [w.last_is_prefix for w in parse_query(text)] for text in ("root-c", "4o")}
    assert prefixes == {"root-c": [False], "4o": [False]}
    assert [w.last_is_prefix for w in parse_query("ref refund 杭 杭州")] == [True, True, True, True]
