"""ContactActivityTimeline: what happened to the contact, who did it, and when."""

from __future__ import annotations

import time
from typing import Any

from nicegui import ui

from api.models import ContactEvent
from components.contact_view import (
    MUTED_TEXT,
    ContactView,
    aria,
    field_label,
    isolated,
    mark_id,
    scroll_fade_css,
    section_title,
    skeleton_lines,
)
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
SCROLL_ENTRIES = 6  # about as many entries as fit in the scroll box; with more, its bottom fades out
# Quasar always renders an entry's title heading; the description is the entry's body, so the heading stays
# empty: hidden, it neither reaches screen readers nor adds a gap. The rest makes the entries compact.
TIMELINE_CSS = """
.activity-timeline .q-timeline__title:empty { display: none; }
.activity-timeline .q-timeline__content { gap: 0; padding-bottom: 12px; }
.activity-timeline .q-timeline__entry--icon .q-timeline__subtitle {
  padding-top: 0; margin-bottom: 2px; opacity: 1; color: #4a5565;
  text-transform: none; letter-spacing: normal; font-weight: 500;
}
.body--dark .activity-timeline .q-timeline__entry--icon .q-timeline__subtitle { color: #99a1af; }
""" + scroll_fade_css(".activity-scroller")


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
        ui.add_css(TIMELINE_CSS)
        self.render()

    def describe(self, event: ContactEvent) -> str:
        t = self.view.t
        kind = event.kind
        if kind == "updated":
            # Values (and the names agents gave their attributes) may be in another script than the sentence.
            field = isolated(field_label(self.view, event.field))
            old, new = shown_value(event.old_value), shown_value(event.new_value)
            if not old:
                return t("TIMELINE.FIELD_SET", field=field, new=isolated(new))
            if not new:
                return t("TIMELINE.FIELD_CLEARED", field=field, old=isolated(old))
            return t("TIMELINE.FIELD_CHANGED", field=field, old=isolated(old), new=isolated(new))
        if kind == "label_added":
            return t("TIMELINE.LABEL_ADDED", label=isolated(shown_value(event.new_value)))
        if kind == "label_removed":
            return t("TIMELINE.LABEL_REMOVED", label=isolated(shown_value(event.old_value)))
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
                mark_id(ui.label(view.t("TIMELINE.EMPTY")), "timeline-empty").classes(f"{MUTED_TEXT} italic")
                return
            # Room on both sides for the icon dots, which Quasar draws 8 px outside the timeline (either direction).
            scroller = ui.element("div").classes("w-full max-h-[28rem] overflow-auto q-px-sm q-pt-xs")
            if len(timeline.events) > SCROLL_ENTRIES:
                scroller.classes("activity-scroller")
            aria(scroller.props("tabindex=0"), view.t("TIMELINE.TITLE"))
            with scroller, mark_id(ui.timeline(side="right"), "activity-timeline").classes("w-full activity-timeline"):
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
