"""DuplicateSuggestions: the account's other contacts that may be the same person, each with why and a link to it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from nicegui import Event, context, ui

from api.models import Contact, DuplicateSuggestion
from api.validation import format_phone_international
from components.contact_view import MUTED_TEXT, ContactView, aria, mark_id, section_title
from components.keyed_rows import KeyedRows
from components.section_card import SectionCard
from state import reads
from state.contact_lists import ChangeKind, ListChange
from state.problems import LoadFailed, Problem

REASON_KEYS = {
    "email": "DUPLICATES.REASON_EMAIL",
    "phone_number": "DUPLICATES.REASON_PHONE_NUMBER",
    "name": "DUPLICATES.REASON_NAME",
}
# What a suggestion's row shows; a row is built once for these values, and built anew when they change.
RowKey = tuple[int, str, str, str, tuple[str, ...]]
# The contact's values the suggestions are looked up by: a change to any of them looks them up again.
Compared = tuple[str | None, str | None, str | None, str | None]


def compared(contact: Contact) -> Compared:
    company = contact.additional_attributes.get("company_name")
    company = company if isinstance(company, str) and company else None
    # Names are compared within a company only: without one, a new name changes no suggestion.
    return contact.name if company else None, contact.email, contact.phone_number, company


class DuplicateSuggestions:
    """ "Possible duplicates", shown only when there are some (or the lookup failed), under the contact's basic info.

    Looked up in the background once the contact is known, not holding up the page, and again when its name,
    email, phone number or company changes. `on_merge(other_contact_id)` is what a row's Merge button does (the
    merge dialog); without one, rows have no Merge button.
    """

    def __init__(self, view: ContactView, *, on_merge: Callable[[int], None] | None = None) -> None:
        self.view = view
        self.on_merge = on_merge
        self.looked_up: Compared | None = None
        self.suggestions: list[DuplicateSuggestion] = []
        self.problem: Problem | None = None
        self.card = mark_id(SectionCard(), "duplicate-suggestions").classes("w-full gap-2")
        self.card.visible = False
        # Built the first time there is something to show (most contacts have no duplicates).
        self.rows: KeyedRows[RowKey, DuplicateSuggestion, ui.row] | None = None
        self.error_row: ui.row | None = None
        self.error_text: ui.label | None = None
        self.asked = 0  # lookups asked for again (Retry, a merge undone): each a new one, not a shared earlier answer
        self.gone: set[int] = set()  # suggested contacts deleted or merged away since the lookup
        # Other contacts' events, as the list pages get them: a suggested contact deleted or merged away (here or
        # by anyone) leaves the list at once, and one that comes back (a merge undone) has it looked up again.
        # Nothing is asked of the server for the account's other events.
        # Through an Event, so the handler runs in this page's context (the feed is the session's websocket task).
        changed: Event[[ListChange]] = Event()
        changed.subscribe(self._contact_changed)
        context.client.on_delete(view.session.lists.subscribe(changed.emit))

    def render(self) -> None:
        """Look the suggestions up again if the compared values changed; hidden for a deleted or unknown contact."""
        view = self.view
        contact = view.contact
        if contact is None or view.entry.deleted:
            self.card.visible = False
            return
        values = compared(contact)
        if values != self.looked_up:
            self.looked_up = values
            view.run(lambda: self._look_up(contact, values))
        self._show()

    def _contact_changed(self, change: ListChange) -> None:
        other = change.contact.id if change.contact is not None else None
        if change.kind is ChangeKind.DELETED and other in {s.contact.id for s in self.suggestions}:
            self.gone.add(other)
            self.suggestions = [s for s in self.suggestions if s.contact.id != other]
            self._show()
        elif change.kind is ChangeKind.CREATED and other in self.gone:
            self.gone.discard(other)
            self.refresh()

    def refresh(self) -> None:
        """Look the suggestions up again (after a merge, say)."""
        self.looked_up = None
        self.asked += 1
        self.render()

    async def _look_up(self, contact: Contact, values: Compared) -> None:
        view = self.view
        # One lookup for all of this agent's pages on the contact (each renders every change): the first page asks,
        # the others await its answer; shielded, so a page closing does not cancel the others'.
        lookup = view.store.shared_result(
            view.contact_id,
            "duplicate-suggestions",
            (values, self.asked),
            lambda: asyncio.ensure_future(reads.duplicate_suggestions(view.session, contact)),
        )
        problem: Problem | None = None
        try:
            found = await asyncio.shield(lookup)
        except LoadFailed as failed:
            found, problem = [], failed.problem
        if values != self.looked_up or self.card.is_deleted:
            return  # the contact changed meanwhile: a later lookup tells
        self.suggestions = [suggestion for suggestion in found if suggestion.contact.id != contact.id]
        self.problem = problem
        self._show()

    def _show(self) -> None:
        view = self.view
        shown = bool(self.suggestions or self.problem) and not view.entry.deleted
        if shown and self.rows is None:
            with self.card:
                section_title(view.t("DUPLICATES.TITLE"))
                self.rows = KeyedRows(ui.column().classes("w-full gap-2"), self._row)
        if self.rows is not None:
            self.rows.sync((self._key(suggestion), suggestion) for suggestion in self.suggestions)
        self._show_problem()
        self.card.visible = shown

    def _show_problem(self) -> None:
        view = self.view
        if self.problem is not None and self.error_row is None:
            with self.card, mark_id(ui.row(), "duplicates-error").classes("w-full items-center gap-2") as row:
                self.error_text = ui.label().classes("text-negative grow").props('role="alert"')
                retry = ui.button(view.t("APP.RETRY"), on_click=self.refresh).props("flat dense color=primary")
                mark_id(retry, "duplicates-retry")
            self.error_row = row
        if self.error_row is not None and self.error_text is not None:
            self.error_row.visible = self.problem is not None
            if self.problem is not None:
                self.error_text.text = view.t("DUPLICATES.LOAD_FAILED", reason=view.error(self.problem))

    @staticmethod
    def _key(suggestion: DuplicateSuggestion) -> RowKey:
        other = suggestion.contact
        return other.id, other.name or "", other.email or "", other.phone_number or "", tuple(suggestion.reasons)

    def _row(self, suggestion: DuplicateSuggestion) -> ui.row:
        view = self.view
        other = suggestion.contact
        name = other.name or view.t("CONTACTS_LIST.UNNAMED")
        reasons = [view.t(REASON_KEYS[reason]) for reason in suggestion.reasons if reason in REASON_KEYS]
        reachable = [value for value in (other.email, format_phone_international(other.phone_number)) if value]
        with mark_id(ui.row(), f"duplicate-{other.id}").classes("w-full items-center gap-2") as row:
            with ui.column().classes("gap-0 min-w-0 grow"):
                mark_id(ui.label(name), "duplicate-name").classes("text-weight-medium break-words")
                if reachable:
                    ui.label(" · ".join(reachable)).classes(f"text-caption {MUTED_TEXT} break-words")
                mark_id(ui.label(" · ".join(reasons)), "duplicate-reasons").classes("text-caption")
            link = ui.link(view.t("DUPLICATES.OPEN"), f"/contacts/{other.id}?source=duplicates")
            mark_id(aria(link, view.t("DUPLICATES.OPEN_LABEL", name=name)), "duplicate-open").classes("q-px-xs")
            if self.on_merge is not None:
                on_merge = self.on_merge
                merge = ui.button(view.t("DUPLICATES.MERGE"), on_click=lambda: on_merge(other.id))
                merge.props("flat dense color=primary")
                mark_id(aria(merge, view.t("DUPLICATES.MERGE_LABEL", name=name)), "duplicate-merge")
        return row
