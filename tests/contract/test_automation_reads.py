"""What the background worker reads (AutomationReader) and ending a session, on every engine.

The world: in the first project, session `old` (traces `t-old2` then `t-old`, whose id
order is the other way; the first with its own input and a continuation link; written long
ago, with an error and three identical tool calls), `fresh` (written recently, its own input
over its root's, costly, a low score) and `asked` (recent, but its trace asks to end it),
plus a judge trace of PowerRAG's own. The second project holds `old` again under the same
ids with one trace, so an unscoped read shows twice or with the wrong figures.
"""

from __future__ import annotations

import pytest

from powerrag.domain.alerts import AlertRule, Crossing
from powerrag.domain.eval_rules import JUDGE_ENVIRONMENT, NewTarget, TargetFacts
from powerrag.domain.records import IngestBatch, ObservationRecord, TraceUpdate
from powerrag.domain.session_end import END_TAG
from tests.contract.engines import StoreUnderTest
from tests.contract.world import P1, P2
from tests.support.records import Child, TraceSpec, Usage, at, merged, score, trace_batch

OLD, NEW = at(0), at(1000)  # when the writes arrive
CUTOFF = at(500)
OLD2 = TraceSpec(
    "t-old2",
    5,
    name="chat",
    user_id="alice",
    session_id="old",
    tags=("beta",),
    environment="production",
    input='{"q": "first"}',
    output='"one"',
    children=(Child("old2-gen", 0.5, level="ERROR", usage=Usage(1, 1, 2, 0.5, 0.5, 1.25)),),
)
OLD1 = TraceSpec(
    "t-old",
    10,
    name="search",
    user_id="bob",
    session_id="old",
    tags=("prod",),
    environment="production",
    input='{"q": "second"}',
    output='"two"',
    children=(Child("old-gen", 0.5, usage=Usage(1, 1, 2, 0.25, 0.25, 0.75)),),
)
FRESH = TraceSpec(
    "t-fresh",
    20,
    name="chat",
    user_id="carol",
    session_id="fresh",
    environment="staging",
    input='{"q": "root"}',
    children=(Child("fresh-gen", 0.5, usage=Usage(10, 10, 20, 1.0, 1.0, 3.0)),),
)
ASKED = TraceSpec("t-asked", 30, session_id="asked", tags=(END_TAG,))
JUDGE = TraceSpec("t-judge", 40, name="evaluation", environment=JUDGE_ENVIRONMENT)


def _tools(trace_id: str, start: float) -> IngestBatch:
    """The same tool with the same input three times (a loop), then another input."""
    inputs = ['{"city": "Oslo"}'] * 3 + ['{"city": "Rome"}']
    return IngestBatch(
        observations=[
            ObservationRecord(
                id=f"{trace_id}-tool{n}",
                trace_id=trace_id,
                type="TOOL",
                name="weather",
                start_time=at(start + 0.6 + n / 10),
                end_time=at(start + 0.9),
                environment="production",
                input=text,
            )
            for n, text in enumerate(inputs)
        ]
    )


def _old_session() -> IngestBatch:
    link = TraceUpdate(
        trace_id="t-old2",
        source_id="t-old2-link",
        timestamp=at(5),
        metadata={"session.previous_id": "yesterday"},
        input='{"q": "own first"}',
    )
    return merged(
        trace_batch(OLD2), trace_batch(OLD1), _tools("t-old", 10), IngestBatch(trace_updates=[link])
    )


def _recent() -> IngestBatch:
    own = TraceUpdate(
        trace_id="t-fresh", source_id="t-fresh-own", timestamp=at(20), input='{"q": "own"}'
    )
    scores = [
        score("sc-low", "quality", 21, value=0.125, session_id="fresh"),
        score("sc-high", "quality", 11, value=0.875, session_id="old"),
    ]
    return merged(
        trace_batch(FRESH),
        trace_batch(ASKED),
        trace_batch(JUDGE),
        IngestBatch(trace_updates=[own], scores=scores),
    )


@pytest.fixture(scope="module")
def world(module_sut: StoreUnderTest) -> StoreUnderTest:
    module_sut.writer.write_batches([(P1, _old_session())], OLD)
    module_sut.writer.write_batches([(P2, trace_batch(OLD1))], OLD + 1_000_000)
    module_sut.writer.write_batches([(P1, _recent())], NEW)
    return module_sut


def test_idle_sessions_asked_first_then_idle_by_age_each_project_by_its_cutoff(
    world: StoreUnderTest,
) -> None:
    with world.reading() as data:
        assert data.idle_sessions(CUTOFF, 10) == [(P1, "asked"), (P1, "old"), (P2, "old")]
        assert data.idle_sessions(CUTOFF, 2) == [(P1, "asked"), (P1, "old")]
        assert data.idle_sessions(CUTOFF, 10, {P2: OLD}) == [(P1, "asked"), (P1, "old")]
        assert data.idle_sessions(NEW + 1, 10, {P1: OLD}) == [(P1, "asked"), (P2, "old")]


def test_session_facts_are_its_own_turns_and_tool_calls(world: StoreUnderTest) -> None:
    with world.reading() as data:
        facts = data.session_facts(P1, "old")
        other = data.session_facts(P2, "old")
        assert data.session_facts(P1, "nope") is None
    assert facts is not None and other is not None
    assert (facts.trace_count, facts.error_count, facts.total_cost) == (2, 1, 2.0)
    assert [(t.trace_id, t.timestamp, t.input) for t in facts.turns] == [
        ("t-old2", at(5), '{"q": "own first"}'),
        ("t-old", at(10), None),
    ]
    oslo, rome = ("weather", '{"city": "Oslo"}'), ("weather", '{"city": "Rome"}')
    assert facts.tool_calls == (oslo, oslo, oslo, rome)
    assert (other.trace_count, [t.trace_id for t in other.turns]) == (1, ["t-old"])


def test_a_sessions_judge_input_is_its_turns_in_time_order(world: StoreUnderTest) -> None:
    with world.reading() as data:
        found = data.session_input(P1, "old")
        assert data.session_input(P1, "nope") is None
    assert found is not None
    assert found.facts == TargetFacts("production", ("beta", "prod"), ("alice", "bob"), "chat")
    assert found.turns == [({"q": "own first"}, "one"), ({"q": "second"}, "two")]
    assert (found.metadata, found.trace_id) == ({"session.previous_id": "yesterday"}, None)


def test_a_traces_judge_input_is_its_own_input_else_its_roots(world: StoreUnderTest) -> None:
    with world.reading() as data:
        fresh = data.trace_input(P1, "t-fresh")
        old = data.trace_input(P2, "t-old")
        assert data.trace_input(P1, "nope") is None
    assert fresh is not None and old is not None
    assert fresh.facts == TargetFacts("staging", (), ("carol",), "chat")
    assert (fresh.turns, fresh.trace_id) == ([({"q": "own"}, None)], "t-fresh")
    assert (old.turns, old.trace_id) == ([({"q": "second"}, "two")], "t-old")


def test_an_observations_judge_input_has_its_traces_user_and_tags(
    world: StoreUnderTest,
) -> None:
    with world.reading() as data:
        found = data.observation_input(P1, "t-old-tool3")
        assert data.observation_input(P2, "t-old-tool3") is None
    assert found is not None
    assert found.facts == TargetFacts("production", ("prod",), ("bob",), "weather")
    assert (found.turns, found.trace_id) == ([({"city": "Rome"}, None)], "t-old")


def test_new_targets_by_start_then_id_past_a_page_without_judge_traces(
    world: StoreUnderTest,
) -> None:
    old2, old, fresh, asked = (
        NewTarget(t, t, at(s))
        for t, s in (("t-old2", 5), ("t-old", 10), ("t-fresh", 20), ("t-asked", 30))
    )
    with world.reading() as data:
        assert data.new_targets(P1, "trace", at(0), None, 10) == [old2, old, fresh, asked]
        assert data.new_targets(P1, "trace", at(0), None, 2) == [old2, old]
        assert data.new_targets(P1, "trace", at(0), old, 10) == [fresh, asked]
        assert data.new_targets(P1, "trace", at(15), None, 10) == [fresh, asked]
        assert data.new_targets(P2, "trace", at(0), None, 10) == [old]
        spans = data.new_targets(P1, "observation", at(20), None, 10)
    assert spans == [
        NewTarget("t-fresh-root", "t-fresh", at(20)),
        NewTarget("fresh-gen", "t-fresh", at(20.5)),
        NewTarget("t-asked-root", "t-asked", at(30)),
    ]


def _alert(
    metric: str, threshold: float, created_at: int, score_name: str | None = None
) -> AlertRule:
    return AlertRule(
        id="al",
        project_id=P1,
        name=metric,
        metric=metric,
        threshold=threshold,
        score_name=score_name,
        webhook_url="http://127.0.0.1:9/hook",
        secret=None,
        enabled=True,
        created_at=created_at,
        updated_at=created_at,
    )


def _session(key: str, value: float) -> Crossing:
    return Crossing(f"alert:al:session:{key}", key, None, value)


@pytest.mark.parametrize(
    ("metric", "threshold", "since", "expected"),
    [
        ("session_cost", 1.5, None, [_session("fresh", 3.0), _session("old", 2.0)]),
        ("session_cost", 1.5, CUTOFF, [_session("fresh", 3.0)]),
        ("session_turns", 1, None, [_session("old", 2.0)]),
        ("session_errors", 0, None, [_session("old", 1.0)]),
        ("session_duration_seconds", 4, None, [_session("old", 7.0)]),
        ("loop", 3, None, [_session("old", 3.0)]),
        ("loop", 4, None, []),
    ],
)
def test_alert_crossings_of_each_session_metric(
    world: StoreUnderTest,
    metric: str,
    threshold: float,
    since: int | None,
    expected: list[Crossing],
) -> None:
    with world.reading() as data:
        found = data.alert_crossings(_alert(metric, threshold, at(-1)), NEW + 1, since)
    assert sorted(found, key=lambda c: c.key) == expected


def test_alert_crossings_of_users_and_scores(world: StoreUnderTest) -> None:
    day = (NEW + 1) // (24 * 3600 * 1_000_000)
    with world.reading() as data:
        users = data.alert_crossings(_alert("user_cost_24h", 1.0, at(-1)), NEW + 1, None)
        low = data.alert_crossings(_alert("score_below", 0.5, at(-1), "quality"), NEW + 1, None)
        late = data.alert_crossings(_alert("session_cost", 1.5, NEW + 1), NEW + 2, None)
    assert sorted(users, key=lambda c: c.key) == [
        Crossing(f"alert:al:user:alice:{day}", None, "alice", 1.25),
        Crossing(f"alert:al:user:carol:{day}", None, "carol", 3.0),
    ]
    assert low == [_session("fresh", 0.125)]
    assert late == []  # nothing changed since the alert was made


def _linked(session_id: str, trace_id: str, start: float) -> IngestBatch:
    link = TraceUpdate(
        trace_id=trace_id,
        source_id=f"{trace_id}-link",
        timestamp=at(start),
        metadata={"attributes": {"session.previous_id": "before"}},
    )
    spec = TraceSpec(trace_id, start, session_id=session_id)
    return merged(trace_batch(spec), IngestBatch(trace_updates=[link]))


def test_ending_a_session_once_in_its_project_and_a_trace_reopens_it(sut: StoreUnderTest) -> None:
    sut.writer.write_batches([(P1, _linked("s", "t1", 1)), (P2, _linked("s", "t1", 1))], OLD)
    calls: list[int] = []

    def then(conn: object, ended_at: int) -> None:
        calls.append(ended_at)

    end = sut.writer.end_session
    assert end(P1, "s", NEW, idle_before=OLD, then=then) is None  # active at OLD itself
    assert end(P1, "nope", NEW, then=then) is None
    assert end(P1, "s", NEW, idle_before=CUTOFF, then=then) == NEW
    assert end(P1, "s", NEW + 5, then=then) is None  # ended once
    assert calls == [NEW]
    with sut.reading() as data:
        ended, other = data.get_session(P1, "s"), data.get_session(P2, "s")
        assert data.idle_sessions(CUTOFF, 10) == [(P2, "s")]
    assert ended is not None and other is not None
    assert (ended.ended_at, ended.previous_id, ended.updated_at) == (NEW, "before", OLD)
    assert (other.ended_at, other.previous_id) == (None, None)

    sut.writer.write_batches([(P1, trace_batch(TraceSpec("t2", 2, session_id="s")))], NEW + 1)
    with sut.reading() as data:
        reopened = data.get_session(P1, "s")
    assert reopened is not None
    assert (reopened.ended_at, reopened.trace_count, reopened.previous_id) == (None, 2, "before")
    assert end(P1, "s", NEW + 2) == NEW + 2


def test_an_end_whose_work_fails_ends_nothing_and_flags_keep_the_idle_time(
    sut: StoreUnderTest,
) -> None:
    sut.writer.write_batches([(P1, trace_batch(TraceSpec("t1", 1, session_id="s")))], OLD)

    def fail(conn: object, ended_at: int) -> None:
        raise RuntimeError("the job table is gone")

    with pytest.raises(RuntimeError):
        sut.writer.end_session(P1, "s", NEW, then=fail)
    assert sut.writer.set_session_flag(P1, "s", "bookmarked", True)
    with sut.reading() as data:
        found = data.get_session(P1, "s")
        assert data.idle_sessions(CUTOFF, 10) == [(P1, "s")]
    assert found is not None
    assert (found.ended_at, found.bookmarked, found.updated_at) == (None, True, OLD)
