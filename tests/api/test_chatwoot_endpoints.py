"""Endpoints and rules of Chatwoot's contacts API the embedded server had missing or different (issue 12).

Each test is written from Chatwoot's controllers and views: `contacts_controller.rb` (active, search with
`has_more`, `include_contact_inboxes`, contactable_inboxes), `contacts/notes_controller.rb` (show, update),
`custom_attribute_definitions_controller.rb` (+ its policy: writes are for administrators) and `contact.rb`'s
phone rule `/\\+[1-9]\\d{1,14}\\z/`.
"""

from __future__ import annotations

from typing import Any

import pytest

from api.validation import ContactInvalid, check_contact_changes
from tests.api.account_api import AccountApi
from tests.api.sample_data import give_conversations, unique_email, unique_phone, unique_token
from tests.api.shapes import assert_contact, assert_note, error_body, invalid_fields
from tests.support.processes import RunningServer

# --- GET /contacts/{id}/contactable_inboxes ---------------------------------------------------------


def contactable(api: AccountApi, contact_id: int) -> dict[str, dict[str, Any]]:
    answer = api.get(f"/contacts/{contact_id}/contactable_inboxes")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"payload"}
    by_channel: dict[str, dict[str, Any]] = {}
    for item in body["payload"]:
        assert set(item) == {"inbox", "source_id"}, item
        assert {"id", "name", "channel_type"} <= set(item["inbox"]), item["inbox"]
        by_channel[item["inbox"]["channel_type"]] = item
    return by_channel


def test_contactable_inboxes_follow_chatwoots_rules_per_channel(server: RunningServer, admin_api: AccountApi) -> None:
    email, phone = unique_email("reach"), unique_phone()
    created = admin_api.post("/contacts", json={"email": email, "phone_number": phone, "inbox_id": 1}).json()
    contact = created["payload"]["contact"]
    found = contactable(admin_api, contact["id"])
    assert set(found) == {"Channel::WebWidget", "Channel::Email", "Channel::Whatsapp"}
    assert found["Channel::WebWidget"]["source_id"] == created["payload"]["contact_inbox"]["source_id"]
    assert found["Channel::Email"]["source_id"] == email
    assert found["Channel::Whatsapp"]["source_id"] == phone.removeprefix("+")

    # A website inbox whose contact inbox already has a conversation is not offered again (Chatwoot's FIXME).
    give_conversations(server, contact["id"], 1)
    assert set(contactable(admin_api, contact["id"])) == {"Channel::Email", "Channel::Whatsapp"}


def test_a_contact_without_ways_to_reach_has_no_contactable_inboxes(admin_api: AccountApi) -> None:
    contact = admin_api.post("/contacts", json={"name": "Unreachable"}).json()["payload"]["contact"]
    assert contactable(admin_api, contact["id"]) == {}


# --- GET /contacts/search: meta.has_more; include_contact_inboxes ----------------------------------


def test_search_meta_has_has_more(server: RunningServer, admin_api: AccountApi) -> None:
    token = unique_token()
    for n in range(16):
        server.create_contact(name=f"More {token} {n}")
    first = admin_api.get("/contacts/search", params={"q": token}).json()
    assert first["meta"]["has_more"] is True and len(first["payload"]) == 15
    assert first["meta"]["current_page"] == 1 and isinstance(first["meta"]["count"], int)
    second = admin_api.get("/contacts/search", params={"q": token, "page": 2}).json()
    assert second["meta"]["has_more"] is False and len(second["payload"]) == 1


@pytest.mark.parametrize("path", ["/contacts", "/contacts/search", "/contacts/active"])
def test_include_contact_inboxes_false_leaves_them_out_of_lists(
    server: RunningServer, admin_api: AccountApi, path: str
) -> None:
    created = admin_api.post("/contacts", json={"name": f"Inboxed {unique_token()}", "inbox_id": 1}).json()
    params = {"q": created["payload"]["contact"]["name"]} if path.endswith("search") else {}
    without = admin_api.get(path, params={**params, "include_contact_inboxes": "false"}).json()
    assert all("contact_inboxes" not in contact for contact in without["payload"])
    listed = admin_api.get(path, params={**params, "include_contact_inboxes": "true"}).json()
    for contact in listed["payload"]:
        assert_contact(contact)
    if not path.endswith("active"):
        assert without["payload"] and listed["payload"][0]["contact_inboxes"]


def test_include_contact_inboxes_false_on_show_and_update(admin_api: AccountApi) -> None:
    contact = admin_api.post("/contacts", json={"name": "Show me", "inbox_id": 1}).json()["payload"]["contact"]
    path = f"/contacts/{contact['id']}"
    shown = admin_api.get(path, params={"include_contact_inboxes": "false"}).json()["payload"]
    assert "contact_inboxes" not in shown and shown["id"] == contact["id"]
    updated = admin_api.put(path, params={"include_contact_inboxes": "false"}, json={"name": "Shown"}).json()
    assert "contact_inboxes" not in updated["payload"] and updated["payload"]["name"] == "Shown"
    assert admin_api.contact(contact["id"])["contact_inboxes"]


# --- GET /contacts/active ----------------------------------------------------------------------------


def test_active_contacts_is_a_contact_page(admin_api: AccountApi) -> None:
    """Chatwoot lists contacts online in its website widget; the embedded server has no widget, so none are."""
    body = admin_api.get("/contacts/active", params={"page": 1}).json()
    assert body == {"meta": {"count": 0, "current_page": 1}, "payload": []}


# --- notes: show and update --------------------------------------------------------------------------


def test_show_and_update_one_note(server: RunningServer, admin_api: AccountApi) -> None:
    contact = server.create_contact()
    path = f"/contacts/{contact['id']}/notes"
    note = admin_api.post(path, json={"content": "First thought"}).json()
    shown = admin_api.get(f"{path}/{note['id']}")
    assert shown.status_code == 200 and shown.json() == note
    changed = admin_api.patch(f"{path}/{note['id']}", json={"content": "Second thought"})
    assert changed.status_code == 200, changed.text
    assert_note(changed.json())
    assert changed.json()["content"] == "Second thought" and changed.json()["id"] == note["id"]
    assert changed.json()["updated_at"] >= note["updated_at"]
    assert [n["content"] for n in admin_api.get(path).json()] == ["Second thought"]
    nested = admin_api.put(f"{path}/{note['id']}", json={"note": {"content": "Third thought"}})
    assert nested.status_code == 200 and nested.json()["content"] == "Third thought"


def test_updating_a_note_with_bad_content_changes_nothing(server: RunningServer, admin_api: AccountApi) -> None:
    contact = server.create_contact()
    path = f"/contacts/{contact['id']}/notes"
    note = admin_api.post(path, json={"content": "Keep me"}).json()
    for bad in ({"content": "  "}, {"content": 5}, {"content": "x" * 10_001}, {}):
        assert invalid_fields(admin_api.patch(f"{path}/{note['id']}", json=bad))["attributes"] == ["content"]
    assert admin_api.get(f"{path}/{note['id']}").json()["content"] == "Keep me"
    assert error_body(admin_api.get(f"{path}/987654321"), 404)
    other = server.create_contact()
    assert error_body(admin_api.get(f"/contacts/{other['id']}/notes/{note['id']}"), 404)
    assert error_body(admin_api.patch(f"/contacts/{other['id']}/notes/{note['id']}", json={"content": "x"}), 404)


# --- custom attribute definitions: create, update, delete ---------------------------------------------


def new_definition(**fields: Any) -> dict[str, Any]:
    return {
        "attribute_display_name": "Loyalty tier",
        "attribute_display_type": "list",
        "attribute_key": f"tier_{unique_token()}",
        "attribute_description": "How loyal",
        "attribute_model": "contact_attribute",
        "attribute_values": ["bronze", "silver", "gold"],
        **fields,
    }


def test_administrator_creates_updates_and_deletes_a_definition(admin_api: AccountApi) -> None:
    body = new_definition()
    created = admin_api.post("/custom_attribute_definitions", json=body)
    assert created.status_code == 200, created.text
    definition = created.json()
    assert {k: definition[k] for k in body} == body
    assert isinstance(definition["id"], int) and "updated_at" in definition and "created_at" in definition
    listed = admin_api.get("/custom_attribute_definitions", params={"attribute_model": 1}).json()
    assert definition["id"] in [d["id"] for d in listed]
    assert admin_api.get(f"/custom_attribute_definitions/{definition['id']}").json() == definition

    # The key is now checked on contacts: a value off the list is refused.
    contact = admin_api.post("/contacts", json={"name": "Tiered"}).json()["payload"]["contact"]
    refused = admin_api.put(f"/contacts/{contact['id']}", json={"custom_attributes": {body["attribute_key"]: "tin"}})
    assert invalid_fields(refused)["attributes"] == ["custom_attributes"]

    # Rails wraps a JSON body under the model's name: both shapes are read.
    path = f"/custom_attribute_definitions/{definition['id']}"
    renamed = admin_api.patch(path, json={"custom_attribute_definition": {"attribute_display_name": "Tier"}})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["attribute_display_name"] == "Tier"
    assert renamed.json()["attribute_values"] == body["attribute_values"]
    widened = admin_api.put(path, json={"attribute_values": ["bronze", "silver", "gold", "tin"]}).json()
    assert widened["attribute_values"][-1] == "tin"
    accepted = admin_api.put(f"/contacts/{contact['id']}", json={"custom_attributes": {body["attribute_key"]: "tin"}})
    assert accepted.status_code == 200

    deleted = admin_api.delete(path)
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert error_body(admin_api.get(path), 404)
    assert definition["id"] not in [d["id"] for d in admin_api.get("/custom_attribute_definitions").json()]


def test_agents_may_not_change_definitions(admin_api: AccountApi, agent_api: AccountApi) -> None:
    unauthorized = {"error": "You are not authorized to do this action"}
    assert error_body(agent_api.post("/custom_attribute_definitions", json=new_definition()), 401) == unauthorized
    definition = admin_api.post("/custom_attribute_definitions", json=new_definition()).json()
    path = f"/custom_attribute_definitions/{definition['id']}"
    assert error_body(agent_api.patch(path, json={"attribute_display_name": "Agent's"}), 401) == unauthorized
    assert error_body(agent_api.delete(path), 401) == unauthorized
    assert agent_api.get(path).json() == definition


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"attribute_display_name": ""}, "attribute_display_name"),
        ({"attribute_key": ""}, "attribute_key"),
        ({"attribute_key": "has space"}, "attribute_key"),
        ({"attribute_key": "email"}, "attribute_key"),
        ({"attribute_display_type": "colour"}, "attribute_display_type"),
        ({"attribute_model": "planet_attribute"}, "attribute_model"),
        ({"attribute_values": "gold"}, "attribute_values"),
        ({"regex_pattern": "(unclosed"}, "regex_pattern"),
        ({"attribute_display_name": "x" * 256}, "attribute_display_name"),
    ],
)
def test_bad_definitions_are_422(admin_api: AccountApi, change: dict[str, Any], field: str) -> None:
    before = admin_api.get("/custom_attribute_definitions", params={"attribute_model": 1}).json()
    answer = admin_api.post("/custom_attribute_definitions", json=new_definition(**change))
    assert field in invalid_fields(answer)["attributes"]
    assert admin_api.get("/custom_attribute_definitions", params={"attribute_model": 1}).json() == before


def test_a_definition_key_is_unique_per_model(admin_api: AccountApi) -> None:
    body = new_definition()
    assert admin_api.post("/custom_attribute_definitions", json=body).status_code == 200
    taken = invalid_fields(admin_api.post("/custom_attribute_definitions", json=body))
    assert taken == {"message": "Attribute key has already been taken", "attributes": ["attribute_key"]}
    other_model = admin_api.post("/custom_attribute_definitions", json={**body, "attribute_model": 0})
    assert other_model.status_code == 200 and other_model.json()["attribute_model"] == "conversation_attribute"


def test_definitions_carry_updated_at(admin_api: AccountApi) -> None:
    for definition in admin_api.get("/custom_attribute_definitions", params={"attribute_model": 1}).json():
        assert "updated_at" in definition and "created_at" in definition


# --- phone numbers: Chatwoot's rule on the server, the stricter one in the UI --------------------------


@pytest.mark.parametrize("phone", ["+999123456", "+12", "+1555555555555"])
def test_server_stores_what_chatwoots_phone_rule_allows(
    server: RunningServer, admin_api: AccountApi, phone: str
) -> None:
    contact = server.create_contact()
    answer = admin_api.put(f"/contacts/{contact['id']}", json={"phone_number": phone})
    assert answer.status_code == 200, answer.text
    assert answer.json()["payload"]["phone_number"] == phone
    with pytest.raises(ContactInvalid):
        check_contact_changes({"phone_number": phone})  # the UI's own check stays the stricter one


# --- one account never reaches another's ----------------------------------------------------------------


def test_every_new_endpoint_is_404_for_another_accounts_contact(
    server: RunningServer, admin_api: AccountApi, other_admin_api: AccountApi
) -> None:
    contact = server.create_contact()
    note = admin_api.post(f"/contacts/{contact['id']}/notes", json={"content": "Private"}).json()
    definition = admin_api.post("/custom_attribute_definitions", json=new_definition()).json()
    path = f"/contacts/{contact['id']}"
    for answer in (
        other_admin_api.get(f"{path}/contactable_inboxes"),
        other_admin_api.get(f"{path}/notes/{note['id']}"),
        other_admin_api.patch(f"{path}/notes/{note['id']}", json={"content": "Mine now"}),
        other_admin_api.delete(f"{path}/avatar"),
        other_admin_api.get(f"/custom_attribute_definitions/{definition['id']}"),
        other_admin_api.patch(
            f"/custom_attribute_definitions/{definition['id']}", json={"attribute_display_name": "x"}
        ),
        other_admin_api.delete(f"/custom_attribute_definitions/{definition['id']}"),
    ):
        assert error_body(answer, 404) == {"error": "Resource could not be found"}
    assert contact["id"] not in [c["id"] for c in other_admin_api.get("/contacts/active").json()["payload"]]
    assert admin_api.get(f"{path}/notes/{note['id']}").json()["content"] == "Private"
    assert admin_api.get(f"/custom_attribute_definitions/{definition['id']}").json() == definition


def test_new_endpoints_in_plain_mode(plain_api_server: RunningServer, http: Any) -> None:
    api = AccountApi.of(http, plain_api_server, "admin")
    contact = api.post("/contacts", json={"email": unique_email("plain"), "inbox_id": 1}).json()["payload"]["contact"]
    assert contactable(api, contact["id"])
    assert api.get("/contacts/active").json()["payload"] == []
    assert "has_more" in api.get("/contacts/search", params={"q": contact["email"]}).json()["meta"]
    note = api.post(f"/contacts/{contact['id']}/notes", json={"content": "plain"}).json()
    assert api.patch(f"/contacts/{contact['id']}/notes/{note['id']}", json={"content": "plainer"}).status_code == 200
    definition = api.post("/custom_attribute_definitions", json=new_definition())
    assert definition.status_code == 200
    assert api.delete(f"/custom_attribute_definitions/{definition.json()['id']}").status_code == 204
