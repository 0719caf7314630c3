"""The contacts list: search, paging, and contact events applied to the rows shown."""

from __future__ import annotations

import asyncio
import html
import time
from collections.abc import Coroutine
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import Event, context, ui

from api.models import Contact
from api.settings import Settings
from api.validation import format_phone_international
from components.contact_basic_info import initials
from components.contact_view import MUTED_TEXT, aria, mark_id
from components.list_actions import ListActions
from components.page_frame import page_frame
from pages.access import agent_session, is_kiosk, page_locale, to_sign_in
from state import reads
from state.contact_lists import DEFAULT_SORT, ContactListPage, Effect, ListChange
from state.i18n import format_at_least, format_datetime, format_list, format_number, relative_time, t
from state.problems import LoadFailed, describe

PAGE_SIZE = 15

# Sorts the list offers (Chatwoot's `sort`), by the column that shows them; the first way is the natural one.
SORT_KEYS = ("name", "email", "phone_number", "last_activity_at", "created_at")
SORTABLE = {"name": "name", "email": "email", "activity": "-last_activity_at", "created": "-created_at"}

# Cells render through Vue's text interpolation ({{ }}), so names and labels stay text. On a phone the email
# and phone columns are hidden and their values are the name cell's second line.
NAME_SLOT = r"""<q-td :props="props"><div class="row no-wrap items-start q-gutter-x-sm">
  <q-avatar size="32px" color="primary" text-color="white" aria-hidden="true" data-testid="row-avatar">
    <img v-if="props.row.thumbnail" :src="props.row.thumbnail" alt="" @error="props.row.thumbnail = ''">
    <span v-else class="text-caption">{{ props.row.initials }}</span>
  </q-avatar>
  <div class="column" style="min-width: 0">
    <a :href="'/contacts/' + props.row.id + '?source=contacts_list'" class="text-primary"
      :data-testid="'contact-row-' + props.row.id">{{ props.value }}</a>
    <div v-if="props.row.labels.length" class="row q-gutter-xs" :data-testid="'row-labels-' + props.row.id">
      <q-badge v-for="label in props.row.labels" :key="label" outline color="primary" class="text-caption"
        >{{ label }}</q-badge>
    </div>
    <span class="lt-sm text-caption ellipsis">{{ props.row.email || props.row.phone }}</span>
  </div></div></q-td>"""
ACTIVITY_SLOT = r"""<q-td :props="props"><span :title="props.row.activity_exact"
    :data-testid="'row-activity-' + props.row.id">{{ props.value }}</span></q-td>"""
CREATED_SLOT = r"""<q-td :props="props"><span :title="props.row.created_exact">{{ props.value }}</span></q-td>"""
# A sortable header is a button (Enter or Space sorts); its cell says how the list is sorted now.
SORT_HEADER_SLOT = r"""<q-th :props="props" :aria-sort="props.col.ariaSort">
  <button v-if="props.col.sortKey" type="button" class="sort-header" :data-testid="'sort-' + props.col.name"
    @click="$parent.$emit('sort_by', props.col.name)">{{ props.col.label }}<q-icon
    :name="props.col.ariaSort === 'descending' ? 'arrow_downward' : 'arrow_upward'" size="16px"
    :class="props.col.ariaSort === 'none' ? 'invisible' : ''" aria-hidden="true" /></button>
  <span v-else>{{ props.col.label }}</span></q-th>"""


def list_url(query: str, page: int, sort: str = DEFAULT_SORT, labels: tuple[str, ...] = ()) -> str:
    """The list's address for a search or labels, a sort and a page: what Back, a reload or a link returns to."""
    params: list[tuple[str, str | int]] = []
    if query:
        params.append(("q", query))
    params.extend(("label", label) for label in labels)
    if sort != DEFAULT_SORT:
        params.append(("sort", sort))
    if page > 1:
        params.append(("page", page))
    return f"/contacts?{urlencode(params)}" if params else "/contacts"


def next_sort(current: str, column: str) -> str:
    """The sort a click on `column`'s header asks for: its natural way first, then the other way."""
    natural = SORTABLE[column]
    key = natural.lstrip("-")
    if current.lstrip("-") != key:
        return natural
    return key if current.startswith("-") else f"-{key}"


def aria_sort(current: str, column: str) -> str:
    """`aria-sort` of a column header for the list's sort."""
    if column not in SORTABLE or current.lstrip("-") != SORTABLE[column].lstrip("-"):
        return "none"
    return "descending" if current.startswith("-") else "ascending"


def register(settings: Settings) -> None:
    @ui.page("/contacts")
    async def contacts(request: Request, q: str = "", page: int = 1, sort: str = "") -> RedirectResponse | None:
        session = await agent_session(settings)
        if session is None:
            return to_sign_in(request)
        locale = page_locale(request)
        query = q.strip()
        # Chatwoot's search takes no labels: a search shows every contact it finds, so the two are not combined.
        labels = (
            () if query else tuple(dict.fromkeys(v.strip() for v in request.query_params.getlist("label") if v.strip()))
        )
        listing = ContactListPage(
            query=query,
            labels=labels,
            sort=sort if sort.lstrip("-") in SORT_KEYS else DEFAULT_SORT,
            page=max(1, page),
            page_size=PAGE_SIZE,
        )
        with page_frame(session, locale, sign_out=not is_kiosk(settings)):
            with ui.row().classes("w-full items-center justify-between gap-2"):
                title = ui.label(t("CONTACTS_LIST.TITLE", locale=locale)).classes("text-h5")
                title.props('role="heading" aria-level="1"')
                actions = ListActions(session, locale, on_imported=lambda: load())
            actions.export_progress()
            with ui.row().classes("w-full items-start gap-2"):
                search = ui.input(
                    label=t("CONTACTS_LIST.SEARCH_LABEL", locale=locale),
                    placeholder=t("CONTACTS_LIST.SEARCH_PLACEHOLDER", locale=locale),
                    value=listing.query,
                )
                search.props("outlined dense clearable debounce=300 type=search").classes("grow min-w-[12rem]")
                mark_id(aria(search, t("CONTACTS_LIST.SEARCH_LABEL", locale=locale)), "contact-search")
                with search.add_slot("prepend"):
                    ui.icon("search").props('aria-hidden="true"')
                picker = ui.select(
                    options=list(labels),
                    label=t("CONTACTS_LIST.FILTER_LABELS", locale=locale),
                    value=list(labels),
                    multiple=True,
                    clearable=True,
                )
                picker.props("outlined dense use-chips options-dense").classes("min-w-[12rem] grow sm:grow-0")
                mark_id(aria(picker, t("CONTACTS_LIST.FILTER_LABELS", locale=locale)), "label-filter")
            status = ui.label(t("CONTACTS_LIST.LOADING", locale=locale)).classes(f"text-caption {MUTED_TEXT}")
            mark_id(status.props('aria-live="polite"'), "list-status")
            headers = {
                "name": "COLUMN_NAME",
                "email": "COLUMN_EMAIL",
                "phone": "COLUMN_PHONE",
                "activity": "COLUMN_LAST_ACTIVITY",
                "created": "COLUMN_CREATED",
            }
            columns: list[dict[str, object]] = [
                {
                    "name": name,
                    "label": t(f"CONTACTS_LIST.{key}", locale=locale),
                    "field": name,
                    "align": "left",
                    "sortKey": SORTABLE.get(name, ""),
                    # On a phone these go to the name's second line, or away (created): no sideways scrolling.
                    "classes": "gt-xs" if name in {"email", "phone", "created"} else "",
                    "headerClasses": "gt-xs" if name in {"email", "phone", "created"} else "",
                }
                for name, key in headers.items()
            ]
            table = ui.table(columns=columns, rows=[], row_key="id").classes("w-full contacts-table")
            table.props('flat bordered hide-bottom loading :rows-per-page-options="[0]"')
            mark_id(aria(table, t("CONTACTS_LIST.TITLE", locale=locale)), "contacts-table")
            table.add_slot("body-cell-name", NAME_SLOT)
            table.add_slot("body-cell-activity", ACTIVITY_SLOT)
            table.add_slot("body-cell-created", CREATED_SLOT)
            table.add_slot("header-cell", SORT_HEADER_SLOT)
            # Quasar's own loading bar has no name (axe: aria-progressbar-name): the same bar, named.
            loading = html.escape(t("CONTACTS_LIST.LOADING", locale=locale), quote=True)
            table.add_slot(
                "loading",
                f'<q-linear-progress indeterminate class="q-table__linear-progress" aria-label="{loading}" />',
            )
            with ui.row().classes("items-center gap-2"):
                previous = ui.button(icon="chevron_left", on_click=lambda: go(listing.page - 1)).props("flat round")
                mark_id(aria(previous, t("CONTACTS_LIST.PREVIOUS", locale=locale)), "page-previous").disable()
                pager = mark_id(ui.label(""), "pager")
                following = ui.button(icon="chevron_right", on_click=lambda: go(listing.page + 1)).props("flat round")
                mark_id(aria(following, t("CONTACTS_LIST.NEXT", locale=locale)), "page-next").disable()

        def row(contact: Contact, now: int) -> dict[str, object]:
            name = contact.name or t("CONTACTS_LIST.UNNAMED", locale=locale)
            return {
                "id": contact.id,
                "name": name,
                "initials": initials(contact.name, contact.email or ""),
                "thumbnail": session.image_source(contact.thumbnail) or "",  # uploaded pictures too
                "labels": contact.labels or [],
                "email": contact.email or "",
                "phone": format_phone_international(contact.phone_number),
                "activity": relative_time(contact.last_activity_at, now=now, locale=locale)
                if contact.last_activity_at
                else t("CONTACTS_LIST.NEVER_ACTIVE", locale=locale),
                "activity_exact": format_datetime(contact.last_activity_at, locale) if contact.last_activity_at else "",
                "created": relative_time(contact.created_at, now=now, locale=locale) if contact.created_at else "",
                "created_exact": format_datetime(contact.created_at, locale) if contact.created_at else "",
            }

        def show_sort() -> None:
            for column in table.columns:
                column["ariaSort"] = aria_sort(listing.sort, str(column["name"]))
            table.update()

        def show_rows() -> None:
            """The table's rows changed in place: Vue keeps each row's elements by contact id."""
            now = int(time.time())
            table.rows[:] = [row(contact, now) for contact in listing.contacts]
            table.update()

        def show_count() -> None:
            if not listing.count:
                if listing.query:
                    status.text = t("CONTACTS_LIST.NO_RESULTS", locale=locale, query=listing.query)
                elif listing.labels:
                    # The page lists the contacts having any of the labels.
                    labels = format_list(listing.labels, locale, style="or")
                    status.text = t("CONTACTS_LIST.NO_LABELLED", locale=locale, labels=labels)
                else:
                    status.text = t("CONTACTS_LIST.EMPTY", locale=locale)
            elif listing.count_capped:
                at_least = format_at_least(listing.count, locale)
                status.text = t("CONTACTS_LIST.COUNT_AT_LEAST", locale=locale, count=listing.count, at_least=at_least)
            else:
                status.text = t("CONTACTS_LIST.COUNT", locale=locale, count=listing.count)
            pages = format_at_least if listing.count_capped else format_number
            pager.text = t(
                "CONTACTS_LIST.PAGE",
                locale=locale,
                page=format_number(listing.page, locale),
                pages=pages(listing.pages, locale),
            )
            previous.set_enabled(listing.page > 1)
            following.set_enabled(listing.page < listing.pages)

        reading = False
        read_again = False

        async def load() -> None:
            """Read the page; asked again while reading (events, the agent), it reads once more after, not twice."""
            nonlocal reading, read_again
            read_again = True
            if reading:
                return
            reading = True
            try:
                while read_again:
                    read_again = False
                    await read()
            finally:
                reading = False

        async def read() -> None:
            asked = (listing.query, listing.labels, listing.sort, listing.page)
            table.props["loading"] = True
            try:
                result = await reads.contact_list(
                    session, query=listing.query, page=listing.page, sort=listing.sort, labels=listing.labels
                )
            except LoadFailed as failed:
                status.text = f"{t('CONTACTS_LIST.LOAD_FAILED', locale=locale)}: {describe(failed.problem, locale)}"
                return
            finally:
                table.props["loading"] = False
            if asked != (listing.query, listing.labels, listing.sort, listing.page):
                return  # the agent typed on (or paged, sorted) meanwhile: the next read shows the newer answer
            listing.take(result)
            listing.labels_told = session.labels_announced
            now = int(time.time())
            table.rows = [row(contact, now) for contact in listing.contacts]
            show_count()

        async def read_labels() -> None:
            try:
                titles = await reads.label_titles(session)
            except LoadFailed:
                return  # the filter keeps the labels from the address; the list says what failed, if anything
            picker.set_options(list(dict.fromkeys([*titles, *listing.labels])), value=list(listing.labels))

        def remember() -> None:
            ui.navigate.history.replace(list_url(listing.query, listing.page, listing.sort, listing.labels))

        async def go(page_number: int) -> None:
            listing.page = min(max(1, page_number), listing.pages)
            remember()
            await load()

        async def searched(value: str | None) -> None:
            listing.query = (value or "").strip()
            listing.page = 1
            if listing.query and listing.labels:
                listing.labels = ()
                picker.set_value([])  # its change handler reads the page
                return
            remember()
            await load()

        async def labelled(value: list[str] | None) -> None:
            listing.labels = tuple(value or ())
            listing.page = 1
            if listing.labels and listing.query:
                listing.query = ""
                search.set_value("")  # its change handler reads the page
                return
            remember()
            await load()

        async def sorted_by(column: str) -> None:
            if column not in SORTABLE:
                return
            listing.sort = next_sort(listing.sort, column)
            listing.page = 1
            show_sort()
            remember()
            await load()

        def apply_change(change: ListChange) -> Coroutine[None, None, None] | None:
            """A contact event changes the rows shown without asking the server; a reconnect reads the page.

            Synchronous, so events apply in the order they came; a read the event calls for is returned for
            the event to run as a task (reads asked for while one runs make one more).
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
        picker.on_value_change(lambda e: labelled(e.value))
        table.on("sort_by", lambda e: sorted_by(str(e.args)))
        show_sort()
        changed: Event[[ListChange]] = Event()
        changed.subscribe(apply_change)
        context.client.on_delete(session.lists.subscribe(changed.emit))
        await context.client.connected()
        await asyncio.gather(load(), read_labels())
        return None
