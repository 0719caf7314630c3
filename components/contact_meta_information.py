"""ContactMetaInformation: typed custom attributes, labels as coloured chips, social profiles as links."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from nicegui import ui

from api.error_codes import ErrorCode
from api.models import AttributeDefinition, Contact
from api.validation import SOCIAL_NETWORKS, check_attribute_value, safe_http_url, social_profile_url, whole_date
from components.attribute_list import AttributeItem, AttributeList
from components.contact_view import (
    MUTED_TEXT,
    ContactView,
    aria,
    mark_id,
    section_body,
    section_title,
    skeleton_lines,
)
from components.on_demand import OnDemand
from components.stylesheet import shared_css
from state import actions
from state.i18n import format_date, format_number, format_percent

# An attribute's pencil shows on hovering or focusing its row (it takes its room all along, so nothing moves);
# on touch screens, which cannot hover, always.
ATTRIBUTES_CSS = shared_css("""
.attribute-row .attribute-edit { opacity: 0; transition: opacity 0.15s; }
.attribute-row:hover .attribute-edit, .attribute-row:focus-within .attribute-edit { opacity: 1; }
@media (hover: none) { .attribute-row .attribute-edit { opacity: 1; } }
""")
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
# Numbers, amounts and percentages read left to right in every language ("15 %", never "% 15"). A date is written
# as its locale writes it (Arabic's with right-to-left marks), so it finds its own direction, as text does.
LEFT_TO_RIGHT_TYPES = {"number", "currency", "percent", "link"}
DEFAULT_LABEL_COLOR = "#64748b"
HEX_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def display_value(definition: AttributeDefinition, value: Any, yes: str, no: str, locale: str) -> str:
    """An attribute value as text for its display type, numbers and dates as the locale writes them (CLDR).

    A currency attribute carries no currency code in Chatwoot, so its amount is a plain decimal with two fraction
    digits (`4,750.00`, `4.750,00`), never a guessed symbol. A percent attribute is stored in points (15 is 15 %).
    """
    kind = definition.attribute_display_type
    if value is None or value == "":
        return ""
    if kind == "checkbox":
        return yes if value is True else no
    if isinstance(value, int | float) and not isinstance(value, bool):
        if kind == "currency":
            return format_number(value, locale, fraction_digits=2)
        if kind == "percent":
            return format_percent(value, locale)
        if kind == "number":
            return format_number(value, locale, fraction_digits=None if isinstance(value, int) else 2)
    if kind == "date" and (day := whole_date(value)):
        return format_date(date.fromisoformat(day), locale)
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

    def _normalized(self) -> tuple[Any, ErrorCode | None]:
        raw = self.field.value
        if self.definition.attribute_display_type in {"number", "currency", "percent"} and isinstance(raw, float):
            raw = int(raw) if raw.is_integer() else raw
        return check_attribute_value(self.definition.model_dump(), raw)

    def _problem(self, _value: Any) -> str | None:
        _, code = self._normalized()
        return self.view.error(code) if code else None

    def save(self) -> None:
        value, code = self._normalized()
        if code:
            ui.notify(self.view.error(code), type="warning")
            return
        self.on_save(value)


class AttributeRow:
    """One attribute, keyed by its attribute key: what its row shows, and its inline editor while one is open.

    The rows themselves are data in one `AttributeList` element; an editor is real elements in the row's slot.
    """

    def __init__(self, section: ContactMetaInformation, definition: AttributeDefinition) -> None:
        self.section = section
        self.definition = definition
        self.key = definition.attribute_key
        self.editor: ui.element | None = None

    def item(self, value: Any, *, can_edit: bool) -> AttributeItem:
        """The row as the browser draws it, for `value`."""
        view = self.section.view
        definition = self.definition
        kind = definition.attribute_display_type
        url = safe_http_url(value) if kind == "link" else None
        text = display_value(definition, value, view.t("ATTRIBUTES.YES"), view.t("ATTRIBUTES.NO"), view.locale)
        shown = "link" if url else "text" if text else "unset"
        # Values are only as wide as their text, so one with its own direction stays next to the name.
        direction = "ltr" if kind in LEFT_TO_RIGHT_TYPES else "" if kind == "checkbox" else "auto"
        editing = self.editor is not None
        return AttributeItem(
            key=self.key,
            icon=ICONS.get(kind, "notes"),
            name=definition.attribute_display_name,
            description=definition.attribute_description or "",
            shown=shown,
            text=str(value) if url else text or view.t("ATTRIBUTES.NOT_SET"),
            url=url or "",
            dir=direction,
            editable=can_edit and not editing,
            editing=editing,
            edit_label=f"{view.t('ATTRIBUTES.EDIT')}: {definition.attribute_display_name}",
        )

    def open_editor(self, value: Any) -> None:
        view = self.section.view
        with self.section.attributes.editor_slot(self.key):
            self.editor = ui.element("div").classes("w-full")
            with self.editor:
                AttributeEditor(view, self.definition, value, self.section.save_attribute_of(self.key), self.close)
        self.section.render()  # the row shows the editor instead of its value and pencil

    def close(self) -> None:
        if self.editor is not None:
            self.editor.delete()
            self.editor = None
        self.section.render()


class ContactMetaInformation:
    """Attributes, labels and social profiles of a contact: built once, updated in place from the store.

    Attribute rows, label chips and social links are keyed (by attribute key, label title, network): a change
    touches only what it changes, and an open editor or menu stays as the agent left it.
    """

    def __init__(self, view: ContactView) -> None:
        self.view = view
        # Editors follow the attribute definitions; until their fetch is settled an editor could be the wrong kind.
        self.definitions_settled = view.store.account_loaded
        self.rows: dict[str, AttributeRow] = {}
        self.chips: dict[str, ui.chip] = {}
        self.profiles: dict[str, tuple[ui.element, str | None]] = {}
        self._source: tuple[object, dict[str, Any]] | None = None
        self._contact: Contact | None = None
        # What the attribute rows and the labels last showed (see their render methods).
        self.attributes_shown: tuple[object, ...] | None = None
        self.labels_shown: tuple[object, ...] | None = None
        self.root = section_body("w-full gap-4")
        with self.root:
            section_title(view.t("ATTRIBUTES.TITLE"))
            self.attributes = mark_id(AttributeList(self.open_editor, muted=MUTED_TEXT), "attributes").classes("w-full")
            section_title(view.t("LABELS.TITLE")).classes("section-divided")
            with mark_id(ui.row(), "labels").classes("gap-1 items-center w-full") as self.labels:
                self.labels_empty = mark_id(ui.label(view.t("LABELS.EMPTY")), "labels-empty")
                self.labels_empty.classes(f"{MUTED_TEXT} italic")
                self.label_picker = ui.select(
                    [], label=view.t("LABELS.ADD"), with_input=True, on_change=lambda e: self._add_label(e.value)
                ).classes("min-w-[10rem]")
                mark_id(aria(self.label_picker.props("dense outlined"), view.t("LABELS.ADD")), "add-label")
            social_title = section_title(view.t("SOCIAL.TITLE")).classes("section-divided")
            self.social = mark_id(ui.row(), "social-profiles").classes("gap-3 items-center w-full")
        # Loading, empty and failed states: built when shown (see OnDemand).
        self.attributes_loading = OnDemand(self.attributes, skeleton_lines(3), drop_when_hidden=True)
        self.attributes_empty = OnDemand(
            self.attributes, lambda: ui.label(view.t("ATTRIBUTES.EMPTY")).classes(f"{MUTED_TEXT} italic")
        )
        self.labels_loading = OnDemand(self.labels, skeleton_lines(1), drop_when_hidden=True)
        self.labels_load_failed = OnDemand(self.labels, self._failure_label)
        self.labels_update_failed = OnDemand(social_title, self._failure_label)
        self.social_loading = OnDemand(self.social, skeleton_lines(1), drop_when_hidden=True)
        self.social_empty = OnDemand(
            None, lambda: ui.label(view.t("SOCIAL.EMPTY")).classes(f"{MUTED_TEXT} italic"), inside=self.social
        )

    @staticmethod
    def _failure_label() -> ui.label:
        return ui.label().classes("text-negative").props('role="alert"')

    @property
    def editing(self) -> str | None:
        """The attribute whose inline editor is open."""
        return next((key for key, row in self.rows.items() if row.editor is not None), None)

    def render(self) -> None:
        """Bring every element up to date with the store; cheap when nothing this section shows changed."""
        contact = self._current_contact()
        editing = self.editing
        if editing is not None and not self.view.editable:
            self.rows[editing].close()  # the contact was deleted under the editor; close() renders again
            return
        self._render_attributes(contact)
        self._render_labels()
        self._render_social_profiles(contact)

    def _current_contact(self) -> Contact | None:
        # `view.contact` copies and validates the contact: only when the server's copy or a pending save changed.
        entry = self.view.entry
        if self._source is None or self._source[0] is not entry.server or self._source[1] != entry.optimistic:
            self._source = (entry.server, dict(entry.optimistic))
            self._contact = self.view.contact
        return self._contact

    # --- attributes ---

    def _render_attributes(self, contact: Contact | None) -> None:
        view = self.view
        # What the rows show depends on these alone: an unrelated change (the name, a note) touches nothing.
        shown = (
            None if contact is None else dict(contact.custom_attributes),
            view.store.attribute_definitions,
            self.editing,
            view.editable and self.definitions_settled,
            view.entry.saving,
            view.locale,
        )
        if shown == self.attributes_shown:
            return
        self.attributes_shown = shown
        self.attributes_loading.show(contact is None)
        if contact is None:
            self.attributes_empty.show(False)
            self.attributes.visible = False
            return
        definitions = list(view.store.attribute_definitions)
        known = {d.attribute_key for d in definitions}
        definitions += [untyped(key) for key in contact.custom_attributes if key not in known]
        editing = self.editing
        if editing is not None and editing not in {d.attribute_key for d in definitions}:
            definitions.append(self.rows[editing].definition)  # removed elsewhere: kept until the agent is done
        self.attributes_empty.show(not definitions)
        self.attributes.visible = bool(definitions)
        wanted = {d.attribute_key for d in definitions}
        for key in [key for key in self.rows if key not in wanted]:
            del self.rows[key]
        can_edit = view.editable and self.definitions_settled
        items: list[AttributeItem] = []
        for definition in definitions:
            key = definition.attribute_key
            row = self.rows.get(key)
            if row is None or (row.definition != definition and row.editor is None):
                row = self.rows[key] = AttributeRow(self, definition)
            items.append(row.item(contact.custom_attributes.get(key), can_edit=can_edit))
        # One save at a time: a second one would race the first for the contact's version.
        self.attributes.show(items, saving=view.entry.saving)

    @staticmethod
    def _keep_order(container: ui.element, wanted: list[ui.element], start: int = 0) -> None:
        """Move only the elements out of place (new ones are appended at the end) to their index from `start`."""
        children = container.default_slot.children
        for index, element in enumerate(wanted, start):
            if children.index(element) != index:
                element.move(target_index=index)

    def open_editor(self, key: str) -> None:
        editing = self.editing
        if editing is not None:
            self.rows[editing].close()
        contact = self._current_contact()
        if key in self.rows and contact is not None:
            self.rows[key].open_editor(contact.custom_attributes.get(key))

    def save_attribute_of(self, key: str) -> Callable[[Any], None]:
        return lambda value: self._save(key, value)

    def _save(self, key: str, value: Any) -> None:
        view = self.view
        self.rows[key].close()

        async def save() -> None:
            outcome = await actions.update_contact(
                view.store, view.session.client, view.contact_id, {f"custom_attributes.{key}": value}
            )
            if outcome.status == "saved":
                ui.notify(view.t("CONTACT.UPDATE_SUCCESS"), type="positive")
            elif outcome.status in {"invalid", "failed"}:
                problem = next(iter(outcome.field_errors.values()), outcome.message)
                ui.notify(f"{view.t('CONTACT.UPDATE_FAILED')}: {view.error(problem)}", type="negative")

        # The section's own slot, which lives as long as the page: the editor that was clicked is gone.
        with self.root:
            view.run(save)

    # --- labels ---

    def _render_labels(self) -> None:
        view = self.view
        entry = view.entry
        shown = (
            None if entry.labels is None else list(entry.labels),
            entry.labels_error,
            view.store.account_labels,
            view.editable,
        )
        if shown == self.labels_shown:
            return
        self.labels_shown = shown
        loaded = entry.labels is not None
        self.labels_loading.show(not loaded and not entry.labels_error)
        self.labels.visible = loaded
        problem = f"{view.error(entry.labels_error)}" if entry.labels_error else ""
        load_failed = self.labels_load_failed.show(not loaded and bool(problem))
        if load_failed is not None:
            load_failed.set_text(f"{view.t('LABELS.LOAD_FAILED')}: {problem}" if problem else "")
        update_failed = self.labels_update_failed.show(loaded and bool(problem))
        if update_failed is not None:
            update_failed.set_text(f"{view.t('LABELS.UPDATE_FAILED')}: {problem}" if problem else "")
        if entry.labels is None:
            return
        titles = list(dict.fromkeys(entry.labels))
        colors = view.store.label_colors()
        for title in [title for title in self.chips if title not in titles]:
            self.labels.remove(self.chips.pop(title))
        for title in titles:
            background, text = label_colors(colors.get(title))
            chip = self.chips.get(title)
            if chip is None:
                with self.labels:
                    chip = self.chips[title] = ui.chip(
                        title,
                        color=background,
                        text_color=text,
                        on_value_change=lambda e, title=title: None if e.value else self._remove_label(title),
                    )
                mark_id(chip, f"label-{title}")
                chip.props["remove-aria-label"] = view.t("LABELS.REMOVE", label=title)
            else:
                chip.set_background_color(background)
                chip.set_text_color(text)
                # A removal the server refused: the chip the agent closed shows again.
                chip.value = True
            if chip.props.get("removable") != view.editable:
                chip.props["removable"] = view.editable
        self.labels_empty.visible = not titles
        self._keep_order(self.labels, [self.chips[title] for title in titles], start=1)
        available = sorted(c for c in colors if c not in titles)
        if self.label_picker.options != available:
            self.label_picker.set_options(available, value=None)
        self.label_picker.visible = view.editable and bool(available)

    def _add_label(self, title: str | None) -> None:
        labels = self.view.entry.labels or []
        if title and title not in labels:
            self.label_picker.value = None  # ready for the next one
            self._set_labels([*labels, title])

    def _remove_label(self, title: str) -> None:
        self._set_labels([t for t in self.view.entry.labels or [] if t != title])

    def _set_labels(self, labels: list[str]) -> None:
        view = self.view

        async def save() -> None:
            if not await actions.set_labels(view.store, view.session.client, view.contact_id, labels):
                ui.notify(view.t("LABELS.UPDATE_FAILED"), type="negative")

        with self.root:
            view.run(save)

    # --- social profiles ---

    def _render_social_profiles(self, contact: Contact | None) -> None:
        view = self.view
        self.social_loading.show(contact is None)
        self.social.visible = contact is not None
        if contact is None:
            return
        profiles = contact.additional_attributes.get("social_profiles")
        profiles = profiles if isinstance(profiles, dict) else {}
        handles = {
            network: handle.strip()
            for network in SOCIAL_NETWORKS
            if isinstance(handle := profiles.get(network), str) and handle.strip()
        }
        for network in [network for network in self.profiles if network not in handles]:
            self.social.remove(self.profiles.pop(network)[0])
        for network, handle in handles.items():
            url = social_profile_url(network, profiles[network])
            name = view.t(f"SOCIAL.{network.upper()}")
            text = f"{name}: {handle}"
            shown = self.profiles.get(network)
            if shown is not None and (shown[1] is None) == (url is None):
                element = shown[0]
                if isinstance(element, ui.link | ui.label):
                    element.set_text(text)
                if url and element.props.get("href") != url:
                    element.props["href"] = url
                self.profiles[network] = (element, url)
                continue
            if shown is not None:
                self.social.remove(shown[0])
            with self.social:
                if url:
                    element = ui.link(text, url, new_tab=True).props('rel="noopener noreferrer"')
                    mark_id(element, f"social-{network}").props["title"] = view.t("SOCIAL.OPEN_PROFILE", network=name)
                else:
                    element = mark_id(ui.label(text), f"social-{network}")
            self.profiles[network] = (element, url)
        self.social_empty.show(not handles)
        self._keep_order(self.social, [self.profiles[network][0] for network in handles])
