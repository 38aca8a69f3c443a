"""Words of conversation text for full-text search, and what a search box asks for.

Text is split into words of letters and digits, lower-cased (NFKC first, so full-width
Ａｂｃ is abc); a word longer than MAX_TOKEN_CHARS is cut into pieces of that length.
Chinese, Japanese and Korean are written without spaces between words, so a run of those
characters is indexed as overlapping character pairs plus its last character:
杭州推荐 → 杭州 州推 推荐 荐 (the bigram approach of Lucene's CJK analyzer,
https://lucene.apache.org/core/9_9_0/analysis/common/org/apache/lucene/analysis/cjk/CJKBigramFilter.html).
Every character then starts a token, so a query word of one character matches as a prefix,
and a longer one as its pairs.

A document is a trace: its own name, id, input and output and every observation's name,
input, output and error message. It keeps each token once, without positions: indexing is
what a trace costs, and positions would double it (docs/benchmarks.md). So a query word's
tokens must all be in one trace, not necessarily adjacent: 杭州推荐 also finds a trace with
杭州, 州推 and 推荐 apart, and `gpt-4o` one with `gpt` and `4o` apart.

A query is words in any order; each must occur somewhere (in the trace, in the session).
A word's last token matches as a prefix (`refund` finds "refunds") when it has at least
MIN_PREFIX_CHARS characters or is Chinese, Japanese or Korean; a shorter one is a whole token
(`root-c` must not find a trace with "root" and "checkout").
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.jsondoc import leaf_texts

# Hiragana, Katakana, Bopomofo, CJK Unified Ideographs (Extension A, main block, compatibility),
# Hangul syllables and the supplementary ideograph planes.
_CJK_RUN = re.compile(
    "[\u3040-\u30ff\u3100-\u312f\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f]+"
)
# Longer tokens (hashes, base64) are cut into pieces, in documents and queries alike.
MAX_TOKEN_CHARS = 32
_TOKEN = re.compile(f"[^\\W_]{{1,{MAX_TOKEN_CHARS}}}")
# Distinct tokens one document keeps (a 5 MB input has far fewer than this).
MAX_TOKENS = 100_000
MAX_QUERY_WORDS = 16
MIN_PREFIX_CHARS = 3


@dataclass(frozen=True, slots=True)
class Word:
    """One word of a query: its tokens, each in the same document; the last may be a prefix."""

    tokens: tuple[str, ...]

    @property
    def last_is_prefix(self) -> bool:
        last = self.tokens[-1]
        return len(last) >= MIN_PREFIX_CHARS or _CJK_RUN.match(last) is not None


def _pairs(run: str, *, with_last: bool) -> str:
    if len(run) == 1:
        return f" {run} "
    pairs = [run[i : i + 2] for i in range(len(run) - 1)]
    return " " + " ".join([*pairs, run[-1]] if with_last else pairs) + " "


def _document_pairs(match: re.Match[str]) -> str:
    return _pairs(match.group(), with_last=True)


def _query_pairs(match: re.Match[str]) -> str:
    return _pairs(match.group(), with_last=False)


def _tokens(text: str, *, document: bool) -> list[str]:
    if text.isascii():
        return _TOKEN.findall(text.lower())
    text = unicodedata.normalize("NFKC", text).lower()
    return _TOKEN.findall(_CJK_RUN.sub(_document_pairs if document else _query_pairs, text))


def json_text_strings(text: str) -> Iterator[str]:
    """The texts inside stored JSON (input, output): its strings, escapes decoded."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        yield text
        return
    yield from leaf_texts(value, numbers=True)


def document_tokens(plain: Iterable[str | None], as_json: Iterable[str | None]) -> list[str]:
    """The distinct tokens of one searchable document, in order of first appearance: of
    plain texts (names, error messages), then of JSON texts (outputs before inputs, as the
    caller orders them); at most MAX_TOKENS. A text repeated in the trace (the history each
    generation's input carries again) is split once."""
    texts = dict.fromkeys(t for t in plain if t)
    for text in dict.fromkeys(t for t in as_json if t):
        texts.update(dict.fromkeys(json_text_strings(text)))
    distinct = dict.fromkeys(_tokens("\n".join(texts), document=True))
    return list(distinct)[:MAX_TOKENS]


@dataclass(frozen=True, slots=True)
class SearchBacklog:
    """Traces whose search document is not built yet, and since when the oldest waits."""

    traces: int
    oldest_marked_at: int | None


def parse_query(text: str) -> tuple[Word, ...]:
    """The words of a search box's text, each once."""
    words = [Word(tuple(t)) for part in text.split() if (t := _tokens(part, document=False))]
    distinct = tuple(dict.fromkeys(words))
    if len(distinct) > MAX_QUERY_WORDS:
        raise InvalidRequestError(
            f"search: at most {MAX_QUERY_WORDS} words, got {len(distinct)}: {text[:80]!r}"
        )
    return distinct
