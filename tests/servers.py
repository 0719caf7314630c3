"""Real server processes for tests: the embedded API on SQLite or PostgreSQL, on a free port."""

from __future__ import annotations

import os
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
from typing import Any

import httpx
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN = [
    "psql",
    "-h",
    "127.0.0.1",
    "-U",
    "postgres",
    "-d",
    "postgres",
    "-v",
    "ON_ERROR_STOP=1",
    "-q",
    "-c",
]
POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
ADMIN = ("admin@acme.test", "admin-demo-2026")
AGENT = ("agent@acme.test", "agent-demo-2026")
OTHER_ADMIN = ("admin@globex.test", "globex-demo-2026")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def create_postgres_database() -> str:
    """A new empty database on the machine's PostgreSQL; returns its SQLAlchemy URL."""
    name = f"contacts_test_{uuid.uuid4().hex[:10]}"
    subprocess.run([*POSTGRES_ADMIN, f"CREATE DATABASE {name}"], check=True, capture_output=True)
    return POSTGRES_URL.format(name=name)


def drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[-1]
    subprocess.run([*POSTGRES_ADMIN, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False, capture_output=True)


def launch(command: list[str], env: dict[str, str], log_path: Path | None) -> subprocess.Popen[bytes]:
    """Start a child process in the project folder, its output appended to `log_path`."""
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 - the child owns it
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_until_answering(
    process: subprocess.Popen[bytes], url: str, status: int, timeout: float, log_path: Path | None
) -> None:
    """Wait until `url` answers `status`; fail at once if the process dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}; see {log_path}")
        try:
            if httpx.get(url, timeout=2).status_code == status:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{process.args!r} did not answer within {timeout} s; see {log_path}")


def terminate(process: subprocess.Popen[bytes] | None) -> None:
    """SIGTERM, then SIGKILL if it does not end within 15 s."""
    if process and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass(kw_only=True)
class SignedIn:
    """An agent's session: what `POST /auth/sign_in` returned."""

    email: str
    token: str
    pubsub_token: str
    user_id: int
    account_id: int

    @property
    def headers(self) -> dict[str, str]:
        return {"api_access_token": self.token}


@dataclass(kw_only=True)
class RunningServer:
    """`python -m server` as a child process; stop and start it again on the same port and data."""

    database_url: str
    port: int = field(default_factory=free_port)
    extra_env: dict[str, str] = field(default_factory=dict)
    module: str = "server"
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    sign_ins: dict[str, SignedIn] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            PORT=str(self.port),
            HOST="127.0.0.1",
            DATABASE_URL=self.database_url,
            DEMO_DATA="true",
            # As behind a reverse proxy on loopback: tests stand for many client addresses with X-Forwarded-For.
            FORWARDED_ALLOW_IPS="127.0.0.1",
            ANALYTICS_SINK=str(self.log_path.with_suffix(".analytics.jsonl")) if self.log_path else "",
        )
        env.pop("REDIS_URL", None)
        env.pop("CHATWOOT_URL", None)
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 60.0) -> RunningServer:
        self.process = launch([sys.executable, "-m", self.module], self.env(), self.log_path)
        wait_until_answering(self.process, f"{self.url}/api/v1/profile", 401, timeout, self.log_path)
        return self

    def stop(self) -> None:
        terminate(self.process)

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

    def kill(self) -> None:
        """Stop abruptly, as a crash would."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def sign_in(self, credentials: tuple[str, str]) -> SignedIn:
        email, password = credentials
        if email not in self.sign_ins:
            answer = httpx.post(f"{self.url}/auth/sign_in", json={"email": email, "password": password}, timeout=10)
            answer.raise_for_status()
            data = answer.json()["data"]
            self.sign_ins[email] = SignedIn(
                email=email,
                token=data["access_token"],
                pubsub_token=data["pubsub_token"],
                user_id=data["id"],
                account_id=data["account_id"],
            )
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
        answer = httpx.post(
            f"{self.url}/api/v1/accounts/1/contacts", json=fields, headers=self.admin.headers, timeout=10
        )
        answer.raise_for_status()
        contact: dict[str, Any] = answer.json()["payload"]["contact"]
        return contact
