"""ContactActivityTimeline: what happened to the contact, who did it, and when."""

from __future__ import annotations

import time
from typing import Any

from nicegui import ui

from api.models import ContactEvent
from components.contact_view import ContactView, aria, field_label, mark_id, section_title, skeleton_lines
from state import actions
from state.i18n import format_datetime, relative_time

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
        self.rendered: object = None
        self.container = ui.column().classes("w-full gap-2")
        self.render()

    def describe(self, event: ContactEvent) -> str:
        t = self.view.t
        kind = event.kind
        if kind == "updated":
            field = field_label(self.view, event.field)
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
        return t("TIMELINE.UNKNOWN")

    def render(self) -> None:
        view = self.view
        timeline = view.store.timeline(view.contact_id)
        state = (
            list(timeline.events),
            timeline.loaded,
            timeline.loading,
            timeline.error,
            timeline.has_more,
            list(view.store.attribute_definitions),
        )
        if state == self.rendered:
            return  # the store changed something this section does not show
        self.rendered = state
        self.container.clear()
        now = int(time.time())
        with self.container:
            section_title(view.t("TIMELINE.TITLE"))
            if timeline.error:
                with ui.row().classes("items-center gap-2").props('role="alert"'):
                    ui.label(f"{view.t('TIMELINE.LOAD_FAILED')}: {view.error(timeline.error)}").classes("text-negative")
                    mark_id(ui.button(view.t("APP.RETRY"), on_click=self._reload), "timeline-retry").props("flat dense")
            if not timeline.loaded:
                if not timeline.error:
                    skeleton_lines(3)
                return
            if not timeline.events:
                mark_id(ui.label(view.t("TIMELINE.EMPTY")), "timeline-empty").classes("text-grey-6 italic")
                return
            scroller = ui.element("div").classes("w-full max-h-[28rem] overflow-auto").props("tabindex=0")
            aria(scroller, view.t("TIMELINE.TITLE"))
            with scroller, mark_id(ui.timeline(side="right"), "activity-timeline").classes("w-full").props("dense"):
                for event in timeline.events:
                    who = event.performer.name if event.performer and event.performer.name else None
                    stamp = event.created_at
                    when = relative_time(stamp, now=now, locale=view.locale) if stamp else ""
                    by = view.t("TIMELINE.BY", name=who) if who else view.t("TIMELINE.SYSTEM")
                    entry = ui.timeline_entry(
                        body=self.describe(event),
                        subtitle=" · ".join(part for part in (when, by) if part),
                        icon=ICONS.get(event.kind, "history"),
                    )
                    mark_id(entry, f"timeline-{event.kind}")
                    if stamp:
                        entry.tooltip(format_datetime(stamp, view.locale))
            if timeline.has_more:
                more = ui.button(view.t("TIMELINE.LOAD_MORE"), on_click=self._load_more).props("flat color=primary")
                mark_id(more, "timeline-load-more").props["loading"] = timeline.loading

    def _load_more(self) -> None:
        view = self.view
        view.run(lambda: actions.fetch_timeline(view.store, view.session.client, view.contact_id, more=True))

    def _reload(self) -> None:
        view = self.view
        view.run(lambda: actions.fetch_timeline(view.store, view.session.client, view.contact_id))
