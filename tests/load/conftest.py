"""Servers of the load and fault tests' own (they kill, lock and flood them), and the soak switch.

`make test` runs the short variants; `make soak` runs `pytest -m slow tests/load` with SOAK_SECONDS.
The slow variants are left out of any run that neither sets SOAK_SECONDS nor names `slow` in -m,
so a plain `pytest` (what `make test` runs) stays short.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.load.workload import sqlite_server
from tests.support.databases import create_postgres_database, drop_postgres_database
from tests.support.processes import RunningServer

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("SOAK_SECONDS") or "slow" in (config.getoption("markexpr") or ""):
        return
    soak = [item for item in items if item.get_closest_marker("slow") and HERE in Path(item.path).parents]
    if soak:
        config.hook.pytest_deselected(items=soak)
        items[:] = [item for item in items if item not in soak]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def load_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A dedicated server on each database in turn."""
    tmp = tmp_path_factory.mktemp(f"load-{request.param}")
    if request.param == "sqlite":
        server = sqlite_server(tmp)
        url = None
    else:
        url = create_postgres_database()
        server = RunningServer(database_url=url, log_path=tmp / "server.log")
    try:
        server.start()
        yield server
    finally:
        server.stop()
        if url:
            drop_postgres_database(url)
