"""ContactActivityTimeline: what happened to the contact, who did it, and when."""

from __future__ import annotations

import time
from typing import Any

from nicegui import ui

from api.client import EVENTS_PAGE_SIZE
from api.models import AttributeDefinition, ContactEvent
from components.activity_entries import ActivityEntries, Entry
from components.contact_meta_information import display_value
from components.contact_view import (
    MUTED_TEXT,
    PUSHED_TO_END,
    ContactView,
    aria,
    field_label,
    isolated,
    mark_id,
    scroll_fade_css,
    section_body,
    section_title,
    skeleton_lines,
)
from components.on_demand import OnDemand
from components.stylesheet import shared_css
from state import actions
from state.i18n import format_datetime, format_list, format_number, relative_time, t

ICONS = {
    "created": "person_add",
    "updated": "edit",
    "label_added": "label",
    "label_removed": "label_off",
    "note_added": "sticky_note_2",
    "note_updated": "edit_note",
    "note_deleted": "delete",
    "conversation_opened": "chat",
    "conversation_resolved": "task_alt",
    "merged": "merge",
    "deleted": "person_remove",
}
# What the agent can narrow the trail to, by kind of entry.
FILTERS: dict[str, frozenset[str] | None] = {
    "all": None,
    "changes": frozenset({"created", "updated", "label_added", "label_removed", "merged", "deleted"}),
    "notes": frozenset({"note_added", "note_updated", "note_deleted"}),
    "conversations": frozenset({"conversation_opened", "conversation_resolved"}),
}
MAX_VALUE = 80
# Custom attribute types whose values the attributes section writes in the locale's way; the timeline writes them
# the same way (other types are text, links and list choices, shown as typed).
TYPED_ATTRIBUTES = frozenset({"number", "currency", "percent", "date", "checkbox"})
SCROLL_ENTRIES = 6  # about as many entries as fit in the scroll box; with more, its bottom fades out
# Quasar always renders an entry's title heading; the description is the entry's body, so the heading stays
# empty: hidden, it neither reaches screen readers nor adds a gap. The rest makes the entries compact.
TIMELINE_CSS = shared_css(
    """
.activity-timeline .q-timeline__title:empty { display: none; }
.activity-timeline .q-timeline__content { gap: 0; padding-bottom: 12px; }
.activity-timeline .q-timeline__entry--icon .q-timeline__subtitle {
  padding-top: 0; margin-bottom: 2px; opacity: 1; color: #4a5565;
  text-transform: none; letter-spacing: normal; font-weight: 500;
}
.body--dark .activity-timeline .q-timeline__entry--icon .q-timeline__subtitle { color: #99a1af; }
"""
    + scroll_fade_css(".activity-scroller")
)


def shown_value(value: Any, locale: str, definition: AttributeDefinition | None = None) -> str:
    """A changed value as short text, as the locale writes it: numbers and yes/no (CLDR, the app's texts), lists
    joined as the locale joins them, objects as their key-value pairs; a custom attribute as its display type shows
    it (dates, amounts, percentages). Text stays as typed."""
    if definition is not None and definition.attribute_display_type in TYPED_ATTRIBUTES and _is_scalar(value):
        yes, no = t("ATTRIBUTES.YES", locale), t("ATTRIBUTES.NO", locale)
        text = display_value(definition, value, yes, no, locale)
    else:
        text = _value_text(value, locale)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, dict | list)


def _value_text(value: Any, locale: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return t("ATTRIBUTES.YES" if value else "ATTRIBUTES.NO", locale)
    if isinstance(value, int | float):
        return format_number(value, locale)
    if isinstance(value, list):
        return format_list([text for item in value if (text := _value_text(item, locale))], locale)
    if isinstance(value, dict):
        pairs = (f"{key}: {text}" for key, item in value.items() if (text := _value_text(item, locale)))
        return format_list(pairs, locale)
    return str(value)


def attribute_definition(view: ContactView, path: str | None) -> AttributeDefinition | None:
    """The definition of the custom attribute a field path names (`custom_attributes.plan`), if the account has one."""
    parts = (path or "").split(".")
    if len(parts) == 2 and parts[0] == "custom_attributes":
        return view.store.definitions_by_key().get(parts[1])
    return None


def conversation_page(event: ContactEvent) -> str:
    """The page of the conversation an entry is about, or "" (the trail's own `id`s are display ids)."""
    if event.kind in {"conversation_opened", "conversation_resolved"} and isinstance(event.new_value, int):
        return f"/conversations/{event.new_value}"
    return ""


class ContactActivityTimeline:
    """The activity trail, newest first; from the server's `/events`, or built from conversations and notes.

    Built once; the entries are one element holding their texts (see ActivityEntries), each text worked out
    once per event; loading flips a spinner.
    """

    def __init__(self, view: ContactView) -> None:
        self.view = view
        self.shown: object = None
        # Per event id: what the entry says and its exact time; and its relative time, for `minute`.
        self.texts: dict[int, tuple[str, str]] = {}
        self.subtitles: dict[int, str] = {}
        self.definitions: object = None
        self.minute: int | None = None
        with section_body("w-full gap-2") as body:
            with ui.row().classes("items-center gap-2 w-full"):
                section_title(view.t("TIMELINE.TITLE"))
                options = {name: view.t(f"TIMELINE.FILTER_{name.upper()}") for name in FILTERS}
                self.filter = ui.toggle(options, value="all", on_change=lambda _: self.render())
                self.filter.props("dense no-caps unelevated toggle-color=primary").style(PUSHED_TO_END)
                mark_id(aria(self.filter, view.t("TIMELINE.FILTER")), "timeline-filter")
            # Room on both sides for the icon dots, which Quasar draws 8 px outside the timeline (either direction).
            self.scroller = ui.element("div").classes("w-full max-h-[28rem] overflow-auto q-px-sm q-pt-xs")
            aria(self.scroller.props("tabindex=0"), view.t("TIMELINE.TITLE"))
            with self.scroller:
                self.entries = mark_id(ActivityEntries(), "activity-timeline").classes("w-full activity-timeline")
        self.spinner = OnDemand(self.filter, self._build_spinner)
        self.more = OnDemand(None, self._build_more, inside=body)
        self.error = OnDemand(self.scroller, self._build_error)
        self.skeleton = OnDemand(self.scroller, skeleton_lines(3), drop_when_hidden=True)
        self.empty = OnDemand(
            self.scroller,
            lambda: mark_id(ui.label(view.t("TIMELINE.EMPTY")), "timeline-empty").classes(f"{MUTED_TEXT} italic"),
        )
        self.none_of_kind = OnDemand(
            self.scroller,
            lambda: mark_id(ui.label(view.t("TIMELINE.EMPTY_FILTERED")), "timeline-none-of-kind").classes(
                f"{MUTED_TEXT} italic"
            ),
        )

    def _build_spinner(self) -> ui.spinner:
        spinner = ui.spinner(size="1em").props('role="status"')
        return mark_id(aria(spinner, self.view.t("APP.LOADING")), "timeline-loading")

    def _build_more(self) -> ui.button:
        more = ui.button(self.view.t("TIMELINE.LOAD_MORE"), on_click=self._load_more).props("flat color=primary")
        return mark_id(more, "timeline-load-more")

    def _build_error(self) -> ui.row:
        with ui.row().classes("items-center gap-2").props('role="alert"') as row:
            self.error_text = ui.label().classes("text-negative")
            retry = ui.button(self.view.t("APP.RETRY"), on_click=self._reload)
            mark_id(retry, "timeline-retry").props("flat dense")
        return row

    def describe(self, event: ContactEvent) -> str:
        view = self.view
        t = view.t
        kind = event.kind
        if kind == "updated" and event.field == "thumbnail":  # a picture's address says nothing to an agent
            return t("TIMELINE.AVATAR_REMOVED" if not event.new_value else "TIMELINE.AVATAR_CHANGED")
        if kind == "updated":
            # Values (and the names agents gave their attributes) may be in another script than the sentence.
            field = isolated(field_label(view, event.field))
            definition = attribute_definition(view, event.field)
            old = shown_value(event.old_value, view.locale, definition)
            new = shown_value(event.new_value, view.locale, definition)
            if not old:
                return t("TIMELINE.FIELD_SET", field=field, new=isolated(new))
            if not new:
                return t("TIMELINE.FIELD_CLEARED", field=field, old=isolated(old))
            return t("TIMELINE.FIELD_CHANGED", field=field, old=isolated(old), new=isolated(new))
        if kind == "label_added":
            return t("TIMELINE.LABEL_ADDED", label=isolated(shown_value(event.new_value, view.locale)))
        if kind == "label_removed":
            return t("TIMELINE.LABEL_REMOVED", label=isolated(shown_value(event.old_value, view.locale)))
        if kind in {"conversation_opened", "conversation_resolved"}:
            # A conversation's display id names it, as "#1234" does everywhere in the app: not a quantity.
            return t(f"TIMELINE.{kind.upper()}", id="" if event.new_value is None else str(event.new_value))
        if kind in {"created", "note_added", "note_updated", "note_deleted", "merged", "deleted"}:
            return t(f"TIMELINE.{kind.upper()}")
        return t("TIMELINE.UNKNOWN")

    def render(self) -> None:
        view = self.view
        timeline = view.store.timeline(view.contact_id)
        refreshing = timeline.loading and timeline.loaded and not timeline.has_more
        shown = (timeline.loaded, timeline.loading, timeline.error, timeline.has_more, refreshing)
        if shown != self.shown:
            self.shown = shown
            if self.error.show(bool(timeline.error)) and timeline.error:
                self.error_text.set_text(f"{view.t('TIMELINE.LOAD_FAILED')}: {view.error(timeline.error)}")
            self.skeleton.show(not timeline.loaded and not timeline.error)
            # While "more" is shown, its button spins; otherwise a re-read shows the spinner by the title.
            self.spinner.show(refreshing)
            more = self.more.show(timeline.loaded and timeline.has_more)
            if more is not None and more.props.get("loading") != timeline.loading:
                more.props["loading"] = timeline.loading
        loaded = timeline.events if timeline.loaded else []
        kinds = FILTERS.get(str(self.filter.value))
        events = loaded if kinds is None else [event for event in loaded if event.kind in kinds]
        self.empty.show(timeline.loaded and not loaded)
        self.none_of_kind.show(bool(loaded) and not events)
        self.scroller.visible = bool(events)
        if len(events) > SCROLL_ENTRIES:
            self.scroller.classes(add="activity-scroller")
        else:
            self.scroller.classes(remove="activity-scroller")
        # The entries are worked out once per change for all of this agent's pages on the contact in this locale
        # and filter, from the trail (a new list on every change), the attribute names and the minute.
        definitions = view.store.attribute_definitions
        now = int(time.time())
        entries = view.store.shared_result(
            view.contact_id,
            ("timeline", view.locale, self.filter.value),
            (loaded, definitions, now // 60),
            lambda: self._entries(events, definitions, now),
        )
        self.entries.show(entries)
        if len(self.texts) > 2 * len(loaded) + EVENTS_PAGE_SIZE:  # entries gone from the trail: forget them
            shown_ids = {event.id for event in loaded}
            self.texts = {key: value for key, value in self.texts.items() if key in shown_ids}
            self.subtitles = {key: value for key, value in self.subtitles.items() if key in shown_ids}

    def _entries(self, events: list[ContactEvent], definitions: object, now: int) -> list[Entry]:
        """The entries for `events`; what each says is remembered per event, its relative time per minute.

        What an entry says depends on its event and the names agents gave their attributes (the store replaces
        the definitions list when it reads them again, so identity tells a change); its relative time ("5 minutes
        ago") on the minute.
        """
        view = self.view
        if definitions is not self.definitions:
            self.definitions = definitions
            self.texts.clear()
        if now // 60 != self.minute:
            self.minute = now // 60
            self.subtitles.clear()
        entries: list[Entry] = []
        for event in events:
            texts = self.texts.get(event.id)
            if texts is None:
                when = format_datetime(event.created_at, view.locale) if event.created_at else ""
                texts = self.texts[event.id] = (self.describe(event), when)
            subtitle = self.subtitles.get(event.id)
            if subtitle is None:
                subtitle = self.subtitles[event.id] = self._subtitle(event, now)
            body, when = texts
            icon = ICONS.get(event.kind, "history")
            href = conversation_page(event)
            entries.append(
                Entry(id=event.id, kind=event.kind, icon=icon, body=body, subtitle=subtitle, when=when, href=href)
            )
        return entries

    def _subtitle(self, event: ContactEvent, now: int) -> str:
        view = self.view
        who = event.performer.name if event.performer and event.performer.name else None
        stamp = event.created_at
        when = relative_time(stamp, now=now, locale=view.locale) if stamp else ""
        by = view.t("TIMELINE.BY", name=who) if who else view.t("TIMELINE.SYSTEM")
        return " · ".join(part for part in (when, by) if part)

    def _load_more(self) -> None:
        view = self.view
        view.run(lambda: actions.fetch_timeline(view.store, view.session.client, view.contact_id, more=True))

    def _reload(self) -> None:
        view = self.view
        view.run(lambda: actions.fetch_timeline(view.store, view.session.client, view.contact_id))
