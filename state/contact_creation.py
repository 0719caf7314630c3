"""Creating a contact: the edit form's rules before anything is sent, and the server's answer made into what the
agent can act on.

A value another contact has (a 422 "has already been taken") names that contact, so the agent can open it instead
of making a second one: the embedded server says which it is (`ValidationFailed.existing`, asked for by the client);
against Chatwoot, which does not, the contact is looked up by its value. A create whose answer never came is not
called failed: the contact is looked up by its email, phone number or identifier for as long as the write may still
land, and only that decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from api.client import ChatwootClient
from api.error_codes import ErrorCode
from api.errors import ApiError, OutcomeUnknown, ValidationFailed
from api.models import Contact
from api.validation import typed_phone
from state.actions import Reading, build_update_body, not_saved, path_for, settle, validate_changes
from state.problems import Problem, ServerSaid, problem_of
from state.store import ContactStore, FieldPath

CreateStatus = Literal["created", "invalid", "taken", "failed", "unknown"]
UNIQUE_FIELDS = ("email", "phone_number", "identifier")


@dataclass(frozen=True, kw_only=True, slots=True)
class ExistingContact:
    """The contact that already has the value the agent typed in `field`."""

    field: str
    id: int
    name: str


@dataclass(kw_only=True, slots=True)
class CreateOutcome:
    """What became of a create: the new contact, what to fix (by field path), or why it failed."""

    status: CreateStatus
    contact: Contact | None = None
    field_errors: dict[FieldPath, Problem] = field(default_factory=dict)
    existing: list[ExistingContact] = field(default_factory=list)
    message: Problem | None = None


def typed_value(path: FieldPath, value: Any) -> Any:
    """What the agent typed as it is checked and sent: a phone number in E.164, blank text as no value."""
    if not isinstance(value, str):
        return value
    if path == "phone_number":
        return typed_phone(value) or None
    return value.strip() or None


def new_contact_fields(typed: dict[FieldPath, Any]) -> dict[FieldPath, Any]:
    """The fields a new contact gets from what was typed: only those with a value."""
    values = {path: typed_value(path, value) for path, value in typed.items()}
    return {path: value for path, value in values.items() if value not in (None, False)}


def problems_of(store: ContactStore, typed: dict[FieldPath, Any]) -> dict[FieldPath, ErrorCode]:
    """The edit form's rules (the server's, and a phone number that exists) on what was typed."""
    return validate_changes(store, new_contact_fields(typed))


async def create_contact(store: ContactStore, client: ChatwootClient, typed: dict[FieldPath, Any]) -> CreateOutcome:
    """Check, then create the contact; a taken value comes back with the contact having it."""
    fields = new_contact_fields(typed)
    problems: dict[FieldPath, Problem] = dict(validate_changes(store, fields))
    if problems:
        return CreateOutcome(status="invalid", field_errors=problems)
    try:
        contact = await client.create_contact(build_update_body({}, fields))
    except ValidationFailed as failed:
        return await _refused(client, failed, fields)
    except OutcomeUnknown:
        return await _settle(client, fields)
    except ApiError as error:
        return CreateOutcome(status="failed", message=problem_of(error))
    return CreateOutcome(status="created", contact=contact)


async def _refused(client: ChatwootClient, failed: ValidationFailed, fields: dict[FieldPath, Any]) -> CreateOutcome:
    paths = list(fields)
    errors: dict[FieldPath, Problem] = {
        path_for(attribute, paths): failed.codes.get(attribute) or ServerSaid(message)
        for attribute, message in failed.fields.items()
    }
    taken = [name for name in UNIQUE_FIELDS if failed.codes.get(name) is ErrorCode.TAKEN and name in fields]
    existing = [found for name in taken if (found := await _having(client, failed, name, fields[name]))]
    status: CreateStatus = "taken" if existing else "invalid"
    return CreateOutcome(status=status, field_errors=errors, existing=existing, message=problem_of(failed))


async def _having(client: ChatwootClient, failed: ValidationFailed, name: str, value: str) -> ExistingContact | None:
    """The contact of the account having `value` in field `name`: as the server named it, else looked up."""
    named = failed.existing.get(name)
    contact: Contact | None
    try:
        contact = (await client.get_contact(named)).contact if named is not None else await _find(client, name, value)
    except ApiError:
        return None  # the 422 stays; only the way to the other contact is missing
    if contact is None:
        return None
    return ExistingContact(field=name, id=contact.id, name=contact.name or contact.email or contact.phone_number or "")


async def _find(client: ChatwootClient, name: str, value: str) -> Contact | None:
    """The contact whose `name` field is exactly `value`, by the search (which matches on all three)."""
    wanted = value.lower() if name == "email" else value
    for contact in (await client.search_contacts(value)).payload:
        held = getattr(contact, name)
        if (held.lower() if name == "email" and held else held) == wanted:
            return contact
    return None


async def _settle(client: ChatwootClient, fields: dict[FieldPath, Any]) -> CreateOutcome:
    """The create's answer was lost: look for the contact by a value only it can have, for as long as a write may
    still be waiting inside the server (as a lost save is settled, state.actions.settle)."""
    known = next(((name, fields[name]) for name in UNIQUE_FIELDS if fields.get(name)), None)
    if known is None:
        return CreateOutcome(status="unknown", message=ErrorCode.TIMEOUT)
    name, value = known

    async def read() -> Reading[Contact]:
        try:
            found = await _find(client, name, value)
        except ApiError as error:
            return Reading(landed=None, error=error)
        return Reading(landed=True if found is not None else None, value=found)

    reading = await settle(read, client.write_timeout)
    if reading.landed and reading.value is not None:
        return CreateOutcome(status="created", contact=reading.value)
    return CreateOutcome(status="unknown", message=not_saved(reading))
