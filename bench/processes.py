"""Child processes of a benchmark: the UI app, the API alone, baselines; each on a free port, always stopped.

They are the tests' launcher (`tests.support.processes`), so a benchmark starts the app as the tests do and waits on
the same health endpoint. `tests.support` imports nothing of `bench`, so the dependency goes one way.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from bench.report import SCRATCH_DIR
from tests.support.processes import ChildProcess, RunningServer

LOG_DIR = SCRATCH_DIR / "logs"
# As deployed without a reverse proxy; the tests' launcher believes loopback's X-Forwarded-For, which costs uvicorn
# a middleware on every request.
NO_PROXY = {"FORWARDED_ALLOW_IPS": "", "ANALYTICS_SINK": ""}


def rss_kib(pid: int) -> int:
    """Resident memory of a process in KiB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def cpu_ms(pid: int) -> float:
    """User + system CPU time of a process so far, in ms."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def peak_kib(pid: int) -> int:
    """The process's peak resident memory so far, in KiB (/proc's VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmHWM for process {pid}")


def log_path(name: str) -> Path:
    """`bench/scratch/logs/<name>.log`, emptied for this run."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    path = LOG_DIR / f"{name}.log"
    path.unlink(missing_ok=True)
    return path


def baseline(name: str, argv: list[str], *, ready_path: str = "/", ready_status: int = 200) -> ChildProcess:
    """A baseline server (`python <argv>`), ready when `ready_path` answers `ready_status`."""
    return ChildProcess(argv=argv, log_path=log_path(name), ready_path=ready_path, ready_status=ready_status)


def app_process(
    name: str,
    *,
    script: str = "main.py",
    database_url: str = "",
    chatwoot_url: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> RunningServer:
    """The NiceGUI app (`main.py` or a variant): embedded with `database_url`, connected with `chatwoot_url`."""
    storage = SCRATCH_DIR / f"nicegui-{name}-{uuid.uuid4().hex[:8]}"
    env = {**NO_PROXY, "STORAGE_SECRET": f"bench-{uuid.uuid4().hex}", "NICEGUI_STORAGE_PATH": str(storage)}
    if chatwoot_url:
        env.update(CHATWOOT_URL=chatwoot_url, CHATWOOT_ACCOUNT_ID="1")
    env.update(extra_env or {})
    # Removed when it stops: NiceGUI's storage files, so `.nicegui/` gets none of ours.
    return RunningServer(
        database_url=database_url, module=script, extra_env=env, log_path=log_path(name), scratch=storage
    )


def api_server(name: str, database_url: str, **extra_env: str) -> RunningServer:
    """`python -m server`, the embedded API alone, with the demo data."""
    return RunningServer(
        database_url=database_url, module="server", extra_env={**NO_PROXY, **extra_env}, log_path=log_path(name)
    )
