"""Child processes on free ports: the app (`python -m server`, `main`) ready when its health endpoint says so."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import httpx
from sqlalchemy.engine import make_url

from api.demo import ADMIN, AGENT, OTHER_ADMIN
from api.protocol import HEALTH_PATH
from tests.support.sign_in import SignedIn, sign_in

ROOT = Path(__file__).resolve().parents[2]
# What a child never takes from this process's environment: a Chatwoot or Redis of the shell's, a kiosk agent,
# browser storage shared through Redis, and PYTEST_* (NiceGUI takes a process with PYTEST_CURRENT_TEST for
# its own test run and ignores the port it is given).
NOT_INHERITED = ("CHATWOOT_URL", "REDIS_URL", "NICEGUI_REDIS_URL", "KIOSK_EMAIL", "KIOSK_PASSWORD")
READY_POLL = 0.05  # seconds between tries of a starting child's health endpoint


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


@dataclass(kw_only=True)
class ChildProcess:
    """`python <argv>` in the project folder on a free port, ready when `ready_path` answers `ready_status`."""

    argv: list[str]
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    log_path: Path | None = None
    ready_path: str = HEALTH_PATH
    ready_status: int = 200
    scratch: Path | None = None  # removed when the process stops
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        if self.process is None:
            raise RuntimeError(f"{self.argv!r} is not running")
        return self.process.pid

    def defaults(self) -> dict[str, str]:
        """The environment of its kind, before `extra_env`."""
        return {}

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED and not k.startswith("PYTEST_")}
        env.update(PORT=str(self.port), HOST="127.0.0.1", PYTHONUNBUFFERED="1", **self.defaults())
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 90.0) -> Self:
        """Start it (again, on the same port and data after `stop`) and wait until it is ready."""
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115 - the child owns it
        self.process = subprocess.Popen(
            [sys.executable, *self.argv], cwd=ROOT, env=self.environment(), stdout=log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        # One client for every try: a client of its own each time would cost a TLS context (~25 ms of CPU, while
        # the child starts on the same two cores).
        with httpx.Client(timeout=2) as http:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.argv!r} exited with {self.process.returncode}:\n{self.tail()}")
                try:
                    if http.get(self.url + self.ready_path).status_code == self.ready_status:
                        return self
                except httpx.HTTPError:
                    pass
                time.sleep(READY_POLL)
        self.stop()
        raise RuntimeError(f"{self.argv!r} was not ready within {timeout:.0f} s:\n{self.tail()}")

    @contextmanager
    def running(self, timeout: float = 90.0) -> Iterator[Self]:
        """Started for the block, stopped after it."""
        self.start(timeout)
        try:
            yield self
        finally:
            self.stop()

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not end within 15 s."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)

    def kill(self) -> None:
        """Stop abruptly, as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def tail(self, lines: int = 30) -> str:
        """The end of its log, for an error message."""
        if self.log_path is None:
            return ""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass(kw_only=True)
class RunningServer(ChildProcess):
    """The app as a child process: `python -m server` (the embedded API alone) or `main` (UI and API on one port).

    Embedded on `database_url` with the demo data; connected to a Chatwoot when `extra_env` names `CHATWOOT_URL`.
    """

    argv: list[str] = field(default_factory=list)
    database_url: str = ""  # empty: connected to a Chatwoot (CHATWOOT_URL in `extra_env`)
    module: str = "server"
    sign_ins: dict[str, SignedIn] = field(default_factory=dict)

    @classmethod
    def in_directory(cls, directory: Path, *, module: str, **env: str) -> Self:
        """On a fresh SQLite file, with its log, analytics and browser storage, all under `directory`."""
        return cls(
            database_url=sqlite_url(directory / "contacts.db"),
            module=module,
            log_path=directory / f"{module.rsplit('.', 1)[-1]}.log",
            extra_env={"NICEGUI_STORAGE_PATH": str(directory / "nicegui"), **env},
        )

    def defaults(self) -> dict[str, str]:
        env = {
            "DEMO_DATA": "true",
            "STORAGE_SECRET": "test-secret",
            # As behind a reverse proxy on loopback: tests stand for many client addresses with X-Forwarded-For.
            "FORWARDED_ALLOW_IPS": "127.0.0.1",
            "ANALYTICS_SINK": str(self.log_path.with_suffix(".analytics.jsonl")) if self.log_path else "",
        }
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return env

    def __post_init__(self) -> None:
        if not self.argv:
            self.argv = [self.module] if self.module.endswith(".py") else ["-m", self.module]

    @contextmanager
    def database_held(self) -> Iterator[sqlite3.Connection]:
        """Hold the (SQLite) database busy with a write lock until the block ends; the connection can write."""
        connection = sqlite3.connect(make_url(self.database_url).database or "", isolation_level=None, timeout=10)
        try:
            connection.execute("BEGIN IMMEDIATE")
            yield connection
            connection.execute("COMMIT")
        finally:
            connection.close()

    def http_client(self, **options: Any) -> httpx.Client:
        """An httpx client that reaches this server (over the network; in process for an `InProcessServer`)."""
        return httpx.Client(**options)

    def async_transport(self) -> httpx.AsyncBaseTransport | None:
        """What an async client needs to reach this server: None, httpx's own network transport."""
        return None

    def sign_in(self, credentials: tuple[str, str]) -> SignedIn:
        """The agent's session on this server, signed in once."""
        email = credentials[0]
        if email not in self.sign_ins:
            with self.http_client() as http:
                self.sign_ins[email] = sign_in(self.url, credentials, http=http)
        return self.sign_ins[email]

    @property
    def admin(self) -> SignedIn:
        return self.sign_in(ADMIN)

    @property
    def agent(self) -> SignedIn:
        return self.sign_in(AGENT)

    @property
    def other_admin(self) -> SignedIn:
        return self.sign_in(OTHER_ADMIN)

    def create_contact(self, **fields: Any) -> dict[str, Any]:
        """A new contact in account 1 (unique email unless given); returns the contact object."""
        fields.setdefault("name", "Test Contact")
        fields.setdefault("email", f"t-{uuid.uuid4().hex[:12]}@example.com")
        with self.http_client(timeout=10) as http:
            answer = http.post(f"{self.url}/api/v1/accounts/1/contacts", json=fields, headers=self.admin.headers)
        answer.raise_for_status()
        contact: dict[str, Any] = answer.json()["payload"]["contact"]
        return contact

    def stored_contact(self, contact_id: int) -> dict[str, Any] | None:
        """The contact of account 1 as the server has it now; None once it is gone (deleted, merged away)."""
        with self.http_client(timeout=10) as http:
            answer = http.get(f"{self.url}/api/v1/accounts/1/contacts/{contact_id}", headers=self.admin.headers)
        if answer.status_code == 404:
            return None
        payload: dict[str, Any] = answer.raise_for_status().json()["payload"]
        return payload
