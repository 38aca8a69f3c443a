-- Trace data in ClickHouse (docs/deployment.md, "PostgreSQL + ClickHouse").
-- The tables of store/infra/schema.py with the same names and columns, each row a version:
-- ReplacingMergeTree(row_version, is_deleted) keeps the highest `row_version` of a sort key,
-- and a row with is_deleted = 1 (a tombstone) hides it. Sort and partition keys use only
-- columns that never change for a row (`created_at` is kept from the first version), so the
-- versions of a row always meet in one part. `${replacing}` and `${on_cluster}` are filled in
-- by store/clickhouse/migrate.py for one server or for a cluster (Replicated... ON CLUSTER).

CREATE TABLE IF NOT EXISTS observations${on_cluster} (
    project_id String,
    id String,
    trace_id String,
    parent_observation_id Nullable(String),
    type LowCardinality(String),
    name Nullable(String),
    start_time Int64,
    end_time Nullable(Int64),
    completion_start_time Nullable(Int64),
    environment LowCardinality(String),
    level LowCardinality(String),
    status_message Nullable(String),
    version Nullable(String),
    model Nullable(String),
    model_parameters Nullable(String) CODEC(ZSTD(3)),
    input Nullable(String) CODEC(ZSTD(3)),
    output Nullable(String) CODEC(ZSTD(3)),
    metadata Nullable(String) CODEC(ZSTD(3)),
    usage_details Nullable(String) CODEC(ZSTD(3)),
    provided_cost_details Nullable(String) CODEC(ZSTD(3)),
    cost_details Nullable(String) CODEC(ZSTD(3)),
    input_tokens Float64,
    output_tokens Float64,
    total_tokens Float64,
    input_cost Nullable(Float64),
    output_cost Nullable(Float64),
    total_cost Nullable(Float64),
    model_id Nullable(String),
    pricing_tier_id Nullable(String),
    pricing_tier_name Nullable(String),
    prompt_name Nullable(String),
    prompt_version Nullable(Int64),
    is_app_root Bool,
    origin_id Nullable(String),
    event_time Nullable(Int64),
    field_times Nullable(String),
    created_at Int64,
    updated_at Int64,
    provided_usage_details Nullable(String) CODEC(ZSTD(3)),
    row_version UInt64,
    is_deleted UInt8,
    INDEX ix_observations_id id TYPE bloom_filter GRANULARITY 4
)
ENGINE = ${replacing}
PARTITION BY toYYYYMM(fromUnixTimestamp64Micro(created_at))
ORDER BY (project_id, trace_id, id)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS trace_updates${on_cluster} (
    project_id String,
    trace_id String,
    source_id String,
    timestamp Int64,
    body String CODEC(ZSTD(3)),
    row_version UInt64,
    is_deleted UInt8
)
ENGINE = ${replacing}
ORDER BY (project_id, trace_id, source_id)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS scores${on_cluster} (
    project_id String,
    id String,
    name String,
    data_type LowCardinality(String),
    value Nullable(Float64),
    string_value Nullable(String),
    trace_id Nullable(String),
    observation_id Nullable(String),
    session_id Nullable(String),
    dataset_run_id Nullable(String),
    environment LowCardinality(String),
    source LowCardinality(String),
    comment Nullable(String),
    metadata Nullable(String) CODEC(ZSTD(3)),
    config_id Nullable(String),
    queue_id Nullable(String),
    author_user_id Nullable(String),
    timestamp Int64,
    created_at Int64,
    updated_at Int64,
    row_version UInt64,
    is_deleted UInt8,
    INDEX ix_scores_trace_id trace_id TYPE bloom_filter GRANULARITY 4,
    INDEX ix_scores_session_id session_id TYPE bloom_filter GRANULARITY 4
)
ENGINE = ${replacing}
PARTITION BY toYYYYMM(fromUnixTimestamp64Micro(created_at))
ORDER BY (project_id, id)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS span_origins${on_cluster} (
    project_id String,
    id String,
    body String CODEC(ZSTD(3)),
    row_version UInt64,
    is_deleted UInt8
)
ENGINE = ${replacing}
ORDER BY (project_id, id)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS traces${on_cluster} (
    project_id String,
    id String,
    timestamp Int64,
    end_time Nullable(Int64),
    name Nullable(String),
    user_id Nullable(String),
    session_id Nullable(String),
    release Nullable(String),
    version Nullable(String),
    environment LowCardinality(String),
    public Bool,
    bookmarked Bool,
    tags String,
    metadata Nullable(String) CODEC(ZSTD(3)),
    input Nullable(String) CODEC(ZSTD(3)),
    output Nullable(String) CODEC(ZSTD(3)),
    root_observation_id Nullable(String),
    observation_count Int64,
    error_count Int64,
    level LowCardinality(String),
    input_tokens Float64,
    output_tokens Float64,
    total_tokens Float64,
    input_cost Float64,
    output_cost Float64,
    total_cost Float64,
    created_at Int64,
    updated_at Int64,
    row_version UInt64,
    is_deleted UInt8,
    INDEX ix_traces_session_id session_id TYPE bloom_filter GRANULARITY 4
)
ENGINE = ${replacing}
ORDER BY (project_id, id)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS sessions${on_cluster} (
    project_id String,
    id String,
    created_at Int64,
    last_activity_at Int64,
    environment LowCardinality(String),
    bookmarked Bool,
    public Bool,
    trace_count Int64,
    user_ids String,
    error_count Int64,
    input_tokens Float64,
    output_tokens Float64,
    total_tokens Float64,
    input_cost Float64,
    output_cost Float64,
    total_cost Float64,
    first_seen_at Int64,
    updated_at Int64,
    ended_at Nullable(Int64),
    previous_id Nullable(String),
    end_requested Bool,
    row_version UInt64,
    is_deleted UInt8
)
ENGINE = ${replacing}
ORDER BY (project_id, id)
SETTINGS non_replicated_deduplication_window = 1000;;

-- One document per trace for the text filter: its tokens (domain/search.py), space-separated
-- and with a space on each side, so a whole token is ' token ' and a prefix ' pre'.
CREATE TABLE IF NOT EXISTS search_documents${on_cluster} (
    project_id String,
    trace_id String,
    body String CODEC(ZSTD(3)),
    row_version UInt64,
    is_deleted UInt8
)
ENGINE = ${replacing}
ORDER BY (project_id, trace_id)
SETTINGS non_replicated_deduplication_window = 1000;
