"""ContactPanel: every section of one contact, kept current from the store, used by every contact page."""

from __future__ import annotations

import asyncio
import json

from nicegui import Event, context, ui

from api.error_codes import ErrorCode
from api.models import Contact
from components.conflict_dialog import ConflictDialog
from components.contact_activity_timeline import ContactActivityTimeline
from components.contact_basic_info import ContactBasicInfo
from components.contact_conversation_history import ContactConversationHistory
from components.contact_edit_form import ContactEditForm
from components.contact_meta_information import ContactMetaInformation
from components.contact_notes import ContactNotes
from components.contact_view import MUTED_TEXT, ContactView, E, aria, field_label, isolated, mark_id
from components.duplicate_suggestions import DuplicateSuggestions
from components.merge_dialog import open_merge_dialog
from components.section_card import SectionCard
from components.stylesheet import shared_css
from state import actions
from state.actions import SaveOutcome
from state.i18n import format_list
from state.problems import ServerSaid

# A value another agent just changed: a short yellow glow.
JUST_CHANGED_CSS = shared_css("""
@keyframes contacts-just-changed {
  from { background-color: rgba(255, 213, 79, 0.65); }
  to { background-color: transparent; }
}
.contacts-just-changed { animation: contacts-just-changed 2.5s ease-out; border-radius: 4px; }
@media (prefers-reduced-motion: reduce) { .contacts-just-changed { animation-duration: 0.01s; } }
""")
# A section out of view is not laid out until it scrolls near: a page's first layout, which Quasar's scroll
# watcher forces while the page mounts (before it shows), then covers the sections in view only.
SECTION_CSS = shared_css("""
.panel-section { content-visibility: auto; contain-intrinsic-size: auto 360px; }
""")
# How long a contact page waits for its data before answering (`ContactPanel.first_load`): a page that comes
# with its data is drawn once; past this it is sent with skeletons and the data follows (a slow server).
FIRST_LOAD_SECONDS = 0.4
# At most this many pages of the process wait so at once; more (a burst of page loads) answer at once, as they
# would without the wait, so that no page waits behind the others' loads past NiceGUI's response timeout.
FIRST_LOAD_WAITERS = 4
_first_load_waiters = 0
# Restarts the glow on the elements with these data-testids (run in the tab through NiceGUI's websocket).
FLASH_JS = """
((testids) => {
  for (const testid of testids) {
    for (const element of document.querySelectorAll(`[data-testid="${CSS.escape(testid)}"]`)) {
      element.classList.remove("contacts-just-changed");
      void element.offsetWidth;
      element.classList.add("contacts-just-changed");
    }
  }
})
"""
# The element (by data-testid) that shows a contact field.
FIELD_TESTIDS = {
    "name": "contact-name",
    "email": "contact-email",
    "phone_number": "contact-phone",
    "identifier": "contact-identifier",
    "additional_attributes.company_name": "contact-company",
    "additional_attributes.city": "contact-city",
    "additional_attributes.country": "contact-country",
    "additional_attributes.description": "contact-description",
}


def field_testid(path: str) -> str | None:
    """Where a changed field shows on the panel, if it does."""
    if path in FIELD_TESTIDS:
        return FIELD_TESTIDS[path]
    parts = path.split(".")
    if parts[0] == "custom_attributes" and len(parts) == 2:
        return f"attribute-value-{parts[1]}"
    if parts[:2] == ["additional_attributes", "social_profiles"] and len(parts) == 3:
        return f"social-{parts[2]}"
    return None


class ContactPanel:
    """Basic info, attributes, labels, social profiles, history, notes and timeline of one contact."""

    def __init__(
        self,
        view: ContactView,
        *,
        source: str,
        seed: Contact | None = None,
        compact: bool = False,
        first_load: bool = False,
    ) -> None:
        """`first_load`: the page awaits `first_load()` before it answers, and the panel is drawn once, then: not
        empty first, nor once per part of the data as it arrives (skeletons built only to be deleted unseen)."""
        self.view = view
        self.source = source
        self.changed: Event[[]] = Event()
        self.root = mark_id(ui.column(), "contact-panel").classes("w-full gap-4 contact-panel")
        with self.root:
            self.banner = mark_id(ui.column(), "contact-banner").classes("w-full").props('aria-live="assertive"')
            # Banner parts, built when first needed and then shown, hidden and updated in place.
            self.deleted_card: ui.card | None = None
            self.load_error_card: ui.card | None = None
            self.save_error_row: ui.row | None = None
            self.draft_notice: ui.row | None = None
            self.draft_notice_at: float | None = None
            self.saving_progress: ui.linear_progress | None = None
            self.slow_status: ui.column | None = None
            self.sections = ui.column().classes("w-full gap-4")
        with self.sections:
            with mark_id(ui.card(), "section-basic-info").classes("w-full panel-section").props("flat bordered"):
                self.edit_form = ContactEditForm(view, self._after_save)
                self.basic = ContactBasicInfo(view, on_edit=self._edit, leave_after_delete=source != "embed")
            # A suggestion's Merge opens the menu's merge dialog on it (the same dialog and Undo, in the same place).
            self.duplicates = DuplicateSuggestions(view, on_merge=None if view.read_only else self._merge_with)
            with mark_id(SectionCard(), "section-meta").classes("w-full panel-section"):
                self.meta = ContactMetaInformation(view)
            layout = "w-full gap-4" if compact else "w-full gap-4 lg:flex-nowrap"
            with ui.row().classes(layout):
                with mark_id(SectionCard(), "section-history").classes("grow basis-80 panel-section"):
                    self.history = ContactConversationHistory(view)
                with mark_id(SectionCard(), "section-notes").classes("grow basis-80 panel-section"):
                    self.notes = ContactNotes(view)
            with mark_id(ui.card(), "section-timeline").classes("w-full panel-section").props("flat bordered"):
                self.timeline = ContactActivityTimeline(view)
        self.conflict = ConflictDialog(view, on_resolved=self._after_conflict)
        # Another agent's live change: said once per tab, and its fields flash. Not the ones from before the page.
        change = view.entry.remote_change
        self.remote_change_seen = change.number if change else 0
        if seed is not None:
            actions.show_known_contact(view.store, seed)
        self.held = first_load
        self.render()
        self.changed.subscribe(self.render)
        unsubscribe = view.store.subscribe(view.contact_id, self.changed.emit)
        context.client.on_delete(unsubscribe)
        self.opened = asyncio.Event()
        view.run(self._open)

    async def _open(self) -> None:
        view = self.view
        try:
            await actions.open_contact(view.store, view.session.client, view.contact_id, source=self.source)
            self.meta.definitions_settled = True
            if not self.root.is_deleted and not self.held:
                self.meta.render()
        finally:
            self.opened.set()

    async def first_load(self, within: float) -> None:
        """Wait up to `within` seconds for the contact's first load, so the page's HTML can carry it.

        A page built before its data shows skeletons, and the data follows over the websocket once the browser
        has mounted the page: a second round of work in the browser. Waiting briefly before answering sends one
        complete page instead; a slower server still gets its skeletons after `within`. A contact this agent
        already has (another tab) is drawn from the store at once: nothing to wait for. Draws the panel.
        """
        global _first_load_waiters
        if self.view.contact is None and _first_load_waiters < FIRST_LOAD_WAITERS:
            _first_load_waiters += 1
            try:
                await asyncio.wait_for(self.opened.wait(), within)
            except TimeoutError:
                pass
            finally:
                _first_load_waiters -= 1
        self.held = False
        self.render()

    def _merge_with(self, other_contact_id: int) -> None:
        open_merge_dialog(self.view, self.basic.container, mergee_id=other_contact_id)

    def render(self) -> None:
        """One render pass: the banner and every section update what changed, in place."""
        if self.held:
            return
        view = self.view
        entry = view.entry
        self._render_banner()
        # A contact that could not be loaded has nothing to show but the banner (and its Retry).
        self.sections.visible = not (entry.load_error and entry.server is None)
        if entry.deleted:
            # Said by the banner, not by dimming the panel: faded controls (the timeline's filter) lost their
            # contrast (axe), and every control that would change the contact is hidden anyway.
            self.edit_form.close()
        self._tell_remote_change()
        self.basic.render()
        self.duplicates.render()
        self.edit_form.sync()
        self.meta.render()
        self.history.render()
        self.notes.render()
        self.timeline.render()
        self.conflict.sync()

    def _tell_remote_change(self) -> None:
        """ "Sam Agent changed Email", quietly, and the changed values flash for a moment."""
        view = self.view
        change = view.entry.remote_change
        if change is None or change.number == self.remote_change_seen:
            return
        self.remote_change_seen = change.number
        names = list(dict.fromkeys(field_label(view, path) for path in change.fields))
        text = view.t("CONTACT.CHANGED_BY", name=isolated(change.performer), fields=format_list(names, view.locale))
        ui.notify(text, position="bottom", timeout=4000, color="grey-9", group=False)
        testids = sorted({testid for path in change.fields if (testid := field_testid(path))})
        if testids:
            ui.run_javascript(f"{FLASH_JS}({json.dumps(testids)})")

    def _render_banner(self) -> None:
        """Show the one banner that fits the entry; each is built the first time it is needed, then reused."""
        view = self.view
        entry = view.entry
        deleted = entry.deleted
        load_error = not deleted and bool(entry.load_error) and entry.server is None
        save_error = not deleted and not load_error and bool(entry.save_error) and not self.edit_form.is_open
        if deleted and self.deleted_card is None:
            self.deleted_card = self._place(self._build_deleted_card(), 0)
        if self.deleted_card is not None:
            self.deleted_card.set_visibility(deleted)
            if deleted:
                self._show_deleted()
        if load_error and self.load_error_card is None:
            self.load_error_card = self._place(self._build_load_error_card(), 1)
        if self.load_error_card is not None:
            self.load_error_card.set_visibility(load_error)
            if load_error:
                not_found = entry.load_error is ErrorCode.NOT_FOUND
                self.load_error_title.set_text(view.t("CONTACT.NOT_FOUND" if not_found else "CONTACT.LOAD_FAILED"))
                self.load_error_detail.set_text("" if not_found else view.error(entry.load_error))
                self.load_error_detail.set_visibility(not not_found)
                self.retry_load.set_visibility(not not_found)
        if save_error and self.save_error_row is None:
            self.save_error_row = self._place(self._build_save_error_row(), 2)
        if self.save_error_row is not None:
            self.save_error_row.set_visibility(save_error)
            if save_error:
                self.save_error_detail.set_text(self._save_problem())
                self.retry_save.set_visibility(bool(entry.draft))
                self.retry_save.set_enabled(not entry.saving)
                self.edit_again.set_visibility(bool(entry.draft))
        # Typing kept from an earlier visit (a reload, another browser): said, not silently put back into the form.
        draft_kept = (
            view.editable
            and bool(entry.draft)
            and not (entry.saving or entry.save_error or entry.conflict or self.edit_form.is_open)
        )
        if draft_kept and self.draft_notice is None:
            self.draft_notice = self._place(self._build_draft_notice(), 3)
            self._show_draft_time(entry.draft_at)
        if self.draft_notice is not None:
            self.draft_notice.set_visibility(draft_kept)
            if draft_kept and entry.draft_at != self.draft_notice_at:
                self._show_draft_time(entry.draft_at)
        if entry.saving and self.saving_progress is None:
            with self.banner:
                self.saving_progress = mark_id(ui.linear_progress(show_value=False).props("indeterminate"), "saving")
            self._place(self.saving_progress, 4)
        if self.saving_progress is not None:
            self.saving_progress.set_visibility(entry.saving)
        slow = entry.saving and entry.slow
        if slow and self.slow_status is None:
            self.slow_status = self._place(self._build_slow_status(), 5)
        if self.slow_status is not None:
            # Slow is shown as slow: the new value stays, pending, until the server tells the outcome.
            self.slow_status.set_visibility(slow)
            self.checking_label.set_visibility(slow and entry.checking)

    def _place(self, part: E, rank: int) -> E:
        """Put a newly built banner part in its place.

        The alert (rank 0-2), the kept draft (3), the progress (4), "Still saving..." (5).
        """
        parts = [self.deleted_card, self.load_error_card, self.save_error_row, self.draft_notice, self.saving_progress]
        earlier = parts[:rank]
        part.move(self.banner, target_index=sum(1 for built in earlier if built is not None))
        return part

    def _build_deleted_card(self) -> ui.card:
        with self.banner:
            card = mark_id(ui.card(), "deleted-state").classes("w-full bg-red-1 text-black")
            with card.props('flat bordered role="alert"'):
                self.deleted_title = ui.label().classes("text-h6 text-negative")
                self.deleted_message = mark_id(ui.label(), "deleted-message").props('dir="auto"')
                # Merged into another contact: a link to it (text-black: the link keeps its contrast on the card).
                self.merged_link = mark_id(ui.link(), "merged-into-link").classes("text-black").props('dir="auto"')
        return card

    def _show_deleted(self) -> None:
        """Deleted (by whom, when another agent did), or merged into another contact, with a link to it."""
        view = self.view
        entry = view.entry
        into, name = entry.merged_into, entry.merged_into_name
        self.merged_link.set_visibility(into is not None)
        if into is not None:
            self.deleted_title.set_text(view.t("MERGE.MERGED_TITLE"))
            if name:
                self.deleted_message.set_text(view.t("MERGE.MERGED_INTO", name=isolated(name)))
                self.merged_link.set_text(view.t("MERGE.OPEN_MERGED", name=isolated(name)))
            else:
                self.deleted_message.set_text(view.t("MERGE.MERGED_INTO_UNNAMED"))
                self.merged_link.set_text(view.t("MERGE.OPEN_MERGED_UNNAMED"))
            self.merged_link.props["href"] = f"/contacts/{into}"
            self.merged_link.update()
            return
        by = entry.deleted_by
        self.deleted_title.set_text(view.t("CONTACT.DELETED_TITLE"))
        self.deleted_message.set_text(
            view.t("CONTACT.DELETED_BY", name=isolated(by)) if by else view.t("CONTACT.DELETED_MESSAGE")
        )

    def _build_load_error_card(self) -> ui.card:
        view = self.view
        with (
            self.banner,
            mark_id(ui.card(), "load-error").classes("w-full").props('flat bordered role="alert"') as card,
        ):
            self.load_error_title = ui.label().classes("text-h6")
            self.load_error_detail = ui.label().classes("text-caption")
            retry = ui.button(view.t("APP.RETRY"), on_click=self._reload).props("flat color=primary")
            self.retry_load = mark_id(retry, "retry-load")
        return card

    def _build_save_error_row(self) -> ui.row:
        view = self.view
        with self.banner:
            row = mark_id(ui.row(), "save-error")
            row.classes("w-full items-center gap-2 bg-orange-1 text-black q-pa-sm rounded-borders")
            with row.props('role="alert"'):
                ui.icon("error_outline", color="negative").props('aria-hidden="true"')
                with ui.column().classes("grow gap-0"):
                    ui.label(view.t("CONTACT.UPDATE_FAILED")).classes("text-weight-medium")
                    self.save_error_detail = ui.label().classes("text-caption whitespace-pre-line")
                retry = ui.button(view.t("APP.RETRY"), on_click=self._retry).props("flat color=primary")
                self.retry_save = mark_id(retry, "retry-save")
                edit = ui.button(view.t("CONTACT.EDIT"), on_click=self._edit).props("flat")
                self.edit_again = mark_id(edit, "edit-again")
                dismiss = ui.button(icon="close", on_click=self._dismiss).props("flat round dense")
                mark_id(aria(dismiss, view.t("APP.CLOSE")), "dismiss-save-error")
        return row

    def _build_draft_notice(self) -> ui.row:
        view = self.view
        with self.banner:
            row = mark_id(ui.row(), "draft-notice")
            row.classes("w-full items-center gap-2 bg-blue-1 text-black q-pa-sm rounded-borders")
            with row.props('role="status"'):
                ui.icon("edit_note", color="primary").props('aria-hidden="true"')
                self.draft_text = mark_id(ui.element("span"), "draft-notice-text").classes("grow")
                restore = ui.button(view.t("CONTACT.RESTORE"), on_click=self._restore_draft)
                mark_id(restore.props("flat color=primary"), "draft-restore")
                discard = ui.button(view.t("CONTACT.DISCARD"), on_click=self._discard_draft).props("flat")
                mark_id(discard, "draft-discard")
        return row

    def _show_draft_time(self, at: float | None) -> None:
        """Say when the draft was typed, in the agent's own time zone and the page's locale.

        The browser formats the time: only it knows the agent's time zone.
        """
        view = self.view
        self.draft_notice_at = at
        props = self.draft_text.props
        if at is None:
            props.pop(":textContent", None)
            props["textContent"] = view.t("CONTACT.DRAFT_KEPT_UNTIMED")
        else:
            props.pop("textContent", None)
            # Evaluated in the browser: the translated sentence as a JSON string, a supported locale code, a number.
            time = (
                f"new Intl.DateTimeFormat({json.dumps(view.locale)}, {{timeStyle: 'short'}}).format({round(at * 1000)})"
            )
            props[":textContent"] = f"{json.dumps(view.t('CONTACT.DRAFT_KEPT'))}.replace('{{time}}', {time})"
        self.draft_text.update()

    def _edit(self) -> None:
        self.edit_form.open()
        self._render_banner()

    def _restore_draft(self) -> None:
        """Open the form with the kept typing, its problems shown."""
        self._edit()

    def _discard_draft(self) -> None:
        actions.discard_draft(self.view.store, self.view.contact_id)

    def _save_problem(self) -> str:
        """Why the save failed; a refusal field by field ("Email: Already used by another contact"), translated.

        The server's own words show only for a problem the app has no code for.
        """
        view = self.view
        entry = view.entry
        problem = entry.save_error
        lines = [f"{field_label(view, path)}: {view.error(code)}" for path, code in entry.field_errors.items()]
        # A refusal's message is what the lines say field by field; any other failure is told first.
        refusal = problem in entry.field_errors.values() or isinstance(problem, ServerSaid)
        if not lines or not refusal:
            lines.insert(0, view.error(problem))
        return "\n".join(lines)

    def _build_slow_status(self) -> ui.column:
        view = self.view
        with self.banner, mark_id(ui.column(), "save-slow").classes("w-full gap-0").props('role="status"') as status:
            ui.label(view.t("CONTACT.STILL_SAVING")).classes("text-weight-medium")
            self.checking_label = ui.label(view.t("CONTACT.CHECKING_SAVE")).classes(f"text-caption {MUTED_TEXT}")
        return status

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

        # Not the clicked button's slot: the answer may come after the page (and its banner) is gone.
        with self.root:
            view.run(retry)

    def _dismiss(self) -> None:
        actions.dismiss_error(self.view.store, self.view.contact_id)

    def _reload(self) -> None:
        view = self.view
        view.run(self._open)
