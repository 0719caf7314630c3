"""ContactEditForm: edit a contact with validation as the agent types; Enter saves, Escape cancels."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nicegui import context, ui
from nicegui.elements.mixins.validation_element import ValidationElement

from api.models import Contact
from api.validation import SOCIAL_NETWORKS, typed_phone
from components.contact_view import ContactView, aria, mark_id
from components.text_field import text_field
from state import actions
from state.actions import SaveOutcome
from state.store import get_path


@dataclass(frozen=True, kw_only=True, slots=True)
class FormField:
    path: str
    label_key: str
    kind: str = "text"  # text, email, tel, textarea, switch


FIELDS = (
    FormField(path="name", label_key="CONTACT.NAME"),
    FormField(path="email", label_key="CONTACT.EMAIL", kind="email"),
    FormField(path="phone_number", label_key="CONTACT.PHONE", kind="tel"),
    FormField(path="identifier", label_key="CONTACT.IDENTIFIER"),
    FormField(path="additional_attributes.company_name", label_key="CONTACT.COMPANY"),
    FormField(path="additional_attributes.city", label_key="CONTACT.CITY"),
    FormField(path="additional_attributes.country", label_key="CONTACT.COUNTRY"),
    FormField(path="additional_attributes.description", label_key="CONTACT.DESCRIPTION", kind="textarea"),
    FormField(path="blocked", label_key="CONTACT.BLOCKED", kind="switch"),
    *(
        FormField(path=f"additional_attributes.social_profiles.{network}", label_key=f"SOCIAL.{network.upper()}")
        for network in SOCIAL_NETWORKS
    ),
)
HINTS = {"phone_number": "CONTACT.PHONE_HINT"}
PLACEHOLDERS = {"phone_number": "CONTACT.PHONE_PLACEHOLDER", "email": "CONTACT.EMAIL_PLACEHOLDER"}


def form_value(kind: str, value: Any) -> Any:
    """A contact value as its input holds it: text for text fields, a bool for switches."""
    if kind == "switch":
        return value is True
    return "" if value is None else str(value)


class ContactEditForm:
    """A dialog over the contact; what the agent types lives in the store's draft until saved.

    Only fields whose input differs from the contact as shown are saved, so untouched
    empty fields are never sent.
    """

    def __init__(self, view: ContactView, on_outcome: Callable[[SaveOutcome], Any]) -> None:
        self.view = view
        self.on_outcome = on_outcome
        self.inputs: dict[str, Any] = {}
        self.shown: dict[str, Any] = {}
        self.kinds = {field.path: field.kind for field in FIELDS}
        self.quiet_close = False
        self.following = False  # an input is being set to a live change, not typed in
        self.shown_contact: Contact | None = None
        # The dialog is built the first time the form opens: most pages are never edited, and a dialog is two
        # elements (it and its canary) on every page.
        self.host = context.slot.parent
        self.dialog: ui.dialog | None = None
        self.save_button: ui.button | None = None

    @property
    def is_open(self) -> bool:
        return self.dialog is not None and bool(self.dialog.value)

    def _dialog(self) -> ui.dialog:
        if self.dialog is None:
            with self.host:
                # Quasar's role=dialog; Escape (Quasar closes it) cancels; a click beside it must not lose the typing.
                self.dialog = aria(ui.dialog().props("no-backdrop-dismiss"), self.view.t("CONTACT.EDIT"))
            self.dialog.on_value_change(lambda e: None if e.value or self.quiet_close else self.cancel())
        return self.dialog

    def value_of(self, path: str) -> Any:
        """What the input shows: the agent's unsaved value, else the contact's."""
        entry = self.view.entry
        if path in entry.draft:
            return entry.draft[path]
        return self.shown.get(path)

    def open(self) -> None:
        view = self.view
        contact = view.contact
        if not view.editable or contact is None:
            return
        shown = contact.model_dump()
        self.shown = {field.path: get_path(shown, field.path) for field in FIELDS}
        self.shown_contact = contact
        dialog = self._dialog()
        dialog.clear()
        self.inputs.clear()
        with dialog, mark_id(ui.card(), "edit-form").classes("w-full max-w-xl") as card:
            card.on("keydown.escape", self.cancel)
            ui.label(view.t("CONTACT.EDIT")).classes("text-h6").props('role="heading" aria-level="2"')
            with ui.column().classes("w-full gap-3 max-h-[70vh] overflow-auto"):
                for field in FIELDS:
                    self.inputs[field.path] = self._input(field)
            # Quasar's dialog focuses the first `autofocus` element it holds when it opens (else the dialog itself).
            self.inputs[FIELDS[0].path].props("autofocus")
            entry = view.entry
            # Kept typing (after a reload, from another browser) shows its problems at once, not only a disabled Save;
            # a field the server refused keeps the server's word.
            for path in entry.draft:
                element = self.inputs.get(path)
                if path not in entry.field_errors and isinstance(element, ValidationElement):
                    element.validate()
            if entry.save_error or entry.field_errors:
                message = view.t("CONTACT.FIELD_ERRORS") if entry.field_errors else view.error(entry.save_error)
                mark_id(ui.label(message), "form-error").classes("text-negative").props('role="alert"')
            with ui.row().classes("w-full justify-end gap-2"):
                cancel = ui.button(view.t("CONTACT.CANCEL"), on_click=self.cancel).props("flat")
                mark_id(cancel, "edit-cancel")
                self.save_button = ui.button(view.t("CONTACT.SAVE"), on_click=self.save).props("color=primary")
                mark_id(self.save_button, "edit-save")
        self._refresh_validity()
        dialog.open()

    def sync(self) -> None:
        """While open, inputs the agent has not typed in follow live changes, in place; typed ones stay as they are.

        A live change to a field the agent typed in is a conflict, asked in the conflict dialog.
        """
        contact = self.view.contact
        if not self.is_open or contact is None or contact is self.shown_contact:
            return
        self.shown_contact = contact
        current = contact.model_dump()
        draft = self.view.entry.draft
        for field in FIELDS:
            value = get_path(current, field.path)
            if value == self.shown.get(field.path):
                continue
            self.shown[field.path] = value
            element = self.inputs.get(field.path)
            if element is None or field.path in draft:
                continue
            self.following = True
            try:
                element.value = form_value(field.kind, value)
            finally:
                self.following = False
        self._refresh_validity()

    def _input(self, field: FormField) -> Any:
        view = self.view
        label = view.t(field.label_key)
        value = form_value(field.kind, self.value_of(field.path))
        slug = field.path.replace(".", "-").replace("_", "-")
        element: Any
        if field.kind == "switch":
            element = ui.switch(label, value=value, on_change=lambda e: self._changed(field.path, e.value))
        else:
            element = text_field(
                field.kind,
                label,
                value=value,
                placeholder=view.t(PLACEHOLDERS[field.path]) if field.path in PLACEHOLDERS else None,
                hint=view.t(HINTS[field.path]) if field.path in HINTS else None,
                validation=self._validator(field.path),
            )
            element.on_value_change(lambda e, p=field.path: self._changed(p, e.value))
            if field.kind != "textarea":
                element.on("keydown.enter", self.save)
        mark_id(aria(element, label), f"field-{slug}")
        server_error = view.entry.field_errors.get(field.path)
        if server_error and field.kind != "switch":
            element.error = view.error(server_error)
        return element

    def _candidate(self, path: str, value: Any) -> Any:
        """What the agent typed as it is checked and sent: a phone number in E.164, blank text as no value."""
        if isinstance(value, str) and path == "phone_number":
            return typed_phone(value) or None
        if isinstance(value, str) and path in {"email", "identifier"}:
            return value.strip() or None
        return value

    def _validator(self, path: str) -> Callable[[Any], str | None]:
        return lambda value: self._problem(path, value)

    def _problem(self, path: str, value: Any) -> str | None:
        problems = actions.validate_changes(self.view.store, {path: self._candidate(path, value)})
        problem = problems.get(path) or next(iter(problems.values()), None)
        return self.view.error(problem) if problem else None

    def _changed(self, path: str, value: Any) -> None:
        if self.following:
            return
        actions.set_draft(self.view.store, self.view.contact_id, path, self._candidate(path, value))
        self._refresh_validity()

    def _changes(self) -> dict[str, Any]:
        """The fields whose input differs from the contact as shown."""
        changes = {}
        for path, element in self.inputs.items():
            typed = form_value(self.kinds[path], element.value)  # a cleared input holds None, shown as ""
            if typed != form_value(self.kinds[path], self.shown.get(path)):
                changes[path] = self._candidate(path, typed)
        return changes

    def _refresh_validity(self) -> None:
        if self.save_button is not None:
            self.save_button.set_enabled(not actions.validate_changes(self.view.store, self._changes()))

    def cancel(self) -> None:
        """Discard what the agent typed and close."""
        actions.discard_draft(self.view.store, self.view.contact_id)
        self.close()

    def close(self) -> None:
        """Close without touching the draft (it was saved, discarded, or the contact is gone)."""
        if self.dialog is not None and self.dialog.value:
            self.quiet_close = True
            self.dialog.close()
            self.quiet_close = False

    async def save(self) -> None:
        view = self.view
        if not self.is_open or view.entry.conflict is not None:
            return  # an open conflict is answered in its dialog first, never overwritten by a save
        changes = self._changes()
        if actions.validate_changes(view.store, changes):
            for element in self.inputs.values():
                if hasattr(element, "validate"):
                    element.validate()
            return
        self.close()
        outcome = await actions.update_contact(view.store, view.session.client, view.contact_id, changes)
        self.on_outcome(outcome)
        if outcome.status == "invalid":
            self.open()
