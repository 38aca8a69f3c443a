"""Built-in session checks: declarative rules that judge a whole session with no LLM.

Each check reads figures the session row keeps or its traces and tool calls, and says
whether its condition holds (a BOOLEAN score, True = the condition holds) with the
reasoning as the score's comment (docs/evaluation.md).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from powerrag.domain.errors import InvalidRequestError

# kind -> (does it need a threshold, its default, what the threshold means)
CHECK_KINDS: dict[str, tuple[bool, float | None, str]] = {
    "errors": (False, 0.0, "more than N errors (default 0: any error)"),
    "turns": (True, None, "more than N turns (traces)"),
    "cost": (True, None, "total cost above X (USD)"),
    "slow_turn": (True, None, "a turn slower than N seconds"),
    "frustration": (False, None, "a user message containing one of the pattern's phrases"),
    "loop": (False, 3.0, "the same tool called with the same input N times (default 3)"),
}
TARGETS = ("session",)
MAX_PATTERN = 1000
# Only this much of each user message is searched: a check's cost stays bounded.
MAX_MESSAGE_CHARS = 20_000


@dataclass(frozen=True, slots=True)
class CheckRule:
    id: str
    project_id: str
    name: str
    check_kind: str
    target: str
    threshold: float | None
    pattern: str | None
    enabled: bool
    created_at: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class Turn:
    """One trace of the session, as the checks see it."""

    trace_id: str
    timestamp: int
    end_time: int | None
    input: str | None


@dataclass(frozen=True, slots=True)
class SessionFacts:
    session_id: str
    environment: str
    trace_count: int
    error_count: int
    total_cost: float
    turns: tuple[Turn, ...]
    # (tool name, input JSON text) of each TOOL observation, in time order.
    tool_calls: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class CheckResult:
    holds: bool
    comment: str


def validate_check(
    kind: str, target: str, threshold: float | None, pattern: str | None
) -> tuple[float | None, str | None]:
    """The rule's (threshold, pattern) with defaults; InvalidRequestError names the problem."""
    if kind not in CHECK_KINDS:
        raise InvalidRequestError(f"check must be one of {', '.join(CHECK_KINDS)}, got {kind!r}")
    if target not in TARGETS:
        raise InvalidRequestError(f"target must be one of {', '.join(TARGETS)}, got {target!r}")
    needs, default, _ = CHECK_KINDS[kind]
    if threshold is None:
        if needs:
            raise InvalidRequestError(f"the {kind} check needs a threshold")
        threshold = default
    if threshold is not None and threshold < 0:
        raise InvalidRequestError(f"threshold must not be negative, got {threshold!r}")
    if kind == "frustration":
        if not pattern or not phrases(pattern):
            raise InvalidRequestError("the frustration check needs a pattern: phrases joined by |")
        if len(pattern) > MAX_PATTERN:
            raise InvalidRequestError(f"pattern has at most {MAX_PATTERN} characters")
    elif pattern:
        raise InvalidRequestError(f"the {kind} check takes no pattern")
    return threshold, pattern if kind == "frustration" else None


def phrases(pattern: str) -> list[str]:
    """The pattern's phrases, lower-cased: literal text, so no pattern can be slow to match."""
    return [p.strip().lower() for p in pattern.split("|") if p.strip()]


def run_check(rule: CheckRule, facts: SessionFacts) -> CheckResult:
    limit = rule.threshold if rule.threshold is not None else CHECK_KINDS[rule.check_kind][1]
    n = float(limit or 0)
    kind = rule.check_kind
    if kind == "errors":
        return CheckResult(facts.error_count > n, f"{facts.error_count} errors (limit {n:g})")
    if kind == "turns":
        return CheckResult(facts.trace_count > n, f"{facts.trace_count} turns (limit {n:g})")
    if kind == "cost":
        cost = facts.total_cost
        return CheckResult(cost > n, f"total cost ${cost:.6g} (limit ${n:g})")
    if kind == "slow_turn":
        return _slow_turn(facts, n)
    if kind == "frustration":
        return _frustration(facts, rule.pattern or "")
    return _loop(facts, n)


def _slow_turn(facts: SessionFacts, limit: float) -> CheckResult:
    slowest: tuple[float, str] = (0.0, "")
    for turn in facts.turns:
        if turn.end_time is not None:
            slowest = max(slowest, ((turn.end_time - turn.timestamp) / 1e6, turn.trace_id))
    seconds, trace_id = slowest
    if not trace_id:
        return CheckResult(False, f"no finished turn (limit {limit:g} s)")
    return CheckResult(
        seconds > limit, f"slowest turn {seconds:.3f} s, trace {trace_id} (limit {limit:g} s)"
    )


def _frustration(facts: SessionFacts, pattern: str) -> CheckResult:
    wanted = phrases(pattern)
    seen: set[str] = set()
    for turn in facts.turns:
        for message in user_messages(turn.input):
            if message in seen:
                continue
            seen.add(message)
            lowered = message[:MAX_MESSAGE_CHARS].lower()
            hit = next((p for p in wanted if p in lowered), None)
            if hit is not None:
                return CheckResult(True, f"trace {turn.trace_id}: user wrote {hit!r}")
    return CheckResult(False, f"none of {len(wanted)} phrases in {len(seen)} user messages")


def _loop(facts: SessionFacts, limit: float) -> CheckResult:
    counts = Counter(facts.tool_calls)
    if not counts:
        return CheckResult(False, f"no tool calls (limit {limit:g})")
    (name, _), times = counts.most_common(1)[0]
    return CheckResult(
        times >= limit, f"tool {name!r} called {times} times with the same input (limit {limit:g})"
    )


def user_messages(input_text: str | None) -> list[str]:
    """The newest user message of a turn's input (chat APIs resend the history each turn).

    A plain string is the user's message; an OpenAI-style list of messages (or an object
    with `messages`) gives its last `user` message; other shapes have none.
    """
    if not input_text:
        return []
    try:
        value = json.loads(input_text)
    except ValueError:
        return [input_text]
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = value.get("messages")
    if not isinstance(value, list):
        return []
    for message in reversed(value):
        if isinstance(message, dict) and message.get("role") == "user":
            return [_text_of(message.get("content"))]
    return []


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(
            str(part.get("text", "")) for part in content if isinstance(part, dict)
        ).strip()
    return ""
