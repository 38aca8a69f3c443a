"""Helpers shared by the test modules; a test module imports helpers only from here.

Code the benchmarks need too (free ports, stopping a process, the PostgreSQL binaries,
fuzz strategies) lives in `benchmarks/` and is re-used here: tests may import the
benchmarks, the benchmarks never import the tests.
"""
