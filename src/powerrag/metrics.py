"""PowerRAG's own metrics, in Prometheus' text exposition format (`GET /metrics`).

Counters and histograms are updated where things happen (ingest endpoints, the writer
thread, the retention job); queue depth, admitted requests and live streams are read from
their owners at each scrape; the database's size and the background jobs by state are
queried at each scrape (in a worker thread: `exposition` does I/O). Each app has a
registry of its own, so two apps in one process (tests) never share counts.
Names follow https://prometheus.io/docs/practices/naming/ (units in the name, `_total`
on counters, added by the client library).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from powerrag.store import operations
from powerrag.store.database import Store

# Seconds: a group commit takes milliseconds, a full disk's or busy database's seconds.
COMMIT_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Seconds in the writer's queue; `queue_wait_seconds` (1 s by default) refuses beyond.
WAIT_BUCKETS = (0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


def _zero() -> float:
    return 0.0


@dataclass(slots=True)
class _Sources:
    """What is read at scrape time; set when the app starts (nothing runs before)."""

    store: Store | None = None
    queue_depth: Callable[[], float] = _zero
    admitted: Callable[[], float] = _zero
    live_streams: Callable[[], float] = _zero


class _DatabaseCollector(Collector):
    """The database's size and the job table's counts, read at each scrape."""

    def __init__(self, sources: _Sources) -> None:
        self._sources = sources

    def collect(self) -> Iterator[GaugeMetricFamily]:
        store = self._sources.store
        if store is None:
            return
        with store.connect() as conn:
            size = operations.database_bytes(conn)
            counts = operations.job_counts(conn)
        yield GaugeMetricFamily(
            "powerrag_database_size_bytes", "Size of the database (SQLite: without its WAL).", size
        )
        jobs = GaugeMetricFamily(
            "powerrag_jobs",
            "Background jobs (checks, webhooks, LLM judge evaluations) by kind and state.",
            labels=["kind", "state"],
        )
        for (kind, state), count in sorted(counts.items()):
            jobs.add_metric([kind, state], count)
        yield jobs

    def describe(self) -> list[GaugeMetricFamily]:
        # Described as nothing, so registering does not run `collect` (no I/O at start).
        return []


class Metrics:
    """One app's metrics: `registry` holds them; `exposition()` renders the text format."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        r = self.registry
        self.requests = Counter(
            "powerrag_ingest_requests",
            "Ingest requests answered, by endpoint and outcome (ok, rejected, overloaded, error).",
            ["endpoint", "outcome"],
            registry=r,
        )
        self.spans = Counter(
            "powerrag_ingest_spans",
            "OTLP spans and batch ingestion events, accepted (stored) or rejected (named in the answer).",
            ["api", "outcome"],
            registry=r,
        )
        self.rejected_bodies = Counter(
            "powerrag_ingest_rejected_bodies",
            "Ingest requests refused whole, by reason (the error's name).",
            ["reason"],
            registry=r,
        )
        self.admission_wait = Histogram(
            "powerrag_ingest_admission_wait_seconds",
            "Time an ingest request waited for an admission place before its body was read (a request refused for want of one counts as overloaded instead).",
            buckets=WAIT_BUCKETS,
            registry=r,
        )
        self.queue_wait = Histogram(
            "powerrag_ingest_queue_wait_seconds",
            "Time from a decoded request's hand-over to the writer until its group commit began (waiting for room in the queue included).",
            buckets=WAIT_BUCKETS,
            registry=r,
        )
        self.commit = Histogram(
            "powerrag_commit_seconds",
            "Duration of one group commit of the writer (every request it holds).",
            buckets=COMMIT_BUCKETS,
            registry=r,
        )
        self.retention_deleted = Counter(
            "powerrag_retention_deleted",
            "Rows deleted by the retention job, by kind (traces, scores, comments, media).",
            ["kind"],
            registry=r,
        )
        self.sources = _Sources()
        self._gauge(
            "powerrag_ingest_queue_depth",
            "Requests waiting for the writer.",
            lambda: self.sources.queue_depth(),
        )
        self._gauge(
            "powerrag_ingest_admitted_requests",
            "Ingest requests holding an admission place (reading, decoding or queued).",
            lambda: self.sources.admitted(),
        )
        self._gauge(
            "powerrag_live_streams",
            "Session Replay live streams (SSE clients) open on this process.",
            lambda: self.sources.live_streams(),
        )
        r.register(_DatabaseCollector(self.sources))

    def _gauge(self, name: str, help_text: str, read: Callable[[], float]) -> None:
        Gauge(name, help_text, registry=self.registry).set_function(read)

    def exposition(self) -> bytes:
        """The text exposition format; queries the database (call it off the event loop)."""
        return generate_latest(self.registry)

    def ingested(self, api: str, accepted: int, rejected: int) -> None:
        """A stored request's spans or events: those stored and those its answer refused."""
        self.spans.labels(api, "accepted").inc(accepted)
        self.spans.labels(api, "rejected").inc(rejected)

    def answered(self, endpoint: str, status: int, reason: str | None) -> None:
        """An ingest request's answer; a refused one also counts under its reason."""
        if 200 <= status < 300:
            self.requests.labels(endpoint, "ok").inc()
            return
        outcome = "overloaded" if status == 503 else "rejected" if status < 500 else "error"
        self.requests.labels(endpoint, outcome).inc()
        self.rejected_bodies.labels(reason or f"http_{status}").inc()

    def retention_step(self, kind: str, count: int) -> None:
        self.retention_deleted.labels(kind).inc(count)
