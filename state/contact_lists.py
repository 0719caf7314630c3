"""Contact list pages: the page a tab shows, and live contact events applied to it without asking the server.

A list tab reads its page once (and again after the live connection returns); every
`contact.*` event in between changes the rows it shows in place. A new contact is placed
where the server would list it, so the page always matches what a reload would show, or,
when that cannot be known without asking, stays as it is with its count updated.

A page filtered by label is the exception an event cannot always settle: Chatwoot announces a
label change as a `contact.updated` without the labels. Only the embedded server's
`contact.activity` (extension) says what the labels now are. So without it, an update of a shown
contact, or of one the page's order could place on it, reads the page again; with it, updates
never concern labels and `contact.activity` is applied like any other change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
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
    LABELED = "contact.activity"  # the embedded server's: the contact's labels now (and what else changed)
    IMPORTED = "contacts.imported"  # the embedded server's: an import wrote contacts (not named one by one)
    RECONNECTED = "reconnected"


EVENT_KINDS = {
    "contact.created": ChangeKind.CREATED,
    "contact.updated": ChangeKind.UPDATED,
    "contact.merged": ChangeKind.UPDATED,  # the merged-into contact, with the mergee's values taken over
    "contact.deleted": ChangeKind.DELETED,
    "contact.activity": ChangeKind.LABELED,  # passed on only when it carries `labels`, not for notes
    "contacts.imported": ChangeKind.IMPORTED,
}
# Sorts whose key an event carries, so where the contact would be listed can be told without asking.
EVENT_SORT_KEYS = ("name", "email", "phone_number")
DEFAULT_SORT = "-last_activity_at"


@dataclass(kw_only=True, slots=True, frozen=True)
class ListChange:
    """A contact event for the list pages (`contact` is None after a reconnect or an import: read the page again)."""

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
        if kind is ChangeKind.IMPORTED:
            if account_id is None or data.get("account_id") == account_id:
                self._emit(ListChange(kind=kind))
            return
        try:
            contact = ContactEventData.model_validate(data)
        except ValueError:
            log.warning("ignored malformed %s event", event)
            return
        if account_id is not None and contact.account_id not in (None, account_id):
            return
        if kind is ChangeKind.LABELED and contact.labels is None:
            return
        self._emit(ListChange(kind=kind, contact=contact))

    def reconnected(self) -> None:
        """The live connection is back: events may have been missed, so each list reads its page once."""
        self._emit(ListChange(kind=ChangeKind.RECONNECTED))

    def _emit(self, change: ListChange) -> None:
        for listener in list(self._listeners):
            listener(change)


SHORT_QUERY = 3  # below this many characters the server's search matches starts, not substrings


def matches_search(query: str, contact: Contact) -> bool:
    """Whether the server's search for `query` finds the contact: its name, email, phone, identifier or company
    contains the query, or for a query of one or two characters, starts with it or has a word starting with it."""
    needle = without_forbidden_characters(query).strip().lower()
    company = contact.additional_attributes.get("company_name")
    values = [
        value.lower()
        for value in (contact.name, contact.email, contact.phone_number, contact.identifier, company)
        if isinstance(value, str) and value
    ]
    if len(needle) < SHORT_QUERY:
        return any(value.startswith(needle) or f" {needle}" in value for value in values)
    return any(needle in value for value in values)


class Effect(Enum):
    """What a change did to a list page."""

    NONE = "none"  # not about this page
    COUNT = "count"  # the total changed, the rows did not
    ROWS = "rows"  # rows changed (and maybe the total)
    RELOAD = "reload"  # read the page again


@dataclass(kw_only=True)
class ContactListPage:
    """One page of contacts as a list tab shows it, in the order `sort` asks of the server.

    `query` empty: every contact of the account, or with `labels` those having any of them; otherwise the
    server's search for `query` (Chatwoot's search takes no labels, so they are not applied to it).
    `labels_told`: the server announces label changes as `contact.activity`, so `contact.updated` never
    changes labels.
    """

    query: str = ""
    labels: tuple[str, ...] = ()
    sort: str = DEFAULT_SORT
    page: int = 1
    page_size: int
    labels_told: bool = False
    contacts: list[Contact] = field(default_factory=list)
    count: int = 0
    # The server stopped counting (its extension): `count` is a lower bound.
    count_capped: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.page_size))

    @property
    def by_label(self) -> bool:
        """Whether the page shows the contacts having some labels (not a search)."""
        return bool(self.labels) and not self.query

    def take(self, result: ContactPage) -> None:
        """The page as the server answered it."""
        self.contacts = list(result.payload)
        self.count = result.meta.count
        self.count_capped = result.meta.count_capped

    def index_of(self, contact_id: int) -> int | None:
        return next((i for i, shown in enumerate(self.contacts) if shown.id == contact_id), None)

    def apply(self, change: ListChange) -> Effect:
        """Apply a contact event to the page, or say that only the server can tell what it did."""
        if change.kind is ChangeKind.IMPORTED:
            # Where the new contacts go is the server's to say; they have no labels yet, so a label's page has none.
            return Effect.NONE if self.by_label else Effect.RELOAD
        if change.kind is ChangeKind.RECONNECTED or change.contact is None:
            return Effect.RELOAD
        contact = change.contact
        index = self.index_of(contact.id)
        if change.kind is ChangeKind.LABELED:
            return self._relabel(index, contact)
        if change.kind is ChangeKind.UPDATED:
            effect = self._update(index, contact)
            if self.by_label and not self.labels_told and (index is not None or self._could_list(contact)):
                return Effect.RELOAD  # it may be a label change: the contact may have left or joined the filter
            return effect
        if change.kind is ChangeKind.DELETED:
            return self._delete(index, contact)
        return self._create(index, contact)

    def _belongs(self, contact: Contact) -> bool:
        return not self.query or matches_search(self.query, contact)

    def _has_label(self, labels: Iterable[str]) -> bool:
        wanted = {label.lower() for label in self.labels}
        return any(label.lower() in wanted for label in labels)

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

    def _relabel(self, index: int | None, contact: ContactEventData) -> Effect:
        labels = sorted(contact.labels or [])
        if index is not None:
            # A contact that lost the filter's label stays, as a renamed search result does, until the next read.
            shown = self.contacts[index]
            if shown.labels is None or shown.labels == labels:
                return Effect.NONE  # the server did not tell this page's labels: one row alone does not show them
            self.contacts[index] = shown.model_copy(update={"labels": labels})
            return Effect.ROWS
        if not self.by_label:
            return Effect.NONE
        before = set(labels)
        for entry in contact.activity or []:
            if entry.kind == "label_added":
                before.discard(str(entry.new_value))
            elif entry.kind == "label_removed":
                before.add(str(entry.old_value))
        had, has = self._has_label(before), self._has_label(labels)
        if has and not had:
            return Effect.RELOAD  # it joined the filter; where its activity places it is not in the event
        if had and not has:
            self.count = max(0, self.count - 1)
            return Effect.COUNT
        return Effect.NONE

    def _delete(self, index: int | None, contact: ContactEventData) -> Effect:
        if index is not None:
            del self.contacts[index]
            self.count = max(0, self.count - 1)
            return Effect.ROWS
        if self.by_label:
            return Effect.RELOAD  # its labels are not in the event: whether it was counted here is unknown
        if not self._belongs(contact):
            return Effect.NONE
        self.count = max(0, self.count - 1)
        return Effect.COUNT

    def _create(self, index: int | None, contact: ContactEventData) -> Effect:
        # A new contact has no labels yet (Chatwoot's create takes none): it joins a label's page later, if at all.
        if index is not None or self.by_label or not self._belongs(contact):
            return Effect.NONE
        self.count += 1
        if self.sort.lstrip("-") in EVENT_SORT_KEYS:
            # Placed by its text the way the database collates it: only the server can say.
            return Effect.RELOAD if self._could_list(contact) else Effect.COUNT
        position = self._new_contact_position()
        if position is None or position >= self.page_size:
            return Effect.COUNT
        self.contacts.insert(position, Contact.model_validate(contact.model_dump(include=set(Contact.model_fields))))
        if self.contacts[position].labels is None and any(shown.labels is not None for shown in self.contacts):
            self.contacts[position].labels = []
        if len(self.contacts) > self.page_size:
            self.contacts.pop()  # it moves to the next page, as on the server
        return Effect.ROWS

    def _new_contact_position(self) -> int | None:
        """Where the server lists a new contact on this page, None when it is not on it (or that is unknown).

        By activity (either way), contacts never active come last, newest id first among equals: a new contact
        (no activity, the newest id) comes first among the never-active ones. By creation it is the newest.
        """
        after_this_page = self.count - 1 - (self.page - 1) * self.page_size - len(self.contacts)
        if self.sort == "-created_at":
            return 0 if self.page == 1 else None  # on a later page every row moves down one: unknown here
        if self.sort == "created_at":
            return len(self.contacts) if after_this_page <= 0 else None
        for position, shown in enumerate(self.contacts):
            if shown.last_activity_at is None:
                # At the top of a later page it might sort onto an earlier one instead: unknown, so not placed.
                return position if position or self.page == 1 else None
        return len(self.contacts) if after_this_page <= 0 else None  # the last page, all active: after them

    def _could_list(self, contact: ContactEventData) -> bool:
        """Whether this page's order could place the contact on it (True when the event cannot tell).

        Only a text sort's key is in an event. The database collates text its own way (SQLite by code point,
        PostgreSQL by locale), so a value counts as inside the page when either comparison puts it there.
        """
        key = self.sort.lstrip("-")
        if key not in EVENT_SORT_KEYS or key not in contact.model_fields_set or not self.contacts:
            return True
        value: str | None = getattr(contact, key) or None
        first: str | None = getattr(self.contacts[0], key) or None
        last: str | None = getattr(self.contacts[-1], key) or None
        descending = self.sort.startswith("-")
        for fold in (str, str.casefold):
            after_first = self.page == 1 or _in_order(first, value, descending, fold)
            before_last = self.page >= self.pages or _in_order(value, last, descending, fold)
            if after_first and before_last:
                return True
        return False


def _in_order(earlier: str | None, later: str | None, descending: bool, fold: Callable[[str], str]) -> bool:
    """Whether `earlier` may come before (or level with) `later` in a text sort, empty values last either way."""
    if earlier is None or later is None:
        return later is None
    a, b = fold(earlier), fold(later)
    return a >= b if descending else a <= b
