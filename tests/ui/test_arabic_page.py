"""An Arabic page writes values, lists and counts as Arabic does (CLDR): the timeline's changes and counted texts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui.testing import User

from tests.support.processes import RunningServer
from tests.ui.interaction import choose_language, eventually, timeline_entries, update_as, wait_for

ADA = 1  # 25 conversations in the demo data
FSI, PDI = "\u2068", "\u2069"  # a value set apart from the sentence around it


def changed(field: str, old: str, new: str) -> str:
    """TIMELINE.FIELD_CHANGED in Arabic."""
    return f"تغيّر {FSI}{field}{PDI} من «{FSI}{old}{PDI}» إلى «{FSI}{new}{PDI}»"


async def test_an_arabic_page_writes_changed_values_and_counts_as_arabic_does(
    agent: User, api_server: RunningServer, make_contact: Callable[..., dict[str, Any]]
) -> None:
    contact = make_contact(name="Arabic Values")
    before = {"seats": 5, "signed_up": "2024-05-01", "newsletter": False, "regions": ["north", "south"]}
    update_as(api_server, "agent", contact["id"], custom_attributes=before)
    after = {"seats": 12_345, "signed_up": "2024-09-15", "newsletter": True, "regions": ["north", "south", "east"]}
    update_as(api_server, "agent", contact["id"], custom_attributes=after, blocked=True)

    await agent.open(f"/contacts/{ADA}")
    await choose_language(agent, "ar")
    # 25 takes Arabic's "many" form: the singular noun after the number.
    await wait_for(agent, "history-count", content="25 محادثة")

    await agent.open(f"/contacts/{contact['id']}")
    expected = {
        changed("Seats", "5", "12,345"),
        changed("Signed up", "01\u200f/05\u200f/2024", "15\u200f/09\u200f/2024"),
        changed("Newsletter", "لا", "نعم"),
        changed("regions", "north وsouth", "north وsouth وeast"),
        changed("محظور", "لا", "نعم"),
    }
    bodies = await eventually(
        lambda: (found := {entry["body"] for entry in timeline_entries(agent)}) >= expected and found,
        message=f"not all of {expected} in {[entry['body'] for entry in timeline_entries(agent)]}",
    )
    assert not [body for body in bodies if "True" in body or "False" in body or "[" in body]
    # The changes were made a moment ago, by the demo agent: "now · by ...".
    assert {entry["subtitle"].split(" · ")[0] for entry in timeline_entries(agent)} == {"الآن"}


async def test_an_arabic_list_names_the_labels_it_looked_for_as_arabic_lists_them(agent: User) -> None:
    await agent.open("/contacts")
    await choose_language(agent, "ar")
    await agent.open("/contacts?label=no-such-label&label=nor-this-one")
    # The page lists the contacts having any of the labels: "no-such-label or nor-this-one".
    await wait_for(agent, "list-status", content="لا توجد جهات اتصال بالتصنيف no-such-label أو nor-this-one")
