-- Row TTL for project retention (docs/deployment.md, "Retention and row TTL"): every table
-- that holds per-trace rows gets `expires_at`, stamped at write time from the project's
-- retention days (store/clickhouse/expiry.py), and drops a row once its time has come.
-- Rows written before this migration never expire (the default) until their project's
-- retention is saved again, which stamps them anew; the retention job deletes them
-- exactly either way.

ALTER TABLE observations${on_cluster}
    ADD COLUMN IF NOT EXISTS expires_at DateTime('UTC') DEFAULT toDateTime(4294967295, 'UTC');
ALTER TABLE observations${on_cluster} MODIFY TTL expires_at DELETE;

-- A trace update's own time is the SDK's: its expiry counts from when PowerRAG wrote it
-- (rows written before this migration: their timestamp).
ALTER TABLE trace_updates${on_cluster} ADD COLUMN IF NOT EXISTS created_at Int64 DEFAULT timestamp;
ALTER TABLE trace_updates${on_cluster}
    ADD COLUMN IF NOT EXISTS expires_at DateTime('UTC') DEFAULT toDateTime(4294967295, 'UTC');
ALTER TABLE trace_updates${on_cluster} MODIFY TTL expires_at DELETE;

ALTER TABLE scores${on_cluster}
    ADD COLUMN IF NOT EXISTS expires_at DateTime('UTC') DEFAULT toDateTime(4294967295, 'UTC');
ALTER TABLE scores${on_cluster} MODIFY TTL expires_at DELETE;

ALTER TABLE traces${on_cluster}
    ADD COLUMN IF NOT EXISTS expires_at DateTime('UTC') DEFAULT toDateTime(4294967295, 'UTC');
ALTER TABLE traces${on_cluster} MODIFY TTL expires_at DELETE;

-- The server default (`--retention-days`) the rows of projects that follow it were last
-- stamped with: a start with another default stamps them anew (retention.py).
CREATE TABLE IF NOT EXISTS retention_defaults${on_cluster} (
    default_days Int64,
    stamped_at DateTime64(6, 'UTC')
)
ENGINE = ${merge_tree}
ORDER BY stamped_at;
