"""The panel's picture, block and delete controls (issue 15), with NiceGUI's `User` against the real server.

The file chooser and dragging belong to the browser (tests/browser/test_contact_panel_actions.py); here a picked
file arrives as NiceGUI's upload hands it to the app, and a file the browser refused as the refusal it reports.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from nicegui import ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User
from PIL import Image

from tests.support.processes import RunningServer
from tests.ui.interaction import (
    HTTP,
    act,
    click,
    eventually,
    landed_on,
    open_contact,
    resume_session,
    shown,
    text_of,
    toasted,
    unique,
    update_as,
    wait_for,
    wait_gone,
)


def png(size: tuple[int, int] = (300, 300)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "green").save(out, "PNG")
    return out.getvalue()


async def pick(user: User, name: str, data: bytes, content_type: str) -> None:
    """A file picked in the chooser (or dropped), as NiceGUI's upload element receives it from the browser."""
    uploader = shown(user, kind=ui.upload)[0]
    with user:
        await uploader.handle_uploads([SmallFileUpload(name, content_type, data)])


async def menu_item(user: User, marker: str) -> None:
    """Open the panel's More actions menu and choose an item."""
    await click(user, "contact-actions")
    await click(user, marker)


async def test_a_picked_picture_replaces_the_initials(agent: User, api_server: RunningServer, make_contact) -> None:
    contact = make_contact(name=unique("Pictured"))
    await open_contact(agent, contact["id"], settled=False)
    await wait_for(agent, "contact-initials")
    await pick(agent, "me.png", png(), "image/png")
    await toasted(agent, "Picture updated")
    thumbnail = api_server.stored_contact(contact["id"])["thumbnail"]
    assert thumbnail.startswith("/api/v1/accounts/1/contact_avatars/")
    image = await wait_for(agent, "contact-avatar", kind=ui.image)
    # Connected to another server: the picture it keeps loads from there.
    assert image.source == api_server.url + thumbnail
    assert image.props["alt"].startswith("Avatar of Pictured")
    assert not shown(agent, "contact-initials")
    assert not shown(agent, "avatar-busy")  # the progress went with the upload


async def test_the_avatar_shows_progress_while_the_picture_is_sent(
    agent: User, api_server: RunningServer, make_contact
) -> None:
    contact = make_contact(name=unique("Slow Picture"))
    await open_contact(agent, contact["id"], settled=False)
    with api_server.database_held():  # the server's write waits: the upload is under way meanwhile
        await pick(agent, "me.png", png(), "image/png")
        await wait_for(agent, "avatar-busy")
        assert shown(agent, content="Uploading the picture…", kind=ui.label)
        assert not shown(agent, "change-avatar")[0].enabled  # one picture at a time
    await toasted(agent, "Picture updated")
    await wait_gone(agent, "avatar-busy")
    assert shown(agent, "change-avatar")[0].enabled


async def test_a_file_that_is_no_picture_is_told_and_changes_nothing(
    agent: User, api_server: RunningServer, make_contact
) -> None:
    contact = make_contact(name=unique("Not Pictured"))
    await open_contact(agent, contact["id"], settled=False)
    await pick(agent, "renamed.png", b"%PDF-1.7 a document with a picture's name", "image/png")
    await toasted(agent, "Could not change the picture: This file is not a picture the app can use")
    assert api_server.stored_contact(contact["id"]) == contact
    assert shown(agent, "contact-initials")


async def test_files_the_browser_refused_are_told_why(agent: User, make_contact) -> None:
    contact = make_contact(name=unique("Refused"))
    await open_contact(agent, contact["id"], settled=False)
    uploader = shown(agent, kind=ui.upload)[0]
    act(agent, uploader).trigger("rejected", ["max-file-size"])
    await toasted(agent, "Could not change the picture: The picture is too big (maximum is 10 MB)")
    act(agent, uploader).trigger("rejected", ["accept"])
    await toasted(agent, "This file is not a picture the app can use: choose a JPEG, PNG, GIF or WebP image")


async def test_removing_the_picture_brings_the_initials_back(
    agent: User, api_server: RunningServer, make_contact
) -> None:
    contact = make_contact(name="Grace Hopper")
    await open_contact(agent, contact["id"], settled=False)
    await pick(agent, "me.png", png(), "image/png")
    await wait_for(agent, "contact-avatar")
    await menu_item(agent, "remove-avatar")
    await toasted(agent, "Picture removed")
    await wait_for(agent, "contact-initials")
    assert shown(agent, content="GH", kind=ui.label)
    assert api_server.stored_contact(contact["id"])["thumbnail"] == ""


async def test_block_and_unblock_from_the_menu(agent: User, api_server: RunningServer, make_contact) -> None:
    contact = make_contact(name=unique("Blockable"))
    await open_contact(agent, contact["id"], settled=False)
    assert not shown(agent, "blocked-badge")
    await menu_item(agent, "block-contact")
    await toasted(agent, "Contact blocked")
    await wait_for(agent, "blocked-badge", content="Blocked")
    assert api_server.stored_contact(contact["id"])["blocked"] is True
    await wait_for(agent, content="Unblock contact", kind=ui.item_section)  # the menu's item says what it does now
    await menu_item(agent, "block-contact")
    await toasted(agent, "Contact unblocked")
    await wait_gone(agent, "blocked-badge")
    assert api_server.stored_contact(contact["id"])["blocked"] is False


async def test_other_agents_picture_and_block_arrive_live(agent: User, api_server: RunningServer, make_contact) -> None:
    contact = make_contact(name=unique("Watched"))
    await open_contact(agent, contact["id"], settled=False)
    update_as(api_server, "agent", contact["id"], blocked=True)
    await wait_for(agent, "blocked-badge")
    answer = HTTP.put(
        f"{api_server.url}/api/v1/accounts/1/contacts/{contact['id']}",
        files={"avatar": ("them.png", png(), "image/png")},
        headers=api_server.agent.headers,
    )
    thumbnail = answer.raise_for_status().json()["payload"]["thumbnail"]
    image = await wait_for(agent, "contact-avatar", kind=ui.image)
    assert image.source == api_server.url + thumbnail
    HTTP.delete(
        f"{api_server.url}/api/v1/accounts/1/contacts/{contact['id']}/avatar", headers=api_server.agent.headers
    ).raise_for_status()
    await wait_for(agent, "contact-initials")


async def test_an_administrator_deletes_after_confirming(agent: User, api_server: RunningServer, make_contact) -> None:
    name = unique("Doomed")
    contact = make_contact(name=name)
    await open_contact(agent, contact["id"], settled=False)
    await menu_item(agent, "delete-contact")
    await wait_for(agent, "delete-confirm-text", content=f"Delete \u2068{name}\u2069? This cannot be undone.")
    await click(agent, "delete-cancel")
    await wait_gone(agent, "delete-confirm")
    assert api_server.stored_contact(contact["id"]) is not None
    await menu_item(agent, "delete-contact")
    await click(agent, "delete-confirm")
    await eventually(lambda: landed_on(agent) == "/contacts", message="not on the contacts list")
    notice = await wait_for(agent, "page-notice")
    assert shown(agent, content=f"\u2068{name}\u2069 was deleted")
    assert api_server.stored_contact(contact["id"]) is None
    act(agent, await wait_for(agent, "dismiss-notice")).click()
    await eventually(lambda: notice.is_deleted)


async def test_an_agent_is_not_offered_deletion(
    agent: User, create_user: Callable[[], User], ui_env: RunningServer, make_contact
) -> None:
    contact = make_contact(name=unique("Kept"))
    colleague = create_user()  # Sam Agent; `agent` is the administrator, who is offered it
    await resume_session(colleague, ui_env.agent.token)
    await open_contact(colleague, contact["id"], settled=False)
    await click(colleague, "contact-actions")
    await wait_for(colleague, "block-contact")
    assert not shown(colleague, "delete-contact")
    await open_contact(agent, contact["id"], settled=False)
    await click(agent, "contact-actions")
    await wait_for(agent, "delete-contact")


async def test_others_see_who_deleted_it(
    agent: User, create_user: Callable[[], User], ui_env: RunningServer, make_contact
) -> None:
    contact = make_contact(name=unique("Gone"))
    colleague = create_user()
    await resume_session(colleague, ui_env.agent.token)
    await open_contact(colleague, contact["id"], settled=False)
    await open_contact(agent, contact["id"], settled=False)
    await menu_item(agent, "delete-contact")
    await click(agent, "delete-confirm")
    # NiceGUI's `User` sends `ui.navigate` to the user a test touched last: the administrator, until they have left.
    await eventually(lambda: landed_on(agent) == "/contacts", message="the administrator stayed on the contact")
    await wait_for(colleague, "deleted-state")
    assert text_of(colleague, "deleted-message") == (
        "\u2068Alex Admin\u2069 deleted this contact. It can no longer be edited."
    )
    assert not shown(colleague, "contact-actions") and not shown(colleague, "change-avatar")
