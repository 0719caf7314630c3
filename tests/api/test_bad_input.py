"""Whatever a client sends, the answer is a 4xx in one of the contract's error shapes, never a 500."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.account_api import AccountApi
from tests.api.shapes import assert_client_error, error_body, invalid_fields
from tests.support.processes import RunningServer

MAX_BODY = 256 * 1024
JSON = {"content-type": "application/json"}


@pytest.fixture
def contact(server: RunningServer) -> dict[str, Any]:
    return server.create_contact(name="Bad Input Target", custom_attributes={"plan": "pro"})


def test_malformed_json_is_400(admin_api: AccountApi, contact: dict[str, Any]) -> None:
    for body in (b"{bad", b'{"name": "x",}', b"{'name': 'x'}", b'{"name": "unterminated'):
        answer = admin_api.put(f"/contacts/{contact['id']}", content=body, headers=JSON)
        assert error_body(answer, 400) == {"error": "Malformed JSON"}
    assert admin_api.contact(contact["id"]) == contact


def test_a_body_that_is_not_utf8_is_400(admin_api: AccountApi, contact: dict[str, Any]) -> None:
    for body in (b'{"name": "\xff\xfe"}', b"\x80", b"\xff\xfe\x00"):
        answer = admin_api.put(f"/contacts/{contact['id']}", content=body, headers=JSON)
        error_body(answer, 400)
    assert admin_api.contact(contact["id"]) == contact


@pytest.mark.parametrize(
    "body", [b"[1, 2]", b'"name"', b"42", b"null", b""], ids=["array", "string", "number", "null", "empty"]
)
def test_a_body_that_is_not_an_object_is_a_4xx(admin_api: AccountApi, contact: dict[str, Any], body: bytes) -> None:
    assert_client_error(admin_api.put(f"/contacts/{contact['id']}", content=body, headers=JSON))
    assert_client_error(admin_api.post("/contacts", content=body, headers=JSON))
    assert admin_api.contact(contact["id"]) == contact


def test_a_json_body_without_the_json_content_type_is_a_4xx(admin_api: AccountApi, contact: dict[str, Any]) -> None:
    answer = admin_api.put(
        f"/contacts/{contact['id']}", content=b'{"name": "x"}', headers={"content-type": "text/plain"}
    )
    assert_client_error(answer)


def test_body_over_256_kib_is_413(admin_api: AccountApi, contact: dict[str, Any]) -> None:
    body = json.dumps({"name": "x" * (MAX_BODY + 1)}).encode()
    answer = admin_api.put(f"/contacts/{contact['id']}", content=body, headers=JSON)
    assert error_body(answer, 413) == {"error": answer.json()["error"]}
    answer = admin_api.post(f"/contacts/{contact['id']}/notes", content=body, headers=JSON)
    error_body(answer, 413)
    assert admin_api.contact(contact["id"]) == contact


def test_body_of_exactly_256_kib_is_read(admin_api: AccountApi, contact: dict[str, Any]) -> None:
    """At the limit the body gets through, and the name in it is then refused as too long."""
    frame = json.dumps({"name": ""}).encode()
    body = json.dumps({"name": "x" * (MAX_BODY - len(frame))}).encode()
    assert len(body) == MAX_BODY
    answer = admin_api.put(f"/contacts/{contact['id']}", content=body, headers=JSON)
    assert invalid_fields(answer)["attributes"] == ["name"]


def test_streamed_body_over_256_kib_is_413(admin_api: AccountApi, contact: dict[str, Any]) -> None:
    """Without a Content-Length (chunked transfer) the limit still holds while the body streams in."""

    def chunks() -> Iterator[bytes]:
        yield b'{"name": "'
        for _ in range(MAX_BODY // 8192 + 2):
            yield b"x" * 8192
        yield b'"}'

    answer = admin_api.put(f"/contacts/{contact['id']}", content=chunks(), headers=JSON)
    error_body(answer, 413)
    assert admin_api.contact(contact["id"]) == contact


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": 5}, "email"),
        ({"phone_number": 4420718387}, "phone_number"),
        ({"name": ["a"]}, "name"),
        ({"identifier": {"a": 1}}, "identifier"),
        ({"custom_attributes": []}, "custom_attributes"),
        ({"custom_attributes": "plan=pro"}, "custom_attributes"),
        ({"additional_attributes": 3}, "additional_attributes"),
        ({"custom_attributes": {"seats": "many"}}, "custom_attributes"),
        ({"custom_attributes": {"plan": "platinum"}}, "custom_attributes"),
        ({"custom_attributes": {"signed_up": "yesterday"}}, "custom_attributes"),
        ({"custom_attributes": {"crm_url": "javascript:alert(1)"}}, "custom_attributes"),
        ({"custom_attributes": {"newsletter": "maybe"}}, "custom_attributes"),
        ({"custom_attributes": {"vat_id": "gb 123"}}, "custom_attributes"),
        ({"custom_attributes": {"k": "v" * 256}}, "custom_attributes"),
        ({"custom_attributes": {f"k{n}": n for n in range(101)}}, "custom_attributes"),
    ],
    ids=lambda value: value if isinstance(value, str) else json.dumps(value)[:40],
)
def test_wrong_types_and_values_are_422(
    admin_api: AccountApi, contact: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    answer = admin_api.put(f"/contacts/{contact['id']}", json=body)
    assert invalid_fields(answer)["attributes"] == [field]
    assert admin_api.contact(contact["id"]) == contact


@pytest.mark.parametrize("value", ["yes", "true", 1, 0])
def test_blocked_must_be_a_json_boolean(admin_api: AccountApi, contact: dict[str, Any], value: Any) -> None:
    answer = admin_api.put(f"/contacts/{contact['id']}", json={"blocked": value})
    assert invalid_fields(answer)["attributes"] == ["blocked"]
    assert admin_api.contact(contact["id"]) == contact


def test_wrong_types_elsewhere_are_422(admin_api: AccountApi, contact: dict[str, Any]) -> None:
    path = f"/contacts/{contact['id']}"
    assert invalid_fields(admin_api.post(f"{path}/labels", json={"labels": "vip"}))["attributes"] == ["labels"]
    assert invalid_fields(admin_api.post(f"{path}/labels", json={"labels": [1, 2]}))["attributes"] == ["labels"]
    assert invalid_fields(admin_api.post(f"{path}/labels", json={"labels": ["x" * 256]}))["attributes"] == ["labels"]
    assert invalid_fields(admin_api.post(f"{path}/notes", json={"content": 5}))["attributes"] == ["content"]
    assert invalid_fields(admin_api.post(f"{path}/notes", json={}))["attributes"] == ["content"]
    answer = admin_api.post(f"{path}/destroy_custom_attributes", json={"custom_attributes": "plan"})
    assert invalid_fields(answer)["attributes"] == ["custom_attributes"]
    answer = admin_api.post("/actions/contact_merge", json={"base_contact_id": "one", "mergee_contact_id": 2})
    assert "base_contact_id" in invalid_fields(answer)["attributes"]
    assert admin_api.get(f"{path}/labels").json() == {"payload": []}
    assert admin_api.contact(contact["id"]) == contact


@pytest.mark.parametrize("contact_id", ["abc", "1.5", "1e3", "%20", "-", "１"])
def test_non_integer_contact_id_is_a_4xx(admin_api: AccountApi, contact_id: str) -> None:
    for suffix in ("", "/conversations", "/labels", "/notes", "/events"):
        assert_client_error(admin_api.get(f"/contacts/{contact_id}{suffix}"))
    # An invalid body too, so that an id misread as a number could never change a demo contact.
    assert_client_error(admin_api.put(f"/contacts/{contact_id}", json={"email": "not-an-email"}))


@pytest.mark.parametrize("contact_id", ["0", "-1"])
def test_impossible_contact_ids_are_404(admin_api: AccountApi, contact_id: str) -> None:
    assert error_body(admin_api.get(f"/contacts/{contact_id}"), 404) == {"error": "Resource could not be found"}


def test_out_of_range_ids_are_a_4xx(admin_api: AccountApi) -> None:
    for number in (2**31, 2**63, 10**20):
        assert_client_error(admin_api.get(f"/contacts/{number}"))
        assert_client_error(admin_api.put(f"/contacts/{number}", json={"name": "x"}))
        assert_client_error(admin_api.get(f"/contacts/{number}/conversations"))
        assert_client_error(admin_api.get(f"/conversations/{number}"))
        merge = {"base_contact_id": number, "mergee_contact_id": number + 1}
        assert_client_error(admin_api.post("/actions/contact_merge", json=merge))
        answer = admin_api.get("/conversations/1/messages", params={"before": number})
        assert answer.status_code < 500, answer.text


def test_nul_characters_are_never_a_server_error(
    server: RunningServer, admin_api: AccountApi, contact: dict[str, Any]
) -> None:
    """PostgreSQL text cannot hold U+0000: the server must refuse or drop it, not fail."""
    path = f"/contacts/{contact['id']}"
    answers = [
        admin_api.get("/contacts/search", params={"q": "a\u0000b"}),
        admin_api.put(path, json={"name": "a\u0000b"}),
        admin_api.put(path, json={"custom_attributes": {"note\u0000": "x\u0000"}}),
        admin_api.post(f"{path}/notes", json={"content": "a\u0000b"}),
        admin_api.post(f"{path}/labels", json={"labels": ["a\u0000b"]}),
        admin_api.post("/contacts", json={"identifier": "id\u0000x"}),
    ]
    for answer in answers:
        assert answer.status_code < 500, answer.text
        if answer.status_code >= 400:
            assert_client_error(answer)


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", str(10**6), str(10**6 + 1), str(2**63), str(10**40)])
def test_page_numbers_are_fine_or_a_4xx(server: RunningServer, admin_api: AccountApi, page: str) -> None:
    contact = server.create_contact()
    for path in ("/contacts", f"/contacts/{contact['id']}/conversations", f"/contacts/{contact['id']}/events"):
        answer = admin_api.get(path, params={"page": page})
        if answer.status_code == 200:
            assert answer.json()["payload"] == [], (path, page)
            assert answer.json()["meta"]["current_page"] == int(page)
        else:
            assert_client_error(answer)
    answer = admin_api.get("/contacts/search", params={"q": "a", "page": page})
    if answer.status_code != 200:
        assert_client_error(answer)


def test_odd_query_values_are_fine_or_a_4xx(admin_api: AccountApi) -> None:
    for params in (
        {"sort": "-nonsense"},
        {"sort": "name; drop table contacts"},
        {"sort": "x" * 100},
        {"q": "x" * 300},
        {"q": "%"},
        {"q": "_"},
        {"q": "'\"\\"},
    ):
        path = "/contacts/search" if "q" in params else "/contacts"
        answer = admin_api.get(path, params=params)
        assert answer.status_code < 500, (params, answer.text)
        if answer.status_code != 200:
            assert_client_error(answer)
    assert admin_api.get("/contacts").json()["meta"]["count"] >= 200


def test_attribute_model_out_of_range_is_a_4xx(admin_api: AccountApi) -> None:
    for value in ("2", "-1", "contact"):
        assert_client_error(admin_api.get("/custom_attribute_definitions", params={"attribute_model": value}))


def test_unknown_fields_are_ignored(admin_api: AccountApi, contact: dict[str, Any]) -> None:
    """Chatwoot drops unpermitted parameters; so does the embedded server (id and times are not writable)."""
    answer = admin_api.put(
        f"/contacts/{contact['id']}",
        json={"id": 1, "account_id": 2, "created_at": 0, "updated_at": 1, "nickname": "Ace", "name": "Renamed"},
    )
    assert answer.status_code == 200, answer.text
    payload = answer.json()["payload"]
    assert payload == {**contact, "name": "Renamed"}


def test_every_client_error_has_a_contract_shape(
    server: RunningServer, admin_api: AccountApi, agent_api: AccountApi, contact: dict[str, Any]
) -> None:
    """A sweep over the error answers of every route: each is `{error}` or `{message, attributes}`."""
    path = f"/contacts/{contact['id']}"
    answers = [
        admin_api.get("/contacts/987654321"),
        admin_api.put("/contacts/987654321", json={}),
        admin_api.post("/contacts", json={"email": "bad"}),
        admin_api.put(path, json={"phone_number": "bad"}),
        admin_api.get("/contacts/search", params={"q": ""}),
        admin_api.get("/contacts", params={"page": "x"}),
        admin_api.post(f"{path}/notes", json={"content": ""}),
        admin_api.delete(f"{path}/notes/987654321"),
        admin_api.post(f"{path}/labels", json={}),
        admin_api.get("/conversations/987654321"),
        admin_api.get("/conversations/987654321/messages"),
        admin_api.post("/actions/contact_merge", json={}),
        admin_api.post(f"{path}/destroy_custom_attributes", json={}),
        agent_api.delete(path),
        admin_api.get(path, headers={"api_access_token": "nope"}),
        AccountApi.of(admin_api.client, server, "agent", account_id=2).get("/labels"),
        admin_api.put(path, content=b"{", headers=JSON),
    ]
    for answer in answers:
        assert_client_error(answer)
    assert admin_api.contact(contact["id"]) == contact
