"""Contact list pages: the page a tab shows, and live contact events applied to it without asking the server.

A list tab reads its page once (and again after the live connection returns); every
`contact.*` event in between changes the rows it shows in place. A new contact is placed
where the server would list it, so the page always matches what a reload would show, or,
when that cannot be known without asking, stays as it is with its count updated.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from api.models import Contact, ContactEventData, ContactPage
from api.validation import without_forbidden_characters

log = logging.getLogger(__name__)

# What a contact event carries that a list shows; the event has no times, so activity stays as read.
SHOWN_FIELDS = ("name", "email", "phone_number", "identifier", "thumbnail", "blocked")


class ChangeKind(Enum):
    CREATED = "contact.created"
    UPDATED = "contact.updated"
    DELETED = "contact.deleted"
    RECONNECTED = "reconnected"


EVENT_KINDS = {
    "contact.created": ChangeKind.CREATED,
    "contact.updated": ChangeKind.UPDATED,
    "contact.merged": ChangeKind.UPDATED,  # the merged-into contact, with the mergee's values taken over
    "contact.deleted": ChangeKind.DELETED,
}


@dataclass(kw_only=True, slots=True, frozen=True)
class ListChange:
    """A contact event for the list pages (`contact` is None after a reconnect: read the page again)."""

    kind: ChangeKind
    contact: ContactEventData | None = None


ListListener = Callable[[ListChange], Any]


class ContactListFeed:
    """The contact events and reconnects of one agent session, for that agent's open list pages."""

    def __init__(self) -> None:
        self._listeners: list[ListListener] = []

    def subscribe(self, listener: ListListener) -> Callable[[], None]:
        """Call `listener(change)` for every contact event and reconnect; returns the unsubscribe function."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def publish(self, event: str, data: dict[str, Any], account_id: int | None = None) -> None:
        """Hand a websocket event to the list pages; other events, and other accounts' than `account_id`, are not."""
        kind = EVENT_KINDS.get(event)
        if kind is None or not self._listeners:
            return
        try:
            contact = ContactEventData.model_validate(data)
        except ValueError:
            log.warning("ignored malformed %s event", event)
            return
        if account_id is not None and contact.account_id not in (None, account_id):
            return
        self._emit(ListChange(kind=kind, contact=contact))

    def reconnected(self) -> None:
        """The live connection is back: events may have been missed, so each list reads its page once."""
        self._emit(ListChange(kind=ChangeKind.RECONNECTED))

    def _emit(self, change: ListChange) -> None:
        for listener in list(self._listeners):
            listener(change)


def matches_search(query: str, contact: Contact) -> bool:
    """Whether the server's search for `query` finds the contact (name, email, phone or identifier contain it)."""
    needle = without_forbidden_characters(query).strip().lower()
    values = (contact.name, contact.email, contact.phone_number, contact.identifier)
    return any(needle in value.lower() for value in values if value)


class Effect(Enum):
    """What a change did to a list page."""

    NONE = "none"  # not about this page
    COUNT = "count"  # the total changed, the rows did not
    ROWS = "rows"  # rows changed (and maybe the total)
    RELOAD = "reload"  # read the page again


@dataclass(kw_only=True)
class ContactListPage:
    """One page of contacts as a list tab shows it, in the server's default order (latest activity first).

    `query` empty: every contact of the account; otherwise the server's search for it.
    """

    query: str = ""
    page: int = 1
    page_size: int
    contacts: list[Contact] = field(default_factory=list)
    count: int = 0

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.page_size))

    def take(self, result: ContactPage) -> None:
        """The page as the server answered it."""
        self.contacts = list(result.payload)
        self.count = result.meta.count

    def index_of(self, contact_id: int) -> int | None:
        return next((i for i, shown in enumerate(self.contacts) if shown.id == contact_id), None)

    def apply(self, change: ListChange) -> Effect:
        """Apply a contact event to the page without asking the server."""
        if change.kind is ChangeKind.RECONNECTED or change.contact is None:
            return Effect.RELOAD
        contact = change.contact
        index = self.index_of(contact.id)
        if change.kind is ChangeKind.UPDATED:
            return self._update(index, contact)
        if change.kind is ChangeKind.DELETED:
            return self._delete(index, contact)
        return self._create(index, contact)

    def _belongs(self, contact: Contact) -> bool:
        return not self.query or matches_search(self.query, contact)

    def _update(self, index: int | None, contact: ContactEventData) -> Effect:
        # A row stays where it is even if a rename takes it out of the search: it leaves at the next read,
        # not under the agent's pointer.
        if index is None:
            return Effect.NONE
        shown = self.contacts[index]
        changes = {name: getattr(contact, name) for name in SHOWN_FIELDS if name in contact.model_fields_set}
        if all(getattr(shown, name) == value for name, value in changes.items()):
            return Effect.NONE
        self.contacts[index] = shown.model_copy(update=changes)
        return Effect.ROWS

    def _delete(self, index: int | None, contact: ContactEventData) -> Effect:
        if index is not None:
            del self.contacts[index]
            self.count = max(0, self.count - 1)
            return Effect.ROWS
        if not self._belongs(contact):
            return Effect.NONE
        self.count = max(0, self.count - 1)
        return Effect.COUNT

    def _create(self, index: int | None, contact: ContactEventData) -> Effect:
        if index is not None or not self._belongs(contact):
            return Effect.NONE
        position = self._new_contact_position()
        self.count += 1
        if position is None or position >= self.page_size:
            return Effect.COUNT
        self.contacts.insert(position, Contact.model_validate(contact.model_dump(include=set(Contact.model_fields))))
        if len(self.contacts) > self.page_size:
            self.contacts.pop()  # it moves to the next page, as on the server
        return Effect.ROWS

    def _new_contact_position(self) -> int | None:
        """Where the server lists a new contact on this page, None when it is not on it (or that is unknown).

        The server orders by latest activity, contacts never active last, newest id first among equals: a new
        contact (no activity, the newest id) comes first among the never-active ones.
        """
        for position, shown in enumerate(self.contacts):
            if shown.last_activity_at is None:
                # At the top of a later page it might sort onto an earlier one instead: unknown, so not placed.
                return position if position or self.page == 1 else None
        after_this_page = self.count - (self.page - 1) * self.page_size - len(self.contacts)
        return len(self.contacts) if after_this_page <= 0 else None  # the last page, all active: after them
