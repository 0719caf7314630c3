"""ContactEditForm: edit a contact with validation as the agent types; Enter saves, Escape cancels."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nicegui import ui

from api.validation import SOCIAL_NETWORKS
from components.contact_view import ContactView, aria
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


def error_text(view: ContactView, problem: str) -> str:
    """A rule code (`INVALID_EMAIL`) translated, or a server message as it came."""
    return view.t(f"ERRORS.{problem}") if problem.replace("_", "").isupper() else problem


class ContactEditForm:
    """A dialog over the contact; what the agent types lives in the store's draft until saved."""

    def __init__(self, view: ContactView, on_outcome: Callable[[SaveOutcome], Any]) -> None:
        self.view = view
        self.on_outcome = on_outcome
        self.inputs: dict[str, Any] = {}
        self.dialog = ui.dialog().props("no-esc-dismiss")
        self.dialog.on("keydown.escape", self.cancel)

    @property
    def is_open(self) -> bool:
        return bool(self.dialog.value)

    def value_of(self, path: str) -> Any:
        entry = self.view.entry
        if path in entry.draft:
            return entry.draft[path]
        contact = self.view.contact
        return get_path(contact.model_dump(), path) if contact else None

    def open(self) -> None:
        view = self.view
        if not view.editable:
            return
        self.dialog.clear()
        self.inputs.clear()
        with self.dialog, ui.card().classes("w-full max-w-xl").props('data-testid="edit-form"'):
            ui.label(view.t("CONTACT.EDIT")).classes("text-h6").props('role="heading" aria-level="2"')
            with ui.column().classes("w-full gap-1 max-h-[70vh] overflow-auto"):
                for field in FIELDS:
                    self.inputs[field.path] = self._input(field)
            if view.entry.save_error:
                ui.label(error_text(view, view.entry.save_error)).classes("text-negative").props(
                    'role="alert" data-testid="form-error"'
                )
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button(view.t("CONTACT.CANCEL"), on_click=self.cancel).props('flat data-testid="edit-cancel"')
                self.save_button = ui.button(view.t("CONTACT.SAVE"), on_click=self.save).props(
                    'color=primary data-testid="edit-save"'
                )
        self._refresh_validity()
        self.dialog.open()

    def _input(self, field: FormField) -> Any:
        view = self.view
        label = view.t(field.label_key)
        value = self.value_of(field.path)
        slug = field.path.replace(".", "-").replace("_", "-")
        if field.kind == "switch":
            element: Any = ui.switch(label, value=bool(value), on_change=lambda e: self._changed(field.path, e.value))
        else:
            factory = ui.textarea if field.kind == "textarea" else ui.input
            element = factory(label=label, value="" if value is None else str(value),
                              validation=lambda v, p=field.path: self._problem(p, v))
            element.props("outlined dense" + (" autogrow" if field.kind == "textarea" else ""))
            if field.kind in {"email", "tel"}:
                element.props(f"type={field.kind}")
            element.on_value_change(lambda e, p=field.path: self._changed(p, e.value))
            if field.kind != "textarea":
                element.on("keydown.enter", self.save)
        element.props(f'data-testid="field-{slug}"')
        aria(element, label)
        server_error = view.entry.field_errors.get(field.path)
        if server_error and hasattr(element, "error"):
            element.error = error_text(view, server_error)
        return element

    def _candidate(self, path: str, value: Any) -> Any:
        if isinstance(value, str) and path in {"email", "phone_number", "identifier"}:
            return value.strip() or None
        return value

    def _problem(self, path: str, value: Any) -> str | None:
        problems = actions.validate_changes(self.view.store, {path: self._candidate(path, value)})
        problem = problems.get(path) or next(iter(problems.values()), None)
        return error_text(self.view, problem) if problem else None

    def _changed(self, path: str, value: Any) -> None:
        actions.set_draft(self.view.store, self.view.contact_id, path, self._candidate(path, value))
        self._refresh_validity()

    def _changes(self) -> dict[str, Any]:
        return {path: self._candidate(path, element.value) for path, element in self.inputs.items()}

    def _refresh_validity(self) -> None:
        valid = not actions.validate_changes(self.view.store, self._changes())
        self.save_button.set_enabled(valid)

    def cancel(self) -> None:
        actions.discard_draft(self.view.store, self.view.contact_id)
        self.dialog.close()

    async def save(self) -> None:
        view = self.view
        changes = self._changes()
        if actions.validate_changes(view.store, changes):
            for element in self.inputs.values():
                if hasattr(element, "validate"):
                    element.validate()
            return
        self.dialog.close()
        outcome = await actions.update_contact(view.store, view.session.client, view.contact_id, changes)
        self.on_outcome(outcome)
        if outcome.status == "invalid":
            self.open()
