"""The contacts list: search, paging, and contact events applied to the rows shown."""

from __future__ import annotations

import time
from collections.abc import Coroutine
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import Event, context, ui

from api.errors import ApiError
from api.models import Contact, ContactPage
from api.settings import Settings
from api.validation import format_phone_international
from components.contact_view import MUTED_TEXT, aria, mark_id
from components.page_frame import page_frame
from pages.access import agent_session, is_kiosk, page_locale, to_sign_in
from state.contact_lists import ContactListPage, Effect, ListChange
from state.i18n import relative_time, t

PAGE_SIZE = 15

# Cells render through Vue's text interpolation ({{ }}), so names stay text.
NAME_SLOT = r"""<q-td :props="props"><a :href="'/contacts/' + props.row.id + '?source=contacts_list'"
    class="text-primary" :data-testid="'contact-row-' + props.row.id">{{ props.value }}</a></q-td>"""


def list_url(query: str, page: int) -> str:
    """The list's address for a search and a page: what Back, a reload or a shared link returns to."""
    params: dict[str, str | int] = {}
    if query:
        params["q"] = query
    if page > 1:
        params["page"] = page
    return f"/contacts?{urlencode(params)}" if params else "/contacts"


def register(settings: Settings) -> None:
    @ui.page("/contacts")
    async def contacts(request: Request, q: str = "", page: int = 1) -> RedirectResponse | None:
        session = await agent_session(settings)
        if session is None:
            return to_sign_in(request)
        locale = page_locale(request)
        listing = ContactListPage(query=q.strip(), page=max(1, page), page_size=PAGE_SIZE)
        with page_frame(session, locale, sign_out=not is_kiosk(settings)):
            ui.label(t("CONTACTS_LIST.TITLE", locale=locale)).classes("text-h5").props('role="heading" aria-level="1"')
            search = ui.input(
                label=t("CONTACTS_LIST.SEARCH_LABEL", locale=locale),
                placeholder=t("CONTACTS_LIST.SEARCH_PLACEHOLDER", locale=locale),
                value=listing.query,
            )
            search.props("outlined dense clearable debounce=300 type=search").classes("w-full")
            mark_id(aria(search, t("CONTACTS_LIST.SEARCH_LABEL", locale=locale)), "contact-search")
            with search.add_slot("prepend"):
                ui.icon("search").props('aria-hidden="true"')
            status = ui.label(t("CONTACTS_LIST.LOADING", locale=locale)).classes(f"text-caption {MUTED_TEXT}")
            mark_id(status.props('aria-live="polite"'), "list-status")
            columns = [
                {"name": "name", "label": t("CONTACTS_LIST.COLUMN_NAME", locale=locale), "field": "name"},
                {"name": "email", "label": t("CONTACTS_LIST.COLUMN_EMAIL", locale=locale), "field": "email"},
                {"name": "phone", "label": t("CONTACTS_LIST.COLUMN_PHONE", locale=locale), "field": "phone"},
                {
                    "name": "activity",
                    "label": t("CONTACTS_LIST.COLUMN_LAST_ACTIVITY", locale=locale),
                    "field": "activity",
                },
            ]
            for column in columns:
                column["align"] = "left"
            table = ui.table(columns=columns, rows=[], row_key="id").classes("w-full")
            table.props('flat bordered hide-bottom loading :rows-per-page-options="[0]"')
            mark_id(aria(table, t("CONTACTS_LIST.TITLE", locale=locale)), "contacts-table")
            table.add_slot("body-cell-name", NAME_SLOT)
            with ui.row().classes("items-center gap-2"):
                previous = ui.button(icon="chevron_left", on_click=lambda: go(listing.page - 1)).props("flat round")
                mark_id(aria(previous, t("CONTACTS_LIST.PREVIOUS", locale=locale)), "page-previous").disable()
                pager = mark_id(ui.label(""), "pager")
                following = ui.button(icon="chevron_right", on_click=lambda: go(listing.page + 1)).props("flat round")
                mark_id(aria(following, t("CONTACTS_LIST.NEXT", locale=locale)), "page-next").disable()

        def row(contact: Contact, now: int) -> dict[str, object]:
            return {
                "id": contact.id,
                "name": contact.name or t("CONTACTS_LIST.UNNAMED", locale=locale),
                "email": contact.email or "",
                "phone": format_phone_international(contact.phone_number),
                "activity": relative_time(contact.last_activity_at, now=now, locale=locale)
                if contact.last_activity_at
                else t("CONTACTS_LIST.NEVER_ACTIVE", locale=locale),
            }

        def show_rows() -> None:
            """The table's rows changed in place: Vue keeps each row's elements by contact id."""
            now = int(time.time())
            table.rows[:] = [row(contact, now) for contact in listing.contacts]
            table.update()

        def show_count() -> None:
            if not listing.count:
                status.text = (
                    t("CONTACTS_LIST.NO_RESULTS", locale=locale, query=listing.query)
                    if listing.query
                    else t("CONTACTS_LIST.EMPTY", locale=locale)
                )
            else:
                status.text = t("CONTACTS_LIST.COUNT", locale=locale, count=listing.count)
            pager.text = t("CONTACTS_LIST.PAGE", locale=locale, page=listing.page, pages=listing.pages)
            previous.set_enabled(listing.page > 1)
            following.set_enabled(listing.page < listing.pages)

        async def load() -> None:
            table.props["loading"] = True
            try:
                if listing.query:
                    result: ContactPage = await session.client.search_contacts(listing.query, listing.page)
                else:
                    result = await session.client.list_contacts(listing.page)
            except ApiError as error:
                status.text = f"{t('CONTACTS_LIST.LOAD_FAILED', locale=locale)}: {error.message}"
                return
            finally:
                table.props["loading"] = False
            listing.take(result)
            now = int(time.time())
            table.rows = [row(contact, now) for contact in listing.contacts]
            show_count()

        async def go(page_number: int) -> None:
            listing.page = min(max(1, page_number), listing.pages)
            ui.navigate.history.replace(list_url(listing.query, listing.page))
            await load()

        async def searched(value: str | None) -> None:
            listing.query = (value or "").strip()
            listing.page = 1
            ui.navigate.history.replace(list_url(listing.query, listing.page))
            await load()

        def apply_change(change: ListChange) -> Coroutine[None, None, None] | None:
            """A contact event changes the rows shown without asking the server; a reconnect reads the page.

            Synchronous, so events apply in the order they came; the read after a reconnect is returned for
            the event to run as a task.
            """
            effect = listing.apply(change)
            if effect is Effect.RELOAD:
                return load()
            if effect is Effect.ROWS:
                show_rows()
            if effect is not Effect.NONE:
                show_count()
            return None

        search.on_value_change(lambda e: searched(e.value))
        changed: Event[[ListChange]] = Event()
        changed.subscribe(apply_change)
        context.client.on_delete(session.lists.subscribe(changed.emit))
        await context.client.connected()
        await load()
        return None
