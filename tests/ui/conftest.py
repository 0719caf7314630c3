"""The UI in connected mode against the real embedded server process, driven by NiceGUI's `User`.

`main.py` reads its settings when the `user` fixture runs it, so the environment is set
first: every fixture here that yields a `User` depends on `ui_env` before `user`.
"""

from __future__ import annotations

import gc
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from nicegui import app
from nicegui.testing import User
from nicegui.testing.general_fixtures import get_path_to_main_file
from nicegui.testing.user_simulation import user_simulation

from api.demo import AGENT
from server.seed.demo_data import BROKEN_THUMBNAIL
from tests.support.processes import RunningServer
from tests.support.tcp_proxy import TcpProxy
from tests.ui.interaction import HTTP, resume_session, wait_for


def lean(user: User) -> User:
    """Freeze what exists so far, once the test's app runs.

    NiceGUI's `user` fixture runs gc.collect() around every test, and the heap only grows over a
    run (imported plugins, each test's app); frozen objects are skipped, so those collections
    scan what this test makes instead of everything so far (half the suite's time otherwise).
    """
    gc.freeze()
    return user


def _emit_without_touching_the_user(user: User) -> None:
    """NiceGUI's `User._patch_outbox_emit_function`, reading the user without `User.__getattribute__`.

    `User` points the global `ui.notify` at whichever user had an attribute read last, and NiceGUI's version reads
    its user's attributes whenever that user's page runs JavaScript. With two users, a page that runs JavaScript
    (a live change's highlight) then took the other user's notifications; now only the test's own reads choose.
    """
    client = object.__getattribute__(user, "client")
    rules = object.__getattribute__(user, "javascript_rules")
    original_emit = client.outbox._emit

    async def simulated_emit(message: Any) -> None:
        await original_emit(message)
        _, kind, data = message
        if kind == "run_javascript":
            for rule, result in rules.items():
                match = rule.match(data["code"])
                if match:
                    client.handle_javascript_response({"request_id": data["request_id"], "result": result(match)})

    client.outbox._emit = simulated_emit


@pytest.fixture(autouse=True)
def notifications_stay_with_their_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(User, "_patch_outbox_emit_function", _emit_without_touching_the_user)


@pytest.fixture
async def user(caplog: pytest.LogCaptureFixture, request: pytest.FixtureRequest) -> AsyncIterator[User]:
    """NiceGUI's `user` fixture, failing a test that logged an ERROR only once its app has shut down.

    NiceGUI's own fails inside the simulation: the failure passes through the app's lifespan, which then skips
    the shutdown, so the app stays "started" and every later test on the worker fails to start its own.
    """
    try:
        async with user_simulation(main_file=get_path_to_main_file(request)) as simulated:
            yield simulated
    finally:
        if not app.is_stopped:  # whatever broke the shutdown, the next test's app must start
            await app.stop()
    if any(record.levelname == "ERROR" for record in caplog.get_records("call")):
        pytest.fail("There were unexpected ERROR logs.", pytrace=False)


@pytest.fixture
def ui_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, api_server: RunningServer) -> RunningServer:
    """Point the app at the shared server, connected mode, analytics into this test's directory."""
    monkeypatch.setenv("CHATWOOT_URL", api_server.url)
    monkeypatch.setenv("CHATWOOT_ACCOUNT_ID", "1")
    monkeypatch.setenv("DEMO_DATA", "false")
    monkeypatch.setenv("STORAGE_SECRET", f"test-{uuid.uuid4().hex}")
    monkeypatch.setenv("ANALYTICS_SINK", str(tmp_path / "analytics.jsonl"))
    monkeypatch.setenv("FRAME_ANCESTORS", "'self' https://portal.example.com")
    for name in ("KIOSK_EMAIL", "KIOSK_PASSWORD", "REDIS_URL", "SERVER_EXTENSIONS"):
        monkeypatch.delenv(name, raising=False)
    return api_server


@pytest.fixture
async def visitor(ui_env: RunningServer, user: User) -> User:
    """A browser on the app, not signed in."""
    return lean(user)


@pytest.fixture
async def agent(ui_env: RunningServer, visitor: User) -> User:
    """A browser signed in as the demo administrator."""
    await resume_session(visitor, ui_env.admin.token)
    return visitor


@pytest.fixture
def kiosk_env(ui_env: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A kiosk: every visitor is signed in as the demo agent."""
    monkeypatch.setenv("KIOSK_EMAIL", AGENT[0])
    monkeypatch.setenv("KIOSK_PASSWORD", AGENT[1])


@pytest.fixture
async def kiosk(kiosk_env: None, user: User) -> User:
    """A browser on an app in kiosk mode (the environment is set before main.py runs)."""
    return lean(user)


@pytest.fixture
def demo_env(ui_env: RunningServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Embedded demo mode: the app serves its own API (never called here) on a fresh SQLite file."""
    monkeypatch.delenv("CHATWOOT_URL")
    monkeypatch.setenv("DEMO_DATA", "true")
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}")


@pytest.fixture
async def demo_visitor(demo_env: None, user: User) -> User:
    """A browser on the app in embedded demo mode, not signed in."""
    return lean(user)


@pytest.fixture
def plain_env(ui_env: RunningServer, plain_api_server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> RunningServer:
    """Point the app at the server in plain-Chatwoot mode (no ETag, no paging, no /events)."""
    monkeypatch.setenv("CHATWOOT_URL", plain_api_server.url)
    return plain_api_server


@pytest.fixture
async def plain_agent(plain_env: RunningServer, user: User) -> User:
    """A signed-in browser on an app connected to a plain-Chatwoot server."""
    await resume_session(lean(user), plain_env.admin.token)
    return user


@pytest.fixture
async def proxy(api_server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TcpProxy]:
    """A TCP proxy in front of the shared server that a test may cut; the UI talks through it."""
    running = await TcpProxy(api_server.port).start()
    monkeypatch.setenv("CHATWOOT_URL", running.url)
    yield running
    await running.stop()


@pytest.fixture
async def proxied_agent(ui_env: RunningServer, proxy: TcpProxy, user: User) -> User:
    """A signed-in browser on an app whose every API call and websocket goes through `proxy`.

    A page is opened once, so the agent's session exists before a test cuts the proxy.
    """
    await resume_session(lean(user), ui_env.admin.token)
    await user.open("/conversations/0/contact")
    await wait_for(user, "conversation-not-found")
    return user


@pytest.fixture
def make_contact(api_server: RunningServer) -> Callable[..., dict[str, Any]]:
    """Create a contact on the shared server (as the administrator, unique email unless given); returns it."""

    def make(**fields: Any) -> dict[str, Any]:
        fields.setdefault("name", "Test Contact")
        fields.setdefault("email", f"ui-{uuid.uuid4().hex[:12]}@example.com")
        answer = HTTP.post(
            f"{api_server.url}/api/v1/accounts/1/contacts", json=fields, headers=api_server.admin.headers
        )
        contact: dict[str, Any] = answer.raise_for_status().json()["payload"]["contact"]
        return contact

    return make


@dataclass(kw_only=True)
class SeededContacts:
    """Demo contacts with something special, found in the seeded account."""

    broken_thumbnail: dict[str, Any]
    blocked: dict[str, Any]


@pytest.fixture(scope="session")
def seeded(api_server: RunningServer) -> SeededContacts:
    """Scan the demo contacts of account 1 once for the special ones."""
    found: list[dict[str, Any]] = []
    page = 1
    while True:
        answer = HTTP.get(
            f"{api_server.url}/api/v1/accounts/1/contacts",
            params={"page": page, "sort": "name"},
            headers=api_server.admin.headers,
        )
        batch = answer.raise_for_status().json()["payload"]
        if not batch:
            break
        found += batch
        page += 1
    return SeededContacts(
        broken_thumbnail=next(c for c in found if c["thumbnail"] == BROKEN_THUMBNAIL and c["name"]),
        blocked=next(c for c in found if c["blocked"]),
    )
