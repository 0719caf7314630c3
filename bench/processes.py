"""Child processes of a benchmark: the UI app, the API alone, baselines; each on a free port, always stopped."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.report import ROOT, SCRATCH_DIR

LOG_DIR = SCRATCH_DIR / "logs"
DEMO_ADMIN = ("admin@acme.test", "admin-demo-2026")
PSQL = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c"]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rss_kib(pid: int) -> int:
    """Resident memory of a process in KiB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def log_path(name: str) -> Path:
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    return LOG_DIR / f"{name}.log"


@dataclass(kw_only=True)
class ChildProcess:
    """A Python child process on a free port, ready when `ready_path` answers `ready_status`."""

    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    ready_path: str = "/"
    ready_status: int = 200
    # Embedded mode: NiceGUI runs `app.on_startup` coroutines as background tasks, so the port answers
    # before migrations and the demo seed are done; then wait until the demo sign-in works too. Seed the
    # database beforehand (`prepare_database`): five failed sign-ins would lock the demo admin out.
    wait_for_sign_in: bool = False
    # Removed when the process stops (NiceGUI's storage files, so `.nicegui/` gets none of ours).
    scratch: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        if self.process is None:
            raise RuntimeError(f"{self.name} is not running")
        return self.process.pid

    @property
    def log(self) -> Path:
        return log_path(self.name)

    def start(self, timeout: float = 90.0) -> ChildProcess:
        env = dict(os.environ)
        for inherited in ("REDIS_URL", "CHATWOOT_URL", "NICEGUI_REDIS_URL"):
            env.pop(inherited, None)
        env.update(PORT=str(self.port), HOST="127.0.0.1", PYTHONUNBUFFERED="1")
        env.update(self.env)
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, *self.argv], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.tail()}")
            try:
                if httpx.get(self.url + self.ready_path, timeout=2).status_code == self.ready_status and (
                    not self.wait_for_sign_in or self._signs_in()
                ):
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(1.0 if self.wait_for_sign_in else 0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not start within {timeout:.0f} s:\n{self.tail()}")

    def _signs_in(self) -> bool:
        email, password = DEMO_ADMIN
        answer = httpx.post(f"{self.url}/auth/sign_in", json={"email": email, "password": password}, timeout=10)
        return answer.status_code == 200

    def sign_in(self, credentials: tuple[str, str] = DEMO_ADMIN) -> dict[str, str]:
        """Sign an agent in over the API (app or API server); the headers that carry the token."""
        email, password = credentials
        answer = httpx.post(f"{self.url}/auth/sign_in", json={"email": email, "password": password}, timeout=30)
        answer.raise_for_status()
        return {"api_access_token": answer.json()["data"]["access_token"]}

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)


def app_process(
    name: str,
    *,
    script: str = "main.py",
    database_url: str | None = None,
    chatwoot_url: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> ChildProcess:
    """The NiceGUI app (`main.py` or a variant): embedded with `database_url`, connected with `chatwoot_url`."""
    storage = SCRATCH_DIR / f"nicegui-{name}-{uuid.uuid4().hex[:8]}"
    env = {
        "DEMO_DATA": "true",
        "ANALYTICS_SINK": "",
        "STORAGE_SECRET": f"bench-{uuid.uuid4().hex}",
        "NICEGUI_STORAGE_PATH": str(storage),
    }
    if chatwoot_url:
        env.update(CHATWOOT_URL=chatwoot_url, CHATWOOT_ACCOUNT_ID="1")
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(extra_env or {})
    return ChildProcess(
        name=name,
        argv=[script],
        env=env,
        ready_path="/login",
        wait_for_sign_in=not chatwoot_url,
        scratch=storage,
    )


def api_server(name: str, database_url: str, **extra_env: str) -> ChildProcess:
    """`python -m server`, the embedded API alone, with the demo data (ready once it answers 401 unsigned)."""
    env = {"DATABASE_URL": database_url, "DEMO_DATA": "true", "ANALYTICS_SINK": "", **extra_env}
    return ChildProcess(name=name, argv=["-m", "server"], env=env, ready_path="/api/v1/profile", ready_status=401)


def postgres_available() -> bool:
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"], check=False).returncode == 0


def create_postgres_database() -> str:
    """A fresh `bench_<random>` database on the machine's PostgreSQL; its SQLAlchemy URL."""
    name = f"bench_{uuid.uuid4().hex[:10]}"
    subprocess.run([*PSQL, f"CREATE DATABASE {name}"], check=True, capture_output=True)
    return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"


def drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[-1]
    if not name.startswith("bench_"):
        raise ValueError(f"refusing to drop {name!r}: not a benchmark database")
    subprocess.run([*PSQL, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False, capture_output=True)
