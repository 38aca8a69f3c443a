"""Every setting in one typed table: name, environment variable, default and help.

The table drives `powerrag serve --help` and `docs/configuration.md` (a test
keeps them in step). Settings are read once, here, and passed down.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

ENV_PREFIX = "POWERRAG_"


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    type: type
    default: Any
    help: str

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.upper()

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "host", str, "127.0.0.1", "Address to listen on; 0.0.0.0 exposes PowerRAG to the network."
    ),
    Setting(
        "port",
        int,
        3000,
        "Port to listen on (Langfuse's default, so LANGFUSE_BASE_URL=http://localhost:3000 works).",
    ),
    Setting(
        "data_dir",
        Path,
        Path("./powerrag-data"),
        "Directory of the embedded SQLite database and the secret that signs cookies.",
    ),
    Setting(
        "database_url",
        str,
        "",
        "SQLAlchemy URL of the database (postgresql://user:pass@host/db); empty means SQLite in the data directory.",
    ),
    Setting(
        "clickhouse_url",
        str,
        "",
        "ClickHouse for trace data (http(s)://user:pass@host:8123/database, ?cluster=name for a cluster, whose inserts wait for a majority of replicas or &insert_quorum=N; chdb:///path for ClickHouse in process); needs a PostgreSQL --database-url; empty means trace data in the database.",
    ),
    Setting(
        "public_url",
        str,
        "",
        "URL users reach PowerRAG at, for printed snippets and links; empty means http://HOST:PORT.",
    ),
    Setting(
        "max_body_bytes",
        int,
        32 * 1024 * 1024,
        "Largest request body accepted, after decompression (413 above).",
    ),
    Setting(
        "media_max_bytes",
        int,
        50 * 1024 * 1024,
        "Largest media file (an image, audio, a PDF) an SDK may upload through /api/public/media; its bytes are stored in the database.",
    ),
    Setting(
        "max_pending_requests",
        int,
        64,
        "Ingest requests queued for the writer; twice as many may be read and decoded at once, the rest wait for a place.",
    ),
    Setting(
        "queue_wait_seconds",
        float,
        1.0,
        "How long an ingest request waits for a place before 503 with Retry-After: 1 (short, so the SDK's 5 s export deadline leaves room to retry).",
    ),
    Setting(
        "body_read_seconds",
        float,
        30.0,
        "Longest time a request body may take to arrive; a slower one gets 408 and frees its admission place (slow-loris defence).",
    ),
    Setting(
        "public_key_body_read_seconds",
        float,
        5.0,
        "The same deadline for callers holding only a public key (Bearer; public keys ship in browser bundles), who also share a small pool of places.",
    ),
    Setting(
        "group_commit_max", int, 64, "Most ingest requests committed together in one transaction."
    ),
    Setting("db_pool_size", int, 8, "Read connections kept open."),
    Setting("log_level", str, "info", "Log level: debug, info, warning or error."),
    Setting(
        "org_id",
        str,
        "default-org",
        "Id of the implicit organisation; LANGFUSE_INIT_ORG_ID overrides it.",
    ),
    Setting(
        "org_name",
        str,
        "PowerRAG",
        "Name of the implicit organisation reported by /api/public/projects.",
    ),
    Setting(
        "secure_cookies",
        bool,
        False,
        "Mark the session cookie Secure (set it when PowerRAG is served over TLS).",
    ),
    Setting(
        "forwarded_allow_ips",
        str,
        "",
        "Proxies whose X-Forwarded-For and X-Forwarded-Proto are believed, as uvicorn's --forwarded-allow-ips (comma-separated addresses or networks, * for any); empty believes none, so the client address (which the sign-in throttle counts) is the connection's peer.",
    ),
    Setting(
        "auto_migrate",
        bool,
        True,
        "Apply database migrations on start; when false, a schema behind the code is an error.",
    ),
    Setting(
        "live_streams_per_client",
        int,
        16,
        "Live Session Replay streams one client address may hold open (429 above).",
    ),
    Setting(
        "live_streams_per_session",
        int,
        100,
        "Live streams open on one session, by anyone (429 above).",
    ),
    Setting(
        "live_streams_max",
        int,
        1000,
        "Live streams this server process holds open in all (503 above).",
    ),
    Setting(
        "live_heartbeat_seconds",
        float,
        15.0,
        "Interval of a live stream's keep-alive, at which it also checks that its viewer may still watch.",
    ),
    Setting(
        "session_idle_seconds",
        int,
        1800,
        "A session with no new trace for this long is ended (its checks and session evaluations then run); a new trace reopens it. A project may set its own on its settings page.",
    ),
    Setting(
        "lifecycle_interval_seconds",
        float,
        10.0,
        "How often each process looks for idle sessions, crossed alerts and due jobs; 0 turns the background worker off in this process.",
    ),
    Setting(
        "job_max_attempts",
        int,
        5,
        "Attempts of a background job (a check, a webhook delivery) before it is marked failed with its last error.",
    ),
    Setting(
        "outbound_allowed",
        str,
        "public,private,loopback",
        "Where webhooks and LLM judges may go: comma-separated `public`, `private`, `loopback`, networks (10.1.0.0/16) or host names; link-local addresses (cloud metadata) are refused unless a network lists them.",
    ),
    Setting(
        "judge_max_attempts",
        int,
        3,
        "Attempts of an LLM-as-judge evaluation (a 429, a 5xx or a malformed answer is retried with backoff) before it is marked failed with its error.",
    ),
    Setting(
        "judge_concurrency",
        int,
        4,
        "LLM judge calls one process makes at the same time.",
    ),
    Setting(
        "webhook_concurrency",
        int,
        4,
        "Alert webhook deliveries one process makes at the same time (each waits at most 10 s for its receiver).",
    ),
    Setting(
        "job_retention_days",
        float,
        7.0,
        "Finished background jobs (check runs, evaluations, user alert deliveries: done or failed) older than this are deleted by the background worker, in batches; a session alert's delivery is kept, as the record that the alert fired for it.",
    ),
    Setting(
        "retention_days",
        int,
        0,
        "Days a project keeps its traces, scores, comments and media unless the project sets its own (settings page); 0 keeps everything. Otherwise at least 3 (docs/operations.md).",
    ),
    Setting(
        "retention_interval_seconds",
        float,
        3600.0,
        "How often the retention job looks for data older than its project keeps (one replica at a time does the work); 0 turns it off in this process.",
    ),
    Setting(
        "reconcile_interval_seconds",
        float,
        60.0,
        "On PostgreSQL + ClickHouse, how often the reconciler recomputes summaries a writer that died before its commit left stale (one replica at a time does the work); 0 turns it off in this process.",
    ),
    Setting(
        "metrics_token",
        str,
        "",
        "Bearer token that Prometheus sends to GET /metrics; empty turns the endpoint off (404).",
    ),
    Setting(
        "log_format",
        str,
        "text",
        "Log lines as `text` or `json` (one JSON object a line, with the request id also sent back as X-Request-Id).",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 3000
    data_dir: Path = Path("./powerrag-data")
    database_url: str = ""
    clickhouse_url: str = ""
    public_url: str = ""
    max_body_bytes: int = 32 * 1024 * 1024
    media_max_bytes: int = 50 * 1024 * 1024
    max_pending_requests: int = 64
    queue_wait_seconds: float = 1.0
    body_read_seconds: float = 30.0
    public_key_body_read_seconds: float = 5.0
    group_commit_max: int = 64
    db_pool_size: int = 8
    log_level: str = "info"
    org_id: str = "default-org"
    org_name: str = "PowerRAG"
    secure_cookies: bool = False
    forwarded_allow_ips: str = ""
    auto_migrate: bool = True
    live_streams_per_client: int = 16
    live_streams_per_session: int = 100
    live_streams_max: int = 1000
    live_heartbeat_seconds: float = 15.0
    session_idle_seconds: int = 1800
    lifecycle_interval_seconds: float = 10.0
    job_max_attempts: int = 5
    outbound_allowed: str = "public,private,loopback"
    judge_max_attempts: int = 3
    judge_concurrency: int = 4
    webhook_concurrency: int = 4
    job_retention_days: float = 7.0
    retention_days: int = 0
    retention_interval_seconds: float = 3600.0
    reconcile_interval_seconds: float = 60.0
    metrics_token: str = ""
    log_format: str = "text"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir.resolve() / 'powerrag.db'}"

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "localhost" if self.host in ("127.0.0.1", "0.0.0.0", "::") else self.host
        return f"http://{host}:{self.port}"

    def with_overrides(self, **values: Any) -> Settings:
        return replace(self, **{k: v for k, v in values.items() if v is not None})


def convert(setting: Setting, raw: str) -> Any:
    """Turn an environment or flag string into the setting's type, or say what is wrong."""
    if setting.type is bool:
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off", ""):
            return False
        raise ValueError(f"{setting.env}: expected true or false, got {raw!r}")
    try:
        return setting.type(raw)
    except ValueError:
        raise ValueError(f"{setting.env}: expected {setting.type.__name__}, got {raw!r}") from None


def settings_from_env(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from `POWERRAG_*` variables (and `LANGFUSE_INIT_ORG_ID`)."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        if setting.env in env:
            values[setting.name] = convert(setting, env[setting.env])
    if env.get("LANGFUSE_INIT_ORG_ID"):
        values["org_id"] = env["LANGFUSE_INIT_ORG_ID"]
    assert set(values) <= {f.name for f in fields(Settings)}
    return Settings(**values)


def setting(name: str) -> Setting:
    return _BY_NAME[name]


def settings_table_markdown() -> str:
    """The settings as the Markdown table in docs/configuration.md (kept in step by a test)."""
    lines = [
        "| flag | environment variable | default | what it does |",
        "| --- | --- | --- | --- |",
    ]
    for s in SETTINGS:
        default = "(empty)" if s.default == "" else str(s.default)
        lines.append(f"| `{s.flag}` | `{s.env}` | `{default}` | {s.help} |")
    return "\n".join(lines) + "\n"
