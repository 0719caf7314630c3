"""The response shapes of CONTRACT.md, written out as key sets and JSON types, and the checks against them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

NoneType = type(None)
Kinds = tuple[type, ...]

# The contact object: exactly these keys (`last_activity_at` absent when null), never `updated_at`.
CONTACT_FIELDS: dict[str, Kinds] = {
    "id": (int,),
    "name": (str,),
    "email": (str, NoneType),
    "phone_number": (str, NoneType),
    "identifier": (str, NoneType),
    "thumbnail": (str,),
    "blocked": (bool,),
    "availability_status": (str,),
    "additional_attributes": (dict,),
    "custom_attributes": (dict,),
    "last_activity_at": (int,),
    "created_at": (int,),
    "contact_inboxes": (list,),
}
OPTIONAL_CONTACT_KEYS = frozenset({"last_activity_at"})
CONTACT_INBOX_FIELDS: dict[str, Kinds] = {"source_id": (str,), "inbox": (dict,)}
INBOX_FIELDS: dict[str, Kinds] = {"id": (int,), "name": (str,), "channel_type": (str,)}

CONVERSATION_STATUSES = frozenset({"open", "resolved", "pending", "snoozed"})
CONVERSATION_FIELDS: dict[str, Kinds] = {
    "id": (int,),
    "account_id": (int,),
    "inbox_id": (int,),
    "status": (str,),
    "priority": (str, NoneType),
    "labels": (list,),
    "unread_count": (int,),
    "created_at": (int,),
    "last_activity_at": (int,),
    "timestamp": (int,),
    "messages": (list,),
    "meta": (dict,),
    "additional_attributes": (dict,),
    "custom_attributes": (dict,),
    "uuid": (str,),
    "updated_at": (int, float),
    "assignee_last_seen_at": (int,),
    "first_reply_created_at": (int,),
    "waiting_since": (int,),
    "sla_policy_id": (int, NoneType),
    "last_non_activity_message": (dict, NoneType),
}
CONVERSATION_META_FIELDS: dict[str, Kinds] = {
    "sender": (dict,),
    "channel": (str,),
    "assignee": (dict,),
    "team": (dict,),
}
# Chatwoot's partial writes these only when there is one: absent, never null (its dashboard reads `assignee.name`).
OPTIONAL_CONVERSATION_META_KEYS = frozenset({"assignee", "team"})
MESSAGE_FIELDS: dict[str, Kinds] = {
    "id": (int,),
    "content": (str, NoneType),
    "message_type": (int,),
    "created_at": (int,),
    "sender": (dict, NoneType),
}
NOTE_FIELDS: dict[str, Kinds] = {
    "id": (int,),
    "content": (str,),
    "contact_id": (int,),
    "user": (dict, NoneType),
    "created_at": (int,),
    "updated_at": (int,),
}
NOTE_USER_FIELDS: dict[str, Kinds] = {"id": (int,), "name": (str,)}
LABEL_FIELDS: dict[str, Kinds] = {
    "id": (int,),
    "title": (str,),
    "description": (str, NoneType),
    "color": (str,),
    "show_on_sidebar": (bool,),
}
DISPLAY_TYPES = frozenset({"text", "number", "currency", "percent", "link", "date", "list", "checkbox"})
ATTRIBUTE_DEFINITION_FIELDS: dict[str, Kinds] = {
    "id": (int,),
    "attribute_display_name": (str,),
    "attribute_display_type": (str,),
    "attribute_key": (str,),
    "attribute_description": (str, NoneType),
    "attribute_values": (list,),
    "regex_pattern": (str, NoneType),
    "regex_cue": (str, NoneType),
    "default_value": (str, int, float, bool, NoneType),
    "attribute_model": (str, int),
    "created_at": (str,),
    "updated_at": (str,),
}
USER_FIELDS: dict[str, Kinds] = {
    "id": (int,),
    "name": (str,),
    "email": (str,),
    "access_token": (str,),
    "pubsub_token": (str,),
    "account_id": (int,),
    "role": (str,),
    "accounts": (list,),
}
USER_ACCOUNT_FIELDS: dict[str, Kinds] = {"id": (int,), "name": (str,), "role": (str,)}
PAGE_META_FIELDS: dict[str, Kinds] = {"count": (int,), "current_page": (int,)}
# `GET /contacts/search` adds `has_more` (Chatwoot's `fetch_contacts_with_has_more`).
SEARCH_META_FIELDS: dict[str, Kinds] = {**PAGE_META_FIELDS, "has_more": (bool,)}
CONTACTABLE_INBOX_FIELDS: dict[str, Kinds] = {"inbox": (dict,), "source_id": (str,)}
# `GET /contacts/{id}/events` (an extension beyond Chatwoot: docs/architecture.md).
CONTACT_EVENT_FIELDS: dict[str, Kinds] = {
    "id": (int,),
    "contact_id": (int,),
    "kind": (str,),
    "field": (str, NoneType),
    "old_value": (str, int, float, bool, dict, list, NoneType),
    "new_value": (str, int, float, bool, dict, list, NoneType),
    "performer": (dict, NoneType),
    "created_at": (int,),
}


def is_kind(value: Any, kinds: Kinds) -> bool:
    """JSON type check where `true` is not an integer."""
    if isinstance(value, bool) and bool not in kinds:
        return False
    return isinstance(value, kinds)


def assert_fields(value: Any, fields: Mapping[str, Kinds], where: str, optional: frozenset[str] = frozenset()) -> None:
    """`value` is an object with every key of `fields` (bar `optional` ones) holding the declared JSON type."""
    assert isinstance(value, dict), f"{where}: expected an object, got {value!r}"
    missing = set(fields) - set(value) - optional
    assert not missing, f"{where}: missing {sorted(missing)} in {sorted(value)}"
    for key, kinds in fields.items():
        if key in value:
            assert is_kind(value[key], kinds), f"{where}.{key}: {value[key]!r} is not one of {kinds}"


def assert_contact(value: Any, where: str = "contact", *, with_contact_inboxes: bool = True) -> None:
    """The contract's contact object, key for key; without `contact_inboxes` where Chatwoot leaves them out."""
    fields = (
        CONTACT_FIELDS if with_contact_inboxes else {k: v for k, v in CONTACT_FIELDS.items() if k != "contact_inboxes"}
    )
    assert_fields(value, fields, where, OPTIONAL_CONTACT_KEYS)
    assert set(value) - OPTIONAL_CONTACT_KEYS == set(fields) - OPTIONAL_CONTACT_KEYS, (
        f"{where}: keys {sorted(value)} differ from the contract's {sorted(fields)}"
    )
    assert "updated_at" not in value
    for index, link in enumerate(value.get("contact_inboxes", [])):
        assert_fields(link, CONTACT_INBOX_FIELDS, f"{where}.contact_inboxes[{index}]")
        assert_fields(link["inbox"], INBOX_FIELDS, f"{where}.contact_inboxes[{index}].inbox")


def assert_contact_page(body: Any, where: str, meta: Mapping[str, Kinds] = PAGE_META_FIELDS) -> list[dict[str, Any]]:
    """`{"meta": {"count", "current_page"}, "payload": [contact...]}` (`meta` as given); returns the payload."""
    assert isinstance(body, dict) and set(body) == {"meta", "payload"}, f"{where}: {body!r}"
    assert_fields(body["meta"], meta, f"{where}.meta")
    assert isinstance(body["payload"], list)
    for index, contact in enumerate(body["payload"]):
        assert_contact(contact, f"{where}.payload[{index}]")
    return body["payload"]


def assert_message(value: Any, where: str) -> None:
    assert_fields(value, MESSAGE_FIELDS, where)


def assert_conversation(value: Any, where: str = "conversation") -> None:
    """A conversation as listed for a contact: the last message only, the contact in `meta.sender`."""
    assert_fields(value, CONVERSATION_FIELDS, where)
    assert value["status"] in CONVERSATION_STATUSES, f"{where}.status: {value['status']!r}"
    assert all(isinstance(label, str) for label in value["labels"]), f"{where}.labels: {value['labels']!r}"
    assert len(value["messages"]) <= 1, f"{where}.messages: {len(value['messages'])} messages"
    for index, message in enumerate(value["messages"]):
        assert_message(message, f"{where}.messages[{index}]")
    assert_fields(value["meta"], CONVERSATION_META_FIELDS, f"{where}.meta", OPTIONAL_CONVERSATION_META_KEYS)
    assert_contact(value["meta"]["sender"], f"{where}.meta.sender")
    if "assignee" in value["meta"]:
        assert_fields(value["meta"]["assignee"], {"id": (int,), "name": (str,)}, f"{where}.meta.assignee")


def assert_note(value: Any, where: str = "note") -> None:
    assert_fields(value, NOTE_FIELDS, where)
    if value["user"] is not None:
        assert_fields(value["user"], NOTE_USER_FIELDS, f"{where}.user")


def assert_label(value: Any, where: str = "label") -> None:
    assert_fields(value, LABEL_FIELDS, where)


def assert_attribute_definition(value: Any, where: str = "definition") -> None:
    assert_fields(value, ATTRIBUTE_DEFINITION_FIELDS, where)
    assert value["attribute_display_type"] in DISPLAY_TYPES, f"{where}: {value['attribute_display_type']!r}"


def assert_user(value: Any, where: str = "user") -> None:
    """The user of sign-in and profile: tokens, and the accounts the agent belongs to."""
    assert_fields(value, USER_FIELDS, where)
    assert value["access_token"] and value["pubsub_token"]
    assert value["accounts"], f"{where}.accounts is empty"
    for index, account in enumerate(value["accounts"]):
        assert_fields(account, USER_ACCOUNT_FIELDS, f"{where}.accounts[{index}]")


def assert_contact_event(value: Any, where: str = "event") -> None:
    assert_fields(value, CONTACT_EVENT_FIELDS, where)
    if value["performer"] is not None:
        assert_fields(value["performer"], {"id": (int,), "name": (str,)}, f"{where}.performer")


def is_error_body(body: Any) -> bool:
    """Chatwoot's two error shapes: `{"error": str}` or `{"message": str, "attributes": [str]}`."""
    if not isinstance(body, dict):
        return False
    if set(body) == {"error"}:
        return isinstance(body["error"], str) and bool(body["error"])
    if set(body) == {"message", "attributes"}:
        return (
            isinstance(body["message"], str)
            and bool(body["message"])
            and isinstance(body["attributes"], list)
            and all(isinstance(name, str) for name in body["attributes"])
        )
    return False


def error_body(answer: httpx.Response, status: int) -> dict[str, Any]:
    """Asserts the status and one of the contract's error shapes; returns the body."""
    assert answer.status_code == status, f"expected {status}, got {answer.status_code}: {answer.text[:500]}"
    assert answer.headers.get("content-type", "").startswith("application/json"), answer.headers
    body = answer.json()
    assert is_error_body(body), f"not a contract error shape: {body!r}"
    result: dict[str, Any] = body
    return result


def invalid_fields(answer: httpx.Response) -> dict[str, Any]:
    """A 422 `{"message", "attributes"}` answer; returns the body."""
    body = error_body(answer, 422)
    assert set(body) == {"message", "attributes"}, body
    return body


def assert_client_error(answer: httpx.Response) -> None:
    """Any 4xx in a contract error shape (never a 5xx)."""
    assert 400 <= answer.status_code < 500, f"expected a 4xx, got {answer.status_code}: {answer.text[:500]}"
    error_body(answer, answer.status_code)
