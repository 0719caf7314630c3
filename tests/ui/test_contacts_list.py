"""The contacts list: rows, search, paging, empty results, and contacts arriving live."""

from __future__ import annotations

import re
import uuid

from nicegui import ui
from nicegui.testing import User

from tests.ui.interaction import act, eventually, shown, text_of, wait_for


async def open_list(user: User) -> ui.table:
    await user.open("/contacts")
    table = await wait_for(user, "contacts-table", kind=ui.table)
    await eventually(lambda: re.fullmatch(r"\d+ contacts", text_of(user, "list-status")))
    return table


async def test_rows_show_name_email_phone_and_activity(agent: User) -> None:
    table = await open_list(agent)
    assert len(table.rows) == 15
    shown_fields = {"id", "name", "email", "phone", "activity", "initials", "thumbnail", "labels"}
    exact_times = {"activity_exact", "created", "created_exact"}
    assert all(set(row) == shown_fields | exact_times for row in table.rows)
    assert all(isinstance(row["labels"], list) and row["initials"] for row in table.rows)
    assert all(row["name"] for row in table.rows)  # unnamed contacts read "Unnamed contact"
    assert any(re.fullmatch(r"\+\d{1,3} [\d ]+", row["phone"]) for row in table.rows)  # international format
    assert text_of(agent, "pager").startswith("Page 1 of ")
    assert not shown(agent, "page-previous")[0].enabled
    assert shown(agent, "page-next")[0].enabled


async def test_search_narrows_the_list(agent: User) -> None:
    table = await open_list(agent)
    act(agent, await wait_for(agent, "contact-search")).type("Ada Lovelace")
    await eventually(lambda: [row["name"] for row in table.rows] == ["Ada Lovelace"])
    assert text_of(agent, "list-status") == "1 contact"
    row = table.rows[0]
    assert (row["email"], row["phone"]) == ("ada@example.com", "+44 20 7183 8750")
    assert text_of(agent, "pager") == "Page 1 of 1"
    assert not shown(agent, "page-next")[0].enabled


async def test_a_search_without_results_says_so(agent: User) -> None:
    table = await open_list(agent)
    act(agent, await wait_for(agent, "contact-search")).type("zz-nobody-by-that-name")
    await eventually(lambda: text_of(agent, "list-status") == "No contacts match “zz-nobody-by-that-name”")
    assert table.rows == []


async def test_paging_forward_and_back(agent: User) -> None:
    table = await open_list(agent)
    first_page = [row["id"] for row in table.rows]
    act(agent, await wait_for(agent, "page-next")).click()
    await eventually(lambda: text_of(agent, "pager").startswith("Page 2 of "))
    await eventually(lambda: table.rows and table.rows[0]["id"] not in first_page)
    assert not {row["id"] for row in table.rows} & set(first_page)
    assert shown(agent, "page-previous")[0].enabled
    act(agent, await wait_for(agent, "page-previous")).click()
    await eventually(lambda: [row["id"] for row in table.rows] == first_page)
    assert text_of(agent, "pager").startswith("Page 1 of ")


async def test_the_search_comes_from_the_address(agent: User) -> None:
    await agent.open("/contacts?q=ada%40example.com")
    table = await wait_for(agent, "contacts-table", kind=ui.table)
    await eventually(lambda: [row["name"] for row in table.rows] == ["Ada Lovelace"])


async def test_a_new_contact_appears_live(agent: User, make_contact) -> None:
    name = f"Live Arrival {uuid.uuid4().hex[:8]}"
    table = await open_list(agent)
    act(agent, await wait_for(agent, "contact-search")).type(name)
    await eventually(lambda: text_of(agent, "list-status").startswith("No contacts match"))
    make_contact(name=name)
    await eventually(lambda: [row["name"] for row in table.rows] == [name])
