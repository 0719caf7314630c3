"""ContactMetaInformation: typed custom attributes, labels as coloured chips, social profiles as links."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from nicegui import ui

from api.models import AttributeDefinition
from api.validation import SOCIAL_NETWORKS, check_attribute_value, safe_http_url, social_profile_url
from components.contact_view import MUTED_TEXT, ContactView, aria, mark_id, section_title, skeleton_lines
from state import actions

ICONS = {
    "text": "notes",
    "number": "tag",
    "currency": "payments",
    "percent": "percent",
    "link": "link",
    "date": "event",
    "list": "list",
    "checkbox": "check_box",
}
# Numbers, amounts, percentages and dates read left to right in every language ("15 %", never "% 15").
LEFT_TO_RIGHT_TYPES = {"number", "currency", "percent", "date", "link"}
DEFAULT_LABEL_COLOR = "#64748b"
HEX_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def display_value(definition: AttributeDefinition, value: Any, yes: str, no: str) -> str:
    """An attribute value as text for its display type."""
    kind = definition.attribute_display_type
    if value is None or value == "":
        return ""
    if kind == "checkbox":
        return yes if value is True else no
    if kind == "currency" and isinstance(value, int | float):
        return f"{value:,.2f}"
    if kind == "percent" and isinstance(value, int | float):
        return f"{value:g} %"
    if kind == "number" and isinstance(value, int | float):
        return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"
    return str(value)


def untyped(key: str) -> AttributeDefinition:
    """A text definition for an attribute the account has not defined."""
    return AttributeDefinition(id=0, attribute_display_name=key.replace("_", " ").title(), attribute_key=key)


def relative_luminance(hex_color: str) -> float:
    """WCAG relative luminance of `#rgb` or `#rrggbb`: 0 for black, 1 for white."""
    digits = hex_color[1:]
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    red, green, blue = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def label_colors(color: str | None) -> tuple[str, str]:
    """Background and text colour of a label chip: black or white, whichever contrasts more (WCAG).

    Anything but a hex colour gets the default background.
    """
    background = color if color and HEX_COLOR.match(color) else DEFAULT_LABEL_COLOR
    luminance = relative_luminance(background)
    on_black = (luminance + 0.05) / 0.05
    on_white = 1.05 / (luminance + 0.05)
    return background, "black" if on_black > on_white else "white"


class AttributeEditor:
    """The right editor for one attribute's display type, validated as the agent types."""

    def __init__(
        self,
        view: ContactView,
        definition: AttributeDefinition,
        value: Any,
        on_save: Callable[[Any], Any],
        on_cancel: Callable[[], Any],
    ) -> None:
        self.view = view
        self.definition = definition
        self.on_save = on_save
        self.on_cancel = on_cancel
        kind = definition.attribute_display_type
        key = definition.attribute_key
        self.field: Any
        with ui.row().classes("items-start gap-2 w-full no-wrap"):
            if kind == "checkbox":
                self.field = ui.switch(value=value is True)
            elif kind == "list":
                options = [str(v) for v in definition.attribute_values]
                self.field = ui.select(options, value=str(value) if str(value) in options else None).classes("grow")
            elif kind in {"number", "currency", "percent"}:
                self.field = ui.number(value=value if isinstance(value, int | float) else None).classes("grow")
            elif kind == "date":
                self.field = ui.input(value=str(value or ""), placeholder=view.t("ATTRIBUTES.DATE_PLACEHOLDER"))
                self.field.classes("grow")
                with self.field.add_slot("append"):
                    picker = ui.button(icon="event").props("flat round dense")
                    aria(picker, view.t("ATTRIBUTES.PICK_DATE"))
                    with ui.menu() as menu:
                        ui.date(on_change=lambda e: (self.field.set_value(e.value), menu.close())).props(
                            'mask="YYYY-MM-DD"'
                        )
                    picker.on_click(menu.open)
            else:
                self.field = ui.input(value=str(value or "")).classes("grow")
            mark_id(aria(self.field, definition.attribute_display_name), f"attribute-editor-{key}")
            if kind != "checkbox":
                self.field.validation = self._problem
                self.field.run_method("focus")
            self.field.on("keydown.enter", self.save)
            self.field.on("keydown.escape", self.on_cancel)
            save = ui.button(icon="check", on_click=self.save).props("flat round dense")
            mark_id(aria(save, view.t("ATTRIBUTES.SAVE")), f"attribute-save-{key}")
            cancel = ui.button(icon="close", on_click=self.on_cancel).props("flat round dense")
            mark_id(aria(cancel, view.t("ATTRIBUTES.CANCEL")), f"attribute-cancel-{key}")

    def _normalized(self) -> tuple[Any, str | None]:
        raw = self.field.value
        if self.definition.attribute_display_type in {"number", "currency", "percent"} and isinstance(raw, float):
            raw = int(raw) if raw.is_integer() else raw
        return check_attribute_value(self.definition.model_dump(), raw)

    def _problem(self, _value: Any) -> str | None:
        _, code = self._normalized()
        return self.view.t(f"ERRORS.{code}") if code else None

    def save(self) -> None:
        value, code = self._normalized()
        if code:
            ui.notify(self.view.t(f"ERRORS.{code}"), type="warning")
            return
        self.on_save(value)


class ContactMetaInformation:
    """Attributes, labels and social profiles of a contact; re-rendered from the store."""

    def __init__(self, view: ContactView) -> None:
        self.view = view
        self.editing: str | None = None
        # Editors follow the attribute definitions; until their fetch is settled an editor could be the wrong kind.
        self.definitions_settled = view.store.account_loaded
        self.rendered: object = None
        self.container = ui.column().classes("w-full gap-4")
        self.render()

    def render(self, *, force: bool = False) -> None:
        if self.editing is not None and not force:
            if self.view.editable:
                return  # keep the open editor (and its focus); re-rendered when it closes
            self.editing = None
        view = self.view
        contact = view.contact
        entry = view.entry
        state = (
            contact.custom_attributes if contact else None,
            contact.additional_attributes.get("social_profiles") if contact else None,
            list(entry.labels) if entry.labels is not None else None,
            entry.labels_error,
            list(view.store.attribute_definitions),
            list(view.store.account_labels),
            view.editable,
            entry.saving,
            self.definitions_settled,
            self.editing,
        )
        if state == self.rendered and not force:
            return  # the store changed something this section does not show
        self.rendered = state
        self.container.clear()
        with self.container:
            self._attributes()
            ui.separator()
            self._labels()
            ui.separator()
            self._social_profiles()

    # --- attributes ---

    def _attributes(self) -> None:
        view = self.view
        section_title(view.t("ATTRIBUTES.TITLE"))
        contact = view.contact
        if contact is None:
            skeleton_lines(3)
            return
        definitions = list(view.store.attribute_definitions)
        known = {d.attribute_key for d in definitions}
        definitions += [untyped(key) for key in contact.custom_attributes if key not in known]
        if not definitions:
            ui.label(view.t("ATTRIBUTES.EMPTY")).classes(f"{MUTED_TEXT} italic")
            return
        with mark_id(ui.column(), "attributes").classes("w-full gap-1"):
            for definition in definitions:
                self._attribute_row(definition, contact.custom_attributes.get(definition.attribute_key))

    def _attribute_row(self, definition: AttributeDefinition, value: Any) -> None:
        view = self.view
        key = definition.attribute_key
        with mark_id(ui.row(), f"attribute-{key}").classes("items-center gap-2 w-full no-wrap"):
            kind = definition.attribute_display_type
            icon = ui.icon(ICONS.get(kind, "notes"), size="xs").classes(MUTED_TEXT)
            icon.props('aria-hidden="true"')
            name = ui.label(definition.attribute_display_name).classes(f"{MUTED_TEXT} w-1/3 shrink-0 ellipsis")
            if definition.attribute_description:
                name.tooltip(definition.attribute_description)
            if self.editing == key:
                with ui.element("div").classes("grow"):
                    AttributeEditor(view, definition, value, lambda v: self._save(key, v), self._close)
                return
            shown = display_value(definition, value, view.t("ATTRIBUTES.YES"), view.t("ATTRIBUTES.NO"))
            url = safe_http_url(value) if kind == "link" else None
            # Values are only as wide as their text, so one with its own direction stays next to the name.
            direction = "ltr" if kind in LEFT_TO_RIGHT_TYPES else "auto"
            if url:
                link = ui.link(str(value), url, new_tab=True).classes("min-w-0 ellipsis")
                mark_id(link.props(f'rel="noopener noreferrer" dir={direction}'), f"attribute-value-{key}")
            elif shown:
                value_label = ui.label(shown).classes("min-w-0 ellipsis")
                if kind != "checkbox":
                    value_label.props(f"dir={direction}")
                mark_id(value_label, f"attribute-value-{key}")
            else:
                ui.label(view.t("ATTRIBUTES.NOT_SET")).classes(f"{MUTED_TEXT} italic")
            ui.space()
            if view.editable and self.definitions_settled:
                button = ui.button(icon="edit", on_click=lambda: self._open(key)).props("flat round dense size=sm")
                # One save at a time: a second one would race the first for the contact's version.
                button.set_enabled(not view.entry.saving)
                mark_id(
                    aria(button, f"{view.t('ATTRIBUTES.EDIT')}: {definition.attribute_display_name}"),
                    f"attribute-edit-{key}",
                )

    def _open(self, key: str) -> None:
        self.editing = key
        self.render(force=True)

    def _close(self) -> None:
        self.editing = None
        self.render()

    def _save(self, key: str, value: Any) -> None:
        view = self.view
        self._close()

        async def save() -> None:
            outcome = await actions.update_contact(
                view.store, view.session.client, view.contact_id, {f"custom_attributes.{key}": value}
            )
            if outcome.status == "saved":
                ui.notify(view.t("CONTACT.UPDATE_SUCCESS"), type="positive")
            elif outcome.status in {"invalid", "failed"}:
                message = next(iter(outcome.field_errors.values()), outcome.message or "")
                text = view.t(f"ERRORS.{message}") if message.replace("_", "").isupper() else message
                ui.notify(f"{view.t('CONTACT.UPDATE_FAILED')}: {text}", type="negative")

        # Not the editor's slot: closing it just deleted the editor, and the outcome may take a while.
        with self.container:
            view.run(save)

    # --- labels ---

    def _labels(self) -> None:
        view = self.view
        section_title(view.t("LABELS.TITLE"))
        entry = view.entry
        if entry.labels is None:
            if entry.labels_error:
                ui.label(f"{view.t('LABELS.LOAD_FAILED')}: {view.error(entry.labels_error)}").classes(
                    "text-negative"
                ).props('role="alert"')
            else:
                skeleton_lines(1)
            return
        colors = view.store.label_colors()
        with mark_id(ui.row(), "labels").classes("gap-1 items-center w-full"):
            if not entry.labels:
                mark_id(ui.label(view.t("LABELS.EMPTY")), "labels-empty").classes(f"{MUTED_TEXT} italic")
            for title in entry.labels:
                background, text = label_colors(colors.get(title))
                chip = ui.chip(
                    title,
                    color=background,
                    text_color=text,
                    removable=view.editable,
                    on_value_change=lambda e, title=title: None if e.value else self._remove_label(title),
                )
                mark_id(chip, f"label-{title}")
                chip.props["remove-aria-label"] = view.t("LABELS.REMOVE", label=title)
            if view.editable:
                available = sorted(c for c in colors if c not in entry.labels)
                if available:
                    picker = ui.select(
                        available,
                        label=view.t("LABELS.ADD"),
                        with_input=True,
                        on_change=lambda e: self._add_label(e.value),
                    ).classes("min-w-[10rem]")
                    mark_id(aria(picker.props("dense outlined"), view.t("LABELS.ADD")), "add-label")
        if entry.labels_error:
            ui.label(f"{view.t('LABELS.UPDATE_FAILED')}: {view.error(entry.labels_error)}").classes(
                "text-negative"
            ).props('role="alert"')

    def _add_label(self, title: str | None) -> None:
        labels = self.view.entry.labels or []
        if title and title not in labels:
            self._set_labels([*labels, title])

    def _remove_label(self, title: str) -> None:
        self._set_labels([t for t in self.view.entry.labels or [] if t != title])

    def _set_labels(self, labels: list[str]) -> None:
        view = self.view

        async def save() -> None:
            if not await actions.set_labels(view.store, view.session.client, view.contact_id, labels):
                ui.notify(view.t("LABELS.UPDATE_FAILED"), type="negative")

        view.run(save)

    # --- social profiles ---

    def _social_profiles(self) -> None:
        view = self.view
        section_title(view.t("SOCIAL.TITLE"))
        contact = view.contact
        if contact is None:
            skeleton_lines(1)
            return
        profiles = contact.additional_attributes.get("social_profiles")
        profiles = profiles if isinstance(profiles, dict) else {}
        shown = 0
        with mark_id(ui.row(), "social-profiles").classes("gap-3 items-center w-full"):
            for network in SOCIAL_NETWORKS:
                handle = profiles.get(network)
                if not isinstance(handle, str) or not handle.strip():
                    continue
                shown += 1
                url = social_profile_url(network, handle)
                name = view.t(f"SOCIAL.{network.upper()}")
                label = f"{name}: {handle.strip()}"
                if url:
                    link = ui.link(label, url, new_tab=True).props('rel="noopener noreferrer"')
                    mark_id(link, f"social-{network}").tooltip(view.t("SOCIAL.OPEN_PROFILE", network=name))
                else:
                    mark_id(ui.label(label), f"social-{network}")
            if not shown:
                ui.label(view.t("SOCIAL.EMPTY")).classes(f"{MUTED_TEXT} italic")
