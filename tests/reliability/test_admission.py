"""Admission places: one key reads in at most its share; the rest stay for the others (issue 19, H2)."""

from __future__ import annotations

import asyncio

import pytest

from powerrag.admission import Places, admitted
from powerrag.domain.errors import OverloadedError
from tests.support.loops import run_coroutine


def test_a_key_reading_its_share_waits_while_others_enter() -> None:
    async def scenario() -> None:
        places = Places(total=4, reading_share=2)
        async with admitted(places, "slow", 0.05), admitted(places, "slow", 0.05):
            with pytest.raises(OverloadedError):
                async with admitted(places, "slow", 0.05):
                    pass
            async with admitted(places, "other", 0.05), admitted(places, "other", 0.05):
                assert places.held == 4
        assert places.held == 0 and places.reading("slow") == 0

    run_coroutine(scenario())


def test_a_body_read_frees_the_share_not_the_place() -> None:
    async def scenario() -> None:
        places = Places(total=2, reading_share=1)
        async with admitted(places, "k", 0.05) as first:
            first.body_read()
            async with admitted(places, "k", 0.05):
                assert places.held == 2 and places.reading("k") == 1
                with pytest.raises(OverloadedError):
                    async with admitted(places, "other", 0.05):
                        pass
        assert places.held == 0

    run_coroutine(scenario())


def test_a_waiter_enters_when_a_place_is_given_back() -> None:
    async def scenario() -> None:
        places = Places(total=1, reading_share=1)
        entered = asyncio.Event()

        async def second() -> None:
            async with admitted(places, "b", 5.0):
                entered.set()

        async with admitted(places, "a", 0.05):
            waiter = asyncio.create_task(second())
            await asyncio.sleep(0)  # let it start waiting: the pool is full
            assert not entered.is_set()
        await asyncio.wait_for(waiter, 5.0)
        assert entered.is_set()

    run_coroutine(scenario())
