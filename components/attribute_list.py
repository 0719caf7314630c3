"""AttributeList: a contact's custom attribute rows as one element holding plain data.

A row of elements (name, value, pencil) cost the app about 4 KiB of memory each, for every open page
(nine attributes: a third of a contact page's elements); here the rows are a list of dicts that the
browser draws (`attribute_list.js`, keyed by attribute key). An open inline editor is real NiceGUI
elements in the row's slot (`editor_slot`), so it keeps its value, focus and caret while rows update.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict

from nicegui import ui
from nicegui.events import GenericEventArguments
from nicegui.slot import Slot


class AttributeItem(TypedDict):
    """One row as the browser draws it."""

    key: str  # the row's `data-testid` is `attribute-<key>`, its value's `attribute-value-<key>`
    icon: str  # a Material icon name, drawn by CSS (`.icon-before`)
    name: str
    description: str  # shown on hovering the name
    shown: str  # "text", "link" or "unset"
    text: str  # the value as text, or "Not set"
    url: str  # for a link: the http(s) address
    dir: str  # "ltr" for numbers, dates and links, "auto" for text, "" for a checkbox's Yes/No
    editable: bool  # the pencil shows
    editing: bool  # the editor (in the row's slot) shows instead of the value and the pencil
    edit_label: str  # the pencil's accessible name


class AttributeList(ui.element, component="attribute_list.js"):
    """The rows, in order; `show` replaces them only when they changed. `on_edit(key)` when a pencil is used."""

    def __init__(self, on_edit: Callable[[str], None], *, muted: str) -> None:
        super().__init__()
        dict.__setitem__(self._props, "rows", [])  # a plain list (see below)
        self._props["saving"] = False
        self._props["muted"] = muted
        self.slots_by_key: dict[str, Slot] = {}
        self.on("edit", lambda event: self._edit(event, on_edit))

    @property
    def rows(self) -> list[AttributeItem]:
        rows: list[AttributeItem] = self._props["rows"]
        return rows

    def show(self, rows: list[AttributeItem], *, saving: bool) -> None:
        if rows == self.rows and saving == self._props["saving"]:
            return
        # Stored as they are, not wrapped in NiceGUI's observables (as `props[...] =` would, item by item, in every
        # tab on every change): the list is only ever replaced, never changed in place.
        dict.__setitem__(self._props, "rows", rows)
        dict.__setitem__(self._props, "saving", saving)
        self.update()

    def editor_slot(self, key: str) -> Slot:
        """Where a row's editor is built (`with list.editor_slot(key): ...`), drawn while the row is editing."""
        slot = self.slots_by_key.get(key)
        if slot is None:
            slot = self.slots_by_key[key] = self.add_slot(f"editor-{key}")
        return slot

    def _edit(self, event: GenericEventArguments, on_edit: Callable[[str], None]) -> None:
        key = str(event.args)
        # Only a row that is shown with its pencil: a stale click (the row went, or a save began) does nothing.
        shown = any(row["key"] == key and row["editable"] and not row["editing"] for row in self.rows)
        if shown and not self._props["saving"]:
            on_edit(key)
