"""The response shapes of CONTRACT.md, checked against the server's models (`server/contract.py`).

A body passes when it fits the model's serialization schema, the one the OpenAPI document declares: every key the
server always sends is there, a key sent only when set (`last_activity_at`) is absent rather than null, and there is
no other key; and when the model's strict validation takes it: an integer is neither `true` nor `1.0`, a string is
not a number. The checks here add what a schema cannot say: which of the optional keys an answer must have.
"""

from __future__ import annotations

import functools
from typing import Any, get_args

import httpx
import jsonschema_rs
from pydantic import BaseModel, ValidationError

from api.models import AttributeDisplayType
from server import contract

DISPLAY_TYPES = frozenset(get_args(AttributeDisplayType))


@functools.cache
def _schema(model: type[BaseModel]) -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for(model.model_json_schema(mode="serialization"))


def assert_shape(value: Any, model: type[BaseModel], where: str) -> None:
    """`value` is what the server sends as a `model`: its schema's keys and nulls, its strict types."""
    problems = [f"{'/'.join(map(str, e.instance_path)) or '.'}: {e.message}" for e in _schema(model).iter_errors(value)]
    assert not problems, f"{where}: not a {model.__name__}: " + "; ".join(problems[:5])
    try:
        model.model_validate(value, strict=True)
    except ValidationError as error:
        raise AssertionError(f"{where}: not a {model.__name__}: {error}") from None


def keys(model: type[BaseModel]) -> tuple[frozenset[str], frozenset[str]]:
    """The keys a `model` always has, and those it has only when set."""
    schema = model.model_json_schema(mode="serialization")
    required = frozenset(schema.get("required", ()))
    return required, frozenset(schema["properties"]) - required


def assert_contact(
    value: Any, where: str = "contact", *, with_contact_inboxes: bool = True, labels: bool = False
) -> None:
    """The contract's contact object; without `contact_inboxes` where Chatwoot leaves them out, with `labels` only
    where asked for (an extension), never `updated_at`."""
    assert_shape(value, contract.Contact, where)
    assert ("contact_inboxes" in value) == with_contact_inboxes, f"{where}: contact_inboxes in {sorted(value)}"
    assert ("labels" in value) == labels, f"{where}: labels in {sorted(value)}"
    assert "updated_at" not in value


def assert_contact_page(body: Any, where: str, *, has_more: bool | None = None) -> list[dict[str, Any]]:
    """`{"meta": {"count", "current_page"}, "payload": [contact...]}`, with `meta.has_more` or without it where told;
    returns the payload."""
    assert_shape(body, contract.ContactPage, where)
    if has_more is not None:
        assert ("has_more" in body["meta"]) == has_more, f"{where}.meta: {body['meta']!r}"
    for index, contact in enumerate(body["payload"]):
        assert_contact(contact, f"{where}.payload[{index}]")
    payload: list[dict[str, Any]] = body["payload"]
    return payload


def assert_message(value: Any, where: str) -> None:
    assert_shape(value, contract.Message, where)


def assert_conversation(value: Any, where: str = "conversation") -> None:
    """A conversation as listed for a contact: the last message only, the contact in `meta.sender`."""
    assert_shape(value, contract.Conversation, where)
    assert_contact(value["meta"]["sender"], f"{where}.meta.sender")


def assert_note(value: Any, where: str = "note") -> None:
    assert_shape(value, contract.Note, where)


def assert_label(value: Any, where: str = "label") -> None:
    assert_shape(value, contract.Label, where)


def assert_attribute_definition(value: Any, where: str = "definition") -> None:
    assert_shape(value, contract.AttributeDefinition, where)


def assert_user(value: Any, where: str = "user", model: type[contract.User] = contract.User) -> None:
    """The user of sign-in and profile (`validate_token`'s: `ValidatedUser`): tokens, and the accounts the agent
    belongs to."""
    assert_shape(value, model, where)
    assert value["access_token"] and value["pubsub_token"]
    assert value["accounts"], f"{where}.accounts is empty"


def assert_contact_event(value: Any, where: str = "event") -> None:
    assert_shape(value, contract.ContactEvent, where)


def is_error_body(body: Any) -> bool:
    """Chatwoot's two error shapes: `{"error": str}` or `{"message": str, "attributes": [str, ...]}`."""
    return any(_schema(model).is_valid(body) for model in (contract.ErrorAnswer, contract.InvalidAnswer))


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
