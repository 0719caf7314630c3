"""What hangs off a contact: conversations, labels, notes, activity; account labels and attribute definitions."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api.protocol import EXTENSIONS_HEADER
from tests.api.account_api import AccountApi
from tests.api.sample_data import give_conversations, unique_token
from tests.api.shapes import (
    DISPLAY_TYPES,
    assert_attribute_definition,
    assert_contact,
    assert_contact_event,
    assert_conversation,
    assert_label,
    assert_message,
    assert_note,
    error_body,
    invalid_fields,
)
from tests.support.processes import RunningServer

NOT_FOUND = {"error": "Resource could not be found"}
HISTORY_SIZE = 20
EVENTS_PAGE = 25


def contact_with_conversations(server: RunningServer, count: int, **fields: Any) -> dict[str, Any]:
    contact = server.create_contact(**fields)
    give_conversations(server, contact["id"], count)
    return contact


# --- conversations ----------------------------------------------------------------------------------


def test_contact_conversations_newest_activity_first(server: RunningServer, admin_api: AccountApi) -> None:
    contact = contact_with_conversations(server, 3, name="Has History")
    answer = admin_api.get(f"/contacts/{contact['id']}/conversations")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"payload"}
    conversations = body["payload"]
    assert len(conversations) == 3
    for index, conversation in enumerate(conversations):
        assert_conversation(conversation, f"payload[{index}]")
        assert conversation["account_id"] == 1
        assert conversation["meta"]["sender"]["id"] == contact["id"]
        assert conversation["timestamp"] == conversation["last_activity_at"]
        assert len(conversation["messages"]) == 1
        assert conversation["messages"][0]["created_at"] <= conversation["last_activity_at"]
    activity = [c["last_activity_at"] for c in conversations]
    assert activity == sorted(activity, reverse=True)
    assert len({c["id"] for c in conversations}) == 3
    # The contact's own activity follows its newest conversation.
    assert admin_api.contact(contact["id"])["last_activity_at"] == activity[0]


def test_contact_conversations_are_the_20_newest(server: RunningServer, admin_api: AccountApi) -> None:
    contact = contact_with_conversations(server, HISTORY_SIZE + 3)
    path = f"/contacts/{contact['id']}/conversations"
    unpaged = admin_api.get(path).json()
    assert set(unpaged) == {"payload"}
    assert len(unpaged["payload"]) == HISTORY_SIZE

    first = admin_api.get(path, params={"page": 1}).json()
    second = admin_api.get(path, params={"page": 2}).json()
    assert set(second) == {"meta", "payload"}
    assert second["meta"] == {"count": HISTORY_SIZE + 3, "current_page": 2}
    assert first["meta"] == {"count": HISTORY_SIZE + 3, "current_page": 1}
    assert first["payload"] == unpaged["payload"]
    assert len(second["payload"]) == 3
    for index, conversation in enumerate(second["payload"]):
        assert_conversation(conversation, f"page 2 [{index}]")
    newest, oldest = first["payload"], second["payload"]
    assert min(c["last_activity_at"] for c in newest) >= max(c["last_activity_at"] for c in oldest)
    assert len({c["id"] for c in newest + oldest}) == HISTORY_SIZE + 3
    third = admin_api.get(path, params={"page": 3}).json()
    assert third == {"meta": {"count": HISTORY_SIZE + 3, "current_page": 3}, "payload": []}


def test_a_contact_without_conversations_has_an_empty_history(server: RunningServer, admin_api: AccountApi) -> None:
    contact = server.create_contact()
    assert admin_api.get(f"/contacts/{contact['id']}/conversations").json() == {"payload": []}


def test_conversation_and_its_messages(server: RunningServer, admin_api: AccountApi) -> None:
    contact = contact_with_conversations(server, 2)
    listed = admin_api.get(f"/contacts/{contact['id']}/conversations").json()["payload"][0]

    shown = admin_api.get(f"/conversations/{listed['id']}")
    assert shown.status_code == 200, shown.text
    conversation = shown.json()
    assert_conversation(conversation, "conversation (bare)")
    assert conversation["id"] == listed["id"]
    assert conversation["meta"]["sender"]["id"] == contact["id"]
    assert conversation["messages"] == listed["messages"]

    messages = admin_api.get(f"/conversations/{listed['id']}/messages")
    assert messages.status_code == 200, messages.text
    body = messages.json()
    assert set(body) >= {"meta", "payload"}
    assert body["payload"], "every generated conversation has a message"
    for index, message in enumerate(body["payload"]):
        assert_message(message, f"messages[{index}]")
        assert message["conversation_id"] == listed["id"]
    assert body["payload"][-1]["id"] == listed["messages"][0]["id"]
    assert_contact(body["meta"]["contact"], "messages.meta.contact")
    assert body["meta"]["contact"]["id"] == contact["id"]


def test_unknown_conversation_is_404(admin_api: AccountApi) -> None:
    assert error_body(admin_api.get("/conversations/98765432"), 404) == NOT_FOUND
    assert error_body(admin_api.get("/conversations/98765432/messages"), 404) == NOT_FOUND
    assert error_body(admin_api.get("/contacts/98765432/conversations"), 404) == NOT_FOUND


# --- the plain-Chatwoot server ----------------------------------------------------------------------


@pytest.fixture
def plain_admin_api(plain_api_server: RunningServer, http: httpx.Client) -> AccountApi:
    return AccountApi.of(http, plain_api_server, "admin")


def test_plain_server_ignores_page_on_conversations(
    plain_api_server: RunningServer, plain_admin_api: AccountApi
) -> None:
    contact = contact_with_conversations(plain_api_server, HISTORY_SIZE + 3)
    path = f"/contacts/{contact['id']}/conversations"
    unpaged = plain_admin_api.get(path).json()
    paged = plain_admin_api.get(path, params={"page": 2}).json()
    assert set(paged) == {"payload"}
    assert len(paged["payload"]) == HISTORY_SIZE
    assert paged == unpaged
    for index, conversation in enumerate(paged["payload"]):
        assert_conversation(conversation, f"plain payload[{index}]")


def test_plain_server_has_no_etag_no_if_match_and_no_events(
    plain_api_server: RunningServer, plain_admin_api: AccountApi
) -> None:
    contact = plain_api_server.create_contact(name="Plain")
    path = f"/contacts/{contact['id']}"
    shown = plain_admin_api.get(path)
    assert shown.status_code == 200
    assert "ETag" not in shown.headers
    assert EXTENSIONS_HEADER not in shown.headers
    # Chatwoot has no version check: If-Match is ignored and the last write wins.
    saved = plain_admin_api.put(path, json={"name": "Plain 2"}, headers={"If-Match": '"stale-0"'})
    assert saved.status_code == 200, saved.text
    assert "ETag" not in saved.headers
    assert saved.json()["payload"]["name"] == "Plain 2"
    assert error_body(plain_admin_api.get(f"{path}/events"), 404) == NOT_FOUND


def test_extension_server_announces_its_extensions(server: RunningServer, admin_api: AccountApi) -> None:
    contact = server.create_contact()
    shown = admin_api.get(f"/contacts/{contact['id']}")
    offered = {part.strip() for part in shown.headers[EXTENSIONS_HEADER].split(",")}
    assert {"etag", "paging", "events"} <= offered


# --- labels -----------------------------------------------------------------------------------------


def test_contact_labels_are_replaced_as_a_whole(server: RunningServer, admin_api: AccountApi) -> None:
    contact = server.create_contact()
    path = f"/contacts/{contact['id']}/labels"
    assert admin_api.get(path).json() == {"payload": []}

    added = admin_api.post(path, json={"labels": ["vip", "billing"]})
    assert added.status_code == 200, added.text
    assert sorted(added.json()["payload"]) == ["billing", "vip"]

    # One call adds "bug" and removes "billing".
    replaced = admin_api.post(path, json={"labels": ["vip", "bug"]})
    assert replaced.status_code == 200, replaced.text
    assert set(replaced.json()) == {"payload"}
    assert sorted(replaced.json()["payload"]) == ["bug", "vip"]
    assert sorted(admin_api.get(path).json()["payload"]) == ["bug", "vip"]

    cleared = admin_api.post(path, json={"labels": []})
    assert cleared.json() == {"payload": []}
    assert admin_api.get(path).json() == {"payload": []}


def test_contact_labels_of_an_unknown_contact_are_404(admin_api: AccountApi) -> None:
    assert error_body(admin_api.post("/contacts/98765432/labels", json={"labels": ["vip"]}), 404) == NOT_FOUND


def test_account_labels(admin_api: AccountApi) -> None:
    answer = admin_api.get("/labels")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"payload"}
    for index, label in enumerate(body["payload"]):
        assert_label(label, f"labels[{index}]")
    assert {"vip", "billing"} <= {label["title"] for label in body["payload"]}


# --- notes ------------------------------------------------------------------------------------------


def test_notes_create_list_and_delete(server: RunningServer, admin_api: AccountApi, agent_api: AccountApi) -> None:
    contact = server.create_contact()
    path = f"/contacts/{contact['id']}/notes"
    assert admin_api.get(path).json() == []

    first = admin_api.post(path, json={"content": "Called about the invoice"})
    assert first.status_code == 200, first.text
    note = first.json()
    assert_note(note, "created note (bare)")
    assert note["content"] == "Called about the invoice"
    assert note["contact_id"] == contact["id"]
    assert note["user"]["id"] == server.admin.user_id

    second = agent_api.post(path, json={"content": "Follow-up sent"})
    assert second.status_code == 200, second.text
    assert second.json()["user"]["id"] == server.agent.user_id

    listed = admin_api.get(path)
    assert listed.status_code == 200
    notes = listed.json()
    assert isinstance(notes, list)
    for index, item in enumerate(notes):
        assert_note(item, f"notes[{index}]")
    assert [n["id"] for n in notes] == [second.json()["id"], note["id"]], "newest first"

    deleted = admin_api.delete(f"{path}/{note['id']}")
    assert deleted.status_code == 200, deleted.text
    assert [n["id"] for n in admin_api.get(path).json()] == [second.json()["id"]]
    assert error_body(admin_api.delete(f"{path}/{note['id']}"), 404) == NOT_FOUND


@pytest.mark.parametrize("content", ["", "   \n "])
def test_blank_note_is_422(server: RunningServer, admin_api: AccountApi, content: str) -> None:
    contact = server.create_contact()
    path = f"/contacts/{contact['id']}/notes"
    body = invalid_fields(admin_api.post(path, json={"content": content}))
    assert body == {"message": "Content can't be blank", "attributes": ["content"]}
    assert admin_api.get(path).json() == []


def test_a_note_is_deleted_only_through_its_own_contact(server: RunningServer, admin_api: AccountApi) -> None:
    owner = server.create_contact()
    stranger = server.create_contact()
    note = admin_api.post(f"/contacts/{owner['id']}/notes", json={"content": "Mine"}).json()
    assert error_body(admin_api.delete(f"/contacts/{stranger['id']}/notes/{note['id']}"), 404) == NOT_FOUND
    assert [n["id"] for n in admin_api.get(f"/contacts/{owner['id']}/notes").json()] == [note["id"]]


# --- activity (beyond Chatwoot) ---------------------------------------------------------------------


def _summary(event: dict[str, Any]) -> tuple[Any, ...]:
    return (event["kind"], event["field"], event["old_value"], event["new_value"])


def test_events_record_what_happened_newest_first(
    server: RunningServer, admin_api: AccountApi, agent_api: AccountApi
) -> None:
    contact = server.create_contact(name="Before")
    path = f"/contacts/{contact['id']}"
    assert admin_api.put(path, json={"name": "After"}).status_code == 200
    assert admin_api.put(path, json={"custom_attributes": {"plan": "pro"}}).status_code == 200
    assert admin_api.post(f"{path}/labels", json={"labels": ["vip", "billing"]}).status_code == 200
    assert admin_api.post(f"{path}/labels", json={"labels": ["vip", "bug"]}).status_code == 200
    assert agent_api.post(f"{path}/notes", json={"content": "Spoke on the phone"}).status_code == 200

    answer = admin_api.get(f"{path}/events")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"meta", "payload"}
    events = body["payload"]
    assert body["meta"] == {"count": 8, "current_page": 1}
    for index, event in enumerate(events):
        assert_contact_event(event, f"events[{index}]")
        assert event["contact_id"] == contact["id"]
    ids = [e["id"] for e in events]
    assert ids == sorted(ids, reverse=True), "newest first"
    times = [e["created_at"] for e in events]
    assert times == sorted(times, reverse=True)

    summaries = [_summary(e) for e in events]
    assert summaries[0] == ("note_added", None, None, "Spoke on the phone")
    assert events[0]["performer"]["name"] == "Sam Agent"
    assert set(summaries[1:3]) == {("label_removed", "labels", "billing", None), ("label_added", "labels", None, "bug")}
    assert set(summaries[3:5]) == {("label_added", "labels", None, "vip"), ("label_added", "labels", None, "billing")}
    assert summaries[5] == ("updated", "custom_attributes.plan", None, "pro")
    assert summaries[6] == ("updated", "name", "Before", "After")
    assert summaries[7][0] == "created"
    assert {e["performer"]["name"] for e in events[1:]} == {"Alex Admin"}


def test_events_keep_each_value_of_a_many_field_update_as_sent(server: RunningServer, admin_api: AccountApi) -> None:
    """One update of several fields writes one entry per field, each value with its JSON type (text that looks
    like a number stays text, a number a number), and the update's answer carries the same entries live."""
    contact = server.create_contact(name="Before", custom_attributes={"seats": 3, "code": "007"})
    path = f"/contacts/{contact['id']}"
    changes = {"name": "After", "custom_attributes": {"seats": 4, "code": "42", "trial": True, "note": "x"}}
    assert admin_api.put(path, json=changes).status_code == 200

    events = admin_api.get(f"{path}/events").json()["payload"]
    newest = {event["field"]: event for event in events if event["kind"] == "updated"}
    assert {field: (e["old_value"], e["new_value"]) for field, e in newest.items()} == {
        "name": ("Before", "After"),
        "custom_attributes.code": ("007", "42"),
        "custom_attributes.note": (None, "x"),
        "custom_attributes.seats": (3, 4),
        "custom_attributes.trial": (None, True),
    }
    assert len({event["id"] for event in newest.values()}) == len(newest)


def test_events_are_paged_by_25(server: RunningServer, admin_api: AccountApi) -> None:
    contact = server.create_contact()
    path = f"/contacts/{contact['id']}"
    labels = [f"topic-{n:02d}-{unique_token()}" for n in range(30)]
    assert admin_api.post(f"{path}/labels", json={"labels": labels}).status_code == 200

    first = admin_api.get(f"{path}/events").json()
    second = admin_api.get(f"{path}/events", params={"page": 2}).json()
    assert first["meta"] == {"count": 31, "current_page": 1}
    assert second["meta"] == {"count": 31, "current_page": 2}
    assert len(first["payload"]) == EVENTS_PAGE
    assert len(second["payload"]) == 31 - EVENTS_PAGE
    assert min(e["id"] for e in first["payload"]) > max(e["id"] for e in second["payload"])
    assert second["payload"][-1]["kind"] == "created"
    added = {e["new_value"] for e in first["payload"] + second["payload"] if e["kind"] == "label_added"}
    assert added == set(labels)


def test_events_of_an_unknown_contact_are_404(admin_api: AccountApi) -> None:
    assert error_body(admin_api.get("/contacts/98765432/events"), 404) == NOT_FOUND


def test_events_record_a_deletion_of_custom_attributes(server: RunningServer, admin_api: AccountApi) -> None:
    contact = server.create_contact(custom_attributes={"vat_id": "GB77"})
    path = f"/contacts/{contact['id']}"
    answer = admin_api.post(f"{path}/destroy_custom_attributes", json={"custom_attributes": ["vat_id"]})
    assert answer.status_code == 200, answer.text
    newest = admin_api.get(f"{path}/events").json()["payload"][0]
    assert _summary(newest) == ("updated", "custom_attributes.vat_id", "GB77", None)


# --- attribute definitions --------------------------------------------------------------------------


def test_contact_attribute_definitions_cover_every_display_type(admin_api: AccountApi) -> None:
    answer = admin_api.get("/custom_attribute_definitions", params={"attribute_model": 1})
    assert answer.status_code == 200, answer.text
    definitions = answer.json()
    assert isinstance(definitions, list), "a bare array"
    for index, definition in enumerate(definitions):
        assert_attribute_definition(definition, f"definitions[{index}]")
    assert {d["attribute_display_type"] for d in definitions} == DISPLAY_TYPES
    lists = [d for d in definitions if d["attribute_display_type"] == "list"]
    assert all(d["attribute_values"] for d in lists), "list attributes name their values"
    assert len({d["attribute_key"] for d in definitions}) == len(definitions)


def test_conversation_attribute_definitions_are_separate(admin_api: AccountApi) -> None:
    """`attribute_model=0` (Chatwoot's default) lists conversation attributes, none of the contact ones."""
    contact_ids = {
        d["id"] for d in admin_api.get("/custom_attribute_definitions", params={"attribute_model": 1}).json()
    }
    answer = admin_api.get("/custom_attribute_definitions", params={"attribute_model": 0})
    assert answer.status_code == 200, answer.text
    definitions = answer.json()
    for index, definition in enumerate(definitions):
        assert_attribute_definition(definition, f"conversation definitions[{index}]")
    assert "issue_type" in {d["attribute_key"] for d in definitions}
    assert not contact_ids & {d["id"] for d in definitions}
    assert admin_api.get("/custom_attribute_definitions").json() == definitions


def test_messages_name_their_senders_as_chatwoot_does(server: RunningServer, admin_api: AccountApi) -> None:
    """The contact's push data for its messages, the agent's (of this account) for theirs."""
    conversation = admin_api.get("/contacts/1/conversations").json()["payload"][0]
    messages = admin_api.get(f"/conversations/{conversation['id']}/messages").json()["payload"]
    by_type = {message["sender"]["type"]: message["sender"] for message in messages}
    assert set(by_type) == {"contact", "user"}, messages
    contact = by_type["contact"]
    assert contact["id"] == 1 and contact["name"] == "Ada Lovelace" and "account_id" not in contact
    agent = by_type["user"]
    assert agent["name"] and agent["available_name"] == agent["name"]
    assert {"id", "name", "available_name", "avatar_url", "thumbnail", "type"} <= set(agent)
