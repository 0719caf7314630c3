"""ContactTabTitle: the browser tab of a contact page is titled with the contact's name, kept current."""

from __future__ import annotations

from nicegui import Event, context, ui

from api.models import Contact
from components.contact_view import ContactView
from state.contact_names import contact_display_name
from state.i18n import t


class ContactTabTitle:
    """Sets the page title when the contact loads and whenever its name (or what stands in for it) changes."""

    def __init__(self, view: ContactView) -> None:
        self.view = view
        self.title = ""
        self.contact: Contact | None = None
        changed: Event[[]] = Event()
        changed.subscribe(self.show)
        context.client.on_delete(view.store.subscribe(view.contact_id, changed.emit))
        self.show()

    def show(self) -> None:
        contact = self.view.contact
        if contact is None or contact is self.contact:
            return  # the store changed something else (the contact is worked out once per change of its own)
        self.contact = contact
        title = t("CONTACT.PAGE_TITLE", locale=self.view.locale, name=contact_display_name(contact, self.view.locale))
        if title != self.title:  # the store changes far more often than the name
            self.title = title
            ui.page_title(title)
