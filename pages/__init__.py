"""Routes of the app; `register` adds them to NiceGUI (main.py calls it once per start)."""

from __future__ import annotations

from api.settings import Settings
from pages import contact_details, contact_export, contacts_list, conversation, embed, login


def register(settings: Settings) -> None:
    """Add every page."""
    login.register(settings)
    contacts_list.register(settings)
    contact_export.register()
    conversation.register(settings)
    contact_details.register(settings)
    embed.register(settings)
