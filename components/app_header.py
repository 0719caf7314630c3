"""AppHeader: the header bar's fixed parts (skip link, title, navigation, the agent's name, sign-out) as one element.

Those parts change only with the page, yet were nine elements on every open page, at about 4 KiB of the app's
memory each. Here they are plain data that the browser draws (`app_header.js`); the controls that talk to the
server (live status, language, theme) are real elements in its default slot, drawn between the navigation
and the agent's name. Its root takes no box of its own (`display: contents`), so every part lays out in the
header's row.
"""

from __future__ import annotations

from typing import TypedDict

from nicegui import ui


class HeaderLink(TypedDict):
    text: str
    href: str


class SignOut(TypedDict):
    """A plain form POST: it works with the live connection down, and no link from elsewhere can sign out."""

    action: str
    label: str  # the button's accessible name and hover text


class AppHeader(ui.element, component="app_header.js"):
    """Build the controls inside it (`with header:`); they go between the navigation and the agent's name."""

    def __init__(
        self,
        *,
        skip: HeaderLink,
        title: str,
        navigation: str,
        links: list[HeaderLink],
        agent: str,
        sign_out: SignOut | None,
    ) -> None:
        super().__init__()
        parts = {
            "skip": skip,
            "title": title,
            "navigation": navigation,  # the navigation landmark's name
            "links": links,
            "agent": agent,
            "sign_out": sign_out,
        }
        # Stored as they are, not wrapped in NiceGUI's observable dicts and lists (as `props[...] =` would): they
        # never change after the page is built.
        for name, value in parts.items():
            dict.__setitem__(self._props, name, value)
