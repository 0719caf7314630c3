"""The page frame every page uses: header, navigation, language, theme, live status, sign-out."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

from nicegui import Event, app, context, ui

from components.app_header import AppHeader, HeaderLink, SignOut
from components.contact_view import aria, hinted, isolated, mark_id
from components.document_settings import DocumentSettings
from components.stylesheet import shared_css
from state.i18n import SUPPORTED_LOCALES, is_rtl, t
from state.session import AgentSession

SIGN_OUT_PATH = "/logout"
# What this browser's next page says first (the contact just deleted, as the list opens), in its server-side storage.
NOTICE_KEY = "notice"
NOTICES = frozenset({"CONTACT.DELETED_NOTICE"})
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch", "es": "Español", "ar": "العربية"}

# White text on each of these has at least 5:1 contrast (WCAG AA asks 4.5:1): buttons, badges, the header.
THEME_COLORS = {"primary": "#1f5fae", "secondary": "#0f766e", "positive": "#15803d"}
# As text on dark cards those colours are too dark; there text (never fills) takes lighter tints. Quasar's
# colour classes are `!important` in a late cascade layer, which an `!important` in an earlier layer outranks;
# the link colour joins NiceGUI's own layer so that utility classes still win over it.
THEME_CSS = shared_css("""
@layer overrides {
  .body--dark .text-primary:not(.q-timeline__dot) { color: #93c5fd !important; }
  .body--dark .text-secondary { color: #5eead4 !important; }
}
@layer nicegui {
  .nicegui-link { color: var(--q-primary); }
  .body--dark .nicegui-link { color: #93c5fd; }
}
""")
# On the blue header the usual green and amber are too faint to tell apart from it.
LIVE_COLORS = {True: "light-green-4", False: "amber-5"}


def install_colors() -> None:
    """The theme's colours for every page of the app (set once, not an element on each page)."""
    app.colors(**THEME_COLORS)


def apply_locale_and_theme(locale: str) -> None:
    """Direction and language of the document, and the agent's light or dark theme."""
    DocumentSettings(lang=locale, rtl=is_rtl(locale), dark=bool(app.storage.user.get("dark", False)))


@contextmanager
def page_frame(
    session: AgentSession | None, locale: str, *, title_key: str = "APP.TITLE", sign_out: bool = True
) -> Iterator[ui.column]:
    """Header with the skip link, and the content column it skips to, which it yields.

    `sign_out=False` leaves out the sign-out button (a kiosk signs every visitor straight back in).
    """
    apply_locale_and_theme(locale)
    ui.page_title(t(title_key, locale=locale))
    signed_in = session is not None
    with ui.header(elevated=True).classes("items-center gap-2 q-px-md").props('role="banner"'):
        # The skip link comes first in the header, which comes before the page content: the first tab stop.
        header = AppHeader(
            skip=HeaderLink(text=t("APP.SKIP_TO_CONTENT", locale=locale), href="#main"),
            title=t("APP.TITLE", locale=locale),
            navigation=t("APP.MAIN_NAVIGATION", locale=locale),
            links=[
                HeaderLink(text=t("APP.CONTACTS", locale=locale), href="/contacts"),
                HeaderLink(text=t("APP.CONVERSATIONS", locale=locale), href="/conversations"),
            ]
            if signed_in
            else [],
            agent=session.profile.name if session is not None else "",
            sign_out=SignOut(action=SIGN_OUT_PATH, label=t("APP.SIGN_OUT", locale=locale))
            if signed_in and sign_out
            else None,
        )
        with mark_id(header, "app-header"):
            # What follows goes to the header's end (`.header-end`: no spacer element of its own).
            if session is not None:
                _live_indicator(session, locale).classes("header-end")
            _language_select(locale).classes("" if signed_in else "header-end")
            _theme_toggle(locale)
    # Quasar's page is the `main` landmark; this column is only where the skip link takes the focus.
    with ui.column().classes("w-full max-w-6xl mx-auto q-pa-md gap-4").props("id=main tabindex=-1") as main:
        if signed_in:
            _notice(locale)
        yield main


def leave_notice(storage: MutableMapping[str, Any], key: str, **params: str) -> None:
    """Have the next page this browser opens say `key` (one of `NOTICES`); `storage` is its `app.storage.user`."""
    assert key in NOTICES
    storage[NOTICE_KEY] = {"key": key, "params": params}


def _notice(locale: str) -> None:
    """The notice left for this page, once, with a button to dismiss it."""
    notice = app.storage.user.pop(NOTICE_KEY, None)
    if not isinstance(notice, dict) or notice.get("key") not in NOTICES:
        return
    params = {name: isolated(str(value)) for name, value in dict(notice.get("params") or {}).items()}
    with mark_id(ui.row(), "page-notice").classes("w-full items-center gap-2 no-wrap q-pa-sm rounded-borders") as row:
        row.classes("bg-green-1 text-black").props('role="status"')
        ui.icon("check_circle", color="positive").props('aria-hidden="true"')
        ui.label(t(notice["key"], locale=locale, **params)).classes("grow").props('dir="auto"')
        dismiss = ui.button(icon="close", on_click=row.delete).props("flat round dense")
        mark_id(hinted(dismiss, t("APP.CLOSE", locale=locale)), "dismiss-notice")


def _language_select(locale: str) -> ui.select:
    def change(value: str) -> None:
        if value == locale:
            return
        app.storage.user["locale"] = value
        ui.navigate.reload()

    select = ui.select(
        {code: LANGUAGE_NAMES[code] for code in SUPPORTED_LOCALES}, value=locale, on_change=lambda e: change(e.value)
    ).props("dense borderless dark options-dense")
    return mark_id(aria(select, t("APP.LANGUAGE", locale=locale)), "language")


def _theme_toggle(locale: str) -> None:
    dark = bool(app.storage.user.get("dark", False))

    def toggle() -> None:
        app.storage.user["dark"] = not dark
        ui.navigate.reload()

    label = t("APP.LIGHT_MODE" if dark else "APP.DARK_MODE", locale=locale)
    button = ui.button(icon="light_mode" if dark else "dark_mode", on_click=toggle).props("flat round color=white")
    mark_id(hinted(button, label), "theme-toggle")


def _live_indicator(session: AgentSession, locale: str) -> ui.icon:
    icon = mark_id(ui.icon("wifi_off"), "live-status")

    def show(connected: bool) -> None:
        icon.props["color"] = LIVE_COLORS[connected]
        icon.props["name"] = "wifi" if connected else "wifi_off"
        aria(icon, t("APP.LIVE_UPDATES_ON" if connected else "APP.CONNECTION_LOST", locale=locale))
        icon.props["role"] = "img"

    show(session.live)
    status: Event[bool] = Event()
    status.subscribe(show)
    unsubscribe = session.watch_status(status.emit)
    context.client.on_delete(unsubscribe)
    return icon
