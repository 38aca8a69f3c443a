"""The settings every ClickHouse insert runs with, chosen from the URL
(store/clickhouse/client.py): synchronous and deduplicated everywhere, with a quorum of
replicas on a cluster."""

from __future__ import annotations

import pytest

from powerrag.store.clickhouse.client import ClickHouseUnavailableError, target_of

ALWAYS = {"async_insert": 0, "wait_for_async_insert": 1, "insert_deduplicate": 1}


def test_one_server_inserts_synchronously_without_a_quorum() -> None:
    for url in ("http://ch:8123/traces", "https://u:p@ch:8443/", "chdb:///var/ch"):
        assert target_of(url)[3] == ALWAYS


def test_a_cluster_waits_for_a_majority_of_replicas_and_lets_writers_wait_together() -> None:
    dsn, database, cluster, inserts = target_of("https://u:p@ch:8443/traces?cluster=main")
    assert (dsn, database, cluster) == ("https://u:p@ch:8443", "traces", "main")
    assert inserts == {**ALWAYS, "insert_quorum": "auto", "insert_quorum_parallel": 1}


@pytest.mark.parametrize("quorum", ["2", "3", "auto"])
def test_the_url_sets_another_quorum(quorum: str) -> None:
    inserts = target_of(f"http://ch:8123/traces?cluster=main&insert_quorum={quorum}")[3]
    assert inserts == {**ALWAYS, "insert_quorum": quorum, "insert_quorum_parallel": 1}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://ch:8123/traces?insert_quorum=2", "needs \\?cluster=NAME"),
        ("http://ch:8123/traces?cluster=main&insert_quorum=0", "'0': use auto or a number"),
        ("http://ch:8123/traces?cluster=main&insert_quorum=most", "'most': use auto"),
    ],
)
def test_a_quorum_that_cannot_work_is_refused_with_its_reason(url: str, message: str) -> None:
    with pytest.raises(ClickHouseUnavailableError, match=message):
        target_of(url)
