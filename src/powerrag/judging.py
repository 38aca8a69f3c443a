"""LLM-as-judge evaluations: enqueued per (rule, target, end), run from the job table.

A session rule's job is keyed by (rule, session, end), a trace or observation rule's by
(rule, target): every replica may enqueue it, one runs it (store/jobs.py). The result is a
score (`source` EVAL, the evaluator's name, the reasoning as its comment) with an id derived
from (rule, target), so a retried or re-run job rewrites the same score; the judge call
itself is written as a trace of the project, so its tokens and cost show (docs/evaluation.md).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection

from powerrag import judge_client, secretbox
from powerrag.domain import eval_rules, transcript
from powerrag.domain.eval_rules import (
    JUDGE_ENVIRONMENT,
    EvaluationRule,
    JudgeInput,
    LlmConnection,
)
from powerrag.domain.evaluators import Evaluator, MalformedAnswerError, parse_answer, render
from powerrag.domain.jobs import JobRow
from powerrag.domain.records import IngestBatch, ObservationRecord, ScoreRecord, TraceUpdate
from powerrag.outbound import Destinations
from powerrag.store import accounts, evaluation, jobs
from powerrag.store.base import TraceData
from powerrag.store.database import Store

KIND = "judge"
_IDS = uuid.UUID("0c9a7c55-2f4e-4b0a-8f0e-3d1e6b7a9c42")


class SkippedError(Exception):
    """The target does not pass the rule's filters: done, with no score."""


def enqueue(
    conn: Connection,
    rule: EvaluationRule,
    target_id: str,
    now: int,
    *,
    occasion: str,
    trace_id: str | None = None,
) -> None:
    """One job per (rule, target, occasion): the session's end time, `new` for a trace or
    observation, or a re-run's own time. Sampling is decided here, the same in every replica."""
    if not eval_rules.sampled(rule.id, target_id, rule.sampling):
        return
    payload = {"target": rule.target, "id": target_id, "occasion": occasion, "traceId": trace_id}
    jobs.enqueue(
        conn,
        project_id=rule.project_id,
        kind=KIND,
        key=f"{KIND}:{rule.id}:{rule.project_id}:{rule.target}:{occasion}:{target_id}",
        subject=rule.id,
        payload=orjson.dumps(payload).decode(),
        now=now,
        run_after=now + rule.delay_ms * 1000,
    )


def enqueue_session(
    conn: Connection, project_id: str, session_id: str, ended_at: int, rules: list[EvaluationRule]
) -> None:
    for rule in rules:
        if rule.enabled and rule.target == "session" and rule.project_id == project_id:
            enqueue(conn, rule, session_id, ended_at, occasion=str(ended_at))


def _connection(
    conn: Connection, project_id: str, evaluator: Evaluator
) -> tuple[LlmConnection, str]:
    config = evaluator.model_config
    if config is not None:
        found = evaluation.by_name(conn, "connection", project_id, config["provider"])
        if found is None:
            raise judge_client.PermanentJudgeError(
                f"no LLM connection for provider {config['provider']!r}"
            )
        return found, config["model"]
    every = evaluation.page(conn, "connection", project_id, 1)
    if not every or not every[0].custom_models:
        raise judge_client.PermanentJudgeError(
            "the evaluator has no modelConfig and the project no LLM connection with a model"
        )
    return every[0], every[0].custom_models[0]


def _target(data: TraceData, project_id: str, target: str, target_id: str) -> JudgeInput | None:
    if target == "session":
        return data.session_input(project_id, target_id)
    if target == "trace":
        return data.trace_input(project_id, target_id)
    return data.observation_input(project_id, target_id)


def variable_values(rule: EvaluationRule, found: JudgeInput) -> dict[str, str]:
    """Each mapped variable's text, from the target's turns and metadata."""
    values: dict[str, str] = {}
    for item in rule.mapping:
        source, path = item["source"], item.get("jsonPath")
        if source == "transcript":
            values[item["variable"]] = transcript.render(transcript.conversation(found.turns))
            continue
        value: Any
        if source == "metadata":
            value = found.metadata
        elif rule.target == "session":
            value = (
                _first_user_text(found.turns) if source == "input" else _last_output(found.turns)
            )
        else:
            value = found.turns[0][0] if source == "input" else found.turns[0][1]
        values[item["variable"]] = eval_rules.as_text(eval_rules.at_path(value, path))
    return values


def _first_user_text(turns: list[tuple[Any, Any]]) -> str | None:
    for message in transcript.conversation(turns):
        if message.role == "user":
            return message.text
    return None


def _last_output(turns: list[tuple[Any, Any]]) -> str | None:
    said = transcript.messages_of(turns[-1][1], "assistant") if turns else []
    return said[-1].text if said else None


class Judge:
    """Runs one judge job; raised errors are the job's (lifecycle.py records them)."""

    def __init__(self, store: Store, allowed: Destinations) -> None:
        self.store = store
        self.allowed = allowed

    def run(self, job: JobRow, now: int) -> None:
        payload = orjson.loads(job.payload)
        with self.store.connect() as conn:
            rule: EvaluationRule | None = evaluation.get(conn, "rule", job.project_id, job.subject)
            if rule is None:
                raise judge_client.PermanentJudgeError("the evaluation rule was deleted")
            evaluator: Evaluator | None = evaluation.get(
                conn, "evaluator", job.project_id, rule.evaluator_id
            )
            if evaluator is None:
                raise judge_client.PermanentJudgeError("the evaluator was deleted")
            connection, model = _connection(conn, job.project_id, evaluator)
        with self.store.reading() as data:
            found = _target(data, job.project_id, payload["target"], payload["id"])
        if found is None:
            raise judge_client.PermanentJudgeError(
                f"{payload['target']} {payload['id']!r} no longer exists"
            )
        if not eval_rules.matches(rule.filters, found.facts):
            raise SkippedError("skipped: the target does not pass the rule's filters")
        prompt = render(evaluator.prompt, variable_values(rule, found))
        secret = self._secret(connection)
        started = now
        completion = judge_client.complete(
            connection.base_url or "https://api.openai.com/v1",
            secret["secretKey"],
            secret.get("extraHeaders") or {},
            model,
            prompt,
            evaluator.output_definition,
            self.allowed,
        )
        try:
            verdict = parse_answer(evaluator.output_definition, completion.content)
        except MalformedAnswerError as exc:
            raise judge_client.RetryableJudgeError(str(exc)) from None
        trace_id = uuid.uuid5(_IDS, f"trace\n{job.id}\n{job.attempts}").hex
        score = ScoreRecord(
            id=uuid.uuid5(
                _IDS, f"{job.project_id}\n{rule.id}\n{payload['target']}\n{payload['id']}"
            ).hex,
            name=evaluator.name,
            data_type=verdict.data_type,
            timestamp=now,
            value=verdict.value,
            string_value=verdict.string_value,
            session_id=payload["id"] if payload["target"] == "session" else None,
            trace_id=found.trace_id,
            observation_id=payload["id"] if payload["target"] == "observation" else None,
            environment=found.facts.environment,
            source="EVAL",
            comment=verdict.reasoning,
            metadata=orjson.dumps(
                {
                    "ruleId": rule.id,
                    "evaluatorId": evaluator.id,
                    "evaluatorVersion": evaluator.version,
                    "judgeTraceId": trace_id,
                }
            ).decode(),
        )
        batch = _judge_trace(trace_id, rule, evaluator, completion, started, now)
        batch.scores.append(score)
        self.store.write_batches([(job.project_id, batch)], now)

    def _secret(self, connection: LlmConnection) -> dict[str, Any]:
        return connection_secret(self.store, connection)


def connection_secret(store: Store, connection: LlmConnection) -> dict[str, Any]:
    """The connection's sealed key and extra headers, opened with the instance secret."""
    with store.transaction() as conn:
        master = accounts.instance_secret(conn, secretbox.SECRET_NAME)
    try:
        value: dict[str, Any] = orjson.loads(secretbox.unseal(master, connection.secret))
    except secretbox.UnreadableSecretError as exc:
        raise judge_client.PermanentJudgeError(str(exc)) from None
    return value


def _judge_trace(
    trace_id: str,
    rule: EvaluationRule,
    evaluator: Evaluator,
    completion: judge_client.Completion,
    started: int,
    now: int,
) -> IngestBatch:
    return call_trace(
        CallTrace(
            trace_id=trace_id,
            source="judge",
            trace_name=f"evaluation: {evaluator.name}",
            generation_name=evaluator.name,
            environment=JUDGE_ENVIRONMENT,
            tag="powerrag-evaluation",
            metadata={"ruleId": rule.id, "evaluatorId": evaluator.id, "target": rule.target},
        ),
        completion,
        started,
        now,
    )


@dataclass(frozen=True, slots=True)
class CallTrace:
    """How an LLM call made by PowerRAG itself is recorded as a trace of the project."""

    trace_id: str
    source: str
    trace_name: str
    generation_name: str
    environment: str
    tag: str
    metadata: dict[str, Any]
    prompt_name: str | None = None
    prompt_version: int | None = None


def call_trace(
    call: CallTrace, completion: judge_client.Completion, started: int, now: int
) -> IngestBatch:
    """The call as a trace with one GENERATION: its tokens are priced like any other."""
    tokens = {
        "input": completion.prompt_tokens,
        "output": completion.completion_tokens,
        "total": completion.prompt_tokens + completion.completion_tokens,
    }
    update = TraceUpdate(
        trace_id=call.trace_id,
        source_id=f"{call.source}:{call.trace_id}",
        timestamp=started,
        is_root=True,
        name=call.trace_name,
        environment=call.environment,
        tags=(call.tag,),
        metadata=call.metadata,
    )
    generation = ObservationRecord(
        id=uuid.uuid5(_IDS, f"generation\n{call.trace_id}").hex,
        trace_id=call.trace_id,
        type="GENERATION",
        name=call.generation_name,
        start_time=started,
        end_time=now,
        environment=call.environment,
        model=completion.model,
        input=orjson.dumps(completion.messages).decode(),
        output=orjson.dumps(completion.content).decode(),
        usage_details=tokens,
        prompt_name=call.prompt_name,
        prompt_version=call.prompt_version,
        is_app_root=True,
    )
    return IngestBatch(observations=[generation], trace_updates=[update])
