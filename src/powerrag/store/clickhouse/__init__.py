"""Trace data in ClickHouse, the small transactional tables in PostgreSQL (docs/deployment.md).

The third storage shape: observations, trace updates, scores, span origins, the derived trace
and session rows and the search documents live in ClickHouse; PostgreSQL keeps everything
else, the write locks, the version sequence and the change feed. The readers are the noun
modules' own statements (store/traces.py, ...) compiled for ClickHouse (`compiled.py`), so
every shape answers from the same SQL.
"""
