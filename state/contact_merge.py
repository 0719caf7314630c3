"""Merging another contact into the one on screen: the preview the agent chooses in, the merge, its undo, and what
the live events of a merge change in the store.

The base is the contact on screen; the mergee is merged into it and deleted. A server with the merge extension
(the embedded one) takes the agent's choice for every field and offers an undo for a while. Chatwoot keeps the
base's value unless it is blank, then the mergee's: a choice of the mergee's value is honoured by first saving it
(or, for a unique email or phone number, blanking the base's) on the base; a choice of a blank over a value cannot
be, so the preview offers none there (`MergeField.fixed`) and says so.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from api.client import ChatwootClient, MergeUndo
from api.error_codes import ErrorCode
from api.errors import ApiError, Conflict, NotFound, OutcomeUnknown
from api.models import Contact
from api.protocol import MERGE_UNDONE_ALREADY
from state import actions
from state.problems import Problem, problem_of
from state.store import ContactStore, FieldPath, get_path

Side = Literal["base", "mergee"]
CHOOSABLE_FIELDS: tuple[FieldPath, ...] = ("name", "email", "phone_number")
# The fields Chatwoot holds unique per account: the mergee's value reaches the base by blanking the base's.
UNIQUE_FIELDS = ("email", "phone_number")


class MergeIssue(StrEnum):
    """What went wrong with a merge or its undo beyond the common problems; its value is its key under `MERGE.`."""

    SELF = "SELF"
    UNDO_EXPIRED = "UNDO_EXPIRED"
    UNDO_CHANGED = "UNDO_CHANGED"
    UNDO_GONE = "UNDO_GONE"
    UNDONE_ALREADY = "UNDONE_ALREADY"


MergeProblem = Problem | MergeIssue


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass(kw_only=True, slots=True)
class MergeField:
    """One field whose values differ between the two contacts, and whose value the merged contact keeps."""

    path: FieldPath
    base_value: Any
    mergee_value: Any
    choice: Side
    # The server decides this field whatever the agent picks (Chatwoot: a value wins over a blank).
    fixed: bool = False


@dataclass(kw_only=True, slots=True)
class MergePreview:
    """The two contacts side by side and what moves to the base; `undoable`: the server offers an undo."""

    base: Contact
    mergee: Contact
    fields: list[MergeField]
    labels: list[str] = field(default_factory=list)
    conversations: int = 0
    notes: int = 0
    undoable: bool = False

    def choices(self) -> dict[FieldPath, Side]:
        return {item.path: item.choice for item in self.fields}


@dataclass(kw_only=True, slots=True)
class MergeOutcome:
    """How a merge ended: `merged` with the base as it is now and the undo offered, or why not."""

    merged: bool
    contact: Contact | None = None
    undo: MergeUndo | None = None
    problem: MergeProblem | None = None


def merge_fields(base: Contact, mergee: Contact, *, choosable: bool) -> list[MergeField]:
    """The fields that differ, each with Chatwoot's choice (the base's value unless blank) to start from.

    `choosable`: the server takes any choice; otherwise a field where only one side has a value is fixed to it
    when the choice would take a blank over a value the server keeps (the base's blank; a custom attribute the
    mergee lacks, which no update of the base can remove).
    """
    fields: list[MergeField] = []
    paths = [*CHOOSABLE_FIELDS]
    keys = sorted(set(base.custom_attributes) | set(mergee.custom_attributes))
    paths += [f"custom_attributes.{key}" for key in keys]
    base_data, mergee_data = base.model_dump(), mergee.model_dump()
    for path in paths:
        ours, theirs = get_path(base_data, path), get_path(mergee_data, path)
        if ours == theirs or (blank(ours) and blank(theirs)):
            continue
        choice: Side = "mergee" if blank(ours) else "base"
        fixed = not choosable and (blank(ours) or (path.startswith("custom_attributes.") and blank(theirs)))
        fields.append(MergeField(path=path, base_value=ours, mergee_value=theirs, choice=choice, fixed=fixed))
    return fields


async def merge_preview(store: ContactStore, client: ChatwootClient, base_id: int, mergee_id: int) -> MergePreview:
    """Both contacts as the server has them now and what the mergee brings; raises `ApiError` when a read fails
    (`NotFound`: one of them is gone), and refuses a contact merged into itself (`ValueError`)."""
    if base_id == mergee_id:
        raise ValueError(MergeIssue.SELF)
    base, mergee, labels, history, notes = await asyncio.gather(
        client.get_contact(base_id),
        client.get_contact(mergee_id),
        client.contact_labels(mergee_id),
        client.contact_conversations(mergee_id),
        client.notes(mergee_id),
    )
    actions.take_server_contact(store, base_id, base.contact.model_dump(), performer=None)
    if base.etag is not None:
        store.entry(base_id).etag = base.etag
    store.notify(base_id)
    choosable = client.supports_merge_choices
    count = history.count if history.count is not None else len(history.conversations)
    return MergePreview(
        base=base.contact,
        mergee=mergee.contact,
        fields=merge_fields(base.contact, mergee.contact, choosable=choosable),
        labels=sorted(set(labels) - set(store.entry(base_id).labels or [])),
        conversations=count,
        notes=len(notes),
        undoable=choosable,
    )


def _prepared_base(preview: MergePreview) -> dict[str, Any]:
    """For Chatwoot: the update of the base that makes its merge keep the agent's choices ({} when none needs it)."""
    body: dict[str, Any] = {}
    for item in preview.fields:
        if item.fixed or item.choice == "base" or blank(item.base_value):
            continue  # the base's value is kept, or its blank filled from the mergee: Chatwoot's own rule
        if item.path.startswith("custom_attributes."):
            body.setdefault("custom_attributes", {})[item.path.split(".", 1)[1]] = item.mergee_value
        elif item.path in UNIQUE_FIELDS:
            body[item.path] = None  # the mergee still holds the value; the merge fills the blank with it
        else:
            body[item.path] = item.mergee_value if not blank(item.mergee_value) else ""
    return body


def _original_values(preview: MergePreview, body: dict[str, Any]) -> dict[str, Any]:
    """The base's values of the fields `body` changes, to put back when the merge then fails."""
    original: dict[str, Any] = {}
    for key, value in body.items():
        if key == "custom_attributes":
            original[key] = {name: preview.base.custom_attributes.get(name) for name in value}
        else:
            original[key] = getattr(preview.base, key)
    return original


async def merge_contacts(store: ContactStore, client: ChatwootClient, preview: MergePreview) -> MergeOutcome:
    """Merge the preview's mergee into its base with the agent's choices; the store then shows the base as merged
    and the mergee as merged into it (its pages turn read-only and say where it went)."""
    base_id, mergee_id = preview.base.id, preview.mergee.id
    if base_id == mergee_id:
        return MergeOutcome(merged=False, problem=MergeIssue.SELF)
    prepared = {} if client.supports_merge_choices else _prepared_base(preview)
    try:
        if prepared:
            await client.update_contact(base_id, prepared)
        try:
            result = await client.merge_contacts(base_id, mergee_id, preview.choices())
        except OutcomeUnknown:
            merged = await _settle_merge(client, base_id, mergee_id)
            if merged is None:
                raise
            contact, undo = merged, None
        except ApiError:
            if prepared:
                await _put_back(client, base_id, _original_values(preview, prepared))
            raise
        else:
            contact, undo = result.contact, result.undo
    except NotFound:
        return MergeOutcome(merged=False, problem=ErrorCode.NOT_FOUND)
    except ApiError as error:
        return MergeOutcome(merged=False, problem=problem_of(error))
    took_merge(store, contact, mergee_id)
    await reload_sections(store, client, base_id)
    return MergeOutcome(merged=True, contact=contact, undo=undo)


async def _put_back(client: ChatwootClient, contact_id: int, values: dict[str, Any]) -> None:
    """Best effort: the base's values from before a merge that then failed (the failure is what the agent hears)."""
    try:
        await client.update_contact(contact_id, values)
    except ApiError:
        return


async def _settle_merge(client: ChatwootClient, base_id: int, mergee_id: int) -> Contact | None:
    """A merge whose answer was lost happened when the mergee is gone: the base as it is then, else None."""

    async def read() -> actions.Reading[Contact]:
        try:
            await client.get_contact(mergee_id)
        except NotFound:
            try:
                return actions.Reading(landed=True, value=(await client.get_contact(base_id)).contact)
            except ApiError as error:
                return actions.Reading(landed=None, error=error)
        except ApiError as error:
            return actions.Reading(landed=None, error=error)
        return actions.Reading(landed=None)

    reading = await actions.settle(read, client.write_timeout)
    return reading.value if reading.landed else None


def took_merge(store: ContactStore, base: Contact, mergee_id: int) -> None:
    """The store after a merge: the base as the server answered, the mergee merged into it."""
    actions.take_server_contact(store, base.id, base.model_dump(), performer=None)
    store.notify(base.id)
    actions.mark_deleted(store, mergee_id, merged_into=base.id, merged_into_name=base.name or base.email or None)


async def undo_merge(store: ContactStore, client: ChatwootClient, undo: MergeUndo) -> MergeProblem | None:
    """Put both contacts of the merge back; None once done (the store shows both again), else why not."""
    try:
        base, mergee = await client.undo_merge(undo.merge_id)
    except Conflict:
        return MergeIssue.UNDO_CHANGED
    except NotFound:
        return MergeIssue.UNDO_GONE
    except ApiError as error:
        if error.status == 410:
            return MergeIssue.UNDONE_ALREADY if error.message == MERGE_UNDONE_ALREADY else MergeIssue.UNDO_EXPIRED
        return problem_of(error)
    restored(store, mergee)
    actions.take_server_contact(store, base.id, base.model_dump(), performer=None)
    store.notify(base.id)
    await asyncio.gather(reload_sections(store, client, base.id), reload_sections(store, client, mergee.id))
    return None


def restored(store: ContactStore, contact: Contact) -> None:
    """A merged-away contact is back: its pages leave the merged state and show it."""
    entry = store.entry(contact.id)
    entry.merged_into = None
    entry.merged_into_name = None
    entry.deleted_by = None
    actions.take_server_contact(store, contact.id, contact.model_dump(), performer=None)
    store.notify(contact.id)


async def reload_sections(store: ContactStore, client: ChatwootClient, contact_id: int) -> None:
    """Read the labels, history, notes and trail of a contact a merge or its undo changed, where they are shown.

    The trail is read afresh: an undo takes the merge's entry away, which a read of the newest page would keep.
    """
    if contact_id not in store.open_contact_ids():
        return
    timeline = store.timeline(contact_id)
    if timeline.loaded and not timeline.loading:
        timeline.events, timeline.page, timeline.count = [], 0, None
    await asyncio.gather(
        actions.fetch_labels(store, client, contact_id),
        actions.fetch_contact_conversations(store, client, contact_id),
        actions.fetch_notes(store, client, contact_id),
    )
    if timeline.loaded or not client.supports_events:
        await actions.fetch_timeline(store, client, contact_id)


async def refresh_after_merge(store: ContactStore, client: ChatwootClient, event: str, data: dict[str, Any]) -> None:
    """After another agent's merge (or its undo) live: the sections of the contacts on screen it changed.

    `apply_event` has already taken the contacts' fields; what moved between them (conversations, notes,
    labels, trail) is read here.
    """
    contact_id = data.get("id")
    if not isinstance(contact_id, int):
        return
    merged = event == "contact.merged"
    unmerged = event == "contact.updated" and isinstance(data.get("unmerged_contact_id"), int)
    came_back = event == "contact.created" and data.get("restored") is True
    if not (merged or unmerged or came_back):
        return
    if came_back and contact_id in store.open_contact_ids():
        await actions.fetch_contact(store, client, contact_id)
    await reload_sections(store, client, contact_id)
