"""ContactPanel: every section of one contact, kept current from the store, used by every contact page."""

from __future__ import annotations

from nicegui import Event, context, ui

from api.models import Contact
from components.conflict_dialog import ConflictDialog
from components.contact_activity_timeline import ContactActivityTimeline
from components.contact_basic_info import ContactBasicInfo
from components.contact_conversation_history import ContactConversationHistory
from components.contact_edit_form import ContactEditForm, error_text
from components.contact_meta_information import ContactMetaInformation
from components.contact_notes import ContactNotes
from components.contact_view import ContactView
from state import actions
from state.actions import SaveOutcome


class ContactPanel:
    """Basic info, attributes, labels, social profiles, history, notes and timeline of one contact."""

    def __init__(self, view: ContactView, *, source: str, seed: Contact | None = None, compact: bool = False) -> None:
        self.view = view
        self.changed: Event[[]] = Event()
        self.root = ui.column().classes("w-full gap-4 contact-panel").props('data-testid="contact-panel"')
        with self.root:
            self.banner = ui.column().classes("w-full").props('aria-live="assertive"')
            with ui.card().classes("w-full").props("flat bordered"):
                self.edit_form = ContactEditForm(view, self._after_save)
                self.basic = ContactBasicInfo(view, on_edit=self.edit_form.open)
            with ui.card().classes("w-full").props("flat bordered"):
                self.meta = ContactMetaInformation(view)
            layout = "w-full gap-4" if compact else "w-full gap-4 lg:flex-nowrap"
            with ui.row().classes(layout):
                with ui.card().classes("grow basis-80").props("flat bordered"):
                    self.history = ContactConversationHistory(view)
                with ui.card().classes("grow basis-80").props("flat bordered"):
                    self.notes = ContactNotes(view)
            with ui.card().classes("w-full").props("flat bordered"):
                self.timeline = ContactActivityTimeline(view)
        self.conflict = ConflictDialog(view, on_resolved=self._after_conflict)
        self.render()
        self.changed.subscribe(self.render)
        unsubscribe = view.store.subscribe(view.contact_id, self.changed.emit)
        context.client.on_delete(unsubscribe)
        view.run(lambda: actions.open_contact(view.store, view.session.client, view.contact_id, source=source,
                                              seed=seed))

    def render(self) -> None:
        view = self.view
        entry = view.entry
        self.banner.clear()
        with self.banner:
            if entry.deleted:
                with ui.card().classes("w-full bg-red-1").props('flat bordered role="alert" data-testid="deleted-state"'):
                    ui.label(view.t("CONTACT.DELETED_TITLE")).classes("text-h6 text-negative")
                    ui.label(view.t("CONTACT.DELETED_MESSAGE"))
            elif entry.load_error and entry.server is None:
                not_found = entry.load_error == "NOT_FOUND"
                with ui.card().classes("w-full").props('flat bordered role="alert" data-testid="load-error"'):
                    ui.label(view.t("CONTACT.NOT_FOUND" if not_found else "CONTACT.LOAD_FAILED")).classes("text-h6")
                    if not not_found:
                        ui.label(entry.load_error).classes("text-caption")
                        ui.button(view.t("APP.RETRY"), on_click=self._reload).props("flat color=primary")
            elif entry.save_error and not self.edit_form.is_open:
                with ui.row().classes("w-full items-center gap-2 bg-orange-1 q-pa-sm rounded-borders").props(
                    'role="alert" data-testid="save-error"'
                ):
                    ui.icon("error_outline", color="negative")
                    ui.label(f"{view.t('CONTACT.UPDATE_FAILED')}: {error_text(view, entry.save_error)}").classes("grow")
                    ui.button(view.t("APP.RETRY"), on_click=self._retry).props('flat color=primary data-testid="retry-save"')
                    ui.button(view.t("CONTACT.EDIT"), on_click=self.edit_form.open).props("flat")
            if entry.saving:
                ui.linear_progress(show_value=False).props('indeterminate data-testid="saving"')
        self.root.classes(add="opacity-80" if entry.deleted else "", remove="" if entry.deleted else "opacity-80")
        if entry.deleted and self.edit_form.is_open:
            self.edit_form.dialog.close()
        self.basic.render()
        self.meta.render()
        self.history.render()
        self.notes.render()
        self.timeline.render()
        self.conflict.sync()

    def _after_save(self, outcome: SaveOutcome) -> None:
        view = self.view
        if outcome.status == "saved":
            ui.notify(view.t("CONTACT.UPDATE_SUCCESS"), type="positive")
        elif outcome.status == "failed":
            ui.notify(view.t("CONTACT.UPDATE_FAILED"), type="negative")
        elif outcome.status == "deleted":
            ui.notify(view.t("CONTACT.DELETED_TITLE"), type="warning")

    def _after_conflict(self, keep_mine: bool) -> None:
        if keep_mine and self.view.entry.draft:
            self.edit_form.open()

    def _retry(self) -> None:
        view = self.view
        draft = dict(view.entry.draft)

        async def retry() -> None:
            outcome = await actions.update_contact(view.store, view.session.client, view.contact_id, draft)
            self._after_save(outcome)

        view.run(retry)

    def _reload(self) -> None:
        view = self.view
        view.run(lambda: actions.fetch_contact(view.store, view.session.client, view.contact_id))
