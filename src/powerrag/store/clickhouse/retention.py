"""The retention job's deletes (powerrag/retention.py) on ClickHouse: the project's oldest
traces and scores, a batch at a time, as tombstone versions through the delete path
(deletes.py), so what is read right after a batch is exact; the row TTL (expiry.py) only
frees the disk later. And stamping a project's rows anew when its retention changes."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, select

from powerrag.store.clickhouse.client import ClickHouse
from powerrag.store.clickhouse.compiled import ClickHouseSql
from powerrag.store.clickhouse.deletes import delete_traces
from powerrag.store.clickhouse.expiry import BASES, project_days, restamp_statement
from powerrag.store.clickhouse.summaries import insert_versions
from powerrag.store.clickhouse.writer import next_version
from powerrag.store.infra.schema import projects, scores, traces

_t, _s = traces.c, scores.c


def delete_old_traces(
    ch: ClickHouse, pg: Connection, project_id: str, cutoff: int, limit: int, now: int
) -> int:
    """Delete up to `limit` of the project's traces stamped before `cutoff`, oldest first."""
    query = (
        select(_t.id)
        .where(_t.project_id == project_id, _t.timestamp < cutoff)
        .order_by(_t.timestamp, _t.id)
        .limit(limit)
    )
    ids = [str(r.id) for r in ClickHouseSql(ch).execute(query)]
    return delete_traces(ch, pg, project_id, ids, now) if ids else 0


def delete_old_scores(
    ch: ClickHouse, pg: Connection, project_id: str, cutoff: int, limit: int
) -> int:
    """Scores stamped before `cutoff` (a session's, or a kept trace's older score)."""
    query = (
        select(_s.project_id, _s.id, _s.created_at)
        .where(_s.project_id == project_id, _s.timestamp < cutoff)
        .order_by(_s.timestamp, _s.id)
        .limit(limit)
    )
    rows = [dict(r) for r in ClickHouseSql(ch).execute(query).mappings()]
    if rows:
        days = project_days(pg, project_id, ch.retention_days)
        insert_versions(ch, "scores", rows, next_version(pg), deleted=True, days=days)
    return len(rows)


def restamp(ch: ClickHouse, pg: Connection, project_id: str) -> None:
    """Stamp every version of the project's rows with the expiry its retention gives now.

    A mutation rewrites the `expires_at` of the rows in place (tombstones included, so
    none goes before the rows it hides); it waits for this server's parts
    (`mutations_sync=1`), as a retention change is rare and the page that saves it expects
    it done. Rows a writer inserts meanwhile carry the days it read in its own transaction.
    """
    days = project_days(pg, project_id, ch.retention_days)
    for table in BASES:
        statement = restamp_statement(table, project_id, days, ch.cluster)
        ch.command(statement, settings={"mutations_sync": 1})


def restamp_followers(ch: ClickHouse, engine: Engine) -> int:
    """At start: if the server default differs from the one last stamped, stamp anew the
    rows of every project that follows it; how many projects."""
    last = ch.query("SELECT default_days FROM retention_defaults ORDER BY stamped_at DESC LIMIT 1")
    if [r[0] for r in last.result_rows] == [ch.retention_days]:
        return 0
    with engine.begin() as pg:
        followers = pg.execute(select(projects.c.id).where(projects.c.retention_days.is_(None)))
        project_ids = sorted(str(p) for p in followers.scalars())
        for project_id in project_ids:
            restamp(ch, pg, project_id)
    ch.command(
        "INSERT INTO retention_defaults (default_days, stamped_at) "
        f"VALUES ({int(ch.retention_days)}, now64(6))"
    )
    return len(project_ids)
