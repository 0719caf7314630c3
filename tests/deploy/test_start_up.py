"""Starting the app from a shell (`make run`): its address is announced once it answers; a taken port is one line."""

from __future__ import annotations

import queue
import re
import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from api.demo import ADMIN
from tests.support.processes import ROOT, RunningServer

ANNOUNCEMENT = re.compile(r"Contacts on (http://\S+)")


def _main_py(app: RunningServer, environment: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "main.py"],
        cwd=ROOT,
        # PYTHONUNBUFFERED: a line arrives when printed, not when flushed
        env=app.environment() if environment is None else environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def terminate(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])
def test_a_taken_port_is_one_clear_line_and_a_failed_start(tmp_path: Path, host: str) -> None:
    with socket.socket() as holder:  # someone else's server on the port
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        app = RunningServer.in_directory(tmp_path, module="main.py", HOST=host)
        app.port = port
        process = _main_py(app)
        try:
            output, _ = process.communicate(timeout=60)
        finally:
            terminate(process)
    assert process.returncode not in {0, None}
    lines = [line for line in output.splitlines() if line.strip()]
    assert lines == [
        f"Port {port} is taken: another program listens on it. Choose another port, e.g. PORT={port + 1} make run"
    ]


def listening_addresses(port: int) -> set[str]:
    """The local addresses with a socket listening on `port` (Linux's /proc/net/tcp and tcp6)."""
    found: set[str] = set()
    for table, family in (("tcp", socket.AF_INET), ("tcp6", socket.AF_INET6)):
        for line in (Path("/proc/net") / table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, port_hex = local.partition(":")
            if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                raw = bytes.fromhex(address)
                # The kernel writes each 32-bit word in the machine's byte order (little-endian here).
                ordered = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
                found.add(socket.inet_ntop(family, ordered))
    return found


@pytest.mark.parametrize(
    ("host", "listens_on"),
    [
        (None, {"127.0.0.1"}),  # `make run`: this machine only
        ("0.0.0.0", {"0.0.0.0"}),  # a container: every interface, as documented
    ],
)
def test_the_address_is_announced_once_it_answers_and_the_demo_sign_in_works(
    tmp_path: Path, host: str | None, listens_on: set[str]
) -> None:
    app = RunningServer.in_directory(tmp_path, module="main.py")
    environment = app.environment()
    environment.pop("HOST")
    if host is not None:
        environment["HOST"] = host
    process = _main_py(app, environment)
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    try:
        while not (found := ANNOUNCEMENT.search(lines.get(timeout=60))):
            pass
        url = found.group(1)
        assert url == f"http://localhost:{app.port}"
        # Right when the line appears: the page answers and the demo sign-in it names works.
        assert httpx.get(f"{url}/login", timeout=10).status_code == 200
        sign_in = httpx.post(f"{url}/auth/sign_in", json={"email": ADMIN[0], "password": ADMIN[1]}, timeout=10)
        assert sign_in.status_code == 200
        assert listening_addresses(app.port) == listens_on
    finally:
        terminate(process)
