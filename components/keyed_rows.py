"""KeyedRows: the children of one container, one element per key, kept in a given order."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Generic, TypeVar

from nicegui import ui

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")
R = TypeVar("R", bound=ui.element)


class KeyedRows(Generic[K, T, R]):
    """Rows built once per key: a sync adds the rows of new keys and removes those of vanished ones.

    Rows of keys that stay are neither rebuilt nor updated (their elements, and ids, live on), so
    `build` suits what never changes for a key; the caller updates the rest through `rows`. The
    container holds nothing but these rows.
    """

    def __init__(self, container: ui.element, build: Callable[[T], R]) -> None:
        self.container = container
        self.build = build
        self.rows: dict[K, R] = {}

    def sync(self, items: Iterable[tuple[K, T]]) -> list[K]:
        """Show a row for each item, in this order (the first of a repeated key wins); returns the new keys."""
        wanted: dict[K, T] = {}
        for key, item in items:
            wanted.setdefault(key, item)
        for key in [key for key in self.rows if key not in wanted]:
            self.container.remove(self.rows.pop(key))
        added: list[K] = []
        for key, item in wanted.items():
            if key not in self.rows:
                with self.container:
                    self.rows[key] = self.build(item)
                added.append(key)
        children = self.container.default_slot.children
        for index, key in enumerate(wanted):
            row = self.rows[key]
            if children[index] is not row:
                row.move(target_index=index)
        return added
