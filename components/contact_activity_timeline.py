"""ContactActivityTimeline: what happened to the contact, who did it, and when."""

from __future__ import annotations

import time
from typing import Any

from nicegui import ui

from api.models import ContactEvent
from components.contact_view import ContactView, aria, section_title, skeleton_lines
from state import actions
from state.i18n import format_datetime, relative_time

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
ICONS = {
    "created": "person_add",
    "updated": "edit",
    "label_added": "label",
    "label_removed": "label_off",
    "note_added": "sticky_note_2",
    "note_deleted": "delete",
    "conversation_opened": "chat",
    "conversation_resolved": "task_alt",
    "merged": "merge",
    "deleted": "person_remove",
}
MAX_VALUE = 80


def shown_value(value: Any) -> str:
    """A changed value as short text (objects as their key-value pairs)."""
    if isinstance(value, dict):
        text = ", ".join(f"{k}: {v}" for k, v in value.items() if v not in (None, ""))
    else:
        text = "" if value is None else str(value)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


class ContactActivityTimeline:
    """The activity trail, newest first; from the server's `/events`, or built from conversations and notes."""

    def __init__(self, view: ContactView) -> None:
        self.view = view
        self.container = ui.column().classes("w-full gap-2")
        self.render()

    def field_name(self, path: str | None) -> str:
        if not path:
            return ""
        if path in FIELD_KEYS:
            return self.view.t(FIELD_KEYS[path])
        parts = path.split(".")
        definitions = self.view.store.definitions_by_key()
        if parts[0] == "custom_attributes" and len(parts) > 1 and parts[1] in definitions:
            return definitions[parts[1]].attribute_display_name
        if parts[:2] == ["additional_attributes", "social_profiles"] and len(parts) == 3:
            return self.view.t(f"SOCIAL.{parts[2].upper()}")
        return parts[-1].replace("_", " ")

    def describe(self, event: ContactEvent) -> str:
        t = self.view.t
        kind = event.kind
        if kind == "updated":
            field = self.field_name(event.field)
            old, new = shown_value(event.old_value), shown_value(event.new_value)
            if not old:
                return t("TIMELINE.FIELD_SET", field=field, new=new)
            if not new:
                return t("TIMELINE.FIELD_CLEARED", field=field, old=old)
            return t("TIMELINE.FIELD_CHANGED", field=field, old=old, new=new)
        if kind == "label_added":
            return t("TIMELINE.LABEL_ADDED", label=shown_value(event.new_value))
        if kind == "label_removed":
            return t("TIMELINE.LABEL_REMOVED", label=shown_value(event.old_value))
        if kind in {"conversation_opened", "conversation_resolved"}:
            return t(f"TIMELINE.{kind.upper()}", id=shown_value(event.new_value))
        if kind in {"created", "note_added", "note_deleted", "merged", "deleted"}:
            return t(f"TIMELINE.{kind.upper()}")
        return kind

    def render(self) -> None:
        view = self.view
        timeline = view.store.timeline(view.contact_id)
        self.container.clear()
        now = int(time.time())
        with self.container:
            section_title(view.t("TIMELINE.TITLE"))
            if not timeline.loaded and (timeline.loading or not timeline.error):
                skeleton_lines(3)
                return
            if timeline.error:
                with ui.row().classes("items-center gap-2"):
                    ui.label(f"{view.t('CONTACT.LOAD_FAILED')}: {timeline.error}").classes("text-negative")
                    ui.button(view.t("APP.RETRY"), on_click=self._reload).props("flat dense")
                return
            if not timeline.events:
                ui.label(view.t("TIMELINE.EMPTY")).classes("text-grey-6 italic")
                return
            scroller = ui.element("div").classes("w-full max-h-[28rem] overflow-auto").props("tabindex=0")
            aria(scroller, view.t("TIMELINE.TITLE"))
            with scroller, ui.timeline(side="right").classes("w-full").props('dense data-testid="activity-timeline"'):
                for event in timeline.events:
                    who = event.performer.name if event.performer and event.performer.name else None
                    stamp = event.created_at
                    entry = ui.timeline_entry(
                        body=self.describe(event),
                        subtitle=" · ".join(
                            part for part in (
                                relative_time(stamp, now=now, locale=view.locale) if stamp else "",
                                view.t("TIMELINE.BY", name=who) if who else view.t("TIMELINE.SYSTEM"),
                            ) if part
                        ),
                        icon=ICONS.get(event.kind, "history"),
                    )
                    entry.props(f'data-testid="timeline-{event.kind}"')
                    if stamp:
                        entry.tooltip(format_datetime(stamp, view.locale))
            if timeline.has_more:
                ui.button(view.t("TIMELINE.LOAD_MORE"), on_click=self._load_more).props("flat color=primary")

    def _load_more(self) -> None:
        view = self.view
        view.run(lambda: actions.fetch_timeline(view.store, view.session.client, view.contact_id, more=True))

    def _reload(self) -> None:
        view = self.view
        view.run(lambda: actions.fetch_timeline(view.store, view.session.client, view.contact_id))
