"""HistoryTable: the conversation history's rows as one element holding plain data.

Quasar's QTable made a Vue component of the table, each row, each cell and each badge: about 150 for the 20
conversations a contact page shows first, mounted in the browser before the page appears. Here the browser
draws the same markup from a list of dicts (`history_table.js`, keyed by conversation id), with Quasar's classes,
so the table looks as before.
"""

from __future__ import annotations

from typing import TypedDict

from nicegui import ui


class Row(TypedDict):
    """One conversation as the table draws it."""

    id: int
    status_text: str
    status_color: str  # a Quasar colour name: the badge's background
    status_text_color: str
    unread: int
    unread_text: str  # the unread badge's accessible name ("3 unread")
    inbox: str
    preview: str
    labels: list[str]
    time: str


class HistoryTable(ui.element, component="history_table.js"):
    """The rows, newest first; `rows = [...]` replaces the list only when it changed."""

    def __init__(self, *, muted: str) -> None:
        super().__init__()
        dict.__setitem__(self._props, "rows", [])  # a plain list (see below)
        self._props["muted"] = muted  # the classes of secondary text (inbox, time)

    @property
    def rows(self) -> list[Row]:
        rows: list[Row] = self._props["rows"]
        return rows

    @rows.setter
    def rows(self, rows: list[Row]) -> None:
        if rows == self.rows:
            return
        # Stored as it is, not wrapped in NiceGUI's observable lists and dicts: the list is only ever replaced.
        dict.__setitem__(self._props, "rows", rows)
        self.update()
