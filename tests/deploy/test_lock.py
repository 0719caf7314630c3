"""uv.lock, which `make run` and `make test` install from, is in step with pyproject.toml (checked offline)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

from uv import find_uv_bin

from api.settings import PROJECT_ROOT


def lock_check(project: Path) -> subprocess.CompletedProcess[str]:
    """`uv lock --check` without the network: a lock in step needs nothing beyond pyproject.toml and uv.lock."""
    environment = {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "UV_OFFLINE": "1"}
    return subprocess.run(
        [find_uv_bin(), "lock", "--check", "--offline", "--project", str(project)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=environment,
    )


def test_the_lock_is_in_step_with_pyproject() -> None:
    answer = lock_check(PROJECT_ROOT)
    assert answer.returncode == 0, f"uv.lock is out of step with pyproject.toml (`.venv/bin/uv lock`):\n{answer.stderr}"


def test_a_dependency_missing_from_the_lock_is_found(tmp_path: Path) -> None:
    for name in ("pyproject.toml", "uv.lock", "README.md"):
        shutil.copy(PROJECT_ROOT / name, tmp_path / name)
    assert lock_check(tmp_path).returncode == 0
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("dependencies = [\n", 'dependencies = [\n    "six>=1.16",\n', 1))
    assert lock_check(tmp_path).returncode != 0


def test_the_makefile_installs_the_uv_that_pyproject_requires() -> None:
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    pinned = re.search(r"^UV_VERSION := (\S+)$", makefile, re.MULTILINE)
    assert pinned is not None
    assert pyproject["tool"]["uv"]["required-version"] == f"=={pinned.group(1)}"
    installed = subprocess.run([find_uv_bin(), "--version"], capture_output=True, text=True, check=True).stdout
    assert installed.split()[:2] == ["uv", pinned.group(1)]
