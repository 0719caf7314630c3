"""ContactActions: the menu beside Edit: remove the picture, block or unblock the contact, merge another contact
into it (components/merge_dialog.py), delete it.

Deleting takes an administrator (Chatwoot's rule; the server refuses anyone else), so only they see it, and it is
asked first in a dialog that names the contact. Once deleted, the agent goes to the contacts list, which says
what happened; other agents' pages of the contact turn read-only as the live event arrives.
"""

from __future__ import annotations

from collections.abc import Callable

from nicegui import app, ui

from components.contact_view import ContactView, aria, hinted, isolated, mark_id, tell_outcome
from components.merge_dialog import open_merge_dialog
from components.page_frame import leave_notice
from components.stylesheet import shared_css
from state import actions
from state.contact_names import contact_display_name

CONTACTS_LIST = "/contacts"
# Right beside Edit, as one group: on a phone the contact's name keeps the width.
ACTIONS_CSS = shared_css(".contact-actions { margin-inline-start: -12px; }")


class ContactActions:
    """A button whose menu (built on its first click: most pages never open it) holds the rarer actions."""

    def __init__(self, view: ContactView, dialogs: ui.element, *, leave_after_delete: bool = True) -> None:
        """`dialogs`: where the confirmation is built, an element that lives as long as the page.
        `leave_after_delete`: go to the contacts list once deleted; else (a portal's frame, which has no list)
        stay, the panel read-only and saying why, and tell it in a notification."""
        self.view = view
        self.leave_after_delete = leave_after_delete
        self.dialogs = dialogs
        self.button = ui.button(icon="more_vert", on_click=self._first_open).props("flat round")
        self.button.classes("contact-actions shrink-0")
        mark_id(hinted(self.button, view.t("CONTACT.MORE_ACTIONS")), "contact-actions")
        self.menu: ui.menu | None = None
        self.confirm: ui.dialog | None = None

    def _first_open(self) -> None:
        if self.menu is not None:
            return  # Quasar's menu opens and closes itself on the button's clicks from now on
        view = self.view
        with self.button, ui.menu() as self.menu:
            self.remove_picture = self._item("remove-avatar", self._remove_picture, view.t("CONTACT.REMOVE_AVATAR"))
            self.block = self._item("block-contact", self._toggle_block)
            with self.block:
                self.block_text = ui.item_section()
            self.merge = self._item("merge-contact", self._merge, view.t("MERGE.ACTION"))
            self.delete = self._item("delete-contact", self._delete, view.t("CONTACT.DELETE"))
        self.render()
        self.menu.open()

    @staticmethod
    def _item(name: str, action: Callable[[], None], text: str = "") -> ui.menu_item:
        # Quasar's items say they are list items, which a menu may not hold.
        return mark_id(ui.menu_item(text, on_click=action), name).props('role="menuitem"')

    def render(self) -> None:
        """The button while the contact may be changed; in the menu, what fits the contact now."""
        view = self.view
        contact = view.contact
        self.button.set_visibility(view.editable)
        if self.menu is None or contact is None:
            return
        self.remove_picture.set_visibility(bool(contact.thumbnail))
        self.block_text.set_text(view.t("CONTACT.UNBLOCK" if contact.blocked else "CONTACT.BLOCK"))
        self.delete.set_visibility(view.session.is_administrator)

    def _remove_picture(self) -> None:
        view = self.view

        async def remove() -> None:
            outcome = await actions.remove_avatar(view.store, view.session.client, view.contact_id)
            tell_outcome(view, outcome, saved="CONTACT.AVATAR_REMOVED", failed="CONTACT.AVATAR_FAILED")

        with self.dialogs:  # the menu item's slot goes with the menu
            view.run(remove)

    def _toggle_block(self) -> None:
        view = self.view
        contact = view.contact
        if contact is None:
            return
        blocked = not contact.blocked

        async def toggle() -> None:
            outcome = await actions.set_blocked(view.store, view.session.client, view.contact_id, blocked)
            saved = "CONTACT.BLOCK_SUCCESS" if blocked else "CONTACT.UNBLOCK_SUCCESS"
            tell_outcome(view, outcome, saved=saved, failed="CONTACT.UPDATE_FAILED")

        with self.dialogs:
            view.run(toggle)

    def _merge(self) -> None:
        open_merge_dialog(self.view, self.dialogs)

    def _confirm_dialog(self) -> ui.dialog:
        view = self.view
        if self.confirm is None:
            title = view.t("CONTACT.DELETE")
            with self.dialogs, aria(ui.dialog(), title) as self.confirm, ui.card().props('role="alertdialog"') as card:
                dialog = self.confirm
                aria(card, title)
                ui.label(view.t("CONTACT.DELETE")).classes("text-h6").props('role="heading" aria-level="2"')
                self.confirm_text = mark_id(ui.label(), "delete-confirm-text").props('dir="auto"')
                with ui.row().classes("w-full justify-end"):
                    cancel = ui.button(view.t("CONTACT.CANCEL"), on_click=lambda: dialog.submit(False))
                    mark_id(cancel.props("flat autofocus"), "delete-cancel")
                    confirm = ui.button(view.t("APP.DELETE"), on_click=lambda: dialog.submit(True))
                    mark_id(confirm.props("color=negative"), "delete-confirm")
        return self.confirm

    def _delete(self) -> None:
        view = self.view
        contact = view.contact
        if contact is None:
            return
        name = contact_display_name(contact, view.locale)
        storage = app.storage.user  # this browser's, known here (in the click) and no longer in the task below

        async def delete() -> None:
            dialog = self._confirm_dialog()
            self.confirm_text.set_text(view.t("CONTACT.DELETE_CONFIRM", name=isolated(name)))
            if not await dialog:
                return
            problem = await actions.delete_contact(view.store, view.session.client, view.contact_id)
            if problem is not None:
                ui.notify(f"{view.t('CONTACT.DELETE_FAILED')}: {view.error(problem)}", type="negative")
                return
            if not self.leave_after_delete:
                ui.notify(view.t("CONTACT.DELETED_NOTICE", name=isolated(name)), type="positive")
                return
            leave_notice(storage, "CONTACT.DELETED_NOTICE", name=name)
            ui.navigate.to(CONTACTS_LIST)

        with self.dialogs:
            view.run(delete)
