"""Limits that keep one client from hurting the others: body size, sign-in throttle, header size, cable.

The sign-in throttle counts failures per email and per client address, and every test connects from
127.0.0.1, so the throttle tests run against servers of their own: the shared session servers never
see a failed sign-in from here. (Test servers run as if behind a reverse proxy on 127.0.0.1,
FORWARDED_ALLOW_IPS=127.0.0.1, so a test can still stand for several client addresses; a server with the
default settings believes no forwarded header at all.)
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import statistics
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from api.cable_client import cable_url
from api.demo import AGENT, OTHER_ADMIN
from server.routes.auth import throttle
from tests.support.cable import SUBPROTOCOLS, room_identifier
from tests.support.processes import RunningServer

MAX_BODY = 256 * 1024
TOO_LARGE = {"error": "Request body too large"}
A = "/api/v1/accounts/1"
BODY_ENDPOINTS = [
    ("POST", "/auth/sign_in"),
    ("POST", f"{A}/contacts"),
    ("PUT", f"{A}/contacts/{{contact}}"),
    ("PATCH", f"{A}/contacts/{{contact}}"),
    ("POST", f"{A}/contacts/{{contact}}/destroy_custom_attributes"),
    ("POST", f"{A}/actions/contact_merge"),
    ("POST", f"{A}/contacts/{{contact}}/labels"),
    ("POST", f"{A}/contacts/{{contact}}/notes"),
]
_addresses = (f"10.66.{n // 250}.{n % 250 + 1}" for n in itertools.count())
# The server's limits: failures free per email and address, then per email from anywhere, and (higher, for
# offices behind one NAT) per address.
FREE_FAILURES = throttle.free
PER_EMAIL = throttle.per_email
PER_ADDRESS = throttle.per_address


def oversized_body() -> bytes:
    """Valid JSON just over the limit, so only its size can be the reason to refuse it."""
    body = json.dumps({"name": "x", "content": "y", "labels": ["z" * MAX_BODY]}).encode()
    assert len(body) > MAX_BODY
    return body


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


@pytest.fixture
def contact(api_server: RunningServer) -> dict[str, Any]:
    return api_server.create_contact(name="Limits target", custom_attributes={"plan": "pro"})


def contact_state(server: RunningServer, http: httpx.Client, contact_id: int) -> list[Any]:
    base = f"{server.url}{A}/contacts/{contact_id}"
    headers = server.admin.headers
    return [http.get(base + suffix, headers=headers).json() for suffix in ("", "/labels", "/notes")]


# --- bodies -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("authorized", [True, False], ids=["admin", "no token"])
@pytest.mark.parametrize(("method", "path"), BODY_ENDPOINTS, ids=[f"{m} {p}" for m, p in BODY_ENDPOINTS])
def test_a_declared_oversized_body_is_413_before_anything_else(
    api_server: RunningServer,
    http: httpx.Client,
    contact: dict[str, Any],
    method: str,
    path: str,
    authorized: bool,
) -> None:
    """Refused on its Content-Length alone, before authentication: an anonymous client cannot make the
    server read (or parse) a large body."""
    before = contact_state(api_server, http, contact["id"])
    headers = {"content-type": "application/json", **(api_server.admin.headers if authorized else {})}

    answer = http.request(
        method, api_server.url + path.format(contact=contact["id"]), content=oversized_body(), headers=headers
    )

    assert answer.status_code == 413, answer.text
    assert answer.json() == TOO_LARGE
    assert contact_state(api_server, http, contact["id"]) == before


@pytest.mark.parametrize(("method", "path"), BODY_ENDPOINTS, ids=[f"{m} {p}" for m, p in BODY_ENDPOINTS])
def test_a_streamed_oversized_body_is_413(
    api_server: RunningServer, http: httpx.Client, contact: dict[str, Any], method: str, path: str
) -> None:
    """Chunked, with no Content-Length: the limit holds while the body streams in."""
    before = contact_state(api_server, http, contact["id"])

    def chunks() -> Iterator[bytes]:
        body = oversized_body()
        for start in range(0, len(body), 16 * 1024):
            yield body[start : start + 16 * 1024]

    answer = http.request(
        method,
        api_server.url + path.format(contact=contact["id"]),
        content=chunks(),
        headers={"content-type": "application/json", **api_server.admin.headers},
    )

    assert answer.status_code == 413, answer.text
    assert answer.json() == TOO_LARGE
    assert contact_state(api_server, http, contact["id"]) == before


def test_a_huge_declared_body_is_refused_without_waiting_for_it(api_server: RunningServer) -> None:
    """A client announcing 1 GB and sending nothing gets its 413 at once (nothing is buffered or awaited)."""
    request = (
        f"PUT {A}/contacts/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"api_access_token: {api_server.admin.token}\r\nContent-Length: 1000000000\r\n\r\n"
    ).encode()
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", api_server.port), timeout=5) as raw:
        raw.sendall(request)
        head = raw.recv(4096).decode(errors="replace")
    assert head.startswith("HTTP/1.1 413"), head
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("length", ["-1", "12abc", "1e9", "0x10"])
def test_a_malformed_content_length_is_never_a_server_error(api_server: RunningServer, length: str) -> None:
    request = (
        f"POST /auth/sign_in HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\nConnection: close\r\n\r\n{{}}"
    ).encode()
    with socket.create_connection(("127.0.0.1", api_server.port), timeout=5) as raw:
        raw.sendall(request)
        head = raw.recv(4096).decode(errors="replace")
    status = int(head.split(" ", 2)[1])
    assert 400 <= status < 500, head


def test_an_oversized_header_block_is_refused(api_server: RunningServer, http: httpx.Client) -> None:
    try:
        answer = http.get(f"{api_server.url}/api/v1/profile", headers={"X-Padding": "x" * (1024 * 1024)})
    except httpx.TransportError:
        refused = True
    else:
        refused = answer.status_code in {400, 413, 431}
    assert http.get(f"{api_server.url}/api/v1/profile", headers=api_server.agent.headers).status_code == 200
    assert refused


# --- sign-in throttle ----------------------------------------------------------------------------------------


def dedicated_server(tmp: Any) -> RunningServer:
    return RunningServer.in_directory(tmp, module="server")


@pytest.fixture(scope="module")
def throttle_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server of this module's own: its tests fail sign-ins on purpose."""
    server = dedicated_server(tmp_path_factory.mktemp("throttle-server"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def sign_in(http: httpx.Client, server: RunningServer, email: str, password: str, address: str | None = None):
    headers = {"X-Forwarded-For": address} if address else {}
    return http.post(f"{server.url}/auth/sign_in", json={"email": email, "password": password}, headers=headers)


def assert_refused(answer: httpx.Response) -> None:
    assert answer.status_code == 401, answer.text
    assert answer.json() == {"success": False, "errors": [answer.json()["errors"][0]]}


def assert_throttled(answer: httpx.Response) -> int:
    """429 with `{"error"}` and a Retry-After within the longest wait (15 minutes); no token leaks. Returns it."""
    assert answer.status_code == 429, answer.text
    assert set(answer.json()) == {"error"} and answer.json()["error"]
    assert "access_token" not in answer.text
    retry_after = int(answer.headers["Retry-After"])
    assert 1 <= retry_after <= 901
    return retry_after


def test_failures_for_one_email_hold_back_that_address_even_with_the_right_password(
    throttle_server: RunningServer, http: httpx.Client
) -> None:
    """The email's counter ignores case and whitespace; once an address is throttled for it, the right
    password gets 429 there too, so guessing cannot go on and find out when it hit. The owner, from an
    address that has not failed, signs in: nobody can keep an agent locked out."""
    assert FREE_FAILURES == 5
    email, password = AGENT
    guesser = next(_addresses)
    variants = [email, email.upper(), f"  {email}", email.title(), f"{email}\t"]
    for variant in variants:
        assert_refused(sign_in(http, throttle_server, variant, "wrong-password", guesser))

    first_wait = assert_throttled(sign_in(http, throttle_server, email, password, guesser))
    second_wait = assert_throttled(sign_in(http, throttle_server, email.upper(), "other", guesser))
    assert second_wait <= first_wait, "a throttled attempt must not extend the wait"

    assert sign_in(http, throttle_server, email, password, next(_addresses)).status_code == 200
    assert sign_in(http, throttle_server, *OTHER_ADMIN, guesser).status_code == 200


def test_the_wait_doubles_with_each_further_failure(throttle_server: RunningServer, http: httpx.Client) -> None:
    email, guesser = f"doubling-{uuid.uuid4().hex[:8]}@acme.test", next(_addresses)
    for _ in range(FREE_FAILURES):
        assert_refused(sign_in(http, throttle_server, email, "guess", guesser))
    assert assert_throttled(sign_in(http, throttle_server, email, "guess", guesser)) == 1
    time.sleep(1.1)
    assert_refused(sign_in(http, throttle_server, email, "guess", guesser))
    assert assert_throttled(sign_in(http, throttle_server, email, "guess", guesser)) == 2


def test_a_spread_out_attack_on_one_email_holds_back_the_addresses_that_failed(
    throttle_server: RunningServer, http: httpx.Client
) -> None:
    """Many addresses, one guess each: past the email's limit every address that failed for it waits,
    and one that never failed (the owner's) still signs in."""
    email, password = OTHER_ADMIN
    guessers = [next(_addresses) for _ in range(PER_EMAIL)]
    for guesser in guessers:
        assert_refused(sign_in(http, throttle_server, email, "guess", guesser))
    for guesser in guessers[:3]:
        assert_throttled(sign_in(http, throttle_server, email, password, guesser))
    assert sign_in(http, throttle_server, email, password, next(_addresses)).status_code == 200


def spray(http: httpx.Client, server: RunningServer, attempts: int, address: str | None) -> None:
    """Failed guesses, each for an email of its own, from one address."""
    for _ in range(attempts):
        assert_refused(sign_in(http, server, f"spray-{uuid.uuid4().hex[:8]}@acme.test", "guess", address))


def test_failures_from_one_address_hold_that_address_back(throttle_server: RunningServer, http: httpx.Client) -> None:
    """Guessing across many emails from one address is throttled per address, for every email."""
    assert 5 <= PER_ADDRESS <= 1000
    address = next(_addresses)
    spray(http, throttle_server, PER_ADDRESS, address)

    assert_throttled(sign_in(http, throttle_server, f"spray-{uuid.uuid4().hex[:8]}@acme.test", "guess", address))
    assert_throttled(sign_in(http, throttle_server, *OTHER_ADMIN, address))
    assert sign_in(http, throttle_server, *OTHER_ADMIN, next(_addresses)).status_code == 200


def test_a_success_does_not_wipe_the_addresses_failures(throttle_server: RunningServer, http: httpx.Client) -> None:
    """One valid account must not let an address go on guessing other accounts' passwords."""
    address = next(_addresses)
    spray(http, throttle_server, PER_ADDRESS - 1, address)
    assert sign_in(http, throttle_server, *OTHER_ADMIN, address).status_code == 200
    spray(http, throttle_server, 1, address)

    assert_throttled(sign_in(http, throttle_server, f"spray-{uuid.uuid4().hex[:8]}@acme.test", "guess", address))


def test_a_failed_sign_in_takes_as_long_for_an_unknown_email(
    throttle_server: RunningServer, http: httpx.Client
) -> None:
    email = OTHER_ADMIN.email  # nobody else in this module fails sign-ins for it

    def timed(address_email: str) -> float:
        started = time.perf_counter()
        assert_refused(sign_in(http, throttle_server, address_email, "not-the-password", next(_addresses)))
        return time.perf_counter() - started

    known = statistics.median(timed(email) for _ in range(4))
    unknown = statistics.median(timed(f"ghost-{uuid.uuid4().hex[:8]}@globex.test") for _ in range(4))

    assert known < 3 * unknown + 0.005, f"known {known * 1000:.1f} ms, unknown {unknown * 1000:.1f} ms"


def test_failures_from_the_real_peer_address_are_throttled(tmp_path: Any, http: httpx.Client) -> None:
    """No forwarded address at all: the loopback peer itself is the key (a server of this test alone,
    since 127.0.0.1 is every test's address)."""
    server = dedicated_server(tmp_path)
    server.start()
    try:
        spray(http, server, PER_ADDRESS, None)
        assert_throttled(sign_in(http, server, f"peer-{uuid.uuid4().hex[:8]}@acme.test", "guess"))
    finally:
        server.stop()
    # A restart forgets the counters (they live in the process): sign-in works again.
    server.start()
    try:
        assert sign_in(http, server, *AGENT).status_code == 200
    finally:
        server.stop()


def test_forwarded_headers_are_not_believed_unless_a_proxy_is_configured(tmp_path: Any, http: httpx.Client) -> None:
    """By default (no FORWARDED_ALLOW_IPS) a forged X-Forwarded-For, or a forged claim to be the app's own UI
    naming a browser address, does not get a throttled address past the throttle."""
    server = RunningServer(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'contacts.db'}",
        log_path=tmp_path / "server.log",
        extra_env={"FORWARDED_ALLOW_IPS": ""},
    )
    server.start()
    try:
        spray(http, server, PER_ADDRESS, None)
        assert_throttled(sign_in(http, server, *AGENT))
        assert_throttled(sign_in(http, server, *AGENT, address="203.0.113.9"))
        forged_ui = {"X-Contacts-Client-Address": "203.0.113.10", "X-Contacts-UI-Key": "guessed"}
        credentials = {"email": AGENT[0], "password": AGENT[1]}
        answer = http.post(f"{server.url}/auth/sign_in", json=credentials, headers=forged_ui)
        assert_throttled(answer)
    finally:
        server.stop()


# --- ActionCable -----------------------------------------------------------------------------------------------


async def open_cable(server: RunningServer) -> ClientConnection:
    cable = await connect(cable_url(server.url), subprotocols=SUBPROTOCOLS, max_size=None)
    assert json.loads(await cable.recv()) == {"type": "welcome"}
    return cable


async def answer_to(cable: ClientConnection, identifier: str) -> str:
    await cable.send(json.dumps({"command": "subscribe", "identifier": identifier}))
    async with asyncio.timeout(10):
        while True:
            frame = json.loads(await cable.recv())
            if frame.get("identifier") == identifier and "type" in frame:
                return str(frame["type"])


def room(server: RunningServer, **extra: Any) -> str:
    return room_identifier(server.agent, **extra)


async def test_a_connection_holds_at_most_20_subscriptions(api_server: RunningServer) -> None:
    cable = await open_cable(api_server)
    try:
        answers = [await answer_to(cable, room(api_server, n=n)) for n in range(21)]
        assert answers == ["confirm_subscription"] * 20 + ["reject_subscription"]
        # The connection still works after the refusal: an already confirmed subscription is confirmed again.
        assert await answer_to(cable, room(api_server, n=0)) == "confirm_subscription"
    finally:
        await cable.close()


async def test_an_oversized_frame_is_ignored_and_the_connection_keeps_working(api_server: RunningServer) -> None:
    cable = await open_cable(api_server)
    try:
        huge_identifier = room(api_server, padding="x" * (1024 * 1024))
        await cable.send(json.dumps({"command": "subscribe", "identifier": huge_identifier}))
        assert await answer_to(cable, room(api_server)) == "confirm_subscription"
        # No answer ever came for the oversized frame.
        async with asyncio.timeout(3.5):
            while True:
                frame = json.loads(await cable.recv())
                assert frame.get("identifier") != huge_identifier
                if frame.get("type") == "ping":
                    break
    finally:
        await cable.close()
