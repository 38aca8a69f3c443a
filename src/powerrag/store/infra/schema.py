"""The database schema (SQLAlchemy Core). Alembic migrations create exactly this.

Times are BigInteger microseconds since the epoch (UTC): exact, sortable and the
same on SQLite and PostgreSQL. JSON values are stored as text.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _time(name: str, nullable: bool = False) -> Column[int]:
    return Column(name, BigInteger, nullable=nullable)


# Token and cost totals kept on traces and sessions (summed from their observations).
FIGURES = (
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "input_cost",
    "output_cost",
    "total_cost",
)


def _figures() -> list[Column[float]]:
    return [Column(name, Float, nullable=False, default=0) for name in FIGURES]


projects = Table(
    "projects",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("metadata", Text, nullable=True),
    Column("retention_days", Integer, nullable=True),
    _time("created_at"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("project_id", String(64), ForeignKey("projects.id"), nullable=False),
    Column("public_key", String(200), nullable=False, unique=True),
    # SHA-256 of the secret key; secrets are never stored in clear.
    Column("secret_hash", String(64), nullable=False, unique=True),
    Column("display_secret_key", String(32), nullable=False),
    Column("note", String(500), nullable=True),
    _time("created_at"),
    _time("last_used_at", nullable=True),
    _time("revoked_at", nullable=True),
)

# Secrets shared by every replica, created once (e.g. the one-time first-admin set-up token).
instance_secrets = Table(
    "instance_secrets",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    _time("created_at"),
)

users = Table(
    "users",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("name", String(200), nullable=True),
    Column("password_hash", String(200), nullable=False),
    Column("is_admin", Boolean, nullable=False, default=False),
    _time("created_at"),
)

# Signed-in browsers: the SHA-256 of each sign-in cookie's random token, so a sign-in can be
# ended on its own (sign out), for one user everywhere, or on a password change (issue 19, M3).
sign_ins = Table(
    "sign_ins",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", String(64), ForeignKey("users.id"), nullable=False),
    _time("created_at"),
    _time("expires_at"),
    Index("ix_sign_ins_user_id", "user_id"),
)

# Who may open a project in the UI (admins open every project without a row here).
project_memberships = Table(
    "project_memberships",
    metadata,
    Column("project_id", String(64), ForeignKey("projects.id"), primary_key=True),
    Column("user_id", String(64), ForeignKey("users.id"), primary_key=True),
    Column("role", String(16), nullable=False),
    _time("created_at"),
    Index("ix_project_memberships_user_id", "user_id"),
)

traces = Table(
    "traces",
    metadata,
    Column("project_id", String(64), primary_key=True),
    Column("id", String(64), primary_key=True),
    _time("timestamp"),
    _time("end_time", nullable=True),
    Column("name", Text, nullable=True),
    Column("user_id", Text, nullable=True),
    Column("session_id", String(200), nullable=True),
    Column("release", Text, nullable=True),
    Column("version", Text, nullable=True),
    Column("environment", String(64), nullable=False),
    Column("public", Boolean, nullable=False, default=False),
    Column("bookmarked", Boolean, nullable=False, default=False),
    Column("tags", Text, nullable=False, default="[]"),
    Column("metadata", Text, nullable=True),
    # Explicit trace input/output (langfuse.trace.input); else the root observation's.
    Column("input", Text, nullable=True),
    Column("output", Text, nullable=True),
    Column("root_observation_id", String(64), nullable=True),
    Column("observation_count", Integer, nullable=False, default=0),
    Column("error_count", Integer, nullable=False, default=0),
    Column("level", String(16), nullable=False, default="DEFAULT"),
    *_figures(),
    _time("created_at"),
    _time("updated_at"),
    Index("ix_traces_project_timestamp", "project_id", "timestamp"),
    Index("ix_traces_project_session", "project_id", "session_id", "timestamp"),
    Index("ix_traces_project_user", "project_id", "user_id"),
)

trace_updates = Table(
    "trace_updates",
    metadata,
    Column("project_id", String(64), primary_key=True),
    Column("trace_id", String(64), primary_key=True),
    # The span id or ingestion event id that carried the update: a resend replaces itself.
    Column("source_id", String(128), primary_key=True),
    _time("timestamp"),
    Column("body", Text, nullable=False),
)

observations = Table(
    "observations",
    metadata,
    Column("project_id", String(64), primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("trace_id", String(64), nullable=False),
    Column("parent_observation_id", String(64), nullable=True),
    Column("type", String(16), nullable=False),
    Column("name", Text, nullable=True),
    _time("start_time"),
    _time("end_time", nullable=True),
    _time("completion_start_time", nullable=True),
    Column("environment", String(64), nullable=False),
    Column("level", String(16), nullable=False),
    Column("status_message", Text, nullable=True),
    Column("version", Text, nullable=True),
    Column("model", Text, nullable=True),
    Column("model_parameters", Text, nullable=True),
    Column("input", Text, nullable=True),
    Column("output", Text, nullable=True),
    Column("metadata", Text, nullable=True),
    Column("usage_details", Text, nullable=True),
    Column("provided_cost_details", Text, nullable=True),
    Column("cost_details", Text, nullable=True),
    Column("input_tokens", Float, nullable=False, default=0),
    Column("output_tokens", Float, nullable=False, default=0),
    Column("total_tokens", Float, nullable=False, default=0),
    Column("input_cost", Float, nullable=True),
    Column("output_cost", Float, nullable=True),
    Column("total_cost", Float, nullable=True),
    Column("model_id", String(64), nullable=True),
    Column("pricing_tier_id", String(64), nullable=True),
    Column("pricing_tier_name", Text, nullable=True),
    Column("prompt_name", Text, nullable=True),
    Column("prompt_version", Integer, nullable=True),
    Column("is_app_root", Boolean, nullable=False, default=False),
    # The span's resource attributes and scope, part of its metadata as read (span_origins).
    Column("origin_id", String(16), nullable=True),
    # When the data was sent (an OTLP span's end or start, a batch event's timestamp), so a
    # late, older version never overwrites a newer one (issue 19, L6): the newest time of
    # any field, and per field as JSON when batch events set fields one by one.
    _time("event_time", nullable=True),
    Column("field_times", Text, nullable=True),
    _time("created_at"),
    _time("updated_at"),
    # Usage as the SDK sent it (`prompt_tokens`, ... kept, `total` added), which the API
    # answers; `usage_details` holds the normalised counts that tokens and cost come from.
    Column("provided_usage_details", Text, nullable=True),
    Index("ix_observations_project_trace", "project_id", "trace_id", "start_time"),
    Index("ix_observations_project_start", "project_id", "start_time"),
    # A prompt version's generations (its page's figures); only those that name a prompt.
    Index(
        "ix_observations_project_prompt",
        "project_id",
        "prompt_name",
        "prompt_version",
        sqlite_where=text("prompt_name IS NOT NULL"),
        postgresql_where=text("prompt_name IS NOT NULL"),
    ),
)

# One row per distinct (resource attributes, scope) of a project's spans: an SDK sends the
# same few hundred bytes with every span, so storing them once saves ~5 % of the database.
span_origins = Table(
    "span_origins",
    metadata,
    Column("project_id", String(64), primary_key=True),
    # The first 8 bytes of the body's BLAKE2b, hex.
    Column("id", String(16), primary_key=True),
    Column("body", Text, nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("project_id", String(64), primary_key=True),
    Column("id", String(200), primary_key=True),
    # The earliest trace timestamp (architecture note).
    _time("created_at"),
    _time("last_activity_at"),
    Column("environment", String(64), nullable=False),
    Column("bookmarked", Boolean, nullable=False, default=False),
    Column("public", Boolean, nullable=False, default=False),
    Column("trace_count", Integer, nullable=False, default=0),
    Column("user_ids", Text, nullable=False, default="[]"),
    Column("error_count", Integer, nullable=False, default=0),
    *_figures(),
    _time("first_seen_at"),
    # When the last trace arrived (the writer's clock): idle time counts from here.
    _time("updated_at"),
    # Set when the session ends (idle or explicit); the writer clears it when a trace arrives.
    _time("ended_at", nullable=True),
    # The session this one continues (OpenTelemetry's `session.previous_id`), read at its end.
    Column("previous_id", String(200), nullable=True),
    # A trace asked to end the session (the SDK convention, docs/evaluation.md): the next
    # pass ends it. Cleared when it ends; the writer never writes it otherwise.
    Column("end_requested", Boolean, nullable=False, default=False, server_default=text("false")),
    Index("ix_sessions_project_created", "project_id", "created_at"),
    Index("ix_sessions_project_activity", "project_id", "last_activity_at"),
    # The sessions list sorts by these figures; without an index a sort reads every row.
    Index("ix_sessions_project_cost", "project_id", "total_cost"),
    Index("ix_sessions_project_tokens", "project_id", "total_tokens"),
    Index("ix_sessions_project_traces", "project_id", "trace_count"),
    Index("ix_sessions_project_errors", "project_id", "error_count"),
    # The sweeper's question, "open sessions idle since", reads only open sessions.
    Index(
        "ix_sessions_open_updated",
        "updated_at",
        sqlite_where=text("ended_at IS NULL"),
        postgresql_where=text("ended_at IS NULL"),
    ),
)

scores = Table(
    "scores",
    metadata,
    Column("project_id", String(64), primary_key=True),
    Column("id", String(128), primary_key=True),
    Column("name", Text, nullable=False),
    Column("data_type", String(16), nullable=False),
    Column("value", Float, nullable=True),
    Column("string_value", Text, nullable=True),
    Column("trace_id", String(64), nullable=True),
    Column("observation_id", String(64), nullable=True),
    Column("session_id", String(200), nullable=True),
    Column("dataset_run_id", String(64), nullable=True),
    Column("environment", String(64), nullable=False),
    Column("source", String(16), nullable=False),
    Column("comment", Text, nullable=True),
    Column("metadata", Text, nullable=True),
    Column("config_id", String(64), nullable=True),
    Column("queue_id", String(64), nullable=True),
    Column("author_user_id", String(64), nullable=True),
    _time("timestamp"),
    _time("created_at"),
    _time("updated_at"),
    Index("ix_scores_project_trace", "project_id", "trace_id"),
    Index("ix_scores_project_session", "project_id", "session_id"),
    Index("ix_scores_project_timestamp", "project_id", "timestamp"),
    # The sessions list's score filter (store/session_scores.py) reads one name's scores.
    Index("ix_scores_project_name", "project_id", "name"),
)

comments = Table(
    "comments",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("project_id", String(64), nullable=False),
    Column("object_type", String(16), nullable=False),
    Column("object_id", String(200), nullable=False),
    Column("content", Text, nullable=False),
    Column("author_user_id", String(64), nullable=True),
    _time("created_at"),
    _time("updated_at"),
    Index("ix_comments_project_object", "project_id", "object_type", "object_id"),
)

# Media an SDK uploaded (images, audio, files in a trace's input, output or metadata), one
# row per distinct content of a project: the id is the first 22 characters of the URL-safe
# base64 SHA-256, as Langfuse's (docs/api.md, Media).
media = Table(
    "media",
    metadata,
    Column("project_id", String(64), primary_key=True),
    Column("id", String(64), primary_key=True),
    # Standard base64 of the SHA-256 the SDK declared; an upload must match it.
    Column("sha256", String(64), nullable=False),
    Column("content_type", String(255), nullable=False),
    Column("content_length", BigInteger, nullable=False),
    _time("created_at"),
    # The SDK's report of its upload (PATCH /api/public/media/{id}), or the upload's own.
    _time("uploaded_at", nullable=True),
    Column("upload_http_status", Integer, nullable=True),
    Column("upload_http_error", Text, nullable=True),
    Column("upload_time_ms", Integer, nullable=True),
)

# The bytes, apart from `media` so that listing media never reads them; in the database,
# so every replica serves them.
media_blobs = Table(
    "media_blobs",
    metadata,
    Column("project_id", String(64), primary_key=True),
    Column("media_id", String(64), primary_key=True),
    Column("content", LargeBinary, nullable=False),
    _time("created_at"),
)

# Where media was found: a trace's or an observation's field. Media without a link left
# (its traces deleted) is deleted with its bytes.
media_links = Table(
    "media_links",
    metadata,
    Column("project_id", String(64), primary_key=True),
    Column("trace_id", String(64), primary_key=True),
    # Empty when the media is in the trace's own field.
    Column("observation_id", String(64), primary_key=True),
    Column("field", String(16), primary_key=True),
    Column("media_id", String(64), primary_key=True),
    _time("created_at"),
    Index("ix_media_links_project_media", "project_id", "media_id"),
)

# GenAI message content sent as OTLP log events (api/ingestion.py, /v1/logs), one row per
# event, by the span it names (observation id = span id). The span's input and output are
# made from these rows (domain/span_content.py) whichever arrives first; they stay while
# the span does, so a resent span without content gets it back. Rows whose span has not
# arrived within a day are removed (store/span_contents.py).
span_content_events = Table(
    "span_content_events",
    metadata,
    Column("project_id", String(64), primary_key=True),
    Column("observation_id", String(64), primary_key=True),
    Column("event_key", String(32), primary_key=True),
    Column("trace_id", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    # The record's time in nanoseconds, then its place in its request: the message order.
    Column("time_ns", BigInteger, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("choice_index", Integer, nullable=False),
    Column("body", Text, nullable=False),
    _time("received_at"),
    Index("ix_span_content_events_project_received", "project_id", "received_at"),
    Index("ix_span_content_events_project_trace", "project_id", "trace_id"),
)

# Work that outlives a request (docs/evaluation.md): claimed with a lease, so replicas share
# it and a killed process loses nothing; `key` makes each piece of work exist once.
jobs = Table(
    "jobs",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("project_id", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("key", String(600), nullable=False, unique=True),
    # The check or alert the job serves, for its log.
    Column("subject", String(64), nullable=False),
    Column("payload", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("lease_owner", String(64), nullable=True),
    _time("lease_until", nullable=True),
    _time("run_after"),
    Column("last_error", Text, nullable=True),
    _time("created_at"),
    _time("updated_at"),
    _time("finished_at", nullable=True),
    Index("ix_jobs_state_run_after", "state", "run_after"),
    Index("ix_jobs_project_subject", "project_id", "subject", "created_at"),
)

# Built-in session checks (domain/checks.py), run when a session ends.
check_rules = Table(
    "check_rules",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("project_id", String(64), ForeignKey("projects.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("check_kind", String(32), nullable=False),
    Column("target", String(16), nullable=False),
    Column("threshold", Float, nullable=True),
    Column("pattern", Text, nullable=True),
    Column("enabled", Boolean, nullable=False, default=True),
    _time("created_at"),
    _time("updated_at"),
    UniqueConstraint("project_id", "name"),
)

# Alert rules (domain/alerts.py): a signed webhook once per session (or user window) crossed.
alerts = Table(
    "alerts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("project_id", String(64), ForeignKey("projects.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("metric", String(32), nullable=False),
    Column("threshold", Float, nullable=False),
    Column("score_name", String(200), nullable=True),
    Column("webhook_url", Text, nullable=False),
    # The signing secret as a Fernet token (powerrag/secretbox.py); the API shows only
    # `display_secret`, its masked form.
    Column("secret", Text, nullable=True),
    Column("enabled", Boolean, nullable=False, default=True),
    _time("created_at"),
    _time("updated_at"),
    # "json" or "slack" (domain/alerts.py BODY_FORMATS).
    Column("body_format", String(16), nullable=False, default="json", server_default="json"),
    Column("display_secret", String(32), nullable=True),
    Index("ix_alerts_project", "project_id"),
)

# The full-text search index (store/search.py): one document per trace, its own fields and
# every observation's. `body` is the tokens as text on SQLite, indexed by the FTS5 table
# `search_fts`, and a tsvector with a GIN index on PostgreSQL; migration 0008 makes those,
# which this metadata does not describe (ENGINE_SEARCH_OBJECTS).
search_documents = Table(
    "search_documents",
    metadata,
    # INTEGER PRIMARY KEY on SQLite: FTS5 keys its rows by it, and VACUUM keeps it.
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("project_id", String(64), nullable=False),
    Column("trace_id", String(64), nullable=False),
    Column("body", Text().with_variant(TSVECTOR(), "postgresql"), nullable=False),
    UniqueConstraint("project_id", "trace_id"),
)
ENGINE_SEARCH_OBJECTS = ("search_fts", "ix_search_documents_body")

# Traces whose document is to be (re)built: the batch writer marks each trace it touches in
# its transaction, the search indexer (powerrag/search_indexer.py) claims marks by deleting
# them in the transaction that writes the documents (store/search_index.py).
search_pending = Table(
    "search_pending",
    metadata,
    Column("project_id", String(64), primary_key=True),
    Column("trace_id", String(64), primary_key=True),
    # When the trace was first marked since it was last indexed: the searchable lag.
    _time("marked_at"),
)

# OpenAI-compatible endpoints a project's judges call; the key is stored encrypted.
llm_connections = Table(
    "llm_connections",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("project_id", String(64), ForeignKey("projects.id"), nullable=False),
    Column("provider", String(200), nullable=False),
    Column("adapter", String(32), nullable=False),
    Column("base_url", Text, nullable=True),
    # Fernet token of {"secretKey", "extraHeaders"} (powerrag/secretbox.py).
    Column("secret", Text, nullable=False),
    Column("display_secret_key", String(32), nullable=False),
    Column("custom_models", Text, nullable=False),
    Column("with_default_models", Boolean, nullable=False),
    Column("extra_header_keys", Text, nullable=False),
    Column("config", Text, nullable=True),
    _time("created_at"),
    _time("updated_at"),
    UniqueConstraint("project_id", "provider"),
)

# LLM-as-judge evaluators (domain/evaluators.py); a new version keeps the id.
evaluators = Table(
    "evaluators",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("project_id", String(64), ForeignKey("projects.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    Column("prompt", Text, nullable=False),
    Column("output_definition", Text, nullable=False),
    Column("model_config", Text, nullable=True),
    Column("mapping", Text, nullable=True),
    _time("created_at"),
    _time("updated_at"),
    UniqueConstraint("project_id", "name"),
)

# Which sessions, traces or observations an evaluator judges (domain/eval_rules.py).
evaluation_rules = Table(
    "evaluation_rules",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("project_id", String(64), ForeignKey("projects.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("evaluator_id", String(36), ForeignKey("evaluators.id"), nullable=False),
    Column("target", String(16), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("sampling", Float, nullable=False),
    Column("delay_ms", BigInteger, nullable=False),
    Column("filters", Text, nullable=False),
    Column("mapping", Text, nullable=False),
    _time("created_at"),
    _time("updated_at"),
    UniqueConstraint("project_id", "name"),
)

# Versions of a project's prompts (domain/prompts.py); `prompt` and `config` are JSON.
prompts = Table(
    "prompts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("project_id", String(64), ForeignKey("projects.id"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("version", Integer, nullable=False),
    Column("type", String(8), nullable=False),
    Column("prompt", Text, nullable=False),
    Column("config", Text, nullable=False),
    Column("commit_message", Text, nullable=True),
    Column("created_by", String(200), nullable=False),
    _time("created_at"),
    _time("updated_at"),
    UniqueConstraint("project_id", "name", "version"),
)

# A label names one version of a prompt at a time: the primary key keeps it so.
prompt_labels = Table(
    "prompt_labels",
    metadata,
    Column("project_id", String(64), primary_key=True),
    Column("name", String(255), primary_key=True),
    Column("label", String(36), primary_key=True),
    Column("prompt_id", String(36), ForeignKey("prompts.id"), nullable=False),
)

# Tags belong to a prompt's name: the same on every version.
prompt_tags = Table(
    "prompt_tags",
    metadata,
    Column("project_id", String(64), primary_key=True),
    Column("name", String(255), primary_key=True),
    Column("tag", String(200), primary_key=True),
)

# Langfuse's datasets (domain/datasets.py): a name is unique in its project.
datasets = Table(
    "datasets",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("project_id", String(64), ForeignKey("projects.id"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("description", Text, nullable=True),
    Column("metadata", Text, nullable=True),
    _time("created_at"),
    _time("updated_at"),
    UniqueConstraint("project_id", "name"),
)

# An item's id may be the client's; it is unique in the project, as in Langfuse, so the same
# id sent again updates the item (and another dataset's id is refused).
dataset_items = Table(
    "dataset_items",
    metadata,
    Column("project_id", String(64), primary_key=True),
    Column("id", String(255), primary_key=True),
    Column("dataset_id", String(36), ForeignKey("datasets.id"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("input", Text, nullable=True),
    Column("expected_output", Text, nullable=True),
    Column("metadata", Text, nullable=True),
    Column("source_trace_id", String(64), nullable=True),
    Column("source_observation_id", String(64), nullable=True),
    _time("created_at"),
    _time("updated_at"),
    Index("ix_dataset_items_dataset", "dataset_id", "created_at"),
    Index("ix_dataset_items_source_trace", "project_id", "source_trace_id"),
)

# A run's id is Langfuse's stable experiment id of (project, dataset, name).
dataset_runs = Table(
    "dataset_runs",
    metadata,
    Column("project_id", String(64), primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("dataset_id", String(36), ForeignKey("datasets.id"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("description", Text, nullable=True),
    Column("metadata", Text, nullable=True),
    _time("created_at"),
    _time("updated_at"),
    UniqueConstraint("dataset_id", "name"),
)

# One item's execution in a run: the trace (and observation) it produced.
dataset_run_items = Table(
    "dataset_run_items",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("project_id", String(64), nullable=False),
    Column("run_id", String(64), nullable=False),
    Column("dataset_item_id", String(255), nullable=False),
    Column("trace_id", String(64), nullable=False),
    Column("observation_id", String(64), nullable=True),
    _time("created_at"),
    _time("updated_at"),
    UniqueConstraint(
        "project_id", "run_id", "dataset_item_id", "trace_id", name="uq_dataset_run_items_link"
    ),
    Index("ix_dataset_run_items_item", "project_id", "dataset_item_id"),
)

# Background work that must run on one replica at a time (the retention job): whoever holds
# the row's unexpired lease does it, and renews the lease in each of its transactions, so a
# replica that lost it (paused past its expiry) finds out before it deletes anything.
worker_leases = Table(
    "worker_leases",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("owner", String(128), nullable=True),
    _time("lease_until"),
    _time("updated_at"),
)

# A project's own model prices (Langfuse's custom models, domain/cost.py): they win over the
# bundled ones. `pricing_tiers` is the JSON list of tiers as the API shows them.
models = Table(
    "models",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("project_id", String(64), ForeignKey("projects.id"), nullable=False),
    Column("model_name", String(200), nullable=False),
    Column("match_pattern", Text, nullable=False),
    _time("start_date", nullable=True),
    Column("unit", String(16), nullable=True),
    Column("tokenizer_id", String(64), nullable=True),
    Column("tokenizer_config", Text, nullable=True),
    Column("pricing_tiers", Text, nullable=False),
    _time("created_at"),
    _time("updated_at"),
    UniqueConstraint("project_id", "model_name"),
)

# A project's score scales (Langfuse's score configs): a score naming one is checked against
# it (domain/score_configs.py). `categories` is JSON [{"label", "value"}].
score_configs = Table(
    "score_configs",
    metadata,
    Column("project_id", String(64), ForeignKey("projects.id"), primary_key=True),
    Column("id", String(36), primary_key=True),
    Column("name", String(35), nullable=False),
    Column("data_type", String(16), nullable=False),
    Column("is_archived", Boolean, nullable=False),
    Column("min_value", Float, nullable=True),
    Column("max_value", Float, nullable=True),
    Column("categories", Text, nullable=True),
    Column("description", Text, nullable=True),
    _time("created_at"),
    _time("updated_at"),
    Index("ix_score_configs_project", "project_id", "name"),
)

# Annotation queues of sessions, traces and observations; `score_config_ids` is a JSON list.
annotation_queues = Table(
    "annotation_queues",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("project_id", String(64), ForeignKey("projects.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=True),
    Column("score_config_ids", Text, nullable=False),
    _time("created_at"),
    _time("updated_at"),
    UniqueConstraint("project_id", "name"),
)

annotation_queue_items = Table(
    "annotation_queue_items",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("project_id", String(64), ForeignKey("projects.id"), nullable=False),
    Column("queue_id", String(36), ForeignKey("annotation_queues.id"), nullable=False),
    Column("object_id", String(200), nullable=False),
    # SESSION, TRACE or OBSERVATION; status PENDING or COMPLETED.
    Column("object_type", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    _time("completed_at", nullable=True),
    _time("created_at"),
    _time("updated_at"),
    Index("ix_annotation_queue_items_queue", "project_id", "queue_id", "status", "created_at"),
)

annotation_queue_assignments = Table(
    "annotation_queue_assignments",
    metadata,
    Column("project_id", String(64), primary_key=True),
    Column("queue_id", String(36), ForeignKey("annotation_queues.id"), primary_key=True),
    Column("user_id", String(64), primary_key=True),
    _time("created_at"),
)
