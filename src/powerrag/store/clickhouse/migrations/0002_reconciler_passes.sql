-- The reconciler's passes (store/clickhouse/reconcile.py): each records the row version the
-- sequence had when it started, so a later pass looks only at rows of newer versions (less a
-- safety margin), and when the last full pass ran. Kept for 30 days.
-- Row versions grow with time, so a minmax index on them lets a pass skip old granules. Parts
-- written before this migration get the index when merges rewrite them (no MATERIALIZE
-- INDEX: a mutation of every part of the largest tables, for a pass that reads them anyway
-- until then).

CREATE TABLE IF NOT EXISTS reconciler_passes${on_cluster} (
    started_at Int64,
    version UInt64,
    full UInt8,
    traces UInt64,
    sessions UInt64
)
ENGINE = ${merge_tree}
ORDER BY started_at
TTL toDateTime(intDiv(started_at, 1000000)) + INTERVAL 30 DAY;

ALTER TABLE observations${on_cluster}
    ADD INDEX IF NOT EXISTS ix_observations_row_version row_version TYPE minmax GRANULARITY 1;

ALTER TABLE trace_updates${on_cluster}
    ADD INDEX IF NOT EXISTS ix_trace_updates_row_version row_version TYPE minmax GRANULARITY 1;

ALTER TABLE traces${on_cluster}
    ADD INDEX IF NOT EXISTS ix_traces_row_version row_version TYPE minmax GRANULARITY 1;

ALTER TABLE sessions${on_cluster}
    ADD INDEX IF NOT EXISTS ix_sessions_row_version row_version TYPE minmax GRANULARITY 1;
