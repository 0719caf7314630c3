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


def _main_py(app: RunningServer) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "main.py"],
        cwd=ROOT,
        env=app.environment(),  # PYTHONUNBUFFERED: a line arrives when printed, not when flushed
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


def test_the_address_is_announced_once_it_answers_and_the_demo_sign_in_works(tmp_path: Path) -> None:
    app = RunningServer.in_directory(tmp_path, module="main.py")
    process = _main_py(app)
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
    finally:
        terminate(process)
