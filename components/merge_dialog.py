"""MergeDialog: merge another contact into the one on the page, choosing the value each field keeps, then Undo.

The agent finds the other contact with the contacts search (or comes with one chosen: `open_merge_dialog`'s
`mergee_id`, as duplicate suggestions do), sees both side by side with what moves here (labels, conversations,
notes), picks a value per differing field, and merges. Where the server offers it, an Undo stays under the
contact's name for as long as the server allows (`api.protocol.MERGE_UNDO_SECONDS`).
"""

from __future__ import annotations

import asyncio
import time
import weakref
from typing import Any

from nicegui import ui

from api.client import MergeUndo
from api.errors import ApiError
from api.models import Contact
from api.protocol import MERGE_UNDO_SECONDS
from components.contact_view import MUTED_TEXT, ContactView, aria, field_label, isolated, mark_id
from components.stylesheet import shared_css
from state import contact_merge, reads
from state.contact_merge import MergeField, MergeIssue, MergePreview, MergeProblem
from state.contact_names import contact_display_name
from state.i18n import format_list
from state.problems import LoadFailed, problem_of

SEARCH_DELAY = 0.3  # seconds of quiet typing before the search is sent
SEARCH_RESULTS = 8


# The page's merge dialog by the element it is built in: built on first use, then opened again.
_dialogs: weakref.WeakKeyDictionary[ui.element, MergeDialog] = weakref.WeakKeyDictionary()
GRID_CSS = shared_css("""
.merge-grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 0.25rem 1rem; }
.merge-grid > * { min-width: 0; overflow-wrap: anywhere; }
.merge-undo-bar { border: 1px solid var(--q-primary); }
""")


def open_merge_dialog(view: ContactView, dialogs: ui.element, mergee_id: int | None = None) -> MergeDialog:
    """Open the merge dialog of the contact `view` shows (it is kept; the other is merged into it).

    `dialogs`: an element that lives as long as the page (the dialog and the Undo are built in it). With
    `mergee_id`, that contact is the one to merge, and the dialog opens on the side-by-side preview.
    """
    dialog = _dialogs.get(dialogs)
    if dialog is None or dialog.view is not view:
        dialog = _dialogs[dialogs] = MergeDialog(view, dialogs)
    dialog.open(mergee_id)
    return dialog


class MergeDialog:
    """One merge, from choosing the other contact to its Undo."""

    def __init__(self, view: ContactView, dialogs: ui.element) -> None:
        self.view = view
        self.dialogs = dialogs
        self.preview: MergePreview | None = None
        self.choices: dict[str, ui.radio] = {}
        self.searches = 0  # numbers the searches, so an answer overtaken by newer typing is dropped
        self.merging = False
        self.undo: MergeUndo | None = None
        self.undo_row: ui.row | None = None
        self.undo_button: ui.button | None = None
        self.undo_timer: ui.timer | None = None
        self._build()

    def t(self, key: str, **params: Any) -> str:
        return self.view.t(key, **params)

    def _build(self) -> None:
        title = self.t("MERGE.TITLE")
        with self.dialogs:
            self.dialog = aria(ui.dialog(), title)
        with self.dialog, mark_id(ui.card(), "merge-dialog").classes("w-full max-w-3xl gap-3"):
            ui.label(title).classes("text-h6").props('role="heading" aria-level="2"')
            self.intro = ui.label().classes(MUTED_TEXT).props('dir="auto"')
            with mark_id(ui.column(), "merge-search-step").classes("w-full gap-2") as self.search_step:
                self.search = ui.input(self.t("MERGE.SEARCH"), on_change=self._typed)
                self.search.props("clearable autofocus").classes("w-full")
                self.search.props["hint"] = self.t("MERGE.SEARCH_HINT")
                mark_id(aria(self.search, self.t("MERGE.SEARCH")), "merge-search")
                status = ui.label().classes(f"text-caption {MUTED_TEXT}").props('role="status"')
                self.search_status = mark_id(status, "merge-search-status")
                self.results = mark_id(ui.column(), "merge-results").classes("w-full gap-1")
            with mark_id(ui.column(), "merge-preview").classes("w-full gap-3") as self.preview_step:
                self.loading = ui.row().classes("items-center gap-2")
                with self.loading:
                    ui.spinner(size="sm")
                    ui.label(self.t("MERGE.LOADING"))
                self.preview_box = ui.column().classes("w-full gap-3")
            self.error = mark_id(ui.label().classes("text-negative").props('role="alert"'), "merge-error")
            with ui.row().classes("w-full justify-end gap-2"):
                self.back = mark_id(ui.button(self.t("MERGE.BACK"), on_click=self._back).props("flat"), "merge-back")
                cancel = ui.button(self.t("APP.CANCEL"), on_click=self.dialog.close).props("flat")
                mark_id(cancel, "merge-cancel")
                confirm = ui.button(self.t("MERGE.CONFIRM"), on_click=self._merge).props("color=negative")
                self.confirm = mark_id(confirm, "merge-confirm")

    # --- steps ---

    def open(self, mergee_id: int | None = None) -> None:
        """Open on the search (empty), or on the preview of merging `mergee_id` into this contact."""
        base = self.view.contact
        name = contact_display_name(base, self.view.locale) if base else ""
        self.intro.set_text(self.t("MERGE.INTRO", name=isolated(name)))
        self.searches += 1  # an answer to typing before this opening is not shown
        self.search.value = ""
        self.results.clear()
        self.search_status.set_text("")
        if mergee_id is None:
            self._show_search()
        else:
            self._choose(mergee_id)
        self.dialog.open()

    def _show_search(self) -> None:
        self.preview = None
        self.search_step.set_visibility(True)
        self.preview_step.set_visibility(False)
        self.back.set_visibility(False)
        self.confirm.set_visibility(False)
        self.error.set_text("")

    def _back(self) -> None:
        self._show_search()
        self.search.run_method("focus")

    # --- finding the other contact ---

    def _typed(self) -> None:
        self.searches += 1
        number = self.searches
        query = (self.search.value or "").strip()
        if not query:
            self.results.clear()
            self.search_status.set_text("")
            return
        self.search_status.set_text(self.t("MERGE.SEARCHING"))
        self.view.run(lambda: self._search(number, query))

    async def _search(self, number: int, query: str) -> None:
        await asyncio.sleep(SEARCH_DELAY)
        if number != self.searches:
            return
        try:
            page = await reads.contact_list(self.view.session, query=query, page=1, sort="-last_activity_at", labels=())
        except LoadFailed as failed:
            if number == self.searches:
                self.search_status.set_text(f"{self.t('MERGE.SEARCH_FAILED')}: {self.view.error(failed.problem)}")
            return
        if number != self.searches or self.dialog.is_deleted:
            return
        found = [contact for contact in page.payload if contact.id != self.view.contact_id][:SEARCH_RESULTS]
        self.search_status.set_text("" if found else self.t("MERGE.NO_RESULTS"))
        self.results.clear()
        with self.results:
            for contact in found:
                self._result(contact)

    def _result(self, contact: Contact) -> None:
        name = contact_display_name(contact, self.view.locale)
        detail = " · ".join(value for value in (contact.email, contact.phone_number) if value)
        button = ui.button(on_click=lambda: self._choose(contact.id)).props("flat no-caps align=left")
        button.classes("w-full")
        with button, ui.column().classes("gap-0 items-start min-w-0"):
            ui.label(name).classes("text-weight-medium ellipsis max-w-full").props('dir="auto"')
            if detail:
                ui.label(detail).classes(f"text-caption ellipsis max-w-full {MUTED_TEXT}").props('dir="auto"')
        mark_id(aria(button, self.t("MERGE.PICK", name=isolated(name))), f"merge-pick-{contact.id}")

    # --- the preview ---

    def _choose(self, mergee_id: int) -> None:
        self.preview = None
        self.search_step.set_visibility(False)
        self.preview_step.set_visibility(True)
        self.back.set_visibility(True)
        self.confirm.set_visibility(True)
        self.confirm.set_enabled(False)
        self.loading.set_visibility(True)
        self.preview_box.clear()
        self.error.set_text("")
        self.view.run(lambda: self._load(mergee_id))

    async def _load(self, mergee_id: int) -> None:
        view = self.view
        try:
            preview = await contact_merge.merge_preview(view.store, view.session.client, view.contact_id, mergee_id)
        except ValueError:
            self._failed(MergeIssue.SELF, "MERGE.LOAD_FAILED")
            return
        except ApiError as error:
            self._failed(problem_of(error), "MERGE.LOAD_FAILED")
            return
        if self.dialog.is_deleted:
            return
        self.preview = preview
        self.loading.set_visibility(False)
        self.choices = {}
        with self.preview_box:
            self._columns(preview)
            if not preview.fields:
                ui.label(self.t("MERGE.NOTHING_DIFFERS")).classes(MUTED_TEXT)
            for item in preview.fields:
                self._field(item)
            self._moves(preview)
        self.confirm.set_enabled(True)

    def _columns(self, preview: MergePreview) -> None:
        locale = self.view.locale
        with ui.element("div").classes("w-full merge-grid"):
            for key, contact, testid in (
                ("MERGE.THIS_CONTACT", preview.base, "merge-base-name"),
                ("MERGE.OTHER_CONTACT", preview.mergee, "merge-mergee-name"),
            ):
                with ui.column().classes("gap-0 min-w-0"):
                    ui.label(self.t(key)).classes(f"text-caption {MUTED_TEXT}")
                    name = ui.label(contact_display_name(contact, locale)).classes("text-weight-medium ellipsis")
                    mark_id(name.props('dir="auto"'), testid)
        if preview.fields:
            ui.label(self.t("MERGE.CHOOSE")).classes("text-subtitle2").props('role="heading" aria-level="3"')

    def _value_text(self, value: Any) -> str:
        if contact_merge.blank(value):
            return self.t("MERGE.EMPTY")
        return str(value)

    def _field(self, item: MergeField) -> None:
        label = field_label(self.view, item.path)
        slug = item.path.replace(".", "-").replace("_", "-")
        with mark_id(ui.column(), f"merge-field-{slug}").classes("w-full gap-0"):
            ui.label(label).classes("text-weight-medium")
            if item.fixed:
                kept = item.mergee_value if item.choice == "mergee" else item.base_value
                ui.label(self._value_text(kept)).props('dir="auto"')
                ui.label(self.t("MERGE.KEPT_BY_SERVER")).classes(f"text-caption {MUTED_TEXT}")
                return
            options = {"base": self._value_text(item.base_value), "mergee": self._value_text(item.mergee_value)}
            radio = ui.radio(options, value=item.choice).props("inline").classes("merge-grid w-full")
            radio.props["role"] = "radiogroup"
            aria(radio, self.t("MERGE.FIELD_CHOICE", field=label))
            self.choices[item.path] = mark_id(radio, f"merge-choice-{slug}")

    def _moves(self, preview: MergePreview) -> None:
        locale = self.view.locale
        with mark_id(ui.column(), "merge-moves").classes("w-full gap-1"):
            if preview.labels:
                ui.label(self.t("MERGE.LABELS_MOVE", labels=format_list(preview.labels, locale))).props('dir="auto"')
            if preview.conversations:
                ui.label(self.t("MERGE.CONVERSATIONS_MOVE", count=preview.conversations))
            if preview.notes:
                ui.label(self.t("MERGE.NOTES_MOVE", count=preview.notes))
            if preview.undoable:
                ui.label(self.t("MERGE.UNDO_WINDOW", count=MERGE_UNDO_SECONDS)).classes(f"text-caption {MUTED_TEXT}")
            else:
                ui.label(self.t("MERGE.NO_UNDO")).classes(f"text-caption {MUTED_TEXT}")

    def _failed(self, problem: MergeProblem | None, key: str) -> None:
        if self.dialog.is_deleted:
            return
        self.loading.set_visibility(False)
        self.error.set_text(f"{self.t(key)}: {self.describe(problem)}")

    def describe(self, problem: MergeProblem | None) -> str:
        if isinstance(problem, MergeIssue):
            return self.t(f"MERGE.{problem.value}")
        return self.view.error(problem)

    # --- merging and undoing ---

    async def _merge(self) -> None:
        preview = self.preview
        if preview is None or self.merging:
            return
        for item in preview.fields:
            radio = self.choices.get(item.path)
            if radio is not None and radio.value in ("base", "mergee"):
                item.choice = radio.value
        self.merging = True
        self.confirm.props("loading")
        self.error.set_text("")
        view = self.view
        try:
            outcome = await contact_merge.merge_contacts(view.store, view.session.client, preview)
        finally:
            self.merging = False
            if not self.dialog.is_deleted:
                self.confirm.props(remove="loading")
        if not outcome.merged:
            self._failed(outcome.problem, "MERGE.FAILED")
            return
        locale = view.locale
        mergee = contact_display_name(preview.mergee, locale)
        base = contact_display_name(outcome.contact or preview.base, locale)
        ui.notify(self.t("MERGE.SUCCESS", mergee=isolated(mergee), base=isolated(base)), type="positive")
        self.dialog.close()
        if outcome.undo is not None:
            self._offer_undo(outcome.undo, mergee)

    def _remaining(self) -> int:
        if self.undo is None:
            return 0
        return max(0, min(MERGE_UNDO_SECONDS, round(self.undo.until - time.time())))

    def _offer_undo(self, undo: MergeUndo, mergee: str) -> None:
        self._drop_undo()  # an earlier merge's, if still there
        self.undo = undo
        with self.dialogs, mark_id(ui.row(), "merge-undo").classes("w-full items-center gap-2") as row:
            row.classes("merge-undo-bar q-pa-sm rounded-borders")
            ui.icon("call_merge", color="primary").props('aria-hidden="true"')
            text = ui.label(self.t("MERGE.UNDO_BAR", name=isolated(mergee))).classes("grow").props('role="status"')
            text.props('dir="auto"')
            self.undo_button = mark_id(ui.button(on_click=self._undo).props("flat color=primary"), "merge-undo-button")
            self.undo_timer = ui.timer(1.0, self._tick)  # goes with the row
        self.undo_row = row
        self._tick()

    def _tick(self) -> None:
        left = self._remaining()
        if left <= 0:
            self._drop_undo()
            return
        if self.undo_button is not None:
            self.undo_button.set_text(self.t("MERGE.UNDO_SECONDS", count=left))

    def _drop_undo(self) -> None:
        if self.undo_timer is not None:
            self.undo_timer.cancel()
            self.undo_timer = None
        if self.undo_row is not None:
            self.undo_row.delete()
            self.undo_row = None
        self.undo_button = None
        self.undo = None

    async def _undo(self) -> None:
        undo, button = self.undo, self.undo_button
        if undo is None or button is None:
            return
        button.props("loading")
        problem = await contact_merge.undo_merge(self.view.store, self.view.session.client, undo)
        if problem is None:
            ui.notify(self.t("MERGE.UNDONE"), type="positive")
            self._drop_undo()
            return
        ui.notify(f"{self.t('MERGE.UNDO_FAILED')}: {self.describe(problem)}", type="negative")
        if isinstance(problem, MergeIssue):
            self._drop_undo()  # it will never work now
        elif self.undo_button is not None:
            self.undo_button.props(remove="loading")
