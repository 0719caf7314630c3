"""Fifty agents reading and editing at once: no 5xx, and no acknowledged write lost.

Each agent edits its own contact (name, a counter, labels, notes) and its own key in a few contacts every
agent edits, a quarter of them with If-Match and a retry on 409 as the UI does. Afterwards every field
holds the last value the server acknowledged for it.
"""

from __future__ import annotations

import pytest

from tests.load.workload import (
    SHORT_SECONDS,
    Crowd,
    Ledger,
    assert_no_traceback,
    final_state_problems,
    run_crowd,
    soak_seconds,
)
from tests.support.processes import RunningServer

AGENTS = 50
SHARED_CONTACTS = 5


async def assert_fifty_agents_lose_nothing(server: RunningServer, seconds: float) -> None:
    crowd = Crowd.create(server, AGENTS, SHARED_CONTACTS)
    ledger = Ledger()

    await run_crowd(crowd, ledger, AGENTS, seconds)

    print(ledger.summary())
    assert not ledger.server_errors, ledger.server_errors[:5]
    assert ledger.connection_errors == 0, ledger.summary()
    assert not ledger.surprises, ledger.surprises[:5]
    writes = sum(1 for e in ledger.exchanges if e.kind == "write" and e.status == 200)
    assert writes >= AGENTS, f"too little happened to mean anything: {ledger.summary()}"
    assert len({e.agent for e in ledger.exchanges if e.kind == "write" and e.status == 200}) == AGENTS
    assert ledger.conditional_acks > 0, f"no If-Match write got through: {ledger.summary()}"
    assert await final_state_problems(crowd, ledger) == []
    assert_no_traceback(server)


async def test_fifty_agents_read_and_edit_without_losing_a_write(load_server: RunningServer) -> None:
    await assert_fifty_agents_lose_nothing(load_server, SHORT_SECONDS)


@pytest.mark.slow
async def test_fifty_agents_soak(load_server: RunningServer) -> None:
    await assert_fifty_agents_lose_nothing(load_server, soak_seconds())
