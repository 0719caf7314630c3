"""Hostile values the fuzzers' generators leave out (lone surrogates, non-finite numbers, deep nesting):
the server refuses them with a contract-shaped 4xx, or stores them so that the contact stays readable.

A value that is accepted but cannot be served again makes the contact (and every list page holding it)
answer 500 from then on, so each case also reads the contact back. Dedicated servers, since a poisoned
contact would break other suites' list and search tests.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from tests.servers import RunningServer, create_postgres_database, drop_postgres_database

JSON = {"content-type": "application/json"}


def deep(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


# name -> raw JSON body of a PUT. Raw, because json.dumps would refuse or escape what matters here.
HOSTILE_BODIES: dict[str, bytes] = {
    "lone surrogate in name": b'{"name": "Ada \\ud800"}',
    "lone surrogate in a custom attribute": b'{"custom_attributes": {"note": "x\\udfff"}}',
    "lone surrogate in an attribute key": b'{"additional_attributes": {"\\ud83d": "x"}}',
    "number too big for a float": b'{"custom_attributes": {"score": 1e999}}',
    "NaN literal": b'{"custom_attributes": {"score": NaN}}',
    "Infinity literal": b'{"additional_attributes": {"score": -Infinity}}',
    "number-type attribute given 1e999": b'{"custom_attributes": {"seats": "1e999"}}',
    "number-type attribute given nan": b'{"custom_attributes": {"seats": "nan"}}',
    "attribute nested 300 deep": b'{"custom_attributes": {"deep": ' + deep(300) + b"}}",
    "body nested 100000 deep": b'{"custom_attributes": {"deep": ' + deep(100_000) + b"}}",
}
HOSTILE_CASES = [pytest.param(body, id=name) for name, body in HOSTILE_BODIES.items()]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def hostile_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    tmp = tmp_path_factory.mktemp(f"hostile-{request.param}")
    url = f"sqlite+aiosqlite:///{tmp / 'contacts.db'}" if request.param == "sqlite" else create_postgres_database()
    server = RunningServer(database_url=url, log_path=tmp / "server.log")
    try:
        server.start()
        yield server
    finally:
        server.stop()
        if request.param == "postgres":
            drop_postgres_database(url)


def strict_json(text: str) -> Any:
    """Parse as a browser's JSON.parse would: NaN and Infinity are not JSON."""

    def refuse(constant: str) -> Any:
        raise AssertionError(f"{constant} in a frame a browser cannot parse: {text[:200]}")

    return json.loads(text, parse_constant=refuse)


@contextmanager
def open_room(server: RunningServer) -> Iterator[ClientConnection]:
    """An ActionCable connection subscribed to account 1's events as its administrator."""
    url = server.url.replace("http://", "ws://") + "/cable"
    admin = server.admin
    identifier = json.dumps(
        {"channel": "RoomChannel", "pubsub_token": admin.pubsub_token, "account_id": 1, "user_id": admin.user_id}
    )
    with connect(url, subprotocols=[Subprotocol("actioncable-v1-json")]) as cable:
        cable.send(json.dumps({"command": "subscribe", "identifier": identifier}))
        while strict_json(str(cable.recv(timeout=10))).get("type") != "confirm_subscription":
            pass
        yield cable


def updated_frame(cable: ClientConnection, contact_id: int) -> Any:
    """The `contact.updated` event of this contact, parsed strictly."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        frame = strict_json(str(cable.recv(timeout=10)))
        message = frame.get("message")
        if (
            isinstance(message, dict)
            and message.get("event") == "contact.updated"
            and message["data"]["id"] == contact_id
        ):
            return message["data"]
    raise AssertionError("no contact.updated event")


def assert_contract_error(answer: httpx.Response) -> None:
    body = answer.json()
    assert set(body) in ({"error"}, {"message", "attributes"}), body
    if "error" in body:
        assert isinstance(body["error"], str) and body["error"]
    else:
        assert isinstance(body["message"], str) and body["attributes"], body


@pytest.mark.parametrize("body", HOSTILE_CASES)
def test_a_hostile_value_is_refused_or_served_back(hostile_server: RunningServer, body: bytes) -> None:
    name = f"Hostile {uuid.uuid4().hex[:8]}"
    contact = hostile_server.create_contact(name=name)
    base = f"{hostile_server.url}/api/v1/accounts/1"
    headers = {**hostile_server.admin.headers, **JSON}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http, open_room(hostile_server) as cable:
        answer = http.put(f"/contacts/{contact['id']}", content=body)
        assert answer.status_code < 500, answer.text
        if answer.status_code >= 400:
            assert answer.status_code in {400, 413, 422}, answer.text
            assert_contract_error(answer)
        else:
            event = updated_frame(cable, contact["id"])
            acknowledged = answer.json()["payload"]
            for field in ("name", "custom_attributes", "additional_attributes"):
                assert event[field] == acknowledged[field], "the live event carries what was acknowledged"

        shown = http.get(f"/contacts/{contact['id']}")
        assert shown.status_code == 200, shown.text
        if answer.status_code == 200:
            assert shown.json() == answer.json(), "what was acknowledged is what is served"
        else:
            assert shown.json()["payload"] == contact, "a refused write changed the contact"
        found = http.get("/contacts/search", params={"q": name})
        assert found.status_code == 200, found.text
        assert [c["id"] for c in found.json()["payload"]] == [contact["id"]]


def test_a_hostile_create_is_refused_or_served_back(hostile_server: RunningServer) -> None:
    """The same through POST /contacts: no contact may exist that cannot be read."""
    base = f"{hostile_server.url}/api/v1/accounts/1"
    headers = {**hostile_server.admin.headers, **JSON}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        for label, body in HOSTILE_BODIES.items():
            create = body[:-1] + f', "identifier": "{uuid.uuid4().hex}"}}'.encode()
            answer = http.post("/contacts", content=create)
            assert answer.status_code < 500, (label, answer.text)
            if answer.status_code >= 400:
                assert_contract_error(answer)
                continue
            created: dict[str, Any] = answer.json()["payload"]["contact"]
            shown = http.get(f"/contacts/{created['id']}")
            assert shown.status_code == 200, (label, shown.text)


@pytest.mark.parametrize(
    ("suffix", "body"),
    [("/notes", b'{"content": "note \\ud800"}'), ("/labels", b'{"labels": ["vip", "x\\udc00"]}')],
    ids=["note", "label"],
)
def test_a_lone_surrogate_in_a_note_or_label_is_refused(
    hostile_server: RunningServer, suffix: str, body: bytes
) -> None:
    contact = hostile_server.create_contact(name="Surrogate target")
    path = f"{hostile_server.url}/api/v1/accounts/1/contacts/{contact['id']}{suffix}"
    headers = {**hostile_server.admin.headers, **JSON}
    with httpx.Client(headers=headers, timeout=30) as http:
        answer = http.post(path, content=body)
        assert answer.status_code == 422, answer.text
        assert_contract_error(answer)
        assert http.get(path).json() == ([] if suffix == "/notes" else {"payload": []})
