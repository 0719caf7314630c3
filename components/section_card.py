"""SectionCard: a section of the contact panel, a flat bordered card whose heading is a prop, not an element.

An element costs the server about 4 KiB per open page; a section's heading never changes after it is built, so
the card draws it (`section_card.js`). `section_title` (contact_view.py) gives the heading to the card a section
is built in when it is the card's first part.
"""

from __future__ import annotations

from typing import Any

from nicegui import ui


class SectionCard(ui.element, component="section_card.js"):
    """A card laid out as NiceGUI's `ui.card` (a column with its padding and gap), with an optional heading."""

    def __init__(self) -> None:
        super().__init__()
        self._classes.append("nicegui-card")

    @property
    def title(self) -> str:
        title: str = self._props.get("title", "")
        return title

    def set_title(self, text: str) -> None:
        self._props["title"] = text

    def _displayed_contents(self, *, only_visible: bool) -> list[Any]:
        """What `user.should_see` and NiceGUI's element filters find in it: the heading too."""
        return [*super()._displayed_contents(only_visible=only_visible), self.title]
