"""ContactPanel: every section of one contact, kept current from the store, used by every contact page."""

from __future__ import annotations

from nicegui import Event, context, ui

from api.models import Contact
from components.conflict_dialog import ConflictDialog
from components.contact_activity_timeline import ContactActivityTimeline
from components.contact_basic_info import ContactBasicInfo
from components.contact_conversation_history import ContactConversationHistory
from components.contact_edit_form import ContactEditForm
from components.contact_meta_information import ContactMetaInformation
from components.contact_notes import ContactNotes
from components.contact_view import MUTED_TEXT, ContactView, aria, mark_id
from state import actions
from state.actions import SaveOutcome


class ContactPanel:
    """Basic info, attributes, labels, social profiles, history, notes and timeline of one contact."""

    def __init__(self, view: ContactView, *, source: str, seed: Contact | None = None, compact: bool = False) -> None:
        self.view = view
        self.source = source
        self.changed: Event[[]] = Event()
        self.root = mark_id(ui.column(), "contact-panel").classes("w-full gap-4 contact-panel")
        with self.root:
            self.banner = ui.column().classes("w-full").props('aria-live="assertive"')
            self.sections = ui.column().classes("w-full gap-4")
        with self.sections:
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
        if seed is not None:
            actions.show_known_contact(view.store, seed)
        self.render()
        self.changed.subscribe(self.render)
        unsubscribe = view.store.subscribe(view.contact_id, self.changed.emit)
        context.client.on_delete(unsubscribe)
        view.run(self._open)

    async def _open(self) -> None:
        view = self.view
        await actions.open_contact(view.store, view.session.client, view.contact_id, source=self.source)
        self.meta.definitions_settled = True
        if not self.root.is_deleted:
            self.meta.render()

    def render(self) -> None:
        view = self.view
        entry = view.entry
        self.banner.clear()
        with self.banner:
            if entry.deleted:
                with (
                    mark_id(ui.card(), "deleted-state")
                    .classes("w-full bg-red-1 text-black")
                    .props('flat bordered role="alert"')
                ):
                    ui.label(view.t("CONTACT.DELETED_TITLE")).classes("text-h6 text-negative")
                    ui.label(view.t("CONTACT.DELETED_MESSAGE"))
            elif entry.load_error and entry.server is None:
                not_found = entry.load_error == "NOT_FOUND"
                with mark_id(ui.card(), "load-error").classes("w-full").props('flat bordered role="alert"'):
                    ui.label(view.t("CONTACT.NOT_FOUND" if not_found else "CONTACT.LOAD_FAILED")).classes("text-h6")
                    if not not_found:
                        ui.label(view.error(entry.load_error)).classes("text-caption")
                        retry = ui.button(view.t("APP.RETRY"), on_click=self._reload).props("flat color=primary")
                        mark_id(retry, "retry-load")
            elif entry.save_error and not self.edit_form.is_open:
                with (
                    mark_id(ui.row(), "save-error")
                    .classes("w-full items-center gap-2 bg-orange-1 text-black q-pa-sm rounded-borders")
                    .props('role="alert"')
                ):
                    ui.icon("error_outline", color="negative").props('aria-hidden="true"')
                    with ui.column().classes("grow gap-0"):
                        ui.label(view.t("CONTACT.UPDATE_FAILED")).classes("text-weight-medium")
                        ui.label(view.error(entry.save_error)).classes("text-caption")
                    if entry.draft:
                        retry = ui.button(view.t("APP.RETRY"), on_click=self._retry).props("flat color=primary")
                        mark_id(retry, "retry-save").set_enabled(not entry.saving)
                        edit = ui.button(view.t("CONTACT.EDIT"), on_click=self.edit_form.open).props("flat")
                        mark_id(edit, "edit-again")
                    dismiss = ui.button(icon="close", on_click=self._dismiss).props("flat round dense")
                    mark_id(aria(dismiss, view.t("APP.CLOSE")), "dismiss-save-error")
            if entry.saving:
                mark_id(ui.linear_progress(show_value=False).props("indeterminate"), "saving")
                if entry.slow:
                    # Slow is shown as slow: the new value stays, pending, until the server tells the outcome.
                    with mark_id(ui.column(), "save-slow").classes("w-full gap-0").props('role="status"'):
                        ui.label(view.t("CONTACT.STILL_SAVING")).classes("text-weight-medium")
                        if entry.checking:
                            ui.label(view.t("CONTACT.CHECKING_SAVE")).classes(f"text-caption {MUTED_TEXT}")
        # A contact that could not be loaded has nothing to show but the banner (and its Retry).
        self.sections.visible = not (entry.load_error and entry.server is None)
        if entry.deleted:
            self.root.classes(add="opacity-80")
            self.edit_form.close()
        else:
            self.root.classes(remove="opacity-80")
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
        # The open form shows the inputs as they were; rebuild it from the resolved draft.
        if self.edit_form.is_open or (keep_mine and self.view.entry.draft):
            self.edit_form.open()

    def _retry(self) -> None:
        view = self.view
        draft = dict(view.entry.draft)

        async def retry() -> None:
            outcome = await actions.update_contact(view.store, view.session.client, view.contact_id, draft)
            self._after_save(outcome)
            if outcome.status == "invalid":
                self.edit_form.open()

        # Not the clicked button's slot: the banner (and the button) is rebuilt before the outcome is known.
        with self.root:
            view.run(retry)

    def _dismiss(self) -> None:
        actions.dismiss_error(self.view.store, self.view.contact_id)

    def _reload(self) -> None:
        view = self.view
        view.run(self._open)
