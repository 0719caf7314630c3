"""Actions: the only way the store changes. Plain async functions, testable without a browser.

Edits are optimistic: the new values show at once, only the changed fields are
sent, and a failure rolls back exactly those fields (a live update that arrived
meanwhile stays), keeping the agent's draft for a retry.

A write whose answer is lost (a timeout, a dropped connection) has an unknown
outcome, not a failed one: it stays shown as pending while the server is asked
whether it holds the change, and only that answer decides saved or not saved.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_result, stop_after_delay, wait_exponential

from api.client import EVENTS_PAGE_SIZE, ChatwootClient, ContactResult
from api.error_codes import ErrorCode
from api.errors import (
    ApiError,
    Conflict,
    NetworkError,
    NotFound,
    OutcomeUnknown,
    ValidationFailed,
)
from api.models import Contact, ContactEvent, ContactEventData, Conversation, ConversationMeta, Note, Performer
from api.validation import ContactInvalid, check_contact_changes
from state import analytics
from state.problems import Problem, ServerSaid, problem_of
from state.store import (
    AvatarChange,
    ConflictState,
    ContactStore,
    FieldPath,
    RemoteChange,
    changed_paths,
    get_path,
    leaf_paths,
)

log = logging.getLogger(__name__)
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
SLOW_AFTER = 2.0  # seconds without an answer before a save shows as "Still saving..."
SETTLE_FIRST_WAIT = 0.25  # seconds before the second read of a write whose answer was lost; doubling from there
SETTLE_MAX_WAIT = 1.0
SETTLE_UNANSWERED_READS = 2  # reads in a row without an answer: the server is out of reach, stop asking
NOTE_CLOCK_SLACK = 300  # seconds a server's clock may be behind ours when matching a note by its time
T = TypeVar("T")

SaveStatus = Literal["saved", "unchanged", "invalid", "conflict", "deleted", "failed"]


@dataclass(kw_only=True, slots=True)
class SaveOutcome:
    """What became of a save; `field_errors` maps field paths to what each broke."""

    status: SaveStatus
    field_errors: dict[FieldPath, Problem] = field(default_factory=dict)
    message: Problem | None = None
    fields: list[FieldPath] = field(default_factory=list)


def track(store: ContactStore, event: str, properties: dict[str, Any]) -> None:
    """Record an analytics event for the store's agent and account."""
    analytics.track(event, properties, agent_id=store.agent_id, account_id=store.account_id)


@dataclass(kw_only=True, slots=True)
class Reading(Generic[T]):
    """What one read told about a write whose answer was lost.

    `landed`: True, the server holds the change; False, it never will; None, not there (yet).
    `value` is what the server holds now, None when the read got no answer (then `error` says why).
    """

    landed: bool | None
    value: T | None = None
    error: ApiError | None = None

    @property
    def answered(self) -> bool:
        return self.error is None


async def settle(read: Callable[[], Awaitable[Reading[T]]], window: float) -> Reading[T]:
    """Read until the server shows whether a write whose answer was lost landed, for up to `window` seconds.

    The write may still be waiting inside the server (a busy database), so a change that is not there
    yet only counts as not saved when the window has passed. Returns the deciding reading, or the last
    answered one (the last one at all when none was answered).
    """
    last: Reading[T] = Reading(landed=None, error=NetworkError("no read finished"))
    answered: Reading[T] | None = None
    unanswered = 0

    async def attempt() -> Reading[T]:
        nonlocal last, answered, unanswered
        last = await read()
        if last.answered:
            answered, unanswered = last, 0
        else:
            unanswered += 1
        return last

    def undecided(reading: Reading[T]) -> bool:
        return reading.landed is None and unanswered < SETTLE_UNANSWERED_READS

    def give_up(state: RetryCallState) -> Reading[T]:
        return last

    retrying = AsyncRetrying(
        stop=stop_after_delay(window),
        wait=wait_exponential(multiplier=SETTLE_FIRST_WAIT, max=SETTLE_MAX_WAIT),
        retry=retry_if_result(undecided),
        retry_error_callback=give_up,
    )
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(window):  # a read that hangs must not outlast the window either
            await retrying(attempt)
    if last.landed is None and answered is not None:
        return answered
    return last


def not_saved(reading: Reading[Any]) -> Problem:
    """What to tell the agent when settling ended without the change: the server said so, or never answered."""
    if reading.error is None:
        return ErrorCode.NOT_SAVED
    return problem_of(reading.error)


# --- reading ---


async def fetch_contact(store: ContactStore, client: ChatwootClient, contact_id: int) -> None:
    """Load the contact; a 404 for a contact that was on screen puts it in the deleted state."""
    entry = store.entry(contact_id)
    entry.loading = True
    store.notify(contact_id)
    try:
        result = await client.get_contact(contact_id)
        while entry.changed_while_loading:
            # A live change arrived before this read's answer, which may predate it: read once more.
            entry.changed_while_loading = False
            result = await client.get_contact(contact_id)
    except NotFound:
        if entry.server is not None:
            mark_deleted(store, contact_id)
        else:
            entry.load_error = ErrorCode.NOT_FOUND
    except ApiError as error:
        entry.load_error = problem_of(error)
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
        store.contact_changed(contact.id)
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
        entry.labels_error = problem_of(error)
    store.notify(contact_id)


async def fetch_notes(store: ContactStore, client: ChatwootClient, contact_id: int) -> None:
    entry = store.entry(contact_id)
    try:
        entry.notes = await client.notes(contact_id)
        entry.notes_error = None
    except ApiError as error:
        entry.notes_error = problem_of(error)
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
        history.error = problem_of(error)
    else:
        known = {c.id for c in history.conversations} if more else set()
        fresh = [history_row(c) for c in result.conversations if c.id not in known]
        history.conversations = [*history.conversations, *fresh] if more else fresh
        history.page = result.page
        history.count = result.count
        history.error = None
        history.loaded = True
    finally:
        history.loading = False
        store.notify(contact_id)


def history_row(conversation: Conversation) -> Conversation:
    """What a contact's history shows of a conversation, and no more.

    Each conversation comes with the contact itself as its sender, its last message with that message's sender,
    attributes and more: about 15 KiB a conversation once parsed, held for as long as a page shows the contact.
    The history shows the status, counts, labels, inbox, times and the last message's text.
    """
    last = conversation.messages[-1] if conversation.messages else None
    return conversation.model_copy(
        update={
            "messages": [last.model_copy(update={"sender": None})] if last else [],
            "meta": ConversationMeta(channel=conversation.meta.channel),
            "last_non_activity_message": None,
            "additional_attributes": {},
            "custom_attributes": {},
        }
    )


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
            arrived_live = 0
            if more:
                # New events since the last read shift the pages: skip what is already shown.
                known = {event.id for event in timeline.events}
                timeline.events = [*timeline.events, *(e for e in page.events if e.id not in known)]
                timeline.page = page.page
            else:
                # A read of the newest page: entries that arrived live since it was read stay on top of it,
                # and the older pages the agent already opened stay under it.
                newest = max((event.id for event in page.events), default=0)
                fetched = {event.id for event in page.events}
                newer = [e for e in timeline.events if e.id > newest] if timeline.from_server else []
                older = [e for e in timeline.events if e.id < newest and e.id not in fetched]
                keep_older = timeline.from_server and timeline.page > 1
                timeline.events = [*newer, *page.events, *(older if keep_older else [])]
                timeline.page = max(timeline.page, page.page) if keep_older else page.page
                arrived_live = len(newer)
            timeline.count = page.count + arrived_live
            timeline.from_server = True
        timeline.error = None
        timeline.loaded = True
    except ApiError as error:
        timeline.error = problem_of(error)
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
    # The trail comes from the server's `/events` alongside the rest; without it, it is built from the
    # conversations and notes, once they are here.
    trail_alongside = client.supports_events
    await asyncio.gather(
        fetch_contact(store, client, contact_id),
        fetch_account_safely(store, client),
        fetch_labels(store, client, contact_id),
        fetch_contact_conversations(store, client, contact_id),
        fetch_notes(store, client, contact_id),
        *([fetch_timeline(store, client, contact_id)] if trail_alongside else []),
    )
    if not trail_alongside:
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
    entry.draft_at = time.time()
    entry.field_errors.pop(path, None)


def discard_draft(store: ContactStore, contact_id: int, paths: list[FieldPath] | None = None) -> None:
    """Forget the agent's unsaved values (all, or the given fields)."""
    entry = store.entry(contact_id)
    for path in list(entry.draft) if paths is None else paths:
        entry.draft.pop(path, None)
        entry.draft_base.pop(path, None)
        entry.field_errors.pop(path, None)
    if not entry.draft:
        entry.draft_at = None
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


def validate_changes(store: ContactStore, changes: dict[FieldPath, Any]) -> dict[FieldPath, ErrorCode]:
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
        return SaveOutcome(status="deleted" if entry.deleted else "failed", message=ErrorCode.NOT_LOADED)
    shown = store.contact(contact_id)
    shown_dict = shown.model_dump() if shown else {}
    changed = {path: value for path, value in changes.items() if get_path(shown_dict, path) != value}
    problems: dict[FieldPath, Problem] = dict(validate_changes(store, changed))
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
    store.contact_changed(contact_id)
    entry.saving = True
    entry.save_error = None
    store.notify(contact_id)
    slow = asyncio.get_running_loop().call_later(SLOW_AFTER, _mark_slow, store, contact_id)
    try:
        # One save of a contact at a time, each with the version the previous one left.
        async with store.save_lock(contact_id):
            try:
                outcome = await _send_update(store, client, contact_id, changed, base)
            except NotFound:  # found gone while asking whether a save whose answer was lost landed
                mark_deleted(store, contact_id)
                outcome = SaveOutcome(status="deleted")
    finally:
        slow.cancel()
        for path in changed:
            entry.optimistic.pop(path, None)
        store.contact_changed(contact_id)
        entry.saving = False
        entry.slow = False
        store.notify(contact_id)
    return outcome


def _mark_slow(store: ContactStore, contact_id: int) -> None:
    entry = store.entry(contact_id)
    if entry.saving:
        entry.slow = True
        store.notify(contact_id)


async def _send_update(
    store: ContactStore,
    client: ChatwootClient,
    contact_id: int,
    changed: dict[FieldPath, Any],
    base: dict[FieldPath, Any],
) -> SaveOutcome:
    entry = store.entry(contact_id)
    paths = list(changed)
    expected = expected_values(store, changed)
    if set(entry.unconfirmed) & set(changed):
        # An earlier send of this got no answer and may have landed since: look before sending it again.
        for path in changed:
            entry.unconfirmed.pop(path, None)
        reading = await _read_update(store, client, contact_id, expected, sent_etag=None)
        if reading.value is not None and holds(reading.value.contact.model_dump(), expected):
            return _confirm_saved(store, contact_id, reading.value, changed)
        # Not there: send it again, still with If-Match of the version the agent saw, so that if the earlier
        # send lands first this one is refused (409) instead of applied a second time.
    body = build_update_body(entry.server or {}, changed)
    etag = entry.etag
    for attempt in range(MAX_SAVE_ATTEMPTS):
        try:
            result = await client.update_contact(contact_id, body, etag)
        except Conflict as conflict:
            current = conflict.current.model_dump() if conflict.current else None
            if conflict.current is not None and holds(conflict.current.model_dump(), expected):
                # An earlier send of this same change landed though its answer was lost: saved, and only once.
                result = ContactResult(contact=conflict.current, etag=conflict.etag)
                return _confirm_saved(store, contact_id, result, changed)
            if current is not None:
                entry.server = current
                store.contact_changed(contact_id)
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
            return SaveOutcome(status="conflict", fields=overlapping or paths, message=ErrorCode.CONFLICT)
        except ValidationFailed as failed:
            errors: dict[FieldPath, Problem] = {
                path_for(attribute, paths): failed.codes.get(attribute) or ServerSaid(message)
                for attribute, message in failed.fields.items()
            }
            entry.field_errors.update(errors)
            entry.save_error = problem_of(failed)
            return SaveOutcome(status="invalid", field_errors=errors, message=entry.save_error)
        except NotFound:
            mark_deleted(store, contact_id)
            return SaveOutcome(status="deleted")
        except OutcomeUnknown:
            sent_etag = etag if client.supports_etag else None
            return await _settle_update(store, client, contact_id, changed, base, sent_etag)
        except (NetworkError, ApiError) as error:
            entry.save_error = problem_of(error)
            return SaveOutcome(status="failed", message=entry.save_error)
        return _confirm_saved(store, contact_id, result, changed)
    return SaveOutcome(status="failed", message=ErrorCode.CONFLICT_RETRY)


def _confirm_saved(
    store: ContactStore, contact_id: int, result: ContactResult, changed: dict[FieldPath, Any]
) -> SaveOutcome:
    """The server holds the change: take its contact, drop the draft of what was saved."""
    entry = store.entry(contact_id)
    paths = list(changed)
    entry.server = result.contact.model_dump()
    store.contact_changed(contact_id)
    if result.etag is not None:
        entry.etag = result.etag
    entry.field_errors = {p: e for p, e in entry.field_errors.items() if p not in changed}
    for path, value in changed.items():
        entry.unconfirmed.pop(path, None)
        if entry.draft.get(path) == value:
            entry.draft.pop(path, None)
            entry.draft_base.pop(path, None)
    track(store, "contact_updated", {"contact_id": contact_id, "fields_updated": _top_fields(paths)})
    return SaveOutcome(status="saved", fields=paths)


async def _settle_update(
    store: ContactStore,
    client: ChatwootClient,
    contact_id: int,
    changed: dict[FieldPath, Any],
    base: dict[FieldPath, Any],
    sent_etag: str | None,
) -> SaveOutcome:
    """The answer to a save was lost: ask the server whether it holds the change, then tell one outcome."""
    entry = store.entry(contact_id)
    expected = expected_values(store, changed)
    entry.slow = entry.checking = True  # overdue whatever the timeout: shown as "Still saving..."
    store.notify(contact_id)
    try:
        reading = await settle(
            lambda: _read_update(store, client, contact_id, expected, sent_etag), client.write_timeout
        )
    finally:
        entry.checking = False
    server = reading.value
    if server is not None and (
        reading.landed or (reading.landed is None and holds(server.contact.model_dump(), expected))
    ):
        return _confirm_saved(store, contact_id, server, changed)
    if server is not None:
        take_server_contact(store, contact_id, server.contact.model_dump(), performer=None)
        if server.etag is not None:
            entry.etag = server.etag
    if reading.landed is None:
        # Not there when the window closed, yet it may still be waiting in the server.
        entry.unconfirmed.update(changed)
    for path, value in changed.items():
        if path not in entry.draft:  # saved from outside the form (an attribute): kept for Retry all the same
            entry.draft[path] = value
            entry.draft_base[path] = base[path]
    entry.save_error = not_saved(reading)
    return SaveOutcome(status="failed", message=entry.save_error)


async def _read_update(
    store: ContactStore,
    client: ChatwootClient,
    contact_id: int,
    expected: dict[FieldPath, Any],
    sent_etag: str | None,
) -> Reading[ContactResult]:
    """Does the server hold the change? With If-Match, a version that moved without it means never."""
    try:
        result = await client.get_contact(contact_id)
    except NotFound:
        raise  # the contact is gone: nothing left to settle
    except ApiError as error:
        live = store.entry(contact_id).server
        if live is not None and holds(live, expected):  # a live event showed the change
            return Reading(landed=True, value=ContactResult(contact=Contact.model_validate(live), etag=None))
        return Reading(landed=None, error=error)
    held = holds(result.contact.model_dump(), expected)
    moved = sent_etag is not None and result.etag is not None and result.etag != sent_etag
    if held and (moved or sent_etag is None):
        return Reading(landed=True, value=result)
    return Reading(landed=False if moved else None, value=result)


def expected_values(store: ContactStore, changed: dict[FieldPath, Any]) -> dict[FieldPath, Any]:
    """The changed fields as the server will store them (emails lower-cased, text trimmed, ...)."""
    definitions = {d.attribute_key: d.model_dump() for d in store.attribute_definitions}
    try:
        clean = check_contact_changes(build_update_body({}, changed), definitions)
    except ContactInvalid:
        return dict(changed)
    return {path: get_path(clean, path) for path in changed}


def holds(contact: dict[str, Any], expected: dict[FieldPath, Any]) -> bool:
    """True when the contact has every expected value."""
    return all(get_path(contact, path) == value for path, value in expected.items())


def path_for(attribute: str, paths: list[FieldPath]) -> FieldPath:
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
    """Replace the contact's labels, shown at once; rolled back when the server did not take them."""
    entry = store.entry(contact_id)
    previous = entry.labels
    entry.labels = list(labels)
    entry.labels_error = None
    entry.labels_saving += 1
    store.notify(contact_id)
    try:
        try:
            entry.labels = await client.set_contact_labels(contact_id, labels)
        except OutcomeUnknown:
            reading = await settle(lambda: _read_labels(client, contact_id, labels), client.write_timeout)
            if not reading.landed:
                entry.labels = reading.value if reading.value is not None else previous
                entry.labels_error = not_saved(reading)
                store.notify(contact_id)
                return False
            entry.labels = reading.value
    except NotFound:
        entry.labels = previous
        mark_deleted(store, contact_id)
        return False
    except ApiError as error:
        entry.labels = previous
        entry.labels_error = problem_of(error)
        store.notify(contact_id)
        return False
    finally:
        entry.labels_saving -= 1
    store.notify(contact_id)
    await _refresh_timeline(store, client, contact_id)
    return True


async def _read_labels(client: ChatwootClient, contact_id: int, labels: list[str]) -> Reading[list[str]]:
    """Does the contact have exactly these labels? (Replacing labels is idempotent: no version needed.)"""
    try:
        current = await client.contact_labels(contact_id)
    except NotFound:
        raise
    except ApiError as error:
        return Reading(landed=None, error=error)
    return Reading(landed=True if set(current) == set(labels) else None, value=current)


async def add_note(store: ContactStore, client: ChatwootClient, contact_id: int, content: str) -> Note | None:
    """Add a note; None (with `notes_error`) when it failed, so the text can stay in the box.

    A note is not idempotent: one whose answer was lost is looked for (same text and author, new since)
    before the agent is told anything, and before the same text is posted again.
    """
    entry = store.entry(contact_id)
    text = content.strip()
    try:
        earlier = entry.unconfirmed_notes.pop(text, None)
        if earlier is not None:
            found = await _find_note(store, client, contact_id, text, earlier, since=None)
            if found.landed and found.value is not None:
                return await _note_added(store, client, contact_id, found.value)
        known = {note.id for note in entry.notes or []}
        started = time.time()
        try:
            note = await client.add_note(contact_id, content)
        except OutcomeUnknown:
            reading = await settle(
                lambda: _find_note(store, client, contact_id, text, known, since=started), client.write_timeout
            )
            if not reading.landed or reading.value is None:
                entry.unconfirmed_notes[text] = known
                entry.notes_error = not_saved(reading)
                store.notify(contact_id)
                return None
            note = reading.value
    except NotFound:
        mark_deleted(store, contact_id)
        return None
    except ApiError as error:
        entry.notes_error = problem_of(error)
        store.notify(contact_id)
        return None
    return await _note_added(store, client, contact_id, note)


async def _note_added(store: ContactStore, client: ChatwootClient, contact_id: int, note: Note) -> Note:
    entry = store.entry(contact_id)
    entry.notes = [note, *(n for n in entry.notes or [] if n.id != note.id)]
    entry.notes_error = None
    store.notify(contact_id)
    await _refresh_timeline(store, client, contact_id)
    return note


async def _find_note(
    store: ContactStore, client: ChatwootClient, contact_id: int, text: str, known: set[int], since: float | None
) -> Reading[Note]:
    """Is there a note with this text by this agent, newer than the ones known before it was sent?"""
    try:
        notes = await client.notes(contact_id)
    except NotFound:
        raise
    except ApiError as error:
        return Reading(landed=None, error=error)
    for note in notes:
        mine = store.agent_id is None or note.user is None or note.user.id == store.agent_id
        recent = since is None or note.created_at is None or note.created_at >= since - NOTE_CLOCK_SLACK
        if note.content.strip() == text and note.id not in known and mine and recent:
            return Reading(landed=True, value=note)
    return Reading(landed=None)


async def delete_note(store: ContactStore, client: ChatwootClient, contact_id: int, note_id: int) -> bool:
    entry = store.entry(contact_id)
    try:
        await client.delete_note(contact_id, note_id)
    except OutcomeUnknown:
        reading = await settle(lambda: _note_gone(client, contact_id, note_id), client.write_timeout)
        if not reading.landed:
            entry.notes_error = not_saved(reading)
            store.notify(contact_id)
            return False
    except ApiError as error:
        entry.notes_error = problem_of(error)
        store.notify(contact_id)
        return False
    entry.notes = [n for n in entry.notes or [] if n.id != note_id]
    entry.notes_error = None
    store.notify(contact_id)
    await _refresh_timeline(store, client, contact_id)
    return True


async def _note_gone(client: ChatwootClient, contact_id: int, note_id: int) -> Reading[None]:
    try:
        notes = await client.notes(contact_id)
    except ApiError as error:
        return Reading(landed=None, error=error)
    return Reading(landed=True if all(note.id != note_id for note in notes) else None)


async def _refresh_timeline(store: ContactStore, client: ChatwootClient, contact_id: int) -> None:
    if store.timeline(contact_id).loaded:
        await fetch_timeline(store, client, contact_id)


# --- the contact's picture, blocking and deletion ---


async def upload_avatar(
    store: ContactStore, client: ChatwootClient, contact_id: int, picture: bytes, filename: str, content_type: str
) -> SaveOutcome:
    """Give the contact a picture; the server checks and shrinks it, and its new `thumbnail` is shown.

    `invalid` names what is wrong with the file (`message`: not a picture, too big). Not optimistic: the
    picture shown is the one the server keeps.
    """
    before = (store.entry(contact_id).server or {}).get("thumbnail") or ""
    return await _change_avatar(
        store,
        client,
        contact_id,
        "uploading",
        lambda: client.upload_contact_avatar(contact_id, picture, filename, content_type),
        lambda thumbnail: thumbnail not in ("", before),  # every upload is kept under a new address
    )


async def remove_avatar(store: ContactStore, client: ChatwootClient, contact_id: int) -> SaveOutcome:
    """Take the contact's picture away: its initials show instead."""
    return await _change_avatar(
        store, client, contact_id, "removing", lambda: client.remove_contact_avatar(contact_id), lambda thumb: not thumb
    )


async def _change_avatar(
    store: ContactStore,
    client: ChatwootClient,
    contact_id: int,
    change: AvatarChange,
    send: Callable[[], Awaitable[ContactResult]],
    done: Callable[[str], bool],
) -> SaveOutcome:
    """Send a change of the picture, `entry.avatar_change` saying so meanwhile; `done(thumbnail)` tells whether
    the server holds it, for a change whose answer was lost."""
    entry = store.entry(contact_id)
    if entry.server is None or entry.deleted:
        return SaveOutcome(status="deleted" if entry.deleted else "failed", message=ErrorCode.NOT_LOADED)
    entry.avatar_change = change
    store.notify(contact_id)
    try:
        async with store.save_lock(contact_id):  # after this agent's other saves, with the version they left
            try:
                result = await send()
            except OutcomeUnknown:
                reading = await settle(lambda: _read_avatar(client, contact_id, done), client.write_timeout)
                if not reading.landed or reading.value is None:
                    if reading.value is not None:
                        _take_avatar_answer(store, contact_id, reading.value)
                    return SaveOutcome(status="failed", message=_unsettled(reading))
                result = reading.value
    except NotFound:
        mark_deleted(store, contact_id)
        return SaveOutcome(status="deleted")
    except ValidationFailed as failed:
        return SaveOutcome(status="invalid", message=failed.codes.get("avatar") or problem_of(failed))
    except ApiError as error:
        return SaveOutcome(status="failed", message=problem_of(error))
    finally:
        entry.avatar_change = None
        store.notify(contact_id)
    _take_avatar_answer(store, contact_id, result)
    track(store, "contact_updated", {"contact_id": contact_id, "fields_updated": ["thumbnail"]})
    return SaveOutcome(status="saved", fields=["thumbnail"])


async def _read_avatar(client: ChatwootClient, contact_id: int, done: Callable[[str], bool]) -> Reading[ContactResult]:
    try:
        result = await client.get_contact(contact_id)
    except NotFound:
        raise
    except ApiError as error:
        return Reading(landed=None, error=error)
    return Reading(landed=True if done(result.contact.thumbnail or "") else None, value=result)


def _take_avatar_answer(store: ContactStore, contact_id: int, result: ContactResult) -> None:
    """The server's contact after a change of its picture; Chatwoot answers a removal without the inboxes."""
    entry = store.entry(contact_id)
    contact = result.contact.model_dump()
    if "contact_inboxes" not in result.contact.model_fields_set:
        contact["contact_inboxes"] = (entry.server or {}).get("contact_inboxes", [])
    take_server_contact(store, contact_id, contact, performer=None)
    if result.etag is not None:
        entry.etag = result.etag
    store.notify(contact_id)


async def set_blocked(store: ContactStore, client: ChatwootClient, contact_id: int, blocked: bool) -> SaveOutcome:
    """Block or unblock the contact (Chatwoot's `blocked`), saved as any field is: shown at once, rolled back on
    failure, a conflict when someone else just did the opposite."""
    shown = store.contact(contact_id)
    seen = shown.blocked if shown is not None else not blocked
    return await save_field(store, client, contact_id, "blocked", blocked, seen=seen)


async def delete_contact(store: ContactStore, client: ChatwootClient, contact_id: int) -> Problem | None:
    """Delete the contact (Chatwoot lets administrators only); None once it is gone, else what to tell the agent.

    One already gone counts as deleted; one whose answer was lost is looked for before anything is said.
    """
    try:
        await client.delete_contact(contact_id)
    except NotFound:
        pass
    except OutcomeUnknown:
        reading = await settle(lambda: _read_gone(client, contact_id), client.write_timeout)
        if not reading.landed:
            return _unsettled(reading)
    except ApiError as error:
        return problem_of(error)
    mark_deleted(store, contact_id)
    return None


def _unsettled(reading: Reading[Any]) -> Problem:
    """Why a picture change or a deletion whose answer was lost is not known to have happened."""
    return problem_of(reading.error) if reading.error else ErrorCode.TIMEOUT


async def _read_gone(client: ChatwootClient, contact_id: int) -> Reading[None]:
    try:
        await client.get_contact(contact_id)
    except NotFound:
        return Reading(landed=True)
    except ApiError as error:
        return Reading(landed=None, error=error)
    return Reading(landed=None)


# --- live events ---


def mark_deleted(
    store: ContactStore,
    contact_id: int,
    merged_into: int | None = None,
    deleted_by: str | None = None,
    merged_into_name: str | None = None,
) -> None:
    """The contact is gone (merged into `merged_into`, when it was): open pages switch to the read-only deleted
    state."""
    entry = store.entry(contact_id)
    entry.deleted = True
    entry.deleted_by = deleted_by
    entry.merged_into = merged_into
    entry.merged_into_name = merged_into_name
    entry.optimistic.clear()
    store.contact_changed(contact_id)
    entry.conflict = None
    store.notify(contact_id)


def apply_event(store: ContactStore, event: str, data: dict[str, Any], account_id: int | None = None) -> None:
    """Merge a websocket event into the store.

    A remote change to a field the agent is editing becomes a conflict, never a
    silent overwrite of the draft. Events of other kinds (`presence.update`, conversations) are not the store's.
    """
    if not event.startswith("contact."):
        return
    try:
        incoming = ContactEventData.model_validate(data)
    except ValueError:
        log.warning("ignored malformed %s event", event)
        return
    if account_id is not None and incoming.account_id not in (None, account_id):
        return
    if incoming.activity is not None:
        add_timeline_entries(store, incoming.id, incoming.activity)
    if event == "contact.activity":
        take_activity(store, incoming)
        return
    if event == "contact.deleted":
        by = incoming.performer
        if incoming.id in store.contacts_by_id:
            someone_else = by is not None and by.id not in (None, store.agent_id)
            into = incoming.merged_into  # the embedded server's extension: merged into another contact
            mark_deleted(
                store,
                incoming.id,
                merged_into=into.id if into else None,
                deleted_by=by.name if by is not None and someone_else else None,
                merged_into_name=into.name if into else None,
            )
        return
    if event == "contact.created":
        restored = store.contacts_by_id.get(incoming.id)
        if incoming.restored and restored is not None and restored.deleted and restored.server is not None:
            # A merge was undone: the merged-away contact is back (state.contact_merge reads the rest of it).
            restored.merged_into = restored.merged_into_name = restored.deleted_by = None
            take_server_contact(store, incoming.id, _event_contact(restored.server, incoming), performer=None)
            store.notify(incoming.id)
        return  # otherwise it concerns only the lists (state.contact_lists)
    if event not in {"contact.updated", "contact.merged"}:
        return
    entry = store.contacts_by_id.get(incoming.id)
    if entry is not None and entry.server is None and entry.loading:
        entry.changed_while_loading = True  # the read in flight may not show it (see fetch_contact)
    if entry is None or entry.server is None:
        return
    merged = _event_contact(entry.server, incoming)
    performer = incoming.performer.name if incoming.performer else None
    before, after = leaf_paths(entry.server), leaf_paths(merged)
    if take_server_contact(store, incoming.id, merged, performer=performer):
        someone_else = incoming.performer is not None and incoming.performer.id not in (None, store.agent_id)
        fields = tuple(changed_paths(before, after))
        if someone_else and performer and fields:
            number = entry.remote_change.number + 1 if entry.remote_change else 1
            entry.remote_change = RemoteChange(number=number, performer=performer, fields=fields)
        store.notify(incoming.id)  # an echo of what this agent already shows changes nothing on screen


def _event_contact(server: dict[str, Any], incoming: ContactEventData) -> dict[str, Any]:
    """The contact as known, with the fields a live event carries."""
    merged = dict(server)
    for name in EVENT_FIELDS:
        if name in incoming.model_fields_set:
            merged[name] = getattr(incoming, name)
    return merged


def add_timeline_entries(store: ContactStore, contact_id: int, entries: list[ContactEvent]) -> None:
    """Entries a live event added to a contact's trail go on top of it, with no read of `/events`.

    A trail still loading keeps them too: the page it reads is merged under them (see `fetch_timeline`).
    """
    timeline = store.timeline_by_contact.get(contact_id)
    if timeline is None or not timeline.from_server or not (timeline.loaded or timeline.loading):
        return
    known = {event.id for event in timeline.events}
    fresh = sorted((event for event in entries if event.id not in known), key=lambda event: event.id, reverse=True)
    if not fresh:
        return
    # As many entries as the pages read so far hold, so a page open for hours stays as big as when it opened;
    # the server pages from the newest entry too, so "more" goes on right after the last one shown.
    timeline.events = [*fresh, *timeline.events][: max(timeline.page, 1) * EVENTS_PAGE_SIZE]
    if timeline.count is not None:
        timeline.count += len(fresh)
    store.notify(contact_id)


def take_activity(store: ContactStore, incoming: ContactEventData) -> None:
    """Another agent's (or this agent's other tab's) labels or notes change, shown where they are loaded."""
    entry = store.contacts_by_id.get(incoming.id)
    if entry is None:
        return
    changed = False
    labels = incoming.labels
    if labels is not None and entry.labels is not None and not entry.labels_saving and entry.labels != labels:
        entry.labels = list(labels)
        changed = True
    if entry.notes is not None:
        note = incoming.note
        known_note = next((known for known in entry.notes if note is not None and known.id == note.id), None)
        if note is not None and known_note is None:
            entry.notes = sorted([note, *entry.notes], key=lambda n: (n.created_at or 0, n.id), reverse=True)
            changed = True
        elif note is not None and known_note != note:  # edited
            entry.notes = [note if known.id == note.id else known for known in entry.notes]
            changed = True
        gone = incoming.deleted_note_id
        if gone is not None and any(known.id == gone for known in entry.notes):
            entry.notes = [known for known in entry.notes if known.id != gone]
            changed = True
    if changed:
        store.notify(incoming.id)


def take_server_contact(store: ContactStore, contact_id: int, contact: dict[str, Any], performer: str | None) -> bool:
    """Make `contact` the server's truth; fields it changes under the agent's draft become a conflict.

    Returns whether anything the agent sees changed.
    """
    entry = store.entry(contact_id)
    before = leaf_paths(entry.server or {})
    after = leaf_paths(contact)
    changed = changed_paths(before, after)
    had_server = entry.server is not None
    was_deleted = entry.deleted
    entry.server = contact
    store.contact_changed(contact_id)
    entry.deleted = False
    landed_late = (
        bool(entry.unconfirmed) and not entry.saving and holds(contact, expected_values(store, entry.unconfirmed))
    )
    if landed_late:
        # A save whose answer was lost landed after all: saved, so neither its draft nor its error is left.
        for path, value in entry.unconfirmed.items():
            if entry.draft.get(path) == value:
                entry.draft.pop(path, None)
                entry.draft_base.pop(path, None)
        entry.unconfirmed.clear()
        entry.save_error = None
    if not had_server or not changed:
        return not had_server or was_deleted or landed_late
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
    """After a live change to a contact on screen, its activity trail gains the entry: read it again.

    Not when the event brought the entries itself (`activity`, the embedded server's extension).
    """
    contact_id = data.get("id")
    live_change = (
        event in {"contact.updated", "contact.merged"} and isinstance(contact_id, int) and "activity" not in data
    )
    if live_change and contact_id in store.open_contact_ids():
        await _refresh_timeline(store, client, int(contact_id))


async def refetch_open_contacts(store: ContactStore, client: ChatwootClient) -> None:
    """After a reconnect: re-read every contact on screen, so an update missed meanwhile arrives."""
    ids = store.open_contact_ids()
    await asyncio.gather(*(fetch_contact(store, client, cid) for cid in ids))
    await asyncio.gather(*(fetch_labels(store, client, cid) for cid in ids))


async def save_field(
    store: ContactStore, client: ChatwootClient, contact_id: int, path: FieldPath, value: Any, *, seen: Any
) -> SaveOutcome:
    """Save one field edited in place on the contact panel, as the edit form saves it.

    `seen` is the field's value when the agent began editing: if someone else changed it since, that is a
    conflict, asked as for the form, with the agent's value kept as the draft (Keep my edits, or Reload).
    """
    entry = store.entry(contact_id)
    set_draft(store, contact_id, path, value)
    entry.draft_base[path] = seen
    theirs = get_path(entry.server or {}, path)
    if entry.server is not None and theirs != seen and theirs != expected_values(store, {path: value})[path]:
        entry.conflict = ConflictState(
            fields=[path], performer=entry.last_performer, remote=Contact.model_validate(entry.server)
        )
        store.notify(contact_id)
        return SaveOutcome(status="conflict", fields=[path])
    return await update_contact(store, client, contact_id, {path: value})
