"""A crowd of agents reading and editing contacts over real HTTP, and the ledger of what the server acknowledged.

Every write carries a value that only its agent writes, so the server's final state can be checked against
the ledger: each field must hold the last value acknowledged for it, or a value sent later whose answer
never came (a connection cut mid-request may or may not have committed). Counters only grow, so a value
acknowledged before a crash can also be checked after it: what is there now must be at least as new.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.support.processes import RunningServer

# How long the short variants run (in `make test`), and the soak variants (SOAK_SECONDS; `make soak` sets it).
SHORT_SECONDS = 8.0


def soak_seconds() -> float:
    """SOAK_SECONDS, else five minutes as `make soak` has it."""
    return float(os.environ.get("SOAK_SECONDS") or 300)


def sqlite_server(tmp: Path) -> RunningServer:
    """A server of its own on a fresh SQLite file under `tmp`."""
    return RunningServer.in_directory(tmp, module="server")


Key = tuple[int, str]  # (contact id, field path such as "name" or "custom_attributes.agent_7")
# Network trouble while the server is down or restarting: the request's outcome is unknown.
CONNECTION_ERRORS = (httpx.TransportError,)


@dataclass(kw_only=True)
class Exchange:
    """One request as an agent saw it."""

    agent: int
    kind: str  # "read" or "write"
    started: float
    finished: float
    status: int | None  # None: no answer (connection error)


@dataclass(kw_only=True)
class Ledger:
    """What the server acknowledged, what is uncertain, and everything that went wrong."""

    acked: dict[Key, Any] = field(default_factory=dict)
    uncertain: dict[Key, list[Any]] = field(default_factory=dict)
    notes: dict[int, set[int]] = field(default_factory=dict)
    exchanges: list[Exchange] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    surprises: list[str] = field(default_factory=list)
    conflicts: int = 0
    gave_up: int = 0
    conditional_acks: int = 0

    def ack(self, key: Key, value: Any) -> None:
        self.acked[key] = value
        self.uncertain[key] = []

    def unsure(self, key: Key, value: Any) -> None:
        self.uncertain.setdefault(key, []).append(value)

    def allowed(self, key: Key) -> list[Any]:
        """Values the server may hold for `key` now."""
        return ([self.acked[key]] if key in self.acked else []) + self.uncertain.get(key, [])

    @property
    def statuses(self) -> Counter[int | None]:
        return Counter(e.status for e in self.exchanges)

    @property
    def connection_errors(self) -> int:
        return sum(1 for e in self.exchanges if e.status is None)

    def acks_after(self, moment: float) -> Counter[int]:
        """Successful writes per agent that started after `moment`."""
        return Counter(e.agent for e in self.exchanges if e.kind == "write" and e.status == 200 and e.started > moment)

    def summary(self) -> str:
        answered = sorted(e.finished - e.started for e in self.exchanges if e.status is not None)
        if not answered:
            return "no answers"
        p95 = answered[int(len(answered) * 0.95) - 1] if len(answered) > 1 else answered[0]
        return (
            f"{len(self.exchanges)} requests, statuses {dict(self.statuses)}, {self.conflicts} conflicts "
            f"({self.gave_up} given up), "
            f"median {answered[len(answered) // 2] * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
            f"max {answered[-1] * 1000:.0f} ms"
        )


@dataclass(kw_only=True)
class Crowd:
    """The agents' contacts: one of its own each, and a few every agent edits."""

    server: RunningServer
    own: list[int]
    shared: list[int]

    @classmethod
    def create(cls, server: RunningServer, agents: int, shared: int) -> Crowd:
        with httpx.Client(base_url=f"{server.url}/api/v1/accounts/1", headers=server.admin.headers, timeout=30) as http:

            def new(name: str) -> int:
                answer = http.post("/contacts", json={"name": name})
                answer.raise_for_status()
                return int(answer.json()["payload"]["contact"]["id"])

            return cls(
                server=server,
                own=[new(f"Load agent {n}") for n in range(agents)],
                shared=[new(f"Load shared {n}") for n in range(shared)],
            )


class Agent:
    """One agent's loop: mostly reading, sometimes editing its own contact, a shared one, notes, labels."""

    def __init__(self, number: int, crowd: Crowd, ledger: Ledger, *, use_if_match: bool) -> None:
        self.number = number
        self.crowd = crowd
        self.ledger = ledger
        self.use_if_match = use_if_match
        self.own = crowd.own[number]
        self.counter = 0
        self.random = random.Random(number)
        who = crowd.server.admin if number % 2 == 0 else crowd.server.agent
        self.http = httpx.AsyncClient(base_url=f"{crowd.server.url}/api/v1/accounts/1", headers=who.headers, timeout=60)

    async def run(self, stop: asyncio.Event) -> None:
        actions: list[tuple[Callable[[], Awaitable[None]], int]] = [
            (self.edit_own, 3),
            (self.edit_shared, 3 if self.crowd.shared else 0),
            (self.add_note, 1),
            (self.replace_labels, 1),
            (self.read, 8),
        ]
        choices, weights = zip(*actions, strict=True)
        try:
            # Every agent starts with a write that nothing but the server can refuse (no If-Match), so
            # "every agent got a write through" checks the server, not whether the dice first sent this
            # agent into a losing If-Match race on a shared contact.
            try:
                await self.edit_own()
            except CONNECTION_ERRORS:
                await asyncio.sleep(0.05)
            while not stop.is_set():
                action = self.random.choices(choices, weights)[0]
                try:
                    await action()
                except CONNECTION_ERRORS:
                    await asyncio.sleep(0.05)
        finally:
            await self.http.aclose()

    async def send(self, kind: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        started = time.monotonic()
        try:
            answer = await self.http.request(method, path, **kwargs)
        except CONNECTION_ERRORS:
            self.ledger.exchanges.append(
                Exchange(agent=self.number, kind=kind, started=started, finished=time.monotonic(), status=None)
            )
            raise
        self.ledger.exchanges.append(
            Exchange(
                agent=self.number, kind=kind, started=started, finished=time.monotonic(), status=answer.status_code
            )
        )
        if answer.status_code >= 500:
            self.ledger.server_errors.append(f"{method} {path} -> {answer.status_code} {answer.text[:300]}")
        return answer

    def expect(self, answer: httpx.Response, *statuses: int) -> bool:
        if answer.status_code in statuses:
            return True
        if answer.status_code < 500:
            self.ledger.surprises.append(
                f"{answer.request.method} {answer.request.url} -> {answer.status_code} {answer.text[:300]}"
            )
        return False

    async def write_fields(
        self, contact: int, body: dict[str, Any], keys: dict[str, Any], if_match: str | None = None
    ) -> str:
        """PUT `body`; records `keys` (field path -> value) as acknowledged or uncertain. Returns the outcome."""
        headers = {"If-Match": if_match} if if_match else {}
        try:
            answer = await self.send("write", "PUT", f"/contacts/{contact}", json=body, headers=headers)
        except CONNECTION_ERRORS:
            for path, value in keys.items():
                self.ledger.unsure((contact, path), value)
            raise
        if answer.status_code == 409 and if_match:
            self.ledger.conflicts += 1
            return "conflict"
        if not self.expect(answer, 200):
            return "failed"
        if if_match:
            self.ledger.conditional_acks += 1
        payload = answer.json()["payload"]
        for path, value in keys.items():
            self.ledger.ack((contact, path), value)
            if field_value(payload, path) != value:
                self.ledger.surprises.append(f"PUT answer for {contact} shows {path}={field_value(payload, path)!r}")
        return "ok"

    async def edit_own(self) -> None:
        self.counter += 1
        name = f"Load agent {self.number} #{self.counter}"
        body = {"name": name, "custom_attributes": {"counter": self.counter}}
        await self.write_fields(self.own, body, {"name": name, "custom_attributes.counter": self.counter})

    async def edit_shared(self) -> None:
        contact = self.random.choice(self.crowd.shared)
        self.counter += 1
        key = f"agent_{self.number}"
        body = {"custom_attributes": {key: self.counter}}
        if not self.use_if_match:
            await self.write_fields(contact, body, {f"custom_attributes.{key}": self.counter})
            return
        # As the UI does: read the ETag, write with If-Match, and on 409 read again and retry.
        for _ in range(20):
            shown = await self.send("read", "GET", f"/contacts/{contact}")
            if not self.expect(shown, 200):
                return
            outcome = await self.write_fields(
                contact, body, {f"custom_attributes.{key}": self.counter}, if_match=shown.headers["ETag"]
            )
            if outcome != "conflict":
                return
        # Under this much contention a stale ETag can lose every race (a user would see the conflict
        # dialog and try later): no error, but counted, so the test can check If-Match writes do progress.
        self.ledger.gave_up += 1

    async def add_note(self) -> None:
        self.counter += 1
        answer = await self.send(
            "write", "POST", f"/contacts/{self.own}/notes", json={"content": f"agent {self.number} #{self.counter}"}
        )
        if self.expect(answer, 200):
            self.ledger.notes.setdefault(self.own, set()).add(answer.json()["id"])

    async def replace_labels(self) -> None:
        self.counter += 1
        labels = sorted({f"load-{self.number}", f"round-{self.counter % 3}"})
        key = (self.own, "labels")
        try:
            answer = await self.send("write", "POST", f"/contacts/{self.own}/labels", json={"labels": labels})
        except CONNECTION_ERRORS:
            self.ledger.unsure(key, labels)
            raise
        if self.expect(answer, 200):
            self.ledger.ack(key, labels)
            if answer.json()["payload"] != labels:
                self.ledger.surprises.append(f"labels answer {answer.json()} for {labels}")

    async def read(self) -> None:
        choice = self.random.randrange(6)
        if choice == 0:
            answer = await self.send("read", "GET", "/contacts", params={"page": self.random.randint(1, 14)})
        elif choice == 1:
            answer = await self.send(
                "read", "GET", "/contacts/search", params={"q": f"Load agent {self.random.randrange(50)}"}
            )
        elif choice == 2:
            answer = await self.send("read", "GET", f"/contacts/{self.random.randint(1, 200)}/conversations")
        elif choice == 3:
            answer = await self.send("read", "GET", f"/contacts/{self.own}/events")
        elif choice == 4:
            answer = await self.send("read", "GET", f"/contacts/{self.random.choice(self.crowd.shared or [1])}")
        else:
            # Read-your-writes: one's own contact shows the last acknowledged counter (or a newer, unanswered one).
            answer = await self.send("read", "GET", f"/contacts/{self.own}")
            if answer.status_code == 200:
                key = (self.own, "custom_attributes.counter")
                shown = field_value(answer.json()["payload"], key[1])
                if key in self.ledger.acked and shown not in self.ledger.allowed(key):
                    self.ledger.surprises.append(
                        f"own contact {self.own} shows counter {shown}, acked {self.ledger.acked[key]}"
                    )
        self.expect(answer, 200)


def assert_no_traceback(server: RunningServer) -> None:
    """The server logged no unhandled exception."""
    log = Path(server.log_path or "").read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]


def field_value(contact: dict[str, Any], path: str) -> Any:
    head, _, rest = path.partition(".")
    value = contact.get(head)
    return value.get(rest) if rest and isinstance(value, dict) else value


async def run_crowd(
    crowd: Crowd,
    ledger: Ledger,
    agents: int,
    seconds: float,
    *,
    during: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Run `agents` agents for `seconds` (or, with `during`, until it returns, but at least `seconds`)."""
    stop = asyncio.Event()
    crowd_agents = [Agent(n, crowd, ledger, use_if_match=n % 4 == 1) for n in range(agents)]
    tasks = [asyncio.create_task(agent.run(stop)) for agent in crowd_agents]
    try:
        if during is not None:
            await asyncio.gather(during(), asyncio.sleep(seconds))
        else:
            await asyncio.sleep(seconds)
    finally:
        stop.set()
        await asyncio.gather(*tasks)


async def final_state_problems(crowd: Crowd, ledger: Ledger) -> list[str]:
    """Every field against the ledger, read back as the administrator; the list of mismatches."""
    problems: list[str] = []
    server = crowd.server
    async with httpx.AsyncClient(
        base_url=f"{server.url}/api/v1/accounts/1", headers=server.admin.headers, timeout=30
    ) as http:
        for contact in [*crowd.own, *crowd.shared]:
            shown = await http.get(f"/contacts/{contact}")
            labels = await http.get(f"/contacts/{contact}/labels")
            notes = await http.get(f"/contacts/{contact}/notes")
            if {shown.status_code, labels.status_code, notes.status_code} != {200}:
                problems.append(f"contact {contact} unreadable: {shown.status_code} {shown.text[:200]}")
                continue
            payload = shown.json()["payload"]
            # Fields never acknowledged are not checked: whether their unanswered writes landed is unknown.
            for key in [k for k in ledger.acked if k[0] == contact]:
                value = labels.json()["payload"] if key[1] == "labels" else field_value(payload, key[1])
                if value not in ledger.allowed(key):
                    problems.append(f"contact {contact} {key[1]} is {value!r}, acknowledged {ledger.acked.get(key)!r}")
            missing = ledger.notes.get(contact, set()) - {note["id"] for note in notes.json()}
            if missing:
                problems.append(f"contact {contact} lost acknowledged notes {sorted(missing)}")
    return problems
