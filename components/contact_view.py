"""What every component of one open contact shares: the agent's session, the contact id, the locale."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from nicegui import background_tasks, context, ui

from api.models import Contact
from state.i18n import t
from state.session import AgentSession
from state.store import ContactEntry, ContactStore

E = TypeVar("E", bound=ui.element)


@dataclass(kw_only=True)
class ContactView:
    """One contact as shown in one tab."""

    session: AgentSession
    contact_id: int
    locale: str
    read_only: bool = False

    @property
    def store(self) -> ContactStore:
        return self.session.store

    @property
    def entry(self) -> ContactEntry:
        return self.store.entry(self.contact_id)

    @property
    def contact(self) -> Contact | None:
        return self.store.contact(self.contact_id)

    @property
    def editable(self) -> bool:
        return not self.read_only and not self.entry.deleted and self.contact is not None

    def t(self, key: str, **params: Any) -> str:
        """Translate in this tab's locale."""
        return t(key, locale=self.locale, **params)

    def run(self, work: Callable[[], Awaitable[Any]]) -> None:
        """Run an action in the background, keeping the tab responsive; notifications reach this tab."""
        slot = context.slot

        async def in_tab() -> None:
            with slot:
                await work()

        background_tasks.create(in_tab(), name=f"contact-{self.contact_id}")


def section_title(text: str) -> ui.label:
    """A section heading, also used as an accessible landmark name."""
    return ui.label(text).classes("text-subtitle1 text-weight-medium").props('role="heading" aria-level="2"')


def skeleton_lines(count: int = 3) -> None:
    """Placeholder lines while a section loads."""
    for _ in range(count):
        ui.skeleton("text").classes("w-full")


def aria(element: E, label: str) -> E:
    """Give an element an accessible name; set as a prop value, never parsed, so any text is safe."""
    element.props["aria-label"] = label
    return element
