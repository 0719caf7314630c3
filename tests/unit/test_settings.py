"""Settings read from the environment: what a bare `make run` gets."""

from __future__ import annotations

import pytest

from api.settings import Settings


def test_the_app_listens_on_this_machine_only_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOST", raising=False)
    assert Settings(_env_file=None).host == "127.0.0.1"  # type: ignore[call-arg]
    monkeypatch.setenv("HOST", "0.0.0.0")  # a container, reached through its published port
    assert Settings(_env_file=None).host == "0.0.0.0"  # type: ignore[call-arg]
