"""The normalized store of one signed-in agent: contacts by id, their history, labels, definitions.

Only the actions in `state.actions` change it. Components read through the
selectors here and subscribe per contact id, so a change re-renders only the
pages that show that contact. Notifications are coalesced: everything an action
changes before it next waits reaches each page as one render pass.
"""

from __future__ import annotations

import asyncio
import copy
from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from api.models import AttributeDefinition, Contact, ContactEvent, Conversation, Label, Note
from state.problems import Problem

T = TypeVar("T")
AvatarChange = Literal["uploading", "removing"]
FieldPath = str  # "email", "custom_attributes.plan", "additional_attributes.social_profiles.github"
Listener = Callable[[], Any]


def get_path(data: dict[str, Any], path: FieldPath) -> Any:
    """The value at a dotted path of a contact dict, None when absent."""
    current: Any = data
    for part in path.split("."):
        if not isinstance(current, dict):
            return None
        current = current.get(part)
    return current


def set_path(data: dict[str, Any], path: FieldPath, value: Any) -> None:
    """Set the value at a dotted path, creating objects on the way."""
    parts = path.split(".")
    current = data
    for part in parts[:-1]:
        nested = current.get(part)
        if not isinstance(nested, dict):
            nested = {}
            current[part] = nested
        current = nested
    current[parts[-1]] = value


def leaf_paths(contact: dict[str, Any]) -> dict[FieldPath, Any]:
    """Every editable field of a contact as dotted paths (attribute objects flattened two levels)."""
    paths: dict[FieldPath, Any] = {}
    for key in ("name", "email", "phone_number", "identifier", "blocked", "thumbnail"):
        paths[key] = contact.get(key)
    for top in ("additional_attributes", "custom_attributes"):
        for key, value in (contact.get(top) or {}).items():
            if isinstance(value, dict):
                for sub, sub_value in value.items():
                    paths[f"{top}.{key}.{sub}"] = sub_value
            else:
                paths[f"{top}.{key}"] = value
    return paths


def changed_paths(before: dict[FieldPath, Any], after: dict[FieldPath, Any]) -> list[FieldPath]:
    """The paths (of `leaf_paths`) whose values differ, the contact's own fields before attribute keys."""
    changed = (path for path in set(before) | set(after) if before.get(path) != after.get(path))
    return sorted(changed, key=lambda path: (path.count("."), path))


@dataclass(kw_only=True)
class ConflictState:
    """Someone else changed fields this agent is editing or saving."""

    fields: list[FieldPath]
    performer: str | None
    remote: Contact | None


@dataclass(kw_only=True, frozen=True)
class RemoteChange:
    """Another agent's change that arrived live: who changed which fields; `number` tells one from the next."""

    number: int
    performer: str
    fields: tuple[FieldPath, ...]


@dataclass(kw_only=True)
class ContactEntry:
    """One contact as this agent sees it.

    `server` is the last contact the server confirmed (or pushed live); `optimistic`
    holds values of saves in flight (or whose outcome is still being settled), shown
    on top of it; `draft` is what the agent typed and has not saved yet (kept after a
    failed save, for retry).
    """

    server: dict[str, Any] | None = None
    etag: str | None = None
    optimistic: dict[FieldPath, Any] = field(default_factory=dict)
    draft: dict[FieldPath, Any] = field(default_factory=dict)
    draft_base: dict[FieldPath, Any] = field(default_factory=dict)
    draft_at: float | None = None  # when the agent last typed in the draft (epoch seconds)
    # The last change another agent made that arrived live (pages say who changed what, and flash it).
    remote_change: RemoteChange | None = None
    loading: bool = False
    # A live change arrived while the first read was on its way: that read is done again.
    changed_while_loading: bool = False
    load_error: Problem | None = None
    saving: bool = False
    # A save has waited a while for its answer ("Still saving..."); `checking`: the answer was lost, and the
    # server is being asked whether the change arrived.
    slow: bool = False
    checking: bool = False
    save_error: Problem | None = None
    # Changes whose answer was lost and that the server did not show in time: they may still land, so a
    # Retry looks before sending them again, and a late arrival settles them as saved.
    unconfirmed: dict[FieldPath, Any] = field(default_factory=dict)
    field_errors: dict[FieldPath, Problem] = field(default_factory=dict)
    conflict: ConflictState | None = None
    deleted: bool = False
    # Who deleted it, when another agent did and the server said who.
    deleted_by: str | None = None
    # Merged into another contact (its id and name, when known): the page says so and links to it.
    merged_into: int | None = None
    merged_into_name: str | None = None
    # The contact's picture being changed by this agent ("uploading" or "removing"), else None.
    avatar_change: AvatarChange | None = None
    last_performer: str | None = None
    labels: list[str] | None = None
    labels_error: Problem | None = None
    # This agent's label saves in flight: a live labels event does not overwrite what they will answer.
    labels_saving: int = 0
    notes: list[Note] | None = None
    notes_error: Problem | None = None
    # Note texts whose POST got no answer and did not show in time -> ids of the notes there before it.
    unconfirmed_notes: dict[str, set[int]] = field(default_factory=dict)
    # The contact as shown (`ContactStore.contact`), computed once per change; None until read again.
    shown: Contact | None = field(default=None, repr=False, compare=False)


@dataclass(kw_only=True)
class HistoryState:
    """A contact's conversations and where paging stands."""

    conversations: list[Conversation] = field(default_factory=list)
    page: int = 0
    count: int | None = None
    loading: bool = False
    error: Problem | None = None
    loaded: bool = False

    @property
    def has_more(self) -> bool:
        return self.count is not None and len(self.conversations) < self.count


@dataclass(kw_only=True)
class TimelineState:
    """A contact's activity trail (from `/events`, or built from conversations and notes)."""

    events: list[ContactEvent] = field(default_factory=list)
    page: int = 0
    count: int | None = None
    from_server: bool = True
    loading: bool = False
    error: Problem | None = None
    loaded: bool = False

    @property
    def has_more(self) -> bool:
        return self.from_server and self.count is not None and len(self.events) < self.count


def _same_inputs(old: tuple[Any, ...], new: tuple[Any, ...]) -> bool:
    """Each input the same object as before, or equal to it."""
    return len(old) == len(new) and all(a is b or a == b for a, b in zip(old, new, strict=True))


class ContactStore:
    """Everything one agent has loaded, normalized by contact id."""

    def __init__(self, *, agent_id: int | None = None, account_id: int | None = None) -> None:
        self.agent_id = agent_id
        self.account_id = account_id
        self.contacts_by_id: dict[int, ContactEntry] = {}
        self.history_by_contact: dict[int, HistoryState] = {}
        self.timeline_by_contact: dict[int, TimelineState] = {}
        self.account_labels: list[Label] = []
        self.attribute_definitions: list[AttributeDefinition] = []
        self.account_loaded = False
        self._listeners: dict[int, list[Listener]] = defaultdict(list)
        self._save_locks: dict[int, asyncio.Lock] = {}
        self._open_counts: dict[int, int] = defaultdict(int)
        # What this agent's pages worked out from an open contact, shared by all of them (`shared_result`).
        self._shared: dict[int, dict[Hashable, tuple[tuple[Any, ...], Any]]] = {}
        # Contacts with a notification on its way -> the listeners it goes to (those subscribed when it changed).
        self._pending: dict[int, list[Listener]] = {}

    # --- entries ---

    def entry(self, contact_id: int) -> ContactEntry:
        """The contact's entry, created empty on first use."""
        # Looked up many times per render pass: an entry is made only when missing (setdefault made one each time).
        entry = self.contacts_by_id.get(contact_id)
        if entry is None:
            entry = self.contacts_by_id[contact_id] = ContactEntry()
        return entry

    def history(self, contact_id: int) -> HistoryState:
        history = self.history_by_contact.get(contact_id)
        if history is None:
            history = self.history_by_contact[contact_id] = HistoryState()
        return history

    def timeline(self, contact_id: int) -> TimelineState:
        timeline = self.timeline_by_contact.get(contact_id)
        if timeline is None:
            timeline = self.timeline_by_contact[contact_id] = TimelineState()
        return timeline

    def save_lock(self, contact_id: int) -> asyncio.Lock:
        """Serializes one agent's saves of one contact, so each carries the version the last one left."""
        return self._save_locks.setdefault(contact_id, asyncio.Lock())

    # --- subscriptions ---

    def subscribe(self, contact_id: int, listener: Listener) -> Callable[[], None]:
        """Call `listener` whenever the contact changes; returns the unsubscribe function."""
        self._listeners[contact_id].append(listener)
        self._open_counts[contact_id] += 1

        def unsubscribe() -> None:
            if listener in self._listeners.get(contact_id, []):
                self._listeners[contact_id].remove(listener)
                self._open_counts[contact_id] -= 1
                if self._open_counts[contact_id] <= 0:
                    self._open_counts.pop(contact_id, None)
                    self._shared.pop(contact_id, None)

        return unsubscribe

    def shared_result(self, contact_id: int, key: Hashable, inputs: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """What `compute` makes of `inputs`, worked out once for all of this agent's pages on the contact.

        Every page showing the contact renders each change; what they show alike (in the same locale, say) is
        computed by the first and reused by the others while each input is the same object (or an equal value)
        as when it was computed. Forgotten when the contact's last page closes.
        """
        results = self._shared.setdefault(contact_id, {})
        known = results.get(key)
        if known is not None and _same_inputs(known[0], inputs):
            result: T = known[1]
            return result
        result = compute()
        results[key] = (inputs, result)
        return result

    def open_contact_ids(self) -> list[int]:
        """Contacts some page is showing now (re-fetched after a reconnect)."""
        return [cid for cid, count in self._open_counts.items() if count > 0 and cid > 0]

    def notify(self, contact_id: int) -> None:
        """Tell the pages showing this contact that it changed, once for all changes made until the next await.

        An action flips flags (loading, saving) and data together; its listeners run once, soon after, and see
        the latest state. Without a running event loop they run at once.
        """
        listeners = self._listeners.get(contact_id, [])
        pending = self._pending.get(contact_id)
        if pending is not None:
            pending.extend(listener for listener in listeners if listener not in pending)
            return
        self._pending[contact_id] = list(listeners)
        try:
            asyncio.get_running_loop().call_soon(self._deliver, contact_id)
        except RuntimeError:
            self._deliver(contact_id)

    def _deliver(self, contact_id: int) -> None:
        subscribed = self._listeners.get(contact_id, [])
        for listener in self._pending.pop(contact_id, []):
            if listener in subscribed:  # not unsubscribed (its page closed) meanwhile
                listener()

    def contact_changed(self, contact_id: int) -> None:
        """Forget the shown contact: every action calls this after changing an entry's `server` or `optimistic`."""
        entry = self.contacts_by_id.get(contact_id)
        if entry is not None:
            entry.shown = None

    # --- selectors ---

    def contact(self, contact_id: int) -> Contact | None:
        """The contact as shown: the server's values with saves in flight on top.

        Built once per change (see `contact_changed`) and shared by every reader, who must not modify it.
        """
        entry = self.contacts_by_id.get(contact_id)
        if entry is None or entry.server is None:
            return None
        if entry.shown is None:
            shown = copy.deepcopy(entry.server)
            for path, value in entry.optimistic.items():
                set_path(shown, path, value)
            entry.shown = Contact.model_validate(shown)
        return entry.shown

    def label_colors(self) -> dict[str, str]:
        return {label.title: label.color for label in self.account_labels}

    def definitions_by_key(self) -> dict[str, AttributeDefinition]:
        return {d.attribute_key: d for d in self.attribute_definitions}
