"""The documents a retrieval step returned, from whichever convention carried them.

OpenInference retriever spans put them in `retrieval.documents.N.document.{content,id,
score,metadata}` attributes (https://github.com/Arize-ai/openinference/blob/main/spec/
semantic_conventions.md), which ingestion keeps in the observation's metadata under
`attributes` (ingest/semconv.py `_attributes`). Langfuse retriever observations carry
them as their output: a list of strings, of `{content|text|page_content, score, id,
metadata}` objects, of LangChain Documents (plain or `lc` serialised), of LlamaIndex
nodes with scores, or an object holding such a list under `documents`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

MAX_DOCUMENTS = 100  # a step shows at most this many; its output on the trace page has all
_OI_KEY = re.compile(r"^retrieval\.documents\.(\d+)\.document\.(content|id|score|metadata)$")
_CONTENT_KEYS = ("page_content", "pageContent", "content", "text")
_SCORE_KEYS = ("score", "relevance_score", "similarity")
_ID_KEYS = ("id", "doc_id", "document_id")
_TITLE_KEYS = ("title", "source", "file_name", "filename", "name", "url", "doc")


@dataclass(frozen=True, slots=True)
class Document:
    """One retrieved document: its text, id, relevance score, title and metadata (JSON)."""

    content: str
    id: str | None
    score: float | None
    title: str | None
    metadata: str | None


def retrieved_documents(output: str | None, metadata: str | None) -> tuple[Document, ...]:
    """The documents of a retrieval step: OpenInference attributes first, else its output."""
    found = _openinference(_loads(metadata))
    return found if found else _from_output(_loads(output))


def _loads(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _openinference(meta: Any) -> tuple[Document, ...]:
    if not isinstance(meta, dict):
        return ()
    attrs = meta.get("attributes")
    if not isinstance(attrs, dict):
        return ()
    fields: dict[int, dict[str, Any]] = {}
    for key, value in attrs.items():
        match = _OI_KEY.match(key)
        if match and int(match.group(1)) < MAX_DOCUMENTS:
            fields.setdefault(int(match.group(1)), {})[match.group(2)] = value
    docs = (_document(fields[i]) for i in sorted(fields))
    return tuple(d for d in docs if d is not None)


def _from_output(value: Any) -> tuple[Document, ...]:
    if isinstance(value, dict) and isinstance(value.get("documents"), list):
        value = value["documents"]
    if not isinstance(value, list):
        return ()
    docs = [_document(item) for item in value[:MAX_DOCUMENTS]]
    # A list that is not documents (say, plain ids mixed with numbers) shows as output.
    return tuple(d for d in docs if d is not None) if all(d is not None for d in docs) else ()


def _document(item: Any) -> Document | None:
    if isinstance(item, str):
        return Document(item, None, None, None, None)
    if not isinstance(item, dict):
        return None
    if item.get("lc") == 1 and isinstance(item.get("kwargs"), dict):
        item = item["kwargs"]
    outer_score = _number(_first(item, _SCORE_KEYS))
    for wrapper in ("document", "node"):  # OpenInference nested, LlamaIndex NodeWithScore
        if isinstance(item.get(wrapper), dict):
            item = item[wrapper]
    content = _first(item, _CONTENT_KEYS)
    if not isinstance(content, str):
        return None
    meta = (
        _loads(item["metadata"]) if isinstance(item.get("metadata"), str) else item.get("metadata")
    )
    meta = meta if isinstance(meta, dict) else {}
    score = outer_score if outer_score is not None else _number(_first(item, _SCORE_KEYS))
    if score is None:
        score = _number(_first(meta, _SCORE_KEYS))
    ident = _first(item, _ID_KEYS) or _first(meta, _ID_KEYS)
    title = _first(item, ("title", "doc", "source")) or _first(meta, _TITLE_KEYS)
    return Document(
        content=content,
        id=None if ident is None else str(ident),
        score=score,
        title=title if isinstance(title, str) and title.strip() else None,
        metadata=json.dumps(meta, ensure_ascii=False, sort_keys=True) if meta else None,
    )


def _first(item: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        if item.get(key) not in (None, ""):
            return item[key]
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None
