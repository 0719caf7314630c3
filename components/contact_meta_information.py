"""ContactMetaInformation: typed custom attributes, labels as coloured chips, social profiles as links."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import ui

from api.models import AttributeDefinition
from api.validation import SOCIAL_NETWORKS, check_attribute_value, safe_http_url, social_profile_url
from components.contact_view import ContactView, aria, section_title, skeleton_lines
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


class AttributeEditor:
    """The right editor for one attribute's display type, validated as the agent types."""

    def __init__(self, view: ContactView, definition: AttributeDefinition, value: Any,
                 on_save: Callable[[Any], Any], on_cancel: Callable[[], Any]) -> None:
        self.view = view
        self.definition = definition
        self.on_save = on_save
        self.on_cancel = on_cancel
        kind = definition.attribute_display_type
        name = definition.attribute_display_name
        self.field: Any
        with ui.row().classes("items-start gap-2 w-full no-wrap"):
            if kind == "checkbox":
                self.field = ui.switch(value=bool(value))
            elif kind == "list":
                options = [str(v) for v in definition.attribute_values]
                self.field = ui.select(options, value=str(value) if value in options else None).classes("grow")
            elif kind in {"number", "currency", "percent"}:
                self.field = ui.number(value=value if isinstance(value, int | float) else None).classes("grow")
            elif kind == "date":
                self.field = ui.input(value=str(value or ""), placeholder="YYYY-MM-DD").classes("grow")
                with self.field.add_slot("append"):
                    icon = ui.icon("event").classes("cursor-pointer")
                    with ui.menu() as menu:
                        ui.date(on_change=lambda e: (self.field.set_value(e.value), menu.close())).props(
                            'mask="YYYY-MM-DD"'
                        )
                    icon.on("click", menu.open)
            else:
                self.field = ui.input(value=str(value or "")).classes("grow")
            aria(self.field, name)
            self.field.props(f'data-testid="attribute-editor-{definition.attribute_key}"')
            if hasattr(self.field, "validation"):
                self.field.validation = self._problem
            self.field.on("keydown.enter", self.save)
            self.field.on("keydown.escape", self.on_cancel)
            aria(ui.button(icon="check", on_click=self.save).props("flat round dense"), view.t("CONTACT.SAVE"))
            aria(ui.button(icon="close", on_click=self.on_cancel).props("flat round dense"), view.t("CONTACT.CANCEL"))
        if hasattr(self.field, "run_method"):
            self.field.run_method("focus")

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
        self.container = ui.column().classes("w-full gap-4")
        self.render()

    def render(self, *, force: bool = False) -> None:
        if self.editing is not None and not force:
            return  # keep the open editor (and its focus); re-rendered when it closes
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
            ui.label(view.t("ATTRIBUTES.EMPTY")).classes("text-grey-6 italic")
            return
        with ui.column().classes("w-full gap-1").props('data-testid="attributes"'):
            for definition in definitions:
                self._attribute_row(definition, contact.custom_attributes.get(definition.attribute_key))

    def _attribute_row(self, definition: AttributeDefinition, value: Any) -> None:
        view = self.view
        key = definition.attribute_key
        with ui.row().classes("items-center gap-2 w-full no-wrap").props(f'data-testid="attribute-{key}"'):
            ui.icon(ICONS.get(definition.attribute_display_type, "notes"), size="xs").classes("text-grey-7")
            ui.label(definition.attribute_display_name).classes("text-grey-8 w-1/3 ellipsis")
            if self.editing == key:
                with ui.element("div").classes("grow"):
                    AttributeEditor(view, definition, value, lambda v: self._save(key, v), self._close)
                return
            shown = display_value(definition, value, view.t("ATTRIBUTES.YES"), view.t("ATTRIBUTES.NO"))
            url = safe_http_url(value) if definition.attribute_display_type == "link" else None
            if url:
                ui.link(str(value), url, new_tab=True).classes("grow ellipsis").props('rel="noopener noreferrer"')
            elif shown:
                ui.label(shown).classes("grow ellipsis").props(f'data-testid="attribute-value-{key}"')
            else:
                ui.label(view.t("ATTRIBUTES.NOT_SET")).classes("grow text-grey-6 italic")
            if view.editable:
                button = ui.button(icon="edit", on_click=lambda: self._open(key)).props("flat round dense size=sm")
                aria(button, f"{view.t('ATTRIBUTES.EDIT')}: {definition.attribute_display_name}")

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
            outcome = await actions.update_contact(view.store, view.session.client, view.contact_id,
                                                   {f"custom_attributes.{key}": value})
            if outcome.status == "saved":
                ui.notify(view.t("CONTACT.UPDATE_SUCCESS"), type="positive")
            elif outcome.status in {"invalid", "failed"}:
                message = next(iter(outcome.field_errors.values()), outcome.message or "")
                text = view.t(f"ERRORS.{message}") if message.isupper() else message
                ui.notify(f"{view.t('CONTACT.UPDATE_FAILED')}: {text}", type="negative")

        view.run(save)

    # --- labels ---

    def _labels(self) -> None:
        view = self.view
        section_title(view.t("LABELS.TITLE"))
        entry = view.entry
        if entry.labels is None:
            skeleton_lines(1)
            return
        colors = view.store.label_colors()
        with ui.row().classes("gap-1 items-center w-full").props('data-testid="labels"'):
            if not entry.labels:
                ui.label(view.t("LABELS.EMPTY")).classes("text-grey-6 italic")
            for title in entry.labels:
                chip = ui.chip(title, color=colors.get(title, "#64748b"), text_color="white",
                               removable=view.editable)
                chip.props(f'data-testid="label-{title}"')
                chip.props["aria-label"] = title
                chip.props["remove-aria-label"] = view.t("LABELS.REMOVE", label=title)
                chip.on("remove", lambda _e, title=title: self._remove_label(title))
            if view.editable:
                available = sorted(c for c in colors if c not in entry.labels)
                if available:
                    picker = ui.select(available, label=view.t("LABELS.ADD"), with_input=True,
                                       on_change=lambda e: self._add_label(e.value)).classes("min-w-[10rem]")
                    picker.props('dense outlined data-testid="add-label"')
        if entry.labels_error:
            ui.label(f"{view.t('LABELS.UPDATE_FAILED')}: {entry.labels_error}").classes("text-negative")

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
        with ui.row().classes("gap-3 items-center w-full").props('data-testid="social-profiles"'):
            for network in SOCIAL_NETWORKS:
                handle = profiles.get(network)
                if not isinstance(handle, str) or not handle.strip():
                    continue
                shown += 1
                url = social_profile_url(network, handle)
                label = f"{view.t(f'SOCIAL.{network.upper()}')}: {handle}"
                if url:
                    link = ui.link(label, url, new_tab=True).props(f'rel="noopener noreferrer" data-testid="social-{network}"')
                    aria(link, label)
                else:
                    ui.label(label).props(f'data-testid="social-{network}"')
            if not shown:
                ui.label(view.t("SOCIAL.EMPTY")).classes("text-grey-6 italic")
