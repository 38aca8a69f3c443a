"""The replay's composites: steps in time order under the turn, documents of every shape,
and the user's wait split into model, tool, retrieval and other time, to the microsecond."""

from __future__ import annotations

import json

from powerrag.domain.rows import GenerationIO, ObservationNode, StepIO
from powerrag.query.documents import Document, retrieved_documents
from powerrag.query.replay import turn_steps
from powerrag.query.timing import Segment, time_split

S = 1_000_000  # µs
T0 = 1_764_000_000 * S


def node(
    id: str,
    type: str,
    start: float,
    end: float | None,
    parent: str | None = "root",
    *,
    level: str = "DEFAULT",
    status: str | None = None,
) -> ObservationNode:
    return ObservationNode(
        id=id,
        trace_id="t1",
        parent_observation_id=parent,
        type=type,
        name=id,
        start_time=T0 + int(start * S),
        end_time=None if end is None else T0 + int(end * S),
        level=level,
        model="gpt-4o" if type == "GENERATION" else None,
        total_cost=None,
        total_tokens=0,
        status_message=status,
    )


def io(id: str, inp: object, out: object, meta: object = None) -> StepIO:
    return StepIO(
        id, "t1", json.dumps(inp), json.dumps(out), None if meta is None else json.dumps(meta)
    )


# A RAG turn: retrieve, an agent that calls a failing tool and an LLM, then the answer.
RAG = [
    node("root", "AGENT", 0, 10, None),
    node("retrieve", "RETRIEVER", 1, 2),
    node("agent", "AGENT", 2, 8),
    node("search", "TOOL", 3, 7, "agent", level="ERROR", status="timeout after 4 s"),
    node("plan", "GENERATION", 7, 8, "agent"),
    node("answer", "GENERATION", 8, 9.5),
]


def test_steps_are_depth_first_in_start_order_under_the_root_span() -> None:
    payloads = {"search": io("search", {"q": "refund"}, None), "root": io("root", "hi", "bye")}
    gens = {"answer": GenerationIO("answer", "t1", "gpt-4o", '"q"', '"the answer"', T0)}
    steps = turn_steps(RAG, payloads, gens)
    assert [(s.node.id, s.depth) for s in steps] == [
        ("retrieve", 0),
        ("agent", 0),
        ("search", 1),
        ("plan", 1),
        ("answer", 0),
    ]
    by_id = {s.node.id: s for s in steps}
    assert (by_id["search"].input, by_id["search"].output) == ('{"q": "refund"}', "null")
    assert by_id["search"].node.status_message == "timeout after 4 s"
    assert by_id["answer"].output == '"the answer"'
    assert (by_id["plan"].input, by_id["plan"].output) == (None, None)


def test_a_turn_without_one_root_shows_every_top_level_observation_and_orphans() -> None:
    # The root has not arrived: its children point at a parent that is not there yet.
    nodes = [node("a", "TOOL", 1, 2, "missing"), node("b", "GENERATION", 2, 3, "missing")]
    assert [(s.node.id, s.depth) for s in turn_steps(nodes, {}, {})] == [("a", 0), ("b", 0)]
    # A lone generation is a step of its own, not a wrapper.
    lone = [node("g", "GENERATION", 0, 1, None)]
    assert [s.node.id for s in turn_steps(lone, {}, {})] == ["g"]


def test_langchain_documents_with_scores_and_titles() -> None:
    output = [
        {
            "page_content": "Refunds within 30 days.\nMore",
            "metadata": {"source": "refund.md", "score": 0.91},
        },
        {
            "lc": 1,
            "type": "constructor",
            "id": ["langchain", "schema", "document", "Document"],
            "kwargs": {"page_content": "Shipping takes 5 days.", "metadata": {"id": "d2"}},
        },
        {"content": "Warranty: 2 years.", "score": 0.5, "id": 7, "title": "Warranty"},
    ]
    docs = retrieved_documents(json.dumps(output), None)
    assert docs == (
        Document(
            "Refunds within 30 days.\nMore",
            None,
            0.91,
            "refund.md",
            '{"score": 0.91, "source": "refund.md"}',
        ),
        Document("Shipping takes 5 days.", "d2", None, None, '{"id": "d2"}'),
        Document("Warranty: 2 years.", "7", 0.5, "Warranty", None),
    )


def test_openinference_documents_come_from_the_span_attributes_in_metadata() -> None:
    attrs = {
        "retrieval.documents.1.document.content": "second",
        "retrieval.documents.1.document.score": "0.25",
        "retrieval.documents.0.document.content": "first",
        "retrieval.documents.0.document.id": "doc-0",
        "retrieval.documents.0.document.score": "0.75",
        "retrieval.documents.0.document.metadata": '{"title": "Policy"}',
        "openinference.span.kind": "RETRIEVER",
    }
    docs = retrieved_documents(None, json.dumps({"attributes": attrs}))
    assert docs == (
        Document("first", "doc-0", 0.75, "Policy", '{"title": "Policy"}'),
        Document("second", None, 0.25, None, None),
    )


def test_other_outputs_are_not_documents() -> None:
    assert retrieved_documents('["doc-1", 2]', None) == ()
    assert retrieved_documents('{"answer": "x"}', None) == ()
    assert retrieved_documents("not json", None) == ()
    assert retrieved_documents(None, None) == ()
    assert retrieved_documents('{"documents": ["a", "b"]}', None) == (
        Document("a", None, None, None, None),
        Document("b", None, None, None, None),
    )


def test_the_wait_splits_into_tool_model_retrieval_and_other_exactly() -> None:
    nodes = [
        node("root", "SPAN", 0, 14, None),
        node("retrieve", "RETRIEVER", 0.5, 1.5),
        node("search", "TOOL", 1.5, 12.5),
        node("llm", "GENERATION", 12.5, 13.8),
    ]
    split = time_split("t1", T0, T0 + 14 * S, nodes, idle_before=30 * S)
    assert split.total == 14 * S
    assert (split.time_in("tool"), split.time_in("model")) == (11 * S, 1_300_000)
    assert (split.time_in("retrieval"), split.time_in("other")) == (1 * S, 700_000)
    assert split.tools == (("search", 11 * S),)
    assert split.idle_before == 30 * S
    assert [(s.kind, s.start - T0, s.end - T0) for s in split.segments] == [
        ("other", 0, 500_000),
        ("retrieval", 500_000, 1_500_000),
        ("tool", 1_500_000, 12_500_000),
        ("model", 12_500_000, 13_800_000),
        ("other", 13_800_000, 14_000_000),
    ]


def test_overlaps_count_once_for_the_innermost_work() -> None:
    nodes = [
        node("a", "TOOL", 0, 4),
        node("b", "TOOL", 2, 6),
        node("llm", "GENERATION", 3, 5),  # inside both tools: the model is working
        node("late", "TOOL", 7, 20),  # runs past the turn's end: clipped
    ]
    split = time_split("t1", T0, T0 + 8 * S, nodes)
    assert split.segments == (
        Segment("tool", T0, T0 + 3 * S, "a"),
        Segment("model", T0 + 3 * S, T0 + 5 * S),
        Segment("tool", T0 + 5 * S, T0 + 6 * S, "b"),
        Segment("other", T0 + 6 * S, T0 + 7 * S),
        Segment("tool", T0 + 7 * S, T0 + 8 * S, "late"),
    )
    assert split.tools == (("a", 3 * S), ("b", 1 * S), ("late", 1 * S))
    assert sum(split.time_in(k) for k in ("model", "tool", "retrieval", "other")) == 8 * S


def test_a_running_turn_without_an_end_has_no_length() -> None:
    split = time_split("t1", T0, None, [node("a", "TOOL", 1, None)])
    assert (split.total, split.segments, split.idle_before) == (0, (), None)
