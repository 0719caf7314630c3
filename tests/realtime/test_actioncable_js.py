"""Rails' own ActionCable client (`@rails/actioncable` under Node) against the embedded server's `/cable`.

Nobody here wrote that client, so it checks the protocol as Chatwoot's dashboard speaks it.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.cable_client import cable_url
from tests.support.processes import RunningServer
from tests.support.sign_in import SignedIn

NODE_DIR = Path(__file__).resolve().parent.parent / "node"
SCRIPT = NODE_DIR / "subscribe.mjs"


@pytest.fixture(scope="session")
def node_client() -> Path:
    """The Node script, its dependencies installed from the lock file when missing."""
    node, npm = shutil.which("node"), shutil.which("npm")
    assert node is not None and npm is not None, "Node.js and npm are needed for the @rails/actioncable test"
    if not (NODE_DIR / "node_modules" / "@rails" / "actioncable").is_dir():
        subprocess.run(
            [npm, "ci", "--prefix", str(NODE_DIR), "--no-audit", "--no-fund", "--loglevel=error"],
            check=True,
            timeout=300,
        )
    return SCRIPT


class NodeSubscriber:
    """`node subscribe.mjs ...` as a child process, read line by line."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    async def line(self, predicate: Callable[[dict[str, Any]], bool], within: float = 10.0) -> dict[str, Any]:
        assert self.process.stdout is not None
        async with asyncio.timeout(within):
            while raw := await self.process.stdout.readline():
                line: dict[str, Any] = json.loads(raw)
                if predicate(line):
                    return line
        raise AssertionError("the Node client ended before printing the expected line")


@pytest.fixture
async def subscribe(node_client: Path) -> AsyncIterator[Callable[[RunningServer, SignedIn], Any]]:
    processes: list[asyncio.subprocess.Process] = []

    async def start(server: RunningServer, signed_in: SignedIn) -> NodeSubscriber:
        process = await asyncio.create_subprocess_exec(
            "node",
            str(node_client),
            cable_url(server.url),
            signed_in.pubsub_token,
            str(signed_in.account_id),
            str(signed_in.user_id),
            stdout=asyncio.subprocess.PIPE,
            env={**os.environ, "CABLE_CLIENT_LIFETIME_MS": "60000"},
        )
        processes.append(process)
        return NodeSubscriber(process)

    yield start
    for process in processes:
        if process.returncode is None:
            process.terminate()
            await process.wait()


async def test_rails_actioncable_client_receives_contact_updated(api_server: RunningServer, subscribe) -> None:
    contact = api_server.create_contact()
    subscriber = await subscribe(api_server, api_server.agent)
    await subscriber.line(lambda line: line.get("status") == "connected")

    new_name = f"From Rails client {uuid.uuid4().hex[:6]}"
    async with httpx.AsyncClient(base_url=api_server.url, headers=api_server.admin.headers, timeout=10) as http:
        answer = await http.put(f"/api/v1/accounts/1/contacts/{contact['id']}", json={"name": new_name})
    assert answer.status_code == 200

    line = await subscriber.line(lambda line: line.get("received", {}).get("data", {}).get("name") == new_name)
    message = line["received"]
    assert message["event"] == "contact.updated"
    assert message["data"]["id"] == contact["id"]
    assert message["data"]["performer"]["id"] == api_server.admin.user_id


async def test_rails_actioncable_client_is_rejected_with_a_wrong_token(api_server: RunningServer, subscribe) -> None:
    agent = api_server.agent
    wrong = SignedIn(email=agent.email, token="", pubsub_token="wrong", user_id=agent.user_id, account_id=1)
    subscriber = await subscribe(api_server, wrong)
    line = await subscriber.line(lambda line: "status" in line)
    assert line == {"status": "rejected"}
