"""A test-only ClickHouse HTTP interface over chDB, in a process of its own.

chDB has no server and opens a data directory in one process only, so two `powerrag serve`
replicas cannot share it directly. This process owns the directory and answers the part of
ClickHouse's HTTP interface that clickhouse-connect's HTTP client uses: the statement in the
`query` parameter and/or the body (plain or `Content-Encoding`-compressed, chunked or not),
`database`, `param_*` bindings, every other parameter a setting, `INSERT ... FORMAT fmt`
followed by its data, results in the statement's `FORMAT`, and errors as ClickHouse's
`X-ClickHouse-Exception-Code` with the message as body. It is the network hop, not a
ClickHouse server: no users, sessions or progress headers.

    python -m tests.support.chbridge --port 8123 --data-dir /tmp/ch
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import queue
import re
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from benchmarks.common import free_port, terminate

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60.0
# Parameters that steer the HTTP exchange, never settings of a statement.
TRANSPORT = frozenset(
    {
        "query",
        "database",
        "query_id",
        "session_id",
        "session_timeout",
        "session_check",
        "compress",
        "decompress",
        "buffer_size",
        "wait_end_of_query",
        "client_protocol_version",
        "role",
        "quota_key",
        "user",
        "password",
        "default_format",
        "send_progress_in_http_headers",
        "http_headers_progress_interval_ms",
        "enable_http_compression",
    }
)
# A ClickHouse server's default, unlike chDB's own (async_insert=1): an insert waits for
# its part unless it asks otherwise.
SERVER_DEFAULTS = {"async_insert": "0"}
_INSERT_WITH_DATA = re.compile(
    rb"\A\s*(INSERT\s+INTO\s+[^\n]*?)\s+FORMAT\s+(\w+)[ \t]*\r?\n?", re.IGNORECASE
)
_TRAILING_FORMAT = re.compile(r"\bFORMAT\s+(\w+)\s*;?\s*\Z", re.IGNORECASE)
_CODE = re.compile(r"Code: (\d+)")


class _Handle:
    """One chDB connection with the database and settings it was last left with, so a
    request changes only what differs from the one before it."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.database = "default"
        self.settings: dict[str, str] = {}

    def prepare(self, database: str, settings: dict[str, str]) -> None:
        if database != self.database:
            self.conn.query(f"USE `{database}`", "TabSeparated")
            self.database = database
        for name in sorted(self.settings.keys() - settings.keys()):
            self.conn.query(f"SET {_name(name)} = DEFAULT", "TabSeparated")
            del self.settings[name]
        for name, value in sorted(settings.items()):
            if self.settings.get(name) != value:
                self.conn.query(f"SET {_name(name)} = {_literal(value)}", "TabSeparated")
                self.settings[name] = value


def _name(setting: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", setting):
        raise ValueError(f"not a setting name: {setting!r}")
    return setting


def _literal(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class Engine:
    """A pool of chDB connections to the one data directory this process owns."""

    def __init__(self, data_dir: Path, size: int = 8) -> None:
        import chdb

        self._free: queue.Queue[_Handle] = queue.Queue()
        for _ in range(size):
            self._free.put(_Handle(chdb.connect(str(data_dir))))

    @contextmanager
    def handle(self) -> Iterator[_Handle]:
        handle = self._free.get()
        try:
            yield handle
        finally:
            self._free.put(handle)

    def run(self, params: dict[str, str], body: bytes) -> tuple[bytes, str | None]:
        """The answer's body and format (None for a statement that answers nothing)."""
        statement = (params["query"].encode() + b"\n" if params.get("query") else b"") + body
        settings = {
            **SERVER_DEFAULTS,
            **{
                k: v for k, v in params.items() if k not in TRANSPORT and not k.startswith("param_")
            },
        }
        bound = {k[len("param_") :]: v for k, v in params.items() if k.startswith("param_")}
        with self.handle() as handle:
            handle.prepare(params.get("database", "default"), settings)
            insert = _INSERT_WITH_DATA.match(statement)
            if insert is not None:
                _insert(handle, insert, statement[insert.end() :])
                return b"", None
            return _select(handle, statement.decode(), bound)


def _insert(handle: _Handle, insert: re.Match[bytes], data: bytes) -> None:
    """`INSERT ... FORMAT fmt` and its data: chDB reads the data from a file."""
    with tempfile.NamedTemporaryFile(suffix=".data") as file:
        file.write(data)
        file.flush()
        target, fmt = insert.group(1).decode(), insert.group(2).decode()
        handle.conn.query(f"{target} FROM INFILE {_literal(file.name)} FORMAT {fmt}", fmt)


def _select(handle: _Handle, sql: str, bound: dict[str, str]) -> tuple[bytes, str | None]:
    fmt = _TRAILING_FORMAT.search(sql)
    if fmt is not None:
        result = handle.conn.query(sql, fmt.group(1), params=bound)
        return result.bytes() or b"", fmt.group(1)
    # As the server's X-ClickHouse-Format: only a statement with a result set has one, and
    # with names even an empty result shows it (clickhouse-connect's command() reads it).
    result = handle.conn.query(sql, "TabSeparatedWithNames", params=bound)
    answer = result.bytes() or b""
    if not answer:
        return b"", None
    return answer[answer.find(b"\n") + 1 :], "TabSeparated"


def _decompressed(data: bytes, encoding: str | None) -> bytes:
    """A body as sent with `Content-Encoding` (clickhouse-connect compresses inserts)."""
    if not encoding or encoding == "identity":
        return data
    if encoding == "lz4":
        import lz4.frame

        return bytes(lz4.frame.decompress(data))
    if encoding == "gzip":
        return gzip.decompress(data)
    if encoding == "deflate":
        return zlib.decompress(data)
    if encoding == "zstd":
        from clickhouse_connect.driver.compression import _zstd_decompress

        return bytes(_zstd_decompress(data))
    raise ValueError(f"the bridge cannot read Content-Encoding {encoding!r}")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes: with Nagle's algorithm the second waits for the
    # client's delayed ACK, 40 ms a statement.
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        if urlsplit(self.path).path == "/ping":
            self._reply(200, b"Ok.\n", {})
        else:
            self._answer()

    def do_POST(self) -> None:
        self._answer()

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0], 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
            data = b"".join(chunks)
        else:
            data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        return _decompressed(data, self.headers.get("Content-Encoding"))

    def _answer(self) -> None:
        params = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
        query_id = params.get("query_id", "")
        try:
            if self.headers.get("Content-Type", "").startswith("multipart/"):
                raise ValueError("the bridge takes the query in the URL or the body, not a form")
            body, fmt = self.server.engine.run(params, self._body())
        except Exception as exc:  # every engine error is answered, as ClickHouse does
            message = str(exc)
            message = message[message.find("Code: ") :] if "Code: " in message else message
            code = _CODE.search(message)
            headers = {"X-ClickHouse-Exception-Code": code.group(1) if code else "1002"}
            self._reply(500, message.strip().encode() + b"\n", headers)
            return
        headers = {"X-ClickHouse-Query-Id": query_id, "X-ClickHouse-Summary": json.dumps({})}
        if fmt is not None:
            headers["X-ClickHouse-Format"] = fmt
        self._reply(200, body, headers)

    def _reply(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: one line per statement would drown the test's output."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, engine: Engine) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.engine = engine


class BridgeProcess:
    """`python -m tests.support.chbridge` on a free port; `url(database)` for
    `--clickhouse-url`."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.log_path = data_dir.parent / f"{data_dir.name}-bridge.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def url(self, database: str) -> str:
        return f"http://127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        command = [sys.executable, "-m", "tests.support.chbridge"]
        command += ["--port", str(self.port), "--data-dir", str(self.data_dir)]
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                command, cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the bridge exited:\n{self.log_path.read_text()[-4000:]}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/ping", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)  # polling /ping is the only way to see it is up
        self.stop()
        raise RuntimeError("the bridge did not answer /ping")

    def stop(self) -> None:
        if self.proc is not None:
            terminate(self.proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    args = parser.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    server = _Server(args.port, Engine(args.data_dir))
    print(f"chbridge on 127.0.0.1:{args.port} over {args.data_dir}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
