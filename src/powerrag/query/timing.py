"""Where a turn's time went: the user's wait split into model, tool, retrieval and other time.

Each moment of a turn counts once, for the innermost kind of work running then: a model
call (generation, embedding) before a tool, a tool before a retrieval, and "other" when
none runs (the application's own code, queueing, network). So the parts add up to the
turn's latency exactly, and "user waited 14 s: 11 s in tool `search`" is a sum of the
tool's segments, not of overlapping spans.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from powerrag.domain.rows import ObservationNode
from powerrag.store.base import TraceData

KINDS = ("model", "tool", "retrieval")  # by priority: the first one running takes a moment
_KIND_OF = {"GENERATION": "model", "EMBEDDING": "model", "TOOL": "tool", "RETRIEVER": "retrieval"}
_CHUNK = 500  # traces per query when splitting a whole session


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of a turn (µs) spent in one kind of work; `name` is the tool's, if any."""

    kind: str
    start: int
    end: int
    name: str = ""


@dataclass(frozen=True, slots=True)
class TimeSplit:
    """A turn on the session's clock (µs) and how its time splits.

    `idle_before` is the user's think time since the previous turn ended (None for the
    first turn, or where the previous turn is not known).
    """

    trace_id: str
    start: int
    end: int
    segments: tuple[Segment, ...]
    idle_before: int | None = None

    @property
    def total(self) -> int:
        return self.end - self.start

    def time_in(self, kind: str) -> int:
        return sum(s.end - s.start for s in self.segments if s.kind == kind)

    @property
    def tools(self) -> tuple[tuple[str, int], ...]:
        """Time per tool name, the longest first (ties by name)."""
        spent: Counter[str] = Counter()
        for s in self.segments:
            if s.kind == "tool":
                spent[s.name] += s.end - s.start
        return tuple(sorted(spent.items(), key=lambda item: (-item[1], item[0])))


def time_split(
    trace_id: str,
    start: int,
    end: int | None,
    nodes: Sequence[ObservationNode],
    idle_before: int | None = None,
) -> TimeSplit:
    """Split [start, end] by the observations running in it (clipped to it)."""
    finish = max(end or start, start)
    events: list[tuple[int, int, str, str]] = []
    for node in nodes:
        kind = _KIND_OF.get(node.type)
        a, b = max(node.start_time, start), min(node.end_time or node.start_time, finish)
        if kind is not None and b > a:
            events += [(a, 1, kind, node.name or ""), (b, -1, kind, node.name or "")]
    events.sort(key=lambda e: (e[0], e[1]))
    running: dict[str, Counter[str]] = {k: Counter() for k in KINDS}
    segments: list[Segment] = []
    cursor = start
    for at, delta, kind, name in events:
        if at > cursor:
            _append(segments, _segment(running, cursor, at))
            cursor = at
        running[kind][name] += delta
        if running[kind][name] <= 0:
            del running[kind][name]
    if finish > cursor:
        _append(segments, _segment(running, cursor, finish))
    return TimeSplit(trace_id, start, finish, tuple(segments), idle_before)


def _segment(running: dict[str, Counter[str]], start: int, end: int) -> Segment:
    for kind in KINDS:
        if running[kind]:
            return Segment(kind, start, end, min(running[kind]) if kind == "tool" else "")
    return Segment("other", start, end)


def _append(segments: list[Segment], segment: Segment) -> None:
    last = segments[-1] if segments else None
    if last and (last.kind, last.name, last.end) == (segment.kind, segment.name, segment.start):
        segments[-1] = Segment(last.kind, last.start, segment.end, last.name)
    else:
        segments.append(segment)


def session_splits(data: TraceData, project_id: str, session_id: str) -> tuple[TimeSplit, ...]:
    """Every turn of a session in time order, split, with the think time before each."""
    timeline = data.session_timeline(project_id, session_id)
    by_trace: dict[str, list[ObservationNode]] = {t.id: [] for t in timeline}
    ids = list(by_trace)
    for i in range(0, len(ids), _CHUNK):
        for node in data.tree_nodes(project_id, ids[i : i + _CHUNK]):
            by_trace[node.trace_id].append(node)
    splits: list[TimeSplit] = []
    previous_end: int | None = None
    for t in timeline:
        idle = None if previous_end is None else max(t.timestamp - previous_end, 0)
        splits.append(time_split(t.id, t.timestamp, t.end_time, by_trace[t.id], idle))
        previous_end = max(previous_end or 0, t.end_time or t.timestamp)
    return tuple(splits)
