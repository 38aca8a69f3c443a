"""Reads sessions, their traces and session scores back through the Python SDK's API client.

Runs inside an SDK environment: `python readback.py OUT_FILE [--scores] SESSION_ID...` writes JSON
to OUT_FILE; with --scores it also lists each session's scores.
langfuse 5.x has no sessions or trace-get client, so it falls back to plain HTTP (httpx).
"""

import json
import os
import sys

import httpx
from langfuse import get_client


def as_json(model):
    # The generated API models serialise with camelCase aliases, like the wire format.
    return json.loads(model.json())


class SdkReader:
    """langfuse 3.x and 4.x: the generated client's sessions, trace and v2 scores resources."""

    def __init__(self, api):
        self.api = api

    def session(self, session_id):
        return as_json(self.api.sessions.get(session_id))

    def trace(self, trace_id):
        return as_json(self.api.trace.get(trace_id))

    def session_scores(self, session_id):
        if hasattr(self.api, "score_v_2"):
            page = self.api.score_v_2.get(session_id=session_id, limit=100)
        else:
            page = self.api.scores.get_many(session_id=session_id, limit=100)
        return as_json(page)["data"]


class HttpReader:
    """langfuse 5.x: the same public endpoints over HTTP with the SDK's credentials."""

    def __init__(self):
        self.http = httpx.Client(
            base_url=os.environ["LANGFUSE_BASE_URL"],
            auth=(os.environ["LANGFUSE_PUBLIC_KEY"], os.environ["LANGFUSE_SECRET_KEY"]),
            timeout=30,
        )

    def get(self, path, **params):
        response = self.http.get(path, params=params)
        response.raise_for_status()
        return response.json()

    def session(self, session_id):
        return self.get(f"/api/public/sessions/{session_id}")

    def trace(self, trace_id):
        return self.get(f"/api/public/traces/{trace_id}")

    def session_scores(self, session_id):
        return self.get("/api/public/v2/scores", sessionId=session_id, limit=100)["data"]


def main():
    out_file, session_ids = sys.argv[1], sys.argv[2:]
    with_scores = session_ids[:1] == ["--scores"]
    if with_scores:
        session_ids = session_ids[1:]
    api = get_client().api
    reader = SdkReader(api) if hasattr(api, "sessions") else HttpReader()
    result = {"sessions": {}, "traces": {}, "sessionScores": {}}
    for session_id in session_ids:
        session = reader.session(session_id)
        result["sessions"][session_id] = session
        for trace in session["traces"]:
            result["traces"][trace["id"]] = reader.trace(trace["id"])
        if with_scores:
            result["sessionScores"][session_id] = reader.session_scores(session_id)
    with open(out_file, "w", encoding="utf-8") as f:
        json.dump(result, f)


main()
