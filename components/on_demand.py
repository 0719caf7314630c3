"""OnDemand: a part of a section that most pages never show (an error, an empty state, a skeleton), built when needed.

Every NiceGUI element costs about 4 KiB of the app's memory for as long as its page is open, hidden or not, so a
part shown only sometimes is built the first time it is shown, in its place, and then shown and hidden in place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from nicegui import ui

E = TypeVar("E", bound=ui.element)


class OnDemand(Generic[E]):
    """An element built by `build` the first time it is shown: right before `anchor` (always on the page), or
    at the end of `inside`.

    `drop_when_hidden`: for what is shown once and then rarely again (loading skeletons): deleted when hidden,
    built again should it be needed again.
    """

    def __init__(
        self,
        anchor: ui.element | None,
        build: Callable[[], E],
        *,
        inside: ui.element | None = None,
        drop_when_hidden: bool = False,
    ) -> None:
        assert (anchor is None) != (inside is None), "either before an anchor or inside a container"
        self.anchor = anchor
        self.inside = inside
        self.build = build
        self.drop_when_hidden = drop_when_hidden
        self.element: E | None = None

    def show(self, visible: bool) -> E | None:
        """Show or hide the part (building it first if needed); the element while it exists."""
        if visible and self.element is None:
            self.element = self._build()
        elif not visible and self.element is not None and self.drop_when_hidden:
            self.element.delete()
            self.element = None
        if self.element is not None and self.element.visible != visible:
            self.element.visible = visible
        return self.element

    def _build(self) -> E:
        if self.anchor is None:
            assert self.inside is not None
            with self.inside:
                return self.build()
        slot = self.anchor.parent_slot
        assert slot is not None, "the anchor must be on the page"
        with slot:
            element = self.build()
        element.move(slot.parent, slot.children.index(self.anchor), target_slot=slot.name)
        return element
