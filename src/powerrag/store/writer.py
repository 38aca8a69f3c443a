"""Idempotent writes of ingested batches, and the derived trace and session rows.

A trace row is recomputed from its stored updates and observations every time
one of them changes, and a session row from its traces: derived state never
drifts, a resent body changes nothing, and concurrent writers converge.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

import orjson
from sqlalchemy import Connection, and_, bindparam, case, delete, func, or_, select, update

from powerrag.domain.cost import Cost, PriceBook, compute_cost, split_usage
from powerrag.domain.merge import merge_trace
from powerrag.domain.records import (
    IngestBatch,
    ObservationPatch,
    ObservationRecord,
    ScoreRecord,
    TraceUpdate,
)
from powerrag.domain.session_end import asks_to_end
from powerrag.domain.timeutil import now_us
from powerrag.store import annotation_queues, datasets, lifecycle, media, span_contents
from powerrag.store.base import chunked
from powerrag.store.event_times import NOT_OLDER, Stamped, newest_by_id
from powerrag.store.infra.dialect import lock_keys, upsert
from powerrag.store.infra.schema import (
    FIGURES,
    comments,
    observations,
    scores,
    sessions,
    span_content_events,
    span_origins,
    trace_updates,
    traces,
)
from powerrag.store.models import project_book
from powerrag.store.search_index import delete_documents, forget_marks, mark_traces


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def _loads_dict(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    value = orjson.loads(text)
    return value if isinstance(value, dict) else {}


class BatchWriter:
    """Writes IngestBatches inside a caller's transaction."""

    def __init__(self, prices: PriceBook) -> None:
        self._prices = prices

    def write_group(
        self, conn: Connection, items: Sequence[tuple[str, IngestBatch]], now: int | None = None
    ) -> dict[str, set[tuple[str, str]]]:
        """Store a group of batches in the caller's transaction.

        Per project (in sorted order): lock the touched traces, write, refresh the
        traces, then lock and refresh the touched sessions. Locks are taken in one
        global order, so concurrent writers (PostgreSQL replicas) never deadlock and
        never refresh a trace or session from a stale view.

        Returns, by project, the (session id, trace id) pairs of the changed and scored
        traces: what live streams need to know (`domain.changes.changes_of`).
        """
        now = now_us() if now is None else now
        found: dict[str, set[tuple[str, str]]] = {}
        for project_id, batch in _merge_by_project(items):
            trace_ids = _trace_ids(batch)
            lock_keys(conn, [f"trace:{project_id}:{t}" for t in trace_ids])
            self._write_records(conn, project_id, batch, now)
            pairs = refresh_traces(conn, project_id, trace_ids, now)
            # The search indexer builds their documents after this commits.
            mark_traces(conn, project_id, trace_ids, now)
            touched = sorted({s for s, _ in pairs})
            if touched:
                lock_keys(conn, [f"session:{project_id}:{s}" for s in touched])
                refresh_sessions(conn, project_id, touched, now)
                _request_ends(conn, project_id, batch, pairs)
            scored = {s.trace_id for s in batch.scores if s.trace_id} - set(trace_ids)
            found[project_id] = pairs | _sessions_of(conn, project_id, sorted(scored))
        return found

    def _write_records(
        self, conn: Connection, project_id: str, batch: IngestBatch, now: int
    ) -> None:
        if batch.span_contents:
            span_contents.write_events(conn, project_id, batch.span_contents, now)
        if batch.experiment_links:
            datasets.link_experiments(conn, project_id, batch.experiment_links)
        observations_in = [Stamped.whole(o) for o in batch.observations]
        if batch.observation_patches:
            observations_in += self._apply_patches(conn, project_id, batch.observation_patches)
        if observations_in:
            latest = newest_by_id(observations_in)
            origins = {
                o.origin_id: o.origin
                for o in (s.record for s in latest)
                if o.origin_id and o.origin
            }
            upsert(
                conn,
                span_origins,
                [
                    {"project_id": project_id, "id": k, "body": v}
                    for k, v in sorted(origins.items())
                ],
                keys=("project_id", "id"),
                keep=("body",),
            )
            # A project's own prices are read in this transaction: priced from the moment
            # they exist, on every replica.
            book = self._book(conn, project_id, latest)
            rows = [self._observation_row(book, project_id, o, now) for o in latest]
            span_contents.fill_rows(conn, project_id, rows)
            upsert(
                conn,
                observations,
                rows,
                keys=("project_id", "id"),
                keep=("created_at",),
                where=NOT_OLDER,
            )
        if batch.trace_updates:
            rows = [_update_row(project_id, u) for u in batch.trace_updates]
            upsert(
                conn,
                trace_updates,
                _dedupe(rows, ("trace_id", "source_id")),
                keys=("project_id", "trace_id", "source_id"),
            )
        for create_only in (False, True):
            rows = [
                _score_row(project_id, s, now) for s in batch.scores if s.create_only is create_only
            ]
            # A create-only score keeps every stored column: an existing id is left as it is.
            keep = tuple(rows[0]) if create_only and rows else ("created_at",)
            upsert(conn, scores, _dedupe(rows, ("id",)), keys=("project_id", "id"), keep=keep)

    def _apply_patches(
        self, conn: Connection, project_id: str, patches: list[ObservationPatch]
    ) -> list[Stamped]:
        """Merge batch events into the stored observations, each field by event time.

        A field takes an event's value unless a newer event already set it, as trace
        fields follow their updates (domain/merge.py): a late, older update never
        overwrites newer data (issue 19, L6), whatever the order of arrival.
        """
        ids = sorted({p.id for p in patches})
        existing: dict[str, Stamped] = {}
        for chunk in chunked(ids):
            query = select(observations).where(
                observations.c.project_id == project_id, observations.c.id.in_(chunk)
            )
            for row in conn.execute(query).mappings():
                existing[row["id"]] = Stamped.of_row(_record_from_row(row), row)
        for patch in patches:
            current = existing.get(patch.id) or Stamped(
                ObservationRecord(
                    id=patch.id,
                    trace_id=patch.trace_id or str(uuid.uuid4()),
                    type="SPAN",
                    name=None,
                    start_time=patch.timestamp,
                )
            )
            fields = dict(patch.fields)
            if patch.id in existing:
                # Immutable once stored (reference §1.15): trace and start time.
                fields.pop("trace_id", None)
                if fields.get("start_time") is None:
                    fields.pop("start_time", None)
            existing[patch.id] = current.patched(fields, patch.timestamp)
        return [existing[i] for i in ids]

    def _book(self, conn: Connection, project_id: str, latest: list[Stamped]) -> PriceBook:
        if any(s.record.model for s in latest):
            return project_book(conn, self._prices, project_id)
        return self._prices

    def _observation_row(
        self, book: PriceBook, project_id: str, stamped: Stamped, now: int
    ) -> dict[str, Any]:
        obs = stamped.record
        model = book.match(project_id, obs.model, obs.start_time) if obs.model else None
        cost = compute_cost(
            usage=obs.usage_details,
            provided_cost=obs.cost_details,
            model=model,
            params=_loads_dict(obs.model_parameters),
            metadata=_loads_dict(obs.metadata),
        )
        row = _observation_dict(project_id, obs, cost, now)
        row["event_time"] = stamped.event_time
        row["field_times"] = stamped.field_times_text()
        return row


def _request_ends(
    conn: Connection, project_id: str, batch: IngestBatch, pairs: set[tuple[str, str]]
) -> None:
    """Sessions a trace of this batch asked to end (domain/session_end.py): one scan of
    the batch's trace updates, a write only when one asks."""
    ending = {u.trace_id for u in batch.trace_updates if asks_to_end(u)}
    if ending:
        lifecycle.request_end(conn, project_id, sorted({s for s, t in pairs if t in ending}))


def _merge_by_project(
    items: Sequence[tuple[str, IngestBatch]],
) -> list[tuple[str, IngestBatch]]:
    merged: dict[str, IngestBatch] = {}
    for project_id, batch in items:
        target = merged.setdefault(project_id, IngestBatch())
        target.observations.extend(batch.observations)
        target.observation_patches.extend(batch.observation_patches)
        target.trace_updates.extend(batch.trace_updates)
        target.scores.extend(batch.scores)
        target.span_contents.extend(batch.span_contents)
        target.experiment_links.extend(batch.experiment_links)
    return sorted(merged.items())


def _trace_ids(batch: IngestBatch) -> list[str]:
    ids = {o.trace_id for o in batch.observations}
    ids.update(p.trace_id for p in batch.observation_patches if p.trace_id)
    ids.update(u.trace_id for u in batch.trace_updates)
    ids.update(c.trace_id for c in batch.span_contents)
    return sorted(ids)


def _dedupe(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    by_key: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        by_key[tuple(row[k] for k in keys)] = row
    return list(by_key.values())


def _observation_dict(
    project_id: str, obs: ObservationRecord, cost: Cost, now: int
) -> dict[str, Any]:
    in_tokens, out_tokens, total_tokens = split_usage(cost.usage_details)
    in_cost, out_cost, _ = split_usage(cost.cost_details)
    has_cost = bool(cost.cost_details)
    return {
        "project_id": project_id,
        "id": obs.id,
        "trace_id": obs.trace_id,
        "parent_observation_id": obs.parent_observation_id,
        "type": obs.type,
        "name": obs.name,
        "start_time": obs.start_time,
        "end_time": obs.end_time,
        "completion_start_time": obs.completion_start_time,
        "environment": obs.environment,
        "level": obs.level,
        "status_message": obs.status_message,
        "version": obs.version,
        "model": obs.model,
        "model_parameters": obs.model_parameters,
        "input": obs.input,
        "output": obs.output,
        "metadata": obs.metadata,
        "usage_details": _dumps(cost.usage_details) if cost.usage_details else None,
        "provided_usage_details": _dumps(_as_sent(obs.provided_usage, cost.usage_details))
        if obs.provided_usage
        else None,
        "provided_cost_details": _dumps(obs.cost_details) if obs.cost_details else None,
        "cost_details": _dumps(cost.cost_details) if has_cost else None,
        "input_tokens": in_tokens,
        "output_tokens": out_tokens,
        "total_tokens": total_tokens,
        "input_cost": in_cost if has_cost else None,
        "output_cost": out_cost if has_cost else None,
        "total_cost": cost.total_cost,
        "model_id": cost.model_id,
        "pricing_tier_id": cost.tier_id,
        "pricing_tier_name": cost.tier_name,
        "prompt_name": obs.prompt_name,
        "prompt_version": obs.prompt_version,
        "is_app_root": obs.is_app_root,
        "origin_id": obs.origin_id,
        "created_at": now,
        "updated_at": now,
    }


def _record_from_row(row: Any) -> ObservationRecord:
    return ObservationRecord(
        id=row["id"],
        trace_id=row["trace_id"],
        type=row["type"],
        name=row["name"],
        start_time=row["start_time"],
        end_time=row["end_time"],
        parent_observation_id=row["parent_observation_id"],
        environment=row["environment"],
        level=row["level"],
        status_message=row["status_message"],
        version=row["version"],
        completion_start_time=row["completion_start_time"],
        model=row["model"],
        model_parameters=row["model_parameters"],
        input=row["input"],
        output=row["output"],
        metadata=row["metadata"],
        usage_details=_loads_dict(row["usage_details"]),
        cost_details=_loads_dict(row["provided_cost_details"]),
        prompt_name=row["prompt_name"],
        prompt_version=row["prompt_version"],
        is_app_root=bool(row["is_app_root"]),
        origin_id=row["origin_id"],
        provided_usage=_loads_dict(row["provided_usage_details"]),
    )


def _as_sent(sent: dict[str, int], counted: dict[str, int]) -> dict[str, int]:
    """The keys the SDK sent, with the counted `total` added when it sent none."""
    if "total" in sent or "total" not in counted:
        return sent
    return {**sent, "total": counted["total"]}


_UPDATE_FIELDS = (
    "is_root",
    "name",
    "user_id",
    "session_id",
    "release",
    "version",
    "environment",
    "public",
    "tags",
    "metadata",
    "input",
    "output",
)


def _update_row(project_id: str, update: TraceUpdate) -> dict[str, Any]:
    body = {name: getattr(update, name) for name in _UPDATE_FIELDS}
    body["tags"] = list(update.tags)
    return {
        "project_id": project_id,
        "trace_id": update.trace_id,
        "source_id": update.source_id,
        "timestamp": update.timestamp,
        "body": _dumps({k: v for k, v in body.items() if v not in (None, "", [], {})}),
    }


def _update_from_row(row: Any) -> TraceUpdate:
    body = orjson.loads(row["body"])
    body["tags"] = tuple(body.get("tags") or ())
    return TraceUpdate(
        trace_id=row["trace_id"], source_id=row["source_id"], timestamp=row["timestamp"], **body
    )


def _score_row(project_id: str, score: ScoreRecord, now: int) -> dict[str, Any]:
    row = asdict(score)
    del row["create_only"], row["data_type_sent"]
    row.update(project_id=project_id, created_at=now, updated_at=now)
    return row


_LEVEL_RANK = case(
    (observations.c.level == "ERROR", 3),
    (observations.c.level == "WARNING", 2),
    (observations.c.level == "DEFAULT", 1),
    else_=0,
)
_RANK_LEVEL = {3: "ERROR", 2: "WARNING", 1: "DEFAULT", 0: "DEBUG"}


def refresh_traces(
    conn: Connection, project_id: str, trace_ids: Sequence[str], now: int
) -> set[tuple[str, str]]:
    """Recompute the trace rows for `trace_ids`; return (session, trace) for each session
    a trace was or is in."""
    touched: set[tuple[str, str]] = set()
    for chunk in chunked(trace_ids):
        touched |= _refresh_trace_chunk(conn, project_id, chunk, now)
    return touched


def _sessions_of(
    conn: Connection, project_id: str, trace_ids: Sequence[str]
) -> set[tuple[str, str]]:
    """(session, trace) for the traces of `trace_ids` that are in a session."""
    pairs: set[tuple[str, str]] = set()
    for chunk in chunked(trace_ids):
        params = {"project_id": project_id, "ids": list(chunk)}
        pairs.update((r[0], r[1]) for r in conn.execute(_TRACE_SQL["sessions"], params))
    return pairs


def _trace_statements() -> dict[str, Any]:
    """Statements of the trace refresh, built once (construction showed up in profiles)."""
    o = observations.c
    project: Any = bindparam("project_id")
    ids: Any = bindparam("ids", expanding=True)
    return {
        "aggregates": select(
            o.trace_id,
            func.min(o.start_time).label("start"),
            func.max(func.coalesce(o.end_time, o.start_time)).label("end"),
            func.count().label("count"),
            func.sum(case((o.level == "ERROR", 1), else_=0)).label("errors"),
            func.max(_LEVEL_RANK).label("level_rank"),
            func.sum(o.input_tokens).label("input_tokens"),
            func.sum(o.output_tokens).label("output_tokens"),
            func.sum(o.total_tokens).label("total_tokens"),
            func.sum(func.coalesce(o.input_cost, 0)).label("input_cost"),
            func.sum(func.coalesce(o.output_cost, 0)).label("output_cost"),
            func.sum(func.coalesce(o.total_cost, 0)).label("total_cost"),
        )
        .where(o.project_id == project, o.trace_id.in_(ids))
        .group_by(o.trace_id),
        "roots": select(o.trace_id, o.id, o.name, o.environment)
        .where(o.project_id == project, o.trace_id.in_(ids), o.parent_observation_id.is_(None))
        .order_by(o.trace_id, o.start_time, o.id),
        "updates": select(
            trace_updates.c.trace_id,
            trace_updates.c.source_id,
            trace_updates.c.timestamp,
            trace_updates.c.body,
        ).where(trace_updates.c.project_id == project, trace_updates.c.trace_id.in_(ids)),
        "existing": select(
            traces.c.id, traces.c.session_id, traces.c.bookmarked, traces.c.created_at
        ).where(traces.c.project_id == project, traces.c.id.in_(ids)),
        "delete": delete(traces).where(traces.c.project_id == project, traces.c.id.in_(ids)),
        "sessions": select(traces.c.session_id, traces.c.id).where(
            traces.c.project_id == project, traces.c.id.in_(ids), traces.c.session_id.is_not(None)
        ),
    }


_TRACE_SQL = _trace_statements()


def _refresh_trace_chunk(
    conn: Connection, project_id: str, trace_ids: Sequence[str], now: int
) -> set[tuple[str, str]]:
    params = {"project_id": project_id, "ids": list(trace_ids)}
    aggregates = {
        row["trace_id"]: row for row in conn.execute(_TRACE_SQL["aggregates"], params).mappings()
    }
    roots: dict[str, Any] = {}
    for row in conn.execute(_TRACE_SQL["roots"], params).mappings():
        roots.setdefault(row["trace_id"], row)
    updates: dict[str, list[TraceUpdate]] = {}
    for row in conn.execute(_TRACE_SQL["updates"], params).mappings():
        updates.setdefault(row["trace_id"], []).append(_update_from_row(row))
    existing = {row["id"]: row for row in conn.execute(_TRACE_SQL["existing"], params).mappings()}
    rows: list[dict[str, Any]] = []
    touched: set[tuple[str, str]] = set()
    gone: list[str] = []
    for trace_id in trace_ids:
        agg, trace_updates_of = aggregates.get(trace_id), updates.get(trace_id, [])
        old = existing.get(trace_id)
        if old is not None and old["session_id"]:
            touched.add((old["session_id"], trace_id))
        if agg is None and not trace_updates_of:
            gone.append(trace_id)
            continue
        trace_row = _trace_row(
            project_id, trace_id, agg, roots.get(trace_id), trace_updates_of, now
        )
        trace_row["bookmarked"] = bool(old["bookmarked"]) if old else False
        trace_row["created_at"] = old["created_at"] if old else now
        if trace_row["session_id"]:
            touched.add((trace_row["session_id"], trace_id))
        rows.append(trace_row)
    # The bookmark is the UI's: an update it commits meanwhile must survive this refresh.
    upsert(conn, traces, rows, keys=("project_id", "id"), keep=("bookmarked", "created_at"))
    if gone:
        conn.execute(_TRACE_SQL["delete"], {"project_id": project_id, "ids": gone})
    return touched


def _trace_row(
    project_id: str,
    trace_id: str,
    agg: Any,
    root: Any,
    updates: list[TraceUpdate],
    now: int,
) -> dict[str, Any]:
    merged = merge_trace(updates) if updates else None
    start = agg["start"] if agg else None
    timestamps = [t for t in (start, merged.timestamp if merged else None) if t is not None]
    environment = (merged.environment if merged else None) or (
        root["environment"] if root else None
    )
    return {
        "project_id": project_id,
        "id": trace_id,
        "timestamp": min(timestamps),
        "end_time": agg["end"] if agg else None,
        "name": (merged.name if merged else None) or (root["name"] if root else None),
        "user_id": merged.user_id if merged else None,
        "session_id": merged.session_id if merged else None,
        "release": merged.release if merged else None,
        "version": merged.version if merged else None,
        "environment": environment or "default",
        "public": merged.public if merged else False,
        "tags": _dumps(merged.tags if merged else []),
        "metadata": _dumps(merged.metadata) if merged and merged.metadata else None,
        "input": merged.input if merged else None,
        "output": merged.output if merged else None,
        "root_observation_id": root["id"] if root else None,
        "observation_count": agg["count"] if agg else 0,
        "error_count": int(agg["errors"] or 0) if agg else 0,
        "level": _RANK_LEVEL[int(agg["level_rank"] or 0)] if agg else "DEFAULT",
        **_figures(agg),
        "updated_at": now,
    }


def _figures(summed: Any) -> dict[str, float]:
    """The token and cost totals of a row of sums (none summed: zero)."""
    return {name: float(summed[name] or 0) if summed else 0.0 for name in FIGURES}


def _session_statements() -> dict[str, Any]:
    t = traces.c
    project: Any = bindparam("project_id")
    ids: Any = bindparam("ids", expanding=True)
    return {
        "figures": select(
            t.session_id,
            func.min(t.timestamp).label("created"),
            func.max(func.coalesce(t.end_time, t.timestamp)).label("last"),
            func.count().label("count"),
            func.sum(t.error_count).label("errors"),
            *(func.sum(t[name]).label(name) for name in FIGURES),
        )
        .where(t.project_id == project, t.session_id.in_(ids))
        .group_by(t.session_id),
        "members": select(t.session_id, t.user_id, t.environment)
        .where(t.project_id == project, t.session_id.in_(ids))
        .order_by(t.timestamp, t.id),
        "existing": select(
            sessions.c.id, sessions.c.bookmarked, sessions.c.public, sessions.c.first_seen_at
        ).where(sessions.c.project_id == project, sessions.c.id.in_(ids)),
        # A session whose traces all left keeps its row only if someone marked it,
        "delete_empty": delete(sessions).where(
            sessions.c.project_id == project,
            sessions.c.id.in_(ids),
            and_(sessions.c.bookmarked.is_(False), sessions.c.public.is_(False)),
        ),
        # and then with the figures of no traces: nothing of the deleted traces stays
        # readable through it, by its public link least of all (issue 19, L4).
        "clear_empty": update(sessions)
        .where(
            # An UPDATE reserves its columns' names for its values: other parameter names.
            sessions.c.project_id == bindparam("project"),
            sessions.c.id.in_(bindparam("empty", expanding=True)),
        )
        .values(
            trace_count=0,
            user_ids="[]",
            error_count=0,
            **dict.fromkeys(FIGURES, 0.0),
            updated_at=bindparam("now"),
        ),
    }


_SESSION_SQL = _session_statements()


def refresh_sessions(
    conn: Connection,
    project_id: str,
    session_ids: Sequence[str],
    now: int,
    keep: tuple[str, ...] = (),
) -> None:
    """Recompute session rows from their traces; keep bookmarks, publishing and first sight
    (and the columns `keep` names)."""
    for chunk in chunked(session_ids):
        params = {"project_id": project_id, "ids": list(chunk)}
        figures = {
            r["session_id"]: r for r in conn.execute(_SESSION_SQL["figures"], params).mappings()
        }
        users: dict[str, set[str]] = {}
        latest_env: dict[str, str] = {}
        for row in conn.execute(_SESSION_SQL["members"], params).mappings():
            if row["user_id"]:
                users.setdefault(row["session_id"], set()).add(row["user_id"])
            latest_env[row["session_id"]] = row["environment"]
        existing = {r["id"]: r for r in conn.execute(_SESSION_SQL["existing"], params).mappings()}
        rows = []
        empty = []
        for session_id in chunk:
            fig, old = figures.get(session_id), existing.get(session_id)
            if fig is None:
                empty.append(session_id)
                continue
            rows.append(_session_row(project_id, session_id, fig, old, users, latest_env, now))
        upsert(
            conn,
            sessions,
            rows,
            keys=("project_id", "id"),
            keep=("bookmarked", "public", "first_seen_at", *keep),
        )
        if empty:
            conn.execute(_SESSION_SQL["delete_empty"], {"project_id": project_id, "ids": empty})
            conn.execute(
                _SESSION_SQL["clear_empty"], {"project": project_id, "empty": empty, "now": now}
            )


def _session_row(
    project_id: str,
    session_id: str,
    fig: Any,
    old: Any,
    users: dict[str, set[str]],
    latest_env: dict[str, str],
    now: int,
) -> dict[str, Any]:
    return {
        "project_id": project_id,
        "id": session_id,
        "created_at": fig["created"],
        "last_activity_at": fig["last"],
        "environment": latest_env.get(session_id, "default"),
        "bookmarked": bool(old["bookmarked"]) if old else False,
        "public": bool(old["public"]) if old else False,
        "trace_count": fig["count"],
        "user_ids": _dumps(sorted(users.get(session_id, ()))),
        "error_count": int(fig["errors"] or 0),
        **_figures(fig),
        "first_seen_at": old["first_seen_at"] if old else now,
        "updated_at": now,
        # A trace arriving reopens an ended session (docs/evaluation.md).
        "ended_at": None,
    }


def _delete_comments(project_id: str, trace_ids: Sequence[str]) -> Any:
    """The comments on these traces and on their observations (before those are deleted).

    Left behind, they would reappear on a new trace or observation with the same id
    (issue 19, L5).
    """
    c, o = comments.c, observations.c
    own_observations = select(o.id).where(o.project_id == project_id, o.trace_id.in_(trace_ids))
    return delete(comments).where(
        c.project_id == project_id,
        or_(
            and_(c.object_type == "TRACE", c.object_id.in_(trace_ids)),
            and_(c.object_type == "OBSERVATION", c.object_id.in_(own_observations)),
        ),
    )


# What a session keeps when traces leave it (a delete or retention): it is not a new
# arrival, so an ended session stays ended and its idle time still counts from its last
# trace, on every engine (store/clickhouse/deletes.py).
KEEP_SESSION_STATE = ("updated_at", "ended_at")


def delete_traces(
    conn: Connection, project_id: str, trace_ids: Sequence[str], *, now: int | None = None
) -> int:
    """Delete traces with their observations, updates, scores, comments and annotation queue
    items, and the media no other trace holds; refresh their sessions (KEEP_SESSION_STATE),
    and drop the queue items of the sessions that went with them."""
    now = now_us() if now is None else now
    ids = sorted(set(trace_ids))
    lock_keys(conn, [f"trace:{project_id}:{t}" for t in ids])
    deleted = 0
    sessions_before: set[str] = set()
    for chunk in chunked(ids):
        # First: waits for a search indexer holding these traces' marks (search_index.py).
        forget_marks(conn, project_id, chunk)
        sessions_before |= {
            row[0]
            for row in conn.execute(
                select(traces.c.session_id).where(
                    traces.c.project_id == project_id,
                    traces.c.id.in_(chunk),
                    traces.c.session_id.is_not(None),
                )
            )
        }
        result = conn.execute(
            delete(traces).where(traces.c.project_id == project_id, traces.c.id.in_(chunk))
        )
        deleted += result.rowcount or 0
        conn.execute(_delete_comments(project_id, chunk))
        _forget_queue_items(conn, project_id, chunk)
        delete_documents(conn, project_id, chunk)
        media.forget_traces(conn, project_id, chunk)
        for table in (observations, trace_updates, scores, span_content_events):
            conn.execute(
                delete(table).where(table.c.project_id == project_id, table.c.trace_id.in_(chunk))
            )
    if sessions_before:
        touched = sorted(sessions_before)
        lock_keys(conn, [f"session:{project_id}:{s}" for s in touched])
        refresh_sessions(conn, project_id, touched, now, KEEP_SESSION_STATE)
        left = select(sessions.c.id).where(
            sessions.c.project_id == project_id, sessions.c.id.in_(touched)
        )
        gone = sorted(sessions_before - set(conn.execute(left).scalars()))
        annotation_queues.forget_objects(conn, project_id, "SESSION", gone)
    return deleted


def _forget_queue_items(conn: Connection, project_id: str, trace_ids: Sequence[str]) -> None:
    """The queue items of these traces and their observations (before those are deleted)."""
    o = observations.c
    own = select(o.id).where(o.project_id == project_id, o.trace_id.in_(trace_ids))
    annotation_queues.forget_objects(conn, project_id, "TRACE", list(trace_ids))
    annotation_queues.forget_objects(conn, project_id, "OBSERVATION", own)
