"""NewContactDialog: create a contact from the contacts list, with the edit form's fields and rules.

A value another contact already has (email, phone number, identifier) is not a dead end: the dialog names that
contact and links to it, so the agent opens it instead of making a second one. Enter saves, Escape cancels.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import context, ui

from components.contact_edit_form import FIELDS, HINTS, PLACEHOLDERS, FormField
from components.contact_view import aria, mark_id
from components.text_field import text_field
from state.contact_creation import CreateOutcome, ExistingContact, create_contact, problems_of
from state.i18n import t
from state.problems import describe
from state.session import AgentSession
from state.store import FieldPath

# The edit form's fields a new contact starts with (a block or social profiles come later, on its page).
NEW_CONTACT_FIELDS = tuple(
    field for field in FIELDS if field.kind != "switch" and ".social_profiles." not in field.path
)
TAKEN_KEYS = {
    "email": "NEW_CONTACT.TAKEN_EMAIL",
    "phone_number": "NEW_CONTACT.TAKEN_PHONE",
    "identifier": "NEW_CONTACT.TAKEN_IDENTIFIER",
}


class NewContactDialog:
    """The dialog, built the first time it opens; `on_created(contact)` once the server has the new contact."""

    def __init__(self, session: AgentSession, locale: str, on_created: Callable[[Any], Any]) -> None:
        self.session = session
        self.locale = locale
        self.on_created = on_created
        self.host = context.slot.parent
        self.dialog: ui.dialog | None = None
        self.inputs: dict[FieldPath, ui.input | ui.textarea] = {}
        self.save_button: ui.button | None = None
        self.taken_box: ui.column | None = None
        self.error: ui.label | None = None
        self.saving = False

    def t(self, key: str, **values: Any) -> str:
        return t(key, locale=self.locale, **values)

    @property
    def is_open(self) -> bool:
        return self.dialog is not None and bool(self.dialog.value)

    def open(self) -> None:
        """Open with empty fields (what was typed before a cancel is gone, as in the edit form)."""
        if self.dialog is None:
            self._build()
        assert self.dialog is not None
        for element in self.inputs.values():
            element.value = ""
            element.error = None
        self._show_outcome(None)
        self._refresh_validity()
        self.dialog.open()

    def _build(self) -> None:
        with self.host:
            self.dialog = aria(ui.dialog().props("no-backdrop-dismiss"), self.t("NEW_CONTACT.TITLE"))
        with self.dialog, mark_id(ui.card(), "new-contact-form").classes("w-full max-w-xl"):
            ui.label(self.t("NEW_CONTACT.TITLE")).classes("text-h6").props('role="heading" aria-level="2"')
            with ui.column().classes("w-full gap-3 max-h-[60vh] overflow-auto"):
                for field in NEW_CONTACT_FIELDS:
                    self.inputs[field.path] = self._input(field)
            self.inputs[NEW_CONTACT_FIELDS[0].path].props("autofocus")
            self.taken_box = mark_id(ui.column().classes("w-full gap-1"), "new-contact-taken")
            self.taken_box.props('role="alert"')
            self.error = mark_id(ui.label("").classes("text-negative").props('role="alert"'), "new-contact-error")
            with ui.row().classes("w-full justify-end gap-2"):
                cancel = ui.button(self.t("CONTACT.CANCEL"), on_click=self.close).props("flat")
                mark_id(cancel, "new-contact-cancel")
                self.save_button = ui.button(self.t("NEW_CONTACT.SAVE"), on_click=self.save).props("color=primary")
                mark_id(self.save_button, "new-contact-save")

    def _input(self, field: FormField) -> ui.input | ui.textarea:
        label = self.t(field.label_key)
        element = text_field(
            field.kind,
            label,
            value="",
            placeholder=self.t(PLACEHOLDERS[field.path]) if field.path in PLACEHOLDERS else None,
            hint=self.t(HINTS[field.path]) if field.path in HINTS else None,
            validation=self._validator(field.path),
        )
        element.on_value_change(self._refresh_validity)
        if field.kind != "textarea":
            element.on("keydown.enter", self.save)
        slug = field.path.replace(".", "-").replace("_", "-")
        return mark_id(aria(element, label), f"new-contact-{slug}")

    def _validator(self, path: FieldPath) -> Callable[[Any], str | None]:
        return lambda value: self._problem(path, value)

    def _typed(self) -> dict[FieldPath, Any]:
        return {path: element.value or "" for path, element in self.inputs.items()}

    def _problem(self, path: FieldPath, value: Any) -> str | None:
        problem = problems_of(self.session.store, {path: value}).get(path)
        return describe(problem, self.locale) if problem else None

    def _refresh_validity(self) -> None:
        if self.save_button is not None:
            valid = not problems_of(self.session.store, self._typed())
            self.save_button.set_enabled(valid and not self.saving)

    def close(self) -> None:
        if self.dialog is not None:
            self.dialog.close()

    async def save(self) -> None:
        if not self.is_open or self.saving:
            return
        typed = self._typed()
        if problems_of(self.session.store, typed):
            for element in self.inputs.values():
                element.validate()
            return
        self.saving = True
        assert self.save_button is not None
        self.save_button.props("loading")
        self._refresh_validity()
        try:
            outcome = await create_contact(self.session.store, self.session.client, typed)
        finally:
            self.saving = False
            self.save_button.props(remove="loading")
            self._refresh_validity()
        if outcome.status == "created" and outcome.contact is not None:
            self.close()
            self.on_created(outcome.contact)
            return
        self._show_outcome(outcome)

    def _show_outcome(self, outcome: CreateOutcome | None) -> None:
        """The server's refusal: each field's problem on its input, the contacts having a value, or why it failed."""
        assert self.taken_box is not None and self.error is not None
        self.taken_box.clear()
        with self.taken_box:
            for existing in outcome.existing if outcome else []:
                self._existing_row(existing)
        for path, problem in (outcome.field_errors if outcome else {}).items():
            element = self.inputs.get(path)
            if element is not None:
                element.error = describe(problem, self.locale)
        shown_elsewhere = outcome is None or outcome.existing or outcome.field_errors
        self.error.text = "" if shown_elsewhere else describe(outcome.message if outcome else None, self.locale)
        self.error.visible = bool(self.error.text)

    def _existing_row(self, existing: ExistingContact) -> None:
        name = existing.name or self.t("CONTACTS_LIST.UNNAMED")
        with ui.row().classes("items-center gap-2 w-full"):
            ui.label(self.t(TAKEN_KEYS[existing.field], name=name))
            link = ui.link(self.t("NEW_CONTACT.OPEN_EXISTING"), f"/contacts/{existing.id}?source=contacts_list")
            mark_id(link, f"existing-contact-{existing.id}").classes("text-primary")
