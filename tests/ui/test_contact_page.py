"""The contact details page: every section of a contact, as the demo data has it."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User

from components.app_header import AppHeader
from components.contact_basic_info import initials
from components.history_table import HistoryTable
from server.seed.demo_data import BROKEN_THUMBNAIL
from tests.support.processes import RunningServer
from tests.ui.conftest import SeededContacts
from tests.ui.interaction import (
    HTTP,
    act,
    attribute_rows,
    attribute_text,
    eventually,
    fact_texts,
    shown,
    text_of,
    timeline_entries,
    toasted,
    wait_for,
    wait_for_attribute,
    wait_for_entry,
)

ADA = 1


def latest_conversation(server: RunningServer, contact_id: int) -> dict:
    answer = HTTP.get(
        f"{server.url}/api/v1/accounts/1/contacts/{contact_id}/conversations",
        params={"page": 1},
        headers=server.admin.headers,
    )
    return answer.raise_for_status().json()["payload"][0]


async def open_ada(user: User) -> None:
    await user.open(f"/contacts/{ADA}")
    await wait_for(user, "contact-name", content="Ada Lovelace")


async def test_basic_info(agent: User) -> None:
    await open_ada(agent)
    assert text_of(agent, "contact-company") == "Analytical Engines Ltd"
    assert text_of(agent, "contact-email") == "ada@example.com"
    assert text_of(agent, "contact-phone") == "+44 20 7183 8750"
    facts = fact_texts(agent)
    assert list(facts)[:4] == ["identifier", "city", "country", "description"]
    assert (facts["identifier"], facts["city"], facts["country"]) == ("crm-1001", "London", "United Kingdom")
    assert facts["description"].startswith("Mathematician and the first programmer")
    assert facts["created"].startswith("Created ") and facts["last-activity"].startswith("Last active ")
    initials = await wait_for(agent, "contact-initials")
    assert initials.props["aria-label"] == "Avatar of Ada Lovelace"
    assert shown(agent, content="AL", kind=ui.label)
    assert not shown(agent, "contact-avatar")


async def test_copy_to_clipboard(agent: User) -> None:
    await open_ada(agent)
    act(agent, await wait_for(agent, "copy-phone")).click()
    await toasted(agent, "Copied to clipboard")


async def test_attributes_of_every_type(agent: User) -> None:
    await open_ada(agent)
    await wait_for_attribute(agent, "discount", "%")  # typed once the definitions arrived
    expected = {
        "account_manager": "Alex Admin",  # text
        "seats": "250",  # number
        "mrr": "4,750.00",  # currency: no code in Chatwoot, so a decimal with two fraction digits
        "discount": "15%",  # percent: English writes no space (CLDR)
        "crm_url": "https://crm.example.com/contacts/1001",  # link
        "signed_up": "May 1, 2024",  # date: CLDR's medium date (stored as 2024-05-01)
        "plan": "enterprise",  # list
        "newsletter": "Yes",  # checkbox
        "vat_id": "GB123456789",  # text with a pattern
    }
    assert {key: attribute_text(agent, key) for key in expected} == expected
    link = attribute_rows(agent)["crm_url"]
    assert link["shown"] == "link" and link["url"] == "https://crm.example.com/contacts/1001"  # new tab: Chromium


async def test_labels_are_coloured_chips(agent: User) -> None:
    await open_ada(agent)

    def vip() -> ui.chip | None:
        found = shown(agent, "label-vip", kind=ui.chip)
        return found[0] if found and found[0].style.get("background-color") == "#f59e0b" else None

    chip = await eventually(vip)  # coloured once the account's labels arrived
    assert [chip.text for chip in shown(agent, kind=ui.chip)] == ["billing", "enterprise", "vip"]
    assert chip.style["color"] == "black"  # readable on amber
    assert chip.props["removable"] is True
    assert chip.props["remove-aria-label"] == "Remove label vip"


async def test_social_profiles_are_links(agent: User) -> None:
    await open_ada(agent)
    await wait_for(agent, "social-github")
    links = {
        link.text: link.props["href"]
        for link in shown(agent, kind=ui.link)
        if link.text.startswith(("GitHub", "Twitter", "LinkedIn"))
    }
    assert links == {
        "GitHub: ada": "https://github.com/ada",
        "LinkedIn: ada-l": "https://linkedin.com/in/ada-l",
        "Twitter: ada": "https://twitter.com/ada",
    }
    assert not shown(agent, "social-facebook")


async def test_only_http_links_become_links(agent: User, make_contact) -> None:
    contact = make_contact(
        name="Mallory Links",
        additional_attributes={
            "social_profiles": {"github": "javascript:alert(1)", "facebook": "javascript://x.example/%0aalert(1)"}
        },
    )
    await agent.open(f"/contacts/{contact['id']}")
    await wait_for(agent, "social-github")
    for marker in ("social-github", "social-facebook"):
        element = shown(agent, marker)[0]
        assert not isinstance(element, ui.link), marker
    assert not [link for link in shown(agent, kind=ui.link) if "javascript" in str(link.props.get("href"))]


async def test_conversation_history_pages_to_all_25(agent: User, api_server: RunningServer) -> None:
    newest = latest_conversation(api_server, ADA)
    await open_ada(agent)
    table = await wait_for(agent, "conversation-history", kind=HistoryTable)
    await eventually(lambda: len(table.rows) == 20)
    assert text_of(agent, "history-count") == "25 conversations"
    first = table.rows[0]
    assert first["id"] == newest["id"]
    assert first["status_text"] == newest["status"].capitalize()
    assert first["inbox"] == "Inbox: Website"
    assert first["preview"] == newest["messages"][-1]["content"]
    assert first["time"].endswith("ago")
    assert any(row["unread"] and row["unread_text"] == f"{row['unread']} unread" for row in table.rows)
    assert any(row["labels"] for row in table.rows)
    assert "history-scrolls" in table.classes  # 20 rows scroll in a box of their own
    act(agent, await wait_for(agent, "history-load-more")).click()
    await eventually(lambda: len(table.rows) == 25)
    assert len({row["id"] for row in table.rows}) == 25
    assert not shown(agent, "history-load-more")


async def test_a_history_row_opens_its_conversation(agent: User, api_server: RunningServer) -> None:
    newest = latest_conversation(api_server, ADA)
    await open_ada(agent)
    table = await wait_for(agent, "conversation-history", kind=HistoryTable)
    await eventually(lambda: table.rows)
    # The table's click listener gets the row's id from the browser (tests/browser/test_working_day_history_links.py).
    act(agent, table).trigger("click", newest["id"])
    await wait_for(agent, content=f"Conversation #{newest['id']}")
    await wait_for(agent, "messages")


async def test_notes_are_listed_newest_first(agent: User) -> None:
    await open_ada(agent)
    await wait_for(agent, "note-1")
    notes = [card for card in shown(agent, kind=ui.card) if any(m.startswith("note-") for m in card._markers)]
    contents = [label.text for card in notes for label in card.default_slot.children[:1] if isinstance(label, ui.label)]
    assert contents[0].startswith("Prefers email")
    assert contents[-1].startswith("Key account")
    assert shown(agent, content="Sam Agent ·")


async def test_activity_timeline(agent: User) -> None:
    await open_ada(agent)
    await wait_for_entry(agent, "note_added")
    entries = timeline_entries(agent)
    assert len(entries) == 25
    assert entries[0]["body"] == "Note added"
    assert entries[0]["subtitle"].endswith("by Alex Admin")
    assert entries[0]["when"].endswith("UTC")  # the exact time, on hover
    assert any(e["body"].startswith("Conversation #") and e["body"].endswith("resolved") for e in entries)
    act(agent, await wait_for(agent, "timeline-load-more")).click()
    await eventually(lambda: len(timeline_entries(agent)) > 25)
    await wait_for_entry(agent, "created")


async def test_empty_states_of_a_new_contact(agent: User, make_contact) -> None:
    contact = make_contact(name="Nobody Yet", email=None)
    await agent.open(f"/contacts/{contact['id']}")
    await wait_for(agent, "contact-name", content="Nobody Yet")
    await wait_for(agent, "history-empty")
    await wait_for(agent, "notes-empty")
    await wait_for(agent, "labels-empty")
    await wait_for_entry(agent, "created")
    # A field with no value is not shown at all (no "No email" rows): nothing of email, phone or the facts.
    for part in ("contact-email", "contact-phone"):
        assert not shown(agent, part), part
    assert set(fact_texts(agent)) == {"created"}, "only the date: no identifier, city, country or bio"
    assert shown(agent, content="No social profiles")
    assert not shown(agent, "history-load-more")


async def test_avatar_falls_back_to_initials_when_the_picture_fails(agent: User, seeded: SeededContacts) -> None:
    contact = seeded.broken_thumbnail
    await agent.open(f"/contacts/{contact['id']}")
    image = await wait_for(agent, "contact-avatar", kind=ui.image)
    assert image.source == BROKEN_THUMBNAIL
    assert image.props["alt"] == f"Avatar of {contact['name']}"
    act(agent, image).trigger("error")  # what the browser reports for a picture that does not load
    await wait_for(agent, "contact-initials")
    assert not shown(agent, "contact-avatar")
    assert shown(agent, content=initials(contact["name"]), kind=ui.label)


async def test_a_blocked_contact_is_marked(agent: User, seeded: SeededContacts) -> None:
    await agent.open(f"/contacts/{seeded.blocked['id']}")
    await wait_for(agent, "blocked-badge", content="Blocked")


async def test_an_unknown_contact(agent: User) -> None:
    await agent.open("/contacts/987654321")
    await wait_for(agent, "load-error")
    assert shown(agent, content="This contact does not exist or you do not have access to it.")
    assert not shown(agent, "edit-contact")
    assert not shown(agent, "note-input")
    assert not shown(agent, content="could not be loaded")


async def test_contact_from_a_conversation_shows_its_sender(agent: User, api_server: RunningServer) -> None:
    newest = latest_conversation(api_server, ADA)
    await agent.open(f"/conversations/{newest['id']}/contact")
    await wait_for(agent, "contact-name", content="Ada Lovelace")
    await wait_for(agent, "history-count")
    back = shown(agent, "back-to-conversation")[0]
    assert back.props["href"] == f"/conversations/{newest['id']}"


async def test_the_conversation_page_shows_messages_beside_the_contact(agent: User, api_server: RunningServer) -> None:
    newest = latest_conversation(api_server, ADA)
    await agent.open(f"/conversations/{newest['id']}")
    await wait_for(agent, "messages")
    bubble = await wait_for(agent, kind=ui.chat_message)
    bubbles = shown(agent, kind=ui.chat_message)
    assert bubble.props["name"] == "Ada Lovelace" and not bubble.props["sent"]
    assert bubbles[-1]._original_text == [newest["messages"][-1]["content"]]
    await wait_for(agent, "contact-panel")
    await wait_for(agent, "contact-name", content="Ada Lovelace")
    assert shown(agent, "open-contact")[0].props["href"] == f"/conversations/{newest['id']}/contact"


async def test_an_unknown_conversation(agent: User) -> None:
    await agent.open("/conversations/987654321")
    await wait_for(agent, "conversation-not-found")
    await agent.open("/conversations/987654321/contact")
    await wait_for(agent, "conversation-not-found")


async def test_the_embedded_panel_has_no_chrome_and_may_be_framed(agent: User) -> None:
    await agent.open(f"/embed/contacts/{ADA}")
    await wait_for(agent, "contact-name", content="Ada Lovelace")
    assert not shown(agent, kind=ui.header)
    assert not shown(agent, kind=AppHeader), "no navigation, no sign-out"
    answer = await agent.http_client.get(f"/embed/contacts/{ADA}")
    assert answer.status_code == 200
    directives = [d.strip() for d in answer.headers["content-security-policy"].split(";")]
    assert [d for d in directives if d.startswith("frame-ancestors ")] == [
        "frame-ancestors 'self' https://portal.example.com"
    ]


async def test_the_embedded_panel_asks_for_sign_in(visitor: User) -> None:
    answer = await visitor.http_client.get(f"/embed/contacts/{ADA}")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/login?next=/embed/contacts/{ADA}"


async def test_against_plain_chatwoot_the_timeline_is_built_from_history_and_notes(plain_agent: User) -> None:
    await open_ada(plain_agent)
    table = await wait_for(plain_agent, "conversation-history", kind=HistoryTable)
    await eventually(lambda: len(table.rows) == 20)  # Chatwoot's newest 20, no paging
    assert not shown(plain_agent, "history-load-more")
    await wait_for_entry(plain_agent, "note_added")
    kinds = [entry["kind"] for entry in timeline_entries(plain_agent)]
    assert {"note_added", "conversation_opened", "created"} <= set(kinds)
    assert kinds.count("conversation_opened") == 20
    assert not shown(plain_agent, "timeline-load-more")


async def test_edited_notes_and_avatar_changes_read_as_such_in_the_timeline(
    agent: User, api_server: RunningServer, make_contact
) -> None:
    contact = make_contact(name="Pictured")
    base = f"{api_server.url}/api/v1/accounts/1/contacts/{contact['id']}"
    headers = api_server.admin.headers
    note = HTTP.post(f"{base}/notes", json={"content": "Draft"}, headers=headers).raise_for_status().json()
    HTTP.patch(f"{base}/notes/{note['id']}", json={"content": "Final"}, headers=headers).raise_for_status()
    HTTP.put(base, json={"avatar_url": "https://example.com/face.png"}, headers=headers).raise_for_status()
    HTTP.delete(f"{base}/avatar", headers=headers).raise_for_status()

    await agent.open(f"/contacts/{contact['id']}")
    await wait_for_entry(agent, "note_updated")
    bodies = [entry["body"] for entry in timeline_entries(agent)]
    assert bodies[:3] == ["Avatar removed", "Avatar changed", "Note edited"], bodies
