"""No response shape differs from CONTRACT.md: every endpoint's answer against the server's models (shapes.py), and
those against the contract's own example."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.demo import ADMIN
from server import contract
from tests.api.account_api import AccountApi
from tests.api.sample_data import give_conversations, unique_email, unique_phone, unique_token
from tests.api.shapes import (
    assert_attribute_definition,
    assert_contact,
    assert_contact_event,
    assert_contact_page,
    assert_conversation,
    assert_label,
    assert_message,
    assert_note,
    assert_shape,
    assert_user,
    error_body,
    is_error_body,
    keys,
)
from tests.support.processes import RunningServer

EXAMPLE = Path(__file__).with_name("contract_contact_example.json")
# The contract as the team received it, kept in the repository so this check runs on every clone.
CONTRACT_MD = Path(__file__).resolve().parents[2] / "docs" / "contract" / "CONTRACT.md"
# Beyond Chatwoot's contact: the lists' `include_labels` (an extension).
EXTENSION_CONTACT_KEYS = {"labels"}


def contract_example() -> dict[str, Any]:
    example: dict[str, Any] = json.loads(EXAMPLE.read_text())
    return example


@pytest.fixture
def rich_contact(server: RunningServer, admin_api: AccountApi) -> dict[str, Any]:
    """A contact with everything set: inbox links, activity, labels and a note."""
    created = server.create_contact(
        name="Shape Shifter",
        phone_number=unique_phone(),
        identifier=f"crm-{unique_token()}",
        custom_attributes={"plan": "pro", "signed_up": "2024-05-01"},
        additional_attributes={"city": "Oslo", "social_profiles": {"github": "shape"}},
    )
    give_conversations(server, created["id"], 2)
    assert admin_api.post(f"/contacts/{created['id']}/labels", json={"labels": ["vip"]}).status_code == 200
    assert admin_api.post(f"/contacts/{created['id']}/notes", json={"content": "Shape note"}).status_code == 200
    return admin_api.contact(created["id"])


# --- the contract's own example ---------------------------------------------------------------------


def test_copied_example_is_the_contracts_block() -> None:
    markdown = CONTRACT_MD.read_text()
    section = markdown[markdown.index("## The contact object") :]
    block = re.search(r"```json\n(.*?)```", section, re.DOTALL)
    assert block is not None
    assert json.loads(block.group(1)) == contract_example()


def test_the_served_contact_model_is_the_examples() -> None:
    example = contract_example()
    always, when_set = keys(contract.Contact)
    assert set(example) == (always | when_set) - EXTENSION_CONTACT_KEYS
    assert when_set == {"contact_inboxes", "last_activity_at", *EXTENSION_CONTACT_KEYS}
    assert_contact(example, "CONTRACT.md example")
    assert set(example["contact_inboxes"][0]) == set(contract.ContactInbox.model_fields)
    assert set(example["contact_inboxes"][0]["inbox"]) == set(contract.InboxRef.model_fields)


def _without(body: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != key}


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda c: {**c, "updated_at": 1}, "a key the contract does not have"),
        (lambda c: {**c, "labels": ["vip"]}, "the extension's labels, not asked for"),
        (lambda c: {**c, "last_activity_at": None}, "null where the key is left out"),
        (lambda c: {**c, "created_at": 1700000000.0}, "a float for an integer"),
        (lambda c: {**c, "id": True}, "a boolean for an integer"),
        (lambda c: {**c, "email": 5}, "a number for a string"),
        (lambda c: {**c, "name": None}, "null where a string is always sent"),
        (lambda c: _without(c, "availability_status"), "a key always sent, missing"),
        (lambda c: _without(c, "contact_inboxes"), "the inboxes, left out though asked for"),
        (
            lambda c: {**c, "contact_inboxes": [{"source_id": "x", "inbox": {"id": 1, "name": "Web"}}]},
            "an inbox without its channel",
        ),
    ],
)
def test_the_shape_check_refuses_what_the_contract_does_not_send(change: Any, why: str) -> None:
    with pytest.raises(AssertionError):
        assert_contact(change(contract_example()), why)


def test_real_contact_has_the_examples_keys(server: RunningServer, rich_contact: dict[str, Any]) -> None:
    example = contract_example()
    assert set(rich_contact) == set(example)
    assert set(rich_contact["contact_inboxes"][0]) == set(example["contact_inboxes"][0])
    assert set(rich_contact["contact_inboxes"][0]["inbox"]) == set(example["contact_inboxes"][0]["inbox"])
    for key, value in example.items():
        assert type(rich_contact[key]) is type(value) or rich_contact[key] is None, key

    fresh = server.create_contact()
    assert set(fresh) == set(example) - {"last_activity_at"}, "last_activity_at is absent when null"
    assert fresh["additional_attributes"] == {} and fresh["custom_attributes"] == {}
    assert fresh["thumbnail"] == ""


# --- every endpoint ---------------------------------------------------------------------------------


def test_sign_in_and_profile(server: RunningServer, http: httpx.Client) -> None:
    signed_in = http.post(f"{server.url}/auth/sign_in", json={"email": ADMIN[0], "password": ADMIN[1]})
    assert set(signed_in.json()) == {"data"}
    assert_user(signed_in.json()["data"], "sign_in.data")
    profile = http.get(f"{server.url}/api/v1/profile", headers=server.admin.headers)
    assert_user(profile.json(), "profile")


def test_show_update_and_conflict(rich_contact: dict[str, Any], admin_api: AccountApi) -> None:
    path = f"/contacts/{rich_contact['id']}"
    shown = admin_api.get(path)
    assert set(shown.json()) == {"payload"}
    assert_contact(shown.json()["payload"], "show.payload")
    for method in ("PUT", "PATCH"):
        answer = admin_api.request(method, path, json={"name": f"Shape {method}"})
        assert answer.status_code == 200
        assert set(answer.json()) == {"payload"}
        assert_contact(answer.json()["payload"], f"{method}.payload")
    conflict = admin_api.put(path, json={"name": "late"}, headers={"If-Match": shown.headers["ETag"]})
    assert conflict.status_code == 409
    body = conflict.json()
    assert set(body) == {"error", "message", "payload"}
    assert isinstance(body["error"], str) and isinstance(body["message"], str)
    assert_contact(body["payload"], "409.payload")


def test_create_list_and_search(admin_api: AccountApi) -> None:
    email = unique_email("shape")
    created = admin_api.post("/contacts", json={"name": "Shape New", "email": email, "inbox_id": 1}).json()
    assert_shape(created, contract.ContactCreation, "create")
    assert set(created) == {"payload"}
    assert set(created["payload"]) == {"contact", "contact_inbox"}
    assert_contact(created["payload"]["contact"], "create.payload.contact")
    assert set(created["payload"]["contact_inbox"]) >= {"inbox", "source_id"}
    assert isinstance(created["payload"]["contact_inbox"]["inbox"], dict)
    assert isinstance(created["payload"]["contact_inbox"]["source_id"], str)

    listed = admin_api.get("/contacts", params={"page": 2}).json()
    assert len(assert_contact_page(listed, "list")) == 15
    assert set(listed["meta"]) == {"count", "current_page"}, "Chatwoot's index sends no has_more"
    found = assert_contact_page(admin_api.get("/contacts/search", params={"q": email}).json(), "search", has_more=True)
    assert [c["email"] for c in found] == [email]
    assert assert_contact_page(admin_api.get("/contacts/active").json(), "active") == []
    reachable = admin_api.get(f"/contacts/{found[0]['id']}/contactable_inboxes").json()
    assert_shape(reachable, contract.ContactableInboxes, "contactable_inboxes")
    assert reachable["payload"]
    bare = admin_api.get("/contacts", params={"include_contact_inboxes": "false"}).json()["payload"]
    for index, contact in enumerate(bare):
        assert_contact(contact, f"list without inboxes[{index}]", with_contact_inboxes=False)


def test_contact_conversations_paged_and_not(rich_contact: dict[str, Any], admin_api: AccountApi) -> None:
    path = f"/contacts/{rich_contact['id']}/conversations"
    plain = admin_api.get(path).json()
    assert set(plain) == {"payload"}
    paged = admin_api.get(path, params={"page": 1}).json()
    assert set(paged) == {"meta", "payload"}
    assert set(paged["meta"]) == {"count", "current_page"}
    assert len(plain["payload"]) == 2
    for index, conversation in enumerate(plain["payload"] + paged["payload"]):
        assert_conversation(conversation, f"conversations[{index}]")


def test_conversation_and_messages(rich_contact: dict[str, Any], admin_api: AccountApi) -> None:
    listed = admin_api.get(f"/contacts/{rich_contact['id']}/conversations").json()["payload"][0]
    assert_conversation(admin_api.get(f"/conversations/{listed['id']}").json(), "conversation")
    messages = admin_api.get(f"/conversations/{listed['id']}/messages").json()
    assert isinstance(messages["payload"], list) and messages["payload"]
    for index, message in enumerate(messages["payload"]):
        assert_message(message, f"messages[{index}]")


def test_labels_notes_and_events(rich_contact: dict[str, Any], admin_api: AccountApi) -> None:
    path = f"/contacts/{rich_contact['id']}"
    labels = admin_api.get(f"{path}/labels").json()
    assert set(labels) == {"payload"} and labels["payload"] == ["vip"]
    replaced = admin_api.post(f"{path}/labels", json={"labels": ["vip", "lead"]}).json()
    assert set(replaced) == {"payload"} and all(isinstance(t, str) for t in replaced["payload"])

    notes = admin_api.get(f"{path}/notes").json()
    assert isinstance(notes, list) and notes
    for index, note in enumerate(notes):
        assert_note(note, f"notes[{index}]")
    created = admin_api.post(f"{path}/notes", json={"content": "Another"}).json()
    assert_note(created, "created note")
    assert_note(admin_api.get(f"{path}/notes/{created['id']}").json(), "shown note")
    assert_note(admin_api.patch(f"{path}/notes/{created['id']}", json={"content": "Changed"}).json(), "updated note")

    events = admin_api.get(f"{path}/events").json()
    assert set(events) == {"meta", "payload"}
    assert set(events["meta"]) == {"count", "current_page"}
    for index, event in enumerate(events["payload"]):
        assert_contact_event(event, f"events[{index}]")


def test_account_labels_and_attribute_definitions(admin_api: AccountApi) -> None:
    labels = admin_api.get("/labels").json()
    assert set(labels) == {"payload"} and labels["payload"]
    for index, label in enumerate(labels["payload"]):
        assert_label(label, f"labels[{index}]")
    definitions = admin_api.get("/custom_attribute_definitions", params={"attribute_model": 1}).json()
    assert isinstance(definitions, list) and definitions
    for index, definition in enumerate(definitions):
        assert_attribute_definition(definition, f"definitions[{index}]")
    new = {"attribute_display_name": "Shape", "attribute_key": f"shape_{unique_token()}", "attribute_model": 1}
    created = admin_api.post("/custom_attribute_definitions", json=new).json()
    assert_attribute_definition(created, "created definition")
    path = f"/custom_attribute_definitions/{created['id']}"
    assert_attribute_definition(admin_api.get(path).json(), "shown definition")
    assert_attribute_definition(admin_api.patch(path, json={"attribute_display_name": "Shaped"}).json(), "updated")
    deleted = admin_api.delete(path)
    assert (deleted.status_code, deleted.content) == (204, b"")


def test_merge_and_destroy_custom_attributes(server: RunningServer, admin_api: AccountApi) -> None:
    base = server.create_contact(custom_attributes={"vat_id": "XX11", "plan": "pro"})
    mergee = server.create_contact()
    merged = admin_api.post(
        "/actions/contact_merge", json={"base_contact_id": base["id"], "mergee_contact_id": mergee["id"]}
    ).json()
    assert "payload" not in merged
    assert_contact(merged, "merge (bare)")
    destroyed = admin_api.post(
        f"/contacts/{base['id']}/destroy_custom_attributes", json={"custom_attributes": ["vat_id"]}
    ).json()
    assert set(destroyed) == {"payload"}
    assert_contact(destroyed["payload"], "destroy_custom_attributes.payload")


def test_avatar_deletion_answers_the_contact_without_inboxes(server: RunningServer, admin_api: AccountApi) -> None:
    answer = admin_api.delete(f"/contacts/{server.create_contact()['id']}/avatar").json()
    assert set(answer) == {"payload"}
    assert_contact(answer["payload"], "avatar.payload", with_contact_inboxes=False)


def test_delete_answers_an_empty_200(server: RunningServer, admin_api: AccountApi) -> None:
    answer = admin_api.delete(f"/contacts/{server.create_contact()['id']}")
    assert (answer.status_code, answer.content) == (200, b"")


def test_error_bodies(server: RunningServer, admin_api: AccountApi, agent_api: AccountApi) -> None:
    contact = server.create_contact()
    assert error_body(admin_api.get("/contacts/987654321"), 404) == {"error": "Resource could not be found"}
    assert error_body(agent_api.delete(f"/contacts/{contact['id']}"), 401) == {
        "error": "You are not authorized to do this action"
    }
    outsider = AccountApi.of(admin_api.client, server, "agent", account_id=2)
    assert error_body(outsider.get("/contacts"), 401) == {"error": "You are not authorized to access this account"}
    assert error_body(admin_api.get("/contacts", headers={"api_access_token": "x"}), 401) == {
        "error": "Invalid Access Token"
    }
    taken = admin_api.post("/contacts", json={"email": contact["email"]})
    assert error_body(taken, 422) == {"message": "Email has already been taken", "attributes": ["email"]}
    assert is_error_body(admin_api.get("/contacts/search", params={"q": " "}).json())
