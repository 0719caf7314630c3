"""FactList: what else is known of a contact (identifier, city, country, bio) and its dates, as one element.

Each fact was a row and two labels, and the dates a row and two labels: up to fifteen elements at about
4 KiB of the app's memory each, for every open page. Here they are two lists of plain data that the browser
draws (`fact_list.js`); a fact the contact lacks is not drawn at all.
"""

from __future__ import annotations

from typing import TypedDict

from nicegui import ui


class Fact(TypedDict):
    """One fact as the browser draws it."""

    key: str  # the value's `data-testid` is `contact-<key>`
    label: str
    text: str
    block: bool  # the label above a text of several lines (the bio), instead of beside one line


class Stamp(TypedDict):
    """A date as the browser draws it: relative, the exact time on hover."""

    key: str  # its `data-testid` is `contact-<key>`
    text: str
    exact: str


class FactList(ui.element, component="fact_list.js"):
    """The facts and dates; `show` replaces them only when they changed, and hides the element when empty."""

    def __init__(self, *, muted: str) -> None:
        super().__init__()
        dict.__setitem__(self._props, "facts", [])  # a plain list (see below)
        dict.__setitem__(self._props, "stamps", [])  # a plain list (see below)
        self._props["muted"] = muted

    @property
    def facts(self) -> list[Fact]:
        facts: list[Fact] = self._props["facts"]
        return facts

    @property
    def stamps(self) -> list[Stamp]:
        stamps: list[Stamp] = self._props["stamps"]
        return stamps

    def show(self, facts: list[Fact], stamps: list[Stamp]) -> None:
        if facts != self.facts or stamps != self.stamps:
            # Stored as they are, not wrapped in NiceGUI's observables (as `props[...] =` would, item by item, in
            # every tab on every change): the lists are only ever replaced, never changed in place.
            dict.__setitem__(self._props, "facts", facts)
            dict.__setitem__(self._props, "stamps", stamps)
            self.update()
        self.set_visibility(bool(facts or stamps))
