"""The contacts list: search, paging, and live refresh when contacts change."""

from __future__ import annotations

import time
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import Event, context, ui

from api.errors import ApiError
from api.models import ContactPage
from api.settings import Settings
from api.validation import format_phone_international
from components.contact_view import MUTED_TEXT, aria, mark_id
from components.page_frame import page_frame
from pages.access import agent_session, page_locale, to_sign_in
from state.actions import LIST_CHANNEL
from state.i18n import relative_time, t

PAGE_SIZE = 15

# Cells render through Vue's text interpolation ({{ }}), so names stay text.
NAME_SLOT = r"""<q-td :props="props"><a :href="'/contacts/' + props.row.id + '?source=contacts_list'"
    class="text-primary" :data-testid="'contact-row-' + props.row.id">{{ props.value }}</a></q-td>"""


def register(settings: Settings) -> None:
    @ui.page("/contacts")
    async def contacts(request: Request, q: str = "", page: int = 1) -> RedirectResponse | None:
        session = await agent_session(settings)
        if session is None:
            return to_sign_in(request)
        locale = page_locale(request)
        state: dict[str, Any] = {"query": q.strip(), "page": max(1, page), "pages": 1}
        with page_frame(session, locale):
            ui.label(t("CONTACTS_LIST.TITLE", locale=locale)).classes("text-h5").props('role="heading" aria-level="1"')
            search = ui.input(
                label=t("CONTACTS_LIST.SEARCH_LABEL", locale=locale),
                placeholder=t("CONTACTS_LIST.SEARCH_PLACEHOLDER", locale=locale),
                value=state["query"],
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
                previous = ui.button(icon="chevron_left", on_click=lambda: go(state["page"] - 1)).props("flat round")
                mark_id(aria(previous, t("CONTACTS_LIST.PREVIOUS", locale=locale)), "page-previous").disable()
                pager = mark_id(ui.label(""), "pager")
                following = ui.button(icon="chevron_right", on_click=lambda: go(state["page"] + 1)).props("flat round")
                mark_id(aria(following, t("CONTACTS_LIST.NEXT", locale=locale)), "page-next").disable()

        async def load() -> None:
            table.props["loading"] = True
            try:
                if state["query"]:
                    result: ContactPage = await session.client.search_contacts(state["query"], state["page"])
                else:
                    result = await session.client.list_contacts(state["page"])
            except ApiError as error:
                status.text = f"{t('CONTACTS_LIST.LOAD_FAILED', locale=locale)}: {error.message}"
                return
            finally:
                table.props["loading"] = False
            now = int(time.time())
            table.rows = [
                {
                    "id": c.id,
                    "name": c.name or t("CONTACTS_LIST.UNNAMED", locale=locale),
                    "email": c.email or "",
                    "phone": format_phone_international(c.phone_number),
                    "activity": relative_time(c.last_activity_at, now=now, locale=locale)
                    if c.last_activity_at
                    else t("CONTACTS_LIST.NEVER_ACTIVE", locale=locale),
                }
                for c in result.payload
            ]
            count = result.meta.count
            state["pages"] = max(1, -(-count // PAGE_SIZE))
            if not count:
                status.text = (
                    t("CONTACTS_LIST.NO_RESULTS", locale=locale, query=state["query"])
                    if state["query"]
                    else t("CONTACTS_LIST.EMPTY", locale=locale)
                )
            else:
                status.text = t("CONTACTS_LIST.COUNT", locale=locale, count=count)
            pager.text = t("CONTACTS_LIST.PAGE", locale=locale, page=state["page"], pages=state["pages"])
            previous.set_enabled(state["page"] > 1)
            following.set_enabled(state["page"] < state["pages"])

        async def go(page_number: int) -> None:
            state["page"] = min(max(1, page_number), state["pages"])
            await load()

        async def searched(value: str | None) -> None:
            state["query"] = (value or "").strip()
            state["page"] = 1
            await load()

        search.on_value_change(lambda e: searched(e.value))
        changed: Event[[]] = Event()
        changed.subscribe(load)
        context.client.on_delete(session.store.subscribe(LIST_CHANNEL, changed.emit))
        await context.client.connected()
        await load()
        return None
