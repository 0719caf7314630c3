"""What every component of one open contact shares: the agent's session, the contact id, the locale."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from nicegui import background_tasks, context, ui

from api.models import Contact
from api.validation import SOCIAL_NETWORKS
from components.section_card import SectionCard
from state.actions import SaveOutcome
from state.i18n import t
from state.problems import Problem, describe
from state.session import AgentSession
from state.store import ContactEntry, ContactStore

E = TypeVar("E", bound=ui.element)

# Secondary text that keeps 4.5:1 contrast on light cards (gray-600) and on dark ones (gray-400).
MUTED_TEXT = "text-gray-600 dark:text-gray-400"
# The last item of a row goes to its end (right, or left in Arabic): a style, not a `ui.space()` element.
PUSHED_TO_END = "margin-inline-start: auto"


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

    def error(self, problem: Problem | None) -> str:
        """What went wrong, in this tab's locale (a server's own words as they came)."""
        return describe(problem, self.locale)

    def run(self, work: Callable[[], Awaitable[Any]]) -> None:
        """Run an action in the background, keeping the tab responsive; notifications reach this tab."""
        slot = context.slot

        async def in_tab() -> None:
            with slot:
                await work()

        background_tasks.create(in_tab(), name=f"contact-{self.contact_id}")


def tell_outcome(view: ContactView, outcome: SaveOutcome, *, saved: str, failed: str) -> None:
    """Tell the agent how a change from the panel ended: `saved` and `failed` are text keys, the reason follows a
    failure. A conflict says nothing here: the conflict dialog asks."""
    if outcome.status == "saved":
        ui.notify(view.t(saved), type="positive")
    elif outcome.status in {"invalid", "failed"}:
        reason = view.error(outcome.message)
        ui.notify(f"{view.t(failed)}: {reason}" if reason else view.t(failed), type="negative")
    elif outcome.status == "deleted":
        ui.notify(view.t("CONTACT.DELETED_TITLE"), type="warning")


def section_title(text: str) -> ui.element:
    """A section heading, also used as an accessible landmark name.

    The first part of a `SectionCard` is its heading: the card draws it (one element less on every open page).
    """
    parent = context.slot.parent
    if isinstance(parent, SectionCard) and not parent.title and not parent.default_slot.children:
        parent.set_title(text)
        return parent
    return ui.label(text).classes("text-subtitle1 text-weight-medium").props('role="heading" aria-level="2"')


def section_body(classes: str) -> ui.element:
    """Where a section builds its parts: the card it is built in, if it starts one (a card is already a column,
    and every element costs the server memory per open page), else a column of its own."""
    parent = context.slot.parent
    if isinstance(parent, ui.card | SectionCard) and not parent.default_slot.children:
        return parent.classes(classes)
    return ui.column().classes(classes)


def skeleton_lines(count: int = 3) -> Callable[[], ui.column]:
    """What builds placeholder lines while a section loads (see `OnDemand`)."""

    def build() -> ui.column:
        with ui.column().classes("w-full") as lines:
            for _ in range(count):
                ui.skeleton("text").classes("w-full")
        return lines

    return build


def scroll_fade_css(selector: str) -> str:
    """CSS for a scroll box whose bottom fades out, a hint that there is more below a cut-off row.

    The same height of padding ends the content, so at the end of the scroll only empty space is faded.
    """
    return f"""
{selector} {{
  padding-bottom: 3rem;
  mask-image: linear-gradient(to bottom, #000 calc(100% - 3rem), transparent);
}}
"""


def isolated(text: str) -> str:
    """Text set apart from the sentence around it (Unicode first-strong isolate).

    An English value inside an Arabic sentence, or the other way round, keeps its own direction and punctuation.
    """
    return f"\u2068{text}\u2069"


def aria(element: E, label: str) -> E:
    """Give an element an accessible name; set as a prop value, never parsed, so any text is safe."""
    element.props["aria-label"] = label
    return element


def hinted(element: E, label: str) -> E:
    """An icon button's accessible name, also shown on hover (the browser's own tooltip: no element of its own)."""
    aria(element, label).props["title"] = label
    return element


def icon_before(element: E, icon: str, *, size: str = "xs") -> E:
    """A decorative icon drawn by CSS at the start of a row (`.icon-before` in assets/app.css), not an element.

    `size` is Quasar's name for an icon size: "xs" (18 px), "sm" (24 px) or "md" (32 px).
    """
    element.props["data-icon"] = icon
    element.classes(f"icon-before icon-before-{size}")
    return element


def mark_id(element: E, name: str) -> E:
    """A stable name for tests: `data-testid` for browser tests, a marker for NiceGUI's `User`."""
    element.props["data-testid"] = name
    element.mark(name)
    return element


FIELD_KEYS = {
    "name": "CONTACT.NAME",
    "email": "CONTACT.EMAIL",
    "phone_number": "CONTACT.PHONE",
    "identifier": "CONTACT.IDENTIFIER",
    "blocked": "CONTACT.BLOCKED",
    "additional_attributes.company_name": "CONTACT.COMPANY",
    "additional_attributes.city": "CONTACT.CITY",
    "additional_attributes.country": "CONTACT.COUNTRY",
    "additional_attributes.description": "CONTACT.DESCRIPTION",
}


def field_label(view: ContactView, path: str | None) -> str:
    """A contact field's name as the agent knows it (`custom_attributes.plan` -> "Plan")."""
    if not path:
        return ""
    if path in FIELD_KEYS:
        return view.t(FIELD_KEYS[path])
    parts = path.split(".")
    definitions = view.store.definitions_by_key()
    if parts[0] == "custom_attributes" and len(parts) > 1 and parts[1] in definitions:
        return definitions[parts[1]].attribute_display_name
    if parts[:2] == ["additional_attributes", "social_profiles"] and len(parts) == 3 and parts[2] in SOCIAL_NETWORKS:
        return view.t(f"SOCIAL.{parts[2].upper()}")
    return parts[-1].replace("_", " ")
