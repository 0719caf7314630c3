"""Security headers on every response, socket.io only from the app's own origin, Secure cookies over HTTPS.

One real app process (`main.py`) serves every test here; Chromium then loads the pages under the policy
and must not report a single Content-Security-Policy violation.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from nicegui import __version__ as nicegui_version
from playwright.async_api import Browser, ConsoleMessage, Page, expect
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus
from websockets.typing import Origin

from tests.browser.contact_page import ContactPage
from tests.support.chromium import chromium
from tests.support.processes import RunningServer
from tests.support.sign_in import sign_in_page

PORTAL = "https://portal.example.com"
FOREIGN = "https://evil.example"
SOCKET_IO = "/_nicegui_ws/socket.io/?EIO=4&transport="
TIMEOUT_MS = 15_000


def directives(policy: str) -> dict[str, list[str]]:
    """A Content-Security-Policy as {directive: [sources]}."""
    parsed: dict[str, list[str]] = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        assert name not in parsed, f"{name} twice in {policy!r}"
        parsed[name] = sources
    return parsed


def assert_hardened(response: httpx.Response) -> dict[str, list[str]]:
    """The headers every response carries; returns the parsed policy."""
    assert response.headers.get("x-content-type-options") == "nosniff", response.url
    assert response.headers.get("referrer-policy") in {"strict-origin-when-cross-origin", "same-origin", "no-referrer"}
    assert len(response.headers.get_list("content-security-policy")) == 1, response.url
    policy = directives(response.headers["content-security-policy"])
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == [PORTAL]
    assert policy["default-src"] == ["'none'"]
    script_src = policy["script-src"]
    assert "'self'" in script_src and "'unsafe-inline'" not in script_src and "*" not in script_src
    return policy


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    # FORWARDED_ALLOW_IPS (the launcher's): as behind a TLS-terminating proxy on loopback, which says so with
    # X-Forwarded-Proto.
    app = RunningServer.in_directory(
        tmp_path_factory.mktemp("headers-app"), module="main", FRAME_ANCESTORS=PORTAL, ALLOWED_ORIGINS=PORTAL
    )
    with app.running():
        yield app


@pytest.fixture(scope="module")
def contact(app: RunningServer) -> dict[str, Any]:
    return app.create_contact(name="Policy Person", email="policy.person@example.com")


def test_a_page_has_the_policy_and_a_fresh_nonce_on_each_of_its_scripts(app: RunningServer) -> None:
    nonces = set()
    for _ in range(2):
        answer = httpx.get(f"{app.url}/login")
        assert answer.status_code == 200
        policy = assert_hardened(answer)
        [nonce_source] = [source for source in policy["script-src"] if source.startswith("'nonce-")]
        nonce = nonce_source.removeprefix("'nonce-").removesuffix("'")
        assert re.fullmatch(r"[A-Za-z0-9_-]{22,}", nonce)
        tags = re.findall(r"<script\b[^>]*>", answer.text)
        assert len(tags) >= 5
        assert all(f'nonce="{nonce}"' in tag for tag in tags), tags
        nonces.add(nonce)
    assert len(nonces) == 2


@pytest.mark.parametrize(
    "path",
    [
        f"/_nicegui/{nicegui_version}/static/nicegui.js",
        f"/_nicegui/{nicegui_version}/static/nicegui.css",
        "/api/v1/profile",
        "/no-such-page",
    ],
)
def test_static_assets_api_answers_and_errors_have_the_headers(app: RunningServer, path: str) -> None:
    answer = httpx.get(f"{app.url}{path}", headers={"accept-encoding": "gzip"})
    assert answer.status_code in {200, 401, 404}, path
    policy = assert_hardened(answer)
    is_page = answer.headers["content-type"].startswith("text/html")  # NiceGUI's 404 is a page too
    assert any(source.startswith("'nonce-") for source in policy["script-src"]) == is_page


def test_an_api_response_of_a_signed_in_agent_has_the_headers(app: RunningServer) -> None:
    answer = httpx.get(f"{app.url}/api/v1/profile", headers=app.admin.headers)
    assert answer.status_code == 200
    assert_hardened(answer)


def test_the_session_cookie_is_secure_only_over_https(app: RunningServer) -> None:
    plain = httpx.get(f"{app.url}/login")
    assert "session=" in plain.headers["set-cookie"]
    assert "secure" not in plain.headers["set-cookie"].lower()  # plain-http localhost keeps its session

    tls = httpx.get(f"{app.url}/login", headers={"x-forwarded-proto": "https"})
    cookies = tls.headers.get_list("set-cookie")
    assert cookies and all(re.search(r";\s*secure\b", cookie, re.IGNORECASE) for cookie in cookies), cookies


# --- socket.io handshake ------------------------------------------------------------------------------


def test_polling_handshake_from_a_foreign_origin_is_refused(app: RunningServer) -> None:
    answer = httpx.get(f"{app.url}{SOCKET_IO}polling", headers={"origin": FOREIGN})
    assert answer.status_code in {400, 403}
    assert "access-control-allow-origin" not in answer.headers
    assert not answer.text.startswith("0{")


@pytest.mark.parametrize("origin", ["own", PORTAL])
def test_polling_handshake_from_the_apps_origins_is_accepted(app: RunningServer, origin: str) -> None:
    origin = app.url if origin == "own" else origin
    answer = httpx.get(f"{app.url}{SOCKET_IO}polling", headers={"origin": origin})
    assert answer.status_code == 200
    assert answer.text.startswith("0{")  # engine.io's open packet: the handshake went through
    assert answer.headers.get("access-control-allow-origin") == origin


def test_polling_handshake_from_the_same_host_name_on_another_port_is_refused(app: RunningServer) -> None:
    answer = httpx.get(f"{app.url}{SOCKET_IO}polling", headers={"origin": "http://127.0.0.1:1"})
    assert answer.status_code in {400, 403}


async def test_websocket_handshake_from_a_foreign_origin_is_refused(app: RunningServer) -> None:
    url = app.url.replace("http://", "ws://") + SOCKET_IO + "websocket"
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url, origin=Origin(FOREIGN)):
            pass
    assert refused.value.response.status_code == 403


async def test_websocket_handshake_from_the_apps_own_origin_is_accepted(app: RunningServer) -> None:
    url = app.url.replace("http://", "ws://") + SOCKET_IO + "websocket"
    async with connect(url, origin=Origin(app.url)) as websocket:
        opened = await websocket.recv()
    assert str(opened).startswith("0{")


# --- Chromium under the policy ----------------------------------------------------------------------------


@pytest_asyncio.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


CSP_REPORTER = """
document.addEventListener('securitypolicyviolation', (event) => window.__cspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || 'inline'} at ${event.sourceFile}:${event.lineNumber}`
));
"""


async def test_chromium_runs_every_page_under_the_policy_without_a_violation(
    app: RunningServer, contact: dict[str, Any], browser: Browser
) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    violations: list[str] = []
    problems: list[str] = []
    policies: dict[str, str] = {}
    await context.expose_binding("__cspViolation", lambda _source, text: violations.append(text))
    await context.add_init_script(CSP_REPORTER)
    page: Page = await context.new_page()

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            violations.append(message.text)
        elif message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(message.text)  # (avatars of demo contacts are on hosts this machine cannot reach)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "response",
        lambda response: policies.__setitem__(response.url, response.headers.get("content-security-policy", "")),
    )
    try:
        await sign_in_page(page, app.url)
        await expect(page.locator("[data-testid^=contact-row-]").first).to_be_visible()

        # The list's name cells are a Vue slot template, compiled in the browser.
        await page.locator("[data-testid^=contact-row-]").first.click()
        await page.wait_for_url("**/contacts/*?source=contacts_list")
        view = ContactPage(page=page, base_url=app.url)
        await view.wait_loaded()
        await view.open(contact["id"])
        await expect(view.name).to_have_text("Policy Person")
        await view.open_edit_form()  # a click that reaches the server over socket.io and opens the dialog
        await expect(view.field("name")).to_have_value("Policy Person")

        await page.goto(f"{app.url}/embed/contacts/{contact['id']}")
        await view.wait_loaded()
        await view.open_edit_form()
        await page.wait_for_timeout(500)  # late violations (fonts, images) are reported asynchronously
    finally:
        await context.close()

    for path in ("/login", "/contacts", f"/contacts/{contact['id']}", f"/embed/contacts/{contact['id']}"):
        seen = [policy for url, policy in policies.items() if httpx.URL(url).path == path]
        assert seen, f"{path} was not loaded"
        assert all("'nonce-" in policy and "object-src 'none'" in policy for policy in seen), (path, seen)
    assert violations == []
    assert problems == []


@pytest.mark.parametrize("path", ["/login", "/api/v1/accounts/1/contacts"])
def test_pages_and_api_answers_are_gzipped_at_zlibs_default_level(app: RunningServer, path: str) -> None:
    """Level 6, not Starlette's 9 (gzip's header says which: XFL 2 for the best compression, 0 for 6)."""
    with httpx.stream("GET", f"{app.url}{path}", headers={"accept-encoding": "gzip", **app.admin.headers}) as answer:
        assert answer.status_code == 200
        assert answer.headers["content-encoding"] == "gzip"
        raw = b"".join(answer.iter_raw())
    assert raw[:2] == b"\x1f\x8b" and raw[8] == 0, f"XFL {raw[8]}"
