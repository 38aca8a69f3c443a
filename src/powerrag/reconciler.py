"""The reconciler's loop in `powerrag serve` on PostgreSQL + ClickHouse: every minute, the
summaries a writer left stale by dying between its ClickHouse inserts and its PostgreSQL
commit are recomputed (store/clickhouse/reconcile.py; one replica at a time)."""

from __future__ import annotations

import asyncio
import logging

from powerrag.store.database import Store

log = logging.getLogger("powerrag.reconciler")


async def run_forever(store: Store, interval: float) -> None:
    """A pass every `interval` seconds (`--reconcile-interval-seconds`, a minute by default:
    a dead writer's traces answer stale figures until the next pass)."""
    while True:
        await asyncio.sleep(interval)
        try:
            traces, sessions = await asyncio.to_thread(store.reconcile)
        except Exception:  # a database hiccup must not stop the loop
            log.exception("reconciler pass failed; the next one retries")
            continue
        if traces or sessions:
            log.warning("reconciler recomputed %d traces and %d sessions", traces, sessions)
