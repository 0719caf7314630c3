"""What to call a contact where its name belongs: the name, else how to reach it, else its number."""

from __future__ import annotations

from api.models import Contact
from api.validation import format_phone_international
from state.i18n import t


def contact_display_name(contact: Contact, locale: str) -> str:
    """The contact's name; without one its email, then its phone number, then "Unknown contact #id"."""
    for shown in (contact.name, contact.email):
        if shown and shown.strip():
            return shown.strip()
    phone = format_phone_international(contact.phone_number)  # only when needed: formatting costs
    return phone.strip() if phone and phone.strip() else t("CONTACT.UNKNOWN", locale=locale, id=contact.id)
