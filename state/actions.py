"""Actions: the only way the store changes. Plain async functions, testable without a browser.

Edits are optimistic: the new values show at once, only the changed fields are
sent, and a failure rolls back exactly those fields (a live update that arrived
meanwhile stays), keeping the agent's draft for a retry.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from dataclasses import dataclass, field
from typing import Any, Literal

from api.client import ChatwootClient
from api.errors import ApiError, Conflict, NetworkError, NotFound, RateLimited, Unauthorized, ValidationFailed
from api.models import Contact, ContactEvent, ContactEventData, Note, Performer
from api.validation import ContactInvalid, check_contact_changes
from state import analytics
from state.store import (
    ConflictState,
    ContactStore,
    FieldPath,
    get_path,
    leaf_paths,
)

log = logging.getLogger(__name__)
LIST_CHANNEL = 0  # listeners of contact lists: any contact created, changed or deleted
EVENT_FIELDS = (
    "name",
    "email",
    "phone_number",
    "identifier",
    "thumbnail",
    "blocked",
    "additional_attributes",
    "custom_attributes",
)

MAX_SAVE_ATTEMPTS = 3  # a save re-sent after 409s that touched none of its fields

SaveStatus = Literal["saved", "unchanged", "invalid", "conflict", "deleted", "failed"]


@dataclass(kw_only=True, slots=True)
class SaveOutcome:
    """What became of a save; `field_errors` maps field paths to rule codes or server messages."""

    status: SaveStatus
    field_errors: dict[FieldPath, str] = field(default_factory=dict)
    message: str | None = None
    fields: list[FieldPath] = field(default_factory=list)


def error_code(error: ApiError) -> str:
    """What to tell the agent: a translatable code (`ERRORS.<code>`) where one fits, else the server's words."""
    if isinstance(error, NetworkError):
        return "SERVER" if error.status else "NETWORK"
    if isinstance(error, Unauthorized):
        return "UNAUTHORIZED"
    if isinstance(error, RateLimited):
        return "RATE_LIMITED"
    return error.message


def track(store: ContactStore, event: str, properties: dict[str, Any]) -> None:
    """Record an analytics event for the store's agent and account."""
    analytics.track(event, properties, agent_id=store.agent_id, account_id=store.account_id)


# --- reading ---


async def fetch_contact(store: ContactStore, client: ChatwootClient, contact_id: int) -> None:
    """Load the contact; a 404 for a contact that was on screen puts it in the deleted state."""
    entry = store.entry(contact_id)
    entry.loading = True
    store.notify(contact_id)
    try:
        result = await client.get_contact(contact_id)
    except NotFound:
        if entry.server is not None:
            mark_deleted(store, contact_id)
        else:
            entry.load_error = "NOT_FOUND"
    except ApiError as error:
        entry.load_error = error_code(error)
    else:
        take_server_contact(store, contact_id, result.contact.model_dump(), performer=None)
        entry.etag = result.etag
        entry.load_error = None
    finally:
        entry.loading = False
        store.notify(contact_id)


def show_known_contact(store: ContactStore, contact: Contact) -> None:
    """Show a contact known from elsewhere (a conversation's sender) until the full one arrives."""
    entry = store.entry(contact.id)
    if entry.server is None:
        entry.server = contact.model_dump()
        store.notify(contact.id)


async def fetch_account(store: ContactStore, client: ChatwootClient) -> None:
    """Account labels and contact attribute definitions, once per store."""
    if store.account_loaded:
        return
    labels, definitions = await asyncio.gather(client.account_labels(), client.attribute_definitions())
    store.account_labels = labels
    store.attribute_definitions = definitions
    store.account_loaded = True


async def fetch_labels(store: ContactStore, client: ChatwootClient, contact_id: int) -> None:
    entry = store.entry(contact_id)
    try:
        entry.labels = await client.contact_labels(contact_id)
        entry.labels_error = None
    except ApiError as error:
        entry.labels_error = error_code(error)
    store.notify(contact_id)


async def fetch_notes(store: ContactStore, client: ChatwootClient, contact_id: int) -> None:
    entry = store.entry(contact_id)
    try:
        entry.notes = await client.notes(contact_id)
        entry.notes_error = None
    except ApiError as error:
        entry.notes_error = error_code(error)
    store.notify(contact_id)


async def fetch_contact_conversations(
    store: ContactStore, client: ChatwootClient, contact_id: int, *, more: bool = False
) -> None:
    """The first page of the contact's history, or the next one with `more`."""
    history = store.history(contact_id)
    if history.loading or (more and not history.has_more):
        return
    page = history.page + 1 if more else 1
    history.loading = True
    store.notify(contact_id)
    try:
        result = await client.contact_conversations(contact_id, page)
    except ApiError as error:
        history.error = error_code(error)
    else:
        known = {c.id for c in history.conversations} if more else set()
        fresh = [c for c in result.conversations if c.id not in known]
        history.conversations = [*history.conversations, *fresh] if more else fresh
        history.page = result.page
        history.count = result.count
        history.error = None
        history.loaded = True
    finally:
        history.loading = False
        store.notify(contact_id)


async def fetch_timeline(store: ContactStore, client: ChatwootClient, contact_id: int, *, more: bool = False) -> None:
    """The activity trail from `/events`; without it, one built from conversations and notes."""
    timeline = store.timeline(contact_id)
    if timeline.loading or (more and not timeline.has_more):
        return
    timeline.loading = True
    store.notify(contact_id)
    try:
        page = await client.contact_events(contact_id, timeline.page + 1 if more else 1)
        if page is None:
            timeline.from_server = False
            timeline.events = derived_timeline(store, contact_id)
            timeline.count = len(timeline.events)
        else:
            timeline.from_server = True
            timeline.events = [*timeline.events, *page.events] if more else page.events
            timeline.page = page.page
            timeline.count = page.count
        timeline.error = None
        timeline.loaded = True
    except ApiError as error:
        timeline.error = error_code(error)
    finally:
        timeline.loading = False
        store.notify(contact_id)


def derived_timeline(store: ContactStore, contact_id: int) -> list[ContactEvent]:
    """An activity trail for servers without `/events`: created, conversations and notes, newest first."""
    events: list[ContactEvent] = []
    contact = store.contact(contact_id)
    if contact and contact.created_at:
        events.append(ContactEvent(id=0, contact_id=contact_id, kind="created", created_at=contact.created_at))
    for conversation in store.history(contact_id).conversations:
        events.append(
            ContactEvent(
                id=-conversation.id,
                contact_id=contact_id,
                kind="conversation_opened",
                new_value=conversation.id,
                created_at=conversation.created_at,
            )
        )
        if conversation.status == "resolved":
            events.append(
                ContactEvent(
                    id=-conversation.id - 1_000_000,
                    contact_id=contact_id,
                    kind="conversation_resolved",
                    new_value=conversation.id,
                    created_at=conversation.last_activity_at,
                )
            )
    for note in store.entry(contact_id).notes or []:
        author = note.user
        events.append(
            ContactEvent(
                id=-note.id - 2_000_000,
                contact_id=contact_id,
                kind="note_added",
                new_value=note.content,
                created_at=note.created_at,
                performer=Performer(id=author.id, name=author.name, type="user") if author else None,
            )
        )
    return sorted(events, key=lambda e: e.created_at or 0, reverse=True)


async def open_contact(
    store: ContactStore, client: ChatwootClient, contact_id: int, *, source: str, seed: Contact | None = None
) -> None:
    """Everything a contact page shows, fetched in parallel; tracks the views."""
    if seed is not None:
        show_known_contact(store, seed)
    await asyncio.gather(
        fetch_contact(store, client, contact_id),
        fetch_account_safely(store, client),
        fetch_labels(store, client, contact_id),
        fetch_contact_conversations(store, client, contact_id),
        fetch_notes(store, client, contact_id),
    )
    await fetch_timeline(store, client, contact_id)
    entry = store.entry(contact_id)
    if entry.server is not None and not entry.deleted:
        track(store, "contact_viewed", {"contact_id": contact_id, "source": source})
        history = store.history(contact_id)
        if history.loaded:
            count = history.count if history.count is not None else len(history.conversations)
            track(store, "contact_history_viewed", {"contact_id": contact_id, "conversation_count": count})


async def fetch_account_safely(store: ContactStore, client: ChatwootClient) -> None:
    """Account data for a contact page; a failure leaves attributes untyped rather than the page broken."""
    try:
        await fetch_account(store, client)
    except ApiError as error:
        log.warning("account labels or attribute definitions unavailable: %s", error)


# --- editing ---


def set_draft(store: ContactStore, contact_id: int, path: FieldPath, value: Any) -> None:
    """Remember what the agent typed in a field (not saved yet)."""
    entry = store.entry(contact_id)
    if path not in entry.draft:
        shown = store.contact(contact_id)
        entry.draft_base[path] = get_path(shown.model_dump(), path) if shown else None
    entry.draft[path] = value
    entry.field_errors.pop(path, None)


def discard_draft(store: ContactStore, contact_id: int, paths: list[FieldPath] | None = None) -> None:
    """Forget the agent's unsaved values (all, or the given fields)."""
    entry = store.entry(contact_id)
    for path in list(entry.draft) if paths is None else paths:
        entry.draft.pop(path, None)
        entry.draft_base.pop(path, None)
        entry.field_errors.pop(path, None)
    entry.save_error = None
    store.notify(contact_id)


def build_update_body(server: dict[str, Any], changes: dict[FieldPath, Any]) -> dict[str, Any]:
    """The PUT body for changed paths: top-level fields as they are, attribute keys shallow-merged.

    A nested object (social profiles) is sent whole, since the server merges one level only.
    """
    body: dict[str, Any] = {}
    for path, value in changes.items():
        parts = path.split(".")
        if len(parts) == 1:
            body[path] = value
            continue
        top = body.setdefault(parts[0], {})
        if len(parts) == 2:
            top[parts[1]] = value
        else:
            nested = top.setdefault(parts[1], copy.deepcopy(get_path(server, f"{parts[0]}.{parts[1]}") or {}))
            nested[parts[2]] = value
    return body


def validate_changes(store: ContactStore, changes: dict[FieldPath, Any]) -> dict[FieldPath, str]:
    """The shared validation rules on a set of changes: field path -> rule code (empty when valid)."""
    definitions = {d.attribute_key: d.model_dump() for d in store.attribute_definitions}
    body = build_update_body({}, changes)
    try:
        check_contact_changes(body, definitions)
    except ContactInvalid as invalid:
        return {problem.field: problem.code for problem in invalid.problems}
    return {}


async def update_contact(
    store: ContactStore, client: ChatwootClient, contact_id: int, changes: dict[FieldPath, Any]
) -> SaveOutcome:
    """Validate, apply optimistically, send only what changed, then confirm or roll back."""
    entry = store.entry(contact_id)
    if entry.server is None or entry.deleted:
        return SaveOutcome(status="deleted" if entry.deleted else "failed", message="NOT_LOADED")
    shown = store.contact(contact_id)
    shown_dict = shown.model_dump() if shown else {}
    changed = {path: value for path, value in changes.items() if get_path(shown_dict, path) != value}
    problems = validate_changes(store, changed)
    if problems:
        entry.field_errors.update(problems)
        store.notify(contact_id)
        return SaveOutcome(status="invalid", field_errors=problems)
    if not changed:
        discard_draft(store, contact_id, list(changes))
        return SaveOutcome(status="unchanged")
    # What the agent saw before editing: a field someone else changed since then is theirs to keep.
    base = {path: entry.draft_base.get(path, get_path(entry.server, path)) for path in changed}
    entry.optimistic.update(changed)
    entry.saving = True
    entry.save_error = None
    store.notify(contact_id)
    try:
        # One save of a contact at a time, each with the version the previous one left.
        async with store.save_lock(contact_id):
            body = build_update_body(entry.server or {}, changed)
            outcome = await _send_update(store, client, contact_id, body, changed, base)
    finally:
        for path in changed:
            entry.optimistic.pop(path, None)
        entry.saving = False
        store.notify(contact_id)
    return outcome


async def _send_update(
    store: ContactStore,
    client: ChatwootClient,
    contact_id: int,
    body: dict[str, Any],
    changed: dict[FieldPath, Any],
    base: dict[FieldPath, Any],
) -> SaveOutcome:
    entry = store.entry(contact_id)
    paths = list(changed)
    etag = entry.etag
    for attempt in range(MAX_SAVE_ATTEMPTS):
        try:
            result = await client.update_contact(contact_id, body, etag)
        except Conflict as conflict:
            current = conflict.current.model_dump() if conflict.current else None
            if current is not None:
                entry.server = current
                entry.etag = conflict.etag
            overlapping = [p for p in paths if current is None or get_path(current, p) != base[p]]
            if not overlapping and attempt + 1 < MAX_SAVE_ATTEMPTS and conflict.etag:
                # Someone changed other fields only: nothing of theirs is at stake, so save again.
                etag = conflict.etag
                body = build_update_body(current or {}, changed)
                continue
            entry.conflict = ConflictState(
                fields=overlapping or paths, performer=entry.last_performer, remote=conflict.current
            )
            return SaveOutcome(status="conflict", fields=overlapping or paths, message=conflict.message)
        except ValidationFailed as failed:
            errors = {
                _path_for(attribute, paths): failed.codes.get(attribute) or message
                for attribute, message in failed.fields.items()
            }
            entry.field_errors.update(errors)
            entry.save_error = failed.message
            return SaveOutcome(status="invalid", field_errors=errors, message=failed.message)
        except NotFound:
            mark_deleted(store, contact_id)
            return SaveOutcome(status="deleted")
        except (NetworkError, ApiError) as error:
            entry.save_error = error_code(error)
            return SaveOutcome(status="failed", message=entry.save_error)
        entry.server = result.contact.model_dump()
        entry.etag = result.etag
        entry.field_errors = {p: e for p, e in entry.field_errors.items() if p not in changed}
        for path, value in changed.items():
            if entry.draft.get(path) == value:
                entry.draft.pop(path, None)
                entry.draft_base.pop(path, None)
        track(store, "contact_updated", {"contact_id": contact_id, "fields_updated": _top_fields(paths)})
        store.notify(LIST_CHANNEL)
        return SaveOutcome(status="saved", fields=paths)
    return SaveOutcome(status="failed", message="CONFLICT_RETRY")


def _path_for(attribute: str, paths: list[FieldPath]) -> FieldPath:
    """The changed path a server error attribute refers to (`custom_attributes` -> its one changed key)."""
    matching = [p for p in paths if p == attribute or p.startswith(f"{attribute}.")]
    return matching[0] if len(matching) == 1 else attribute


def _top_fields(paths: list[FieldPath]) -> list[str]:
    """Field names for analytics: top-level fields and attribute keys, without nesting noise."""
    return list(dict.fromkeys(".".join(p.split(".")[:2]) for p in paths))


async def resolve_conflict(store: ContactStore, client: ChatwootClient, contact_id: int, *, keep_mine: bool) -> None:
    """Reload (drop my conflicting edits, show theirs) or Cancel (keep my draft, save over theirs next time)."""
    entry = store.entry(contact_id)
    conflict = entry.conflict
    entry.conflict = None
    if not keep_mine and conflict is not None:
        discard_draft(store, contact_id, conflict.fields)
    await fetch_contact(store, client, contact_id)
    if keep_mine:
        entry.conflict = None
        shown = store.contact(contact_id)
        if shown is not None:
            current = shown.model_dump()
            for path in entry.draft:
                entry.draft_base[path] = get_path(current, path)
    store.notify(contact_id)


def dismiss_error(store: ContactStore, contact_id: int) -> None:
    entry = store.entry(contact_id)
    entry.save_error = None
    store.notify(contact_id)


# --- labels and notes ---


async def set_labels(store: ContactStore, client: ChatwootClient, contact_id: int, labels: list[str]) -> bool:
    """Replace the contact's labels, shown at once; rolled back on failure."""
    entry = store.entry(contact_id)
    previous = entry.labels
    entry.labels = list(labels)
    entry.labels_error = None
    store.notify(contact_id)
    try:
        entry.labels = await client.set_contact_labels(contact_id, labels)
    except NotFound:
        entry.labels = previous
        mark_deleted(store, contact_id)
        return False
    except ApiError as error:
        entry.labels = previous
        entry.labels_error = error_code(error)
        store.notify(contact_id)
        return False
    store.notify(contact_id)
    await _refresh_timeline(store, client, contact_id)
    return True


async def add_note(store: ContactStore, client: ChatwootClient, contact_id: int, content: str) -> Note | None:
    """Add a note; None (with `notes_error`) when it failed, so the text can stay in the box."""
    entry = store.entry(contact_id)
    try:
        note = await client.add_note(contact_id, content)
    except NotFound:
        mark_deleted(store, contact_id)
        return None
    except ApiError as error:
        entry.notes_error = error_code(error)
        store.notify(contact_id)
        return None
    entry.notes = [note, *(entry.notes or [])]
    entry.notes_error = None
    store.notify(contact_id)
    await _refresh_timeline(store, client, contact_id)
    return note


async def delete_note(store: ContactStore, client: ChatwootClient, contact_id: int, note_id: int) -> bool:
    entry = store.entry(contact_id)
    try:
        await client.delete_note(contact_id, note_id)
    except ApiError as error:
        entry.notes_error = error_code(error)
        store.notify(contact_id)
        return False
    entry.notes = [n for n in entry.notes or [] if n.id != note_id]
    entry.notes_error = None
    store.notify(contact_id)
    await _refresh_timeline(store, client, contact_id)
    return True


async def _refresh_timeline(store: ContactStore, client: ChatwootClient, contact_id: int) -> None:
    if store.timeline(contact_id).loaded:
        await fetch_timeline(store, client, contact_id)


# --- live events ---


def mark_deleted(store: ContactStore, contact_id: int, merged_into: int | None = None) -> None:
    """The contact is gone: open pages switch to the read-only deleted state."""
    entry = store.entry(contact_id)
    entry.deleted = True
    entry.merged_into = merged_into
    entry.optimistic.clear()
    entry.conflict = None
    store.notify(contact_id)
    store.notify(LIST_CHANNEL)


def apply_event(store: ContactStore, event: str, data: dict[str, Any], account_id: int | None = None) -> None:
    """Merge a websocket event into the store.

    A remote change to a field the agent is editing becomes a conflict, never a
    silent overwrite of the draft.
    """
    try:
        incoming = ContactEventData.model_validate(data)
    except ValueError:
        log.warning("ignored malformed %s event", event)
        return
    if account_id is not None and incoming.account_id not in (None, account_id):
        return
    if event == "contact.deleted":
        if incoming.id in store.contacts_by_id:
            mark_deleted(store, incoming.id)
        store.notify(LIST_CHANNEL)
        return
    if event == "contact.created":
        store.notify(LIST_CHANNEL)
        return
    if event not in {"contact.updated", "contact.merged"}:
        return
    entry = store.contacts_by_id.get(incoming.id)
    store.notify(LIST_CHANNEL)
    if entry is None or entry.server is None:
        return
    merged = dict(entry.server)
    for name in EVENT_FIELDS:
        if name in incoming.model_fields_set:
            merged[name] = getattr(incoming, name)
    performer = incoming.performer.name if incoming.performer else None
    if take_server_contact(store, incoming.id, merged, performer=performer):
        store.notify(incoming.id)  # an echo of what this agent already shows changes nothing on screen


def take_server_contact(store: ContactStore, contact_id: int, contact: dict[str, Any], performer: str | None) -> bool:
    """Make `contact` the server's truth; fields it changes under the agent's draft become a conflict.

    Returns whether anything the agent sees changed.
    """
    entry = store.entry(contact_id)
    before = leaf_paths(entry.server or {})
    after = leaf_paths(contact)
    changed = [p for p in set(before) | set(after) if before.get(p) != after.get(p)]
    had_server = entry.server is not None
    was_deleted = entry.deleted
    entry.server = contact
    entry.deleted = False
    if not had_server or not changed:
        return not had_server or was_deleted
    if performer:
        entry.last_performer = performer
    clashing = [
        p
        for p in changed
        if p in entry.draft and entry.draft[p] != after.get(p) and entry.draft_base.get(p) != after.get(p)
    ]
    if clashing:
        entry.conflict = ConflictState(
            fields=sorted(clashing),
            performer=performer or entry.last_performer,
            remote=Contact.model_validate(contact),
        )
    return True


async def refresh_open_timeline(store: ContactStore, client: ChatwootClient, event: str, data: dict[str, Any]) -> None:
    """After a live change to a contact on screen, its activity trail gains the entry: read it again."""
    contact_id = data.get("id")
    live_change = event in {"contact.updated", "contact.merged"} and isinstance(contact_id, int)
    if live_change and contact_id in store.open_contact_ids():
        await _refresh_timeline(store, client, int(contact_id))


async def refetch_open_contacts(store: ContactStore, client: ChatwootClient) -> None:
    """After a reconnect: re-read every contact on screen, so an update missed meanwhile arrives."""
    ids = store.open_contact_ids()
    await asyncio.gather(*(fetch_contact(store, client, cid) for cid in ids))
    await asyncio.gather(*(fetch_labels(store, client, cid) for cid in ids))
