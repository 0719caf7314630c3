"""Hostile values the fuzzers' generators leave out (lone surrogates, non-finite numbers, deep nesting; dates and
numbers at the edges in filters and attribute definitions):
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

from api.cable_client import cable_url
from tests.support.cable import SUBPROTOCOLS, room_identifier
from tests.support.databases import create_postgres_database, drop_postgres_database
from tests.support.processes import RunningServer

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
    identifier = room_identifier(server.admin)
    with connect(cable_url(server.url), subprotocols=SUBPROTOCOLS) as cable:
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


# --- POST /contacts/filter and attribute definitions: values schemathesis cannot know to send -----------------

# name -> the filter's `payload`; the contract's answer to each is 200 or 422 `{error}`.
EDGE_FILTERS: dict[str, list[dict[str, Any]]] = {
    "after the calendar's last day": [
        {"attribute_key": "created_at", "filter_operator": "is_greater_than", "values": ["9999-12-31"]}
    ],
    "before its last moment": [
        {"attribute_key": "created_at", "filter_operator": "is_less_than", "values": ["9999-12-31T12:00:00"]}
    ],
    "before its first moment in UTC": [
        {
            "attribute_key": "last_activity_at",
            "filter_operator": "is_less_than",
            "values": ["0001-01-01T00:30:00+01:00"],
        }
    ],
    "a date attribute after its last moment": [
        {"attribute_key": "{date}", "filter_operator": "is_greater_than", "values": ["9999-12-31T23:00:00"]}
    ],
    "a number PostgreSQL cannot take": [
        {"attribute_key": "{number}", "filter_operator": "equal_to", "values": ["1e999999"]}
    ],
    "a number PostgreSQL cannot take, small": [
        {"attribute_key": "{number}", "filter_operator": "is_greater_than", "values": ["1e-999999"]}
    ],
}


def define(http: httpx.Client, display_type: str) -> str:
    """A new contact attribute definition of this type; its key."""
    key = f"{display_type}_{uuid.uuid4().hex[:8]}"
    answer = http.post(
        "/custom_attribute_definitions",
        json={
            "attribute_display_name": key,
            "attribute_key": key,
            "attribute_display_type": display_type,
            "attribute_model": "contact_attribute",
        },
    )
    assert answer.status_code == 200, answer.text
    return key


def filtered_ids(http: httpx.Client, payload: list[dict[str, Any]]) -> list[int]:
    answer = http.post("/contacts/filter", json={"payload": payload})
    assert answer.status_code == 200, answer.text
    return [contact["id"] for contact in answer.json()["payload"]]


@pytest.mark.parametrize("payload", [pytest.param(p, id=name) for name, p in EDGE_FILTERS.items()])
def test_a_filter_at_the_edges_of_dates_and_numbers_is_answered(
    hostile_server: RunningServer, payload: list[dict[str, Any]]
) -> None:
    base = f"{hostile_server.url}/api/v1/accounts/1"
    with httpx.Client(base_url=base, headers=hostile_server.admin.headers, timeout=30) as http:
        keys = {"{date}": define(http, "date"), "{number}": define(http, "number")}
        conditions = [{**c, "attribute_key": keys.get(c["attribute_key"], c["attribute_key"])} for c in payload]
        answer = http.post("/contacts/filter", json={"payload": conditions})
        assert answer.status_code in {200, 422}, answer.text
        if answer.status_code == 422:
            assert set(answer.json()) == {"error"} and answer.json()["error"].startswith("Invalid value"), answer.text


def test_after_the_calendars_last_day_is_no_contact(hostile_server: RunningServer) -> None:
    base = f"{hostile_server.url}/api/v1/accounts/1"
    with httpx.Client(base_url=base, headers=hostile_server.admin.headers, timeout=30) as http:
        assert filtered_ids(http, EDGE_FILTERS["after the calendar's last day"]) == []


def test_a_stored_text_too_big_for_a_number_is_no_number_when_its_definition_becomes_one(
    hostile_server: RunningServer,
) -> None:
    """Chatwoot keeps stored values when a definition's type changes; PostgreSQL's numeric refuses '1e999999',
    which failed every filter on the attribute (500) until it read as no number, as it does on SQLite."""
    base = f"{hostile_server.url}/api/v1/accounts/1"
    with httpx.Client(base_url=base, headers=hostile_server.admin.headers, timeout=30) as http:
        key = define(http, "text")
        huge = hostile_server.create_contact(name="Huge", custom_attributes={key: "1e999999"})
        small = hostile_server.create_contact(name="Small", custom_attributes={key: "1e-99"})
        definition = next(
            d for d in http.get("/custom_attribute_definitions?attribute_model=1").json() if d["attribute_key"] == key
        )
        answer = http.patch(
            f"/custom_attribute_definitions/{definition['id']}", json={"attribute_display_type": "number"}
        )
        assert answer.status_code == 200, answer.text

        present = filtered_ids(http, [{"attribute_key": key, "filter_operator": "is_present", "values": []}])
        absent = filtered_ids(
            http,
            [
                {"attribute_key": key, "filter_operator": "is_not_present", "values": [], "query_operator": "AND"},
                {"attribute_key": "name", "filter_operator": "equal_to", "values": ["Huge"]},
            ],
        )
        assert present == [small["id"]]
        assert huge["id"] in absent
        assert filtered_ids(http, [{"attribute_key": key, "filter_operator": "is_greater_than", "values": ["0"]}]) == [
            small["id"]
        ]


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"attribute_display_type": "9" * 5000}, id="display type of 5000 digits"),
        pytest.param({"attribute_display_type": "²"}, id="display type a superscript digit"),
        pytest.param({"attribute_model": "9" * 5000}, id="model of 5000 digits"),
        pytest.param({"regex_pattern": "a{99999999999}"}, id="regex repeat count beyond any"),
    ],
)
def test_a_hostile_definition_is_refused(hostile_server: RunningServer, fields: dict[str, Any]) -> None:
    base = f"{hostile_server.url}/api/v1/accounts/1"
    key = f"hostile_{uuid.uuid4().hex[:8]}"
    with httpx.Client(base_url=base, headers=hostile_server.admin.headers, timeout=30) as http:
        answer = http.post(
            "/custom_attribute_definitions", json={"attribute_display_name": key, "attribute_key": key, **fields}
        )
        assert answer.status_code == 422, answer.text
        assert_contract_error(answer)
        assert answer.json()["attributes"] == list(fields)
        created = http.post("/custom_attribute_definitions", json={"attribute_display_name": key, "attribute_key": key})
        assert created.status_code == 200, created.text
        changed = http.patch(f"/custom_attribute_definitions/{created.json()['id']}", json=fields)
        assert changed.status_code == 422, changed.text
        assert_contract_error(changed)
