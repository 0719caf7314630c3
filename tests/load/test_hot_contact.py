"""Fifty agents saving the same contact at once, without If-Match (Chatwoot's last-write-wins).

Before writers took turns on SQLite, such a hot contact made writes wait on SQLite's busy handler and re-apply
themselves after losing the version race, until some gave up with 503 ("changed too often"). Now every save
gets through, and every agent's own attribute holds the last value the server acknowledged for it.
"""

from __future__ import annotations

import asyncio
import time

import httpx

from tests.load.workload import SHORT_SECONDS, assert_no_traceback
from tests.support.processes import RunningServer

AGENTS = 50


async def test_fifty_agents_saving_one_contact_all_get_through(load_server: RunningServer) -> None:
    contact_id = load_server.create_contact(name="Hot Contact")["id"]
    acknowledged: dict[int, int] = {}
    refused: list[str] = []
    stop_at = time.monotonic() + SHORT_SECONDS / 2
    limits = httpx.Limits(max_connections=AGENTS)
    base_url = f"{load_server.url}/api/v1/accounts/1/contacts/{contact_id}"
    async with httpx.AsyncClient(headers=load_server.admin.headers, timeout=60, limits=limits) as http:

        async def agent(number: int) -> None:
            round_ = 0
            while time.monotonic() < stop_at:
                round_ += 1
                body = {"name": f"Agent {number} round {round_}", "custom_attributes": {f"agent_{number}": round_}}
                answer = await http.put(base_url, json=body)
                if answer.status_code == 200:
                    acknowledged[number] = round_
                else:
                    refused.append(f"{answer.status_code} {answer.text[:200]}")

        await asyncio.gather(*(agent(number) for number in range(AGENTS)))
        stored = (await http.get(base_url)).json()["payload"]

    assert refused == []
    assert len(acknowledged) == AGENTS, "every agent got at least one save through"
    for number, round_ in acknowledged.items():
        assert stored["custom_attributes"][f"agent_{number}"] == round_
    assert_no_traceback(load_server)
