"""The panel's picture, block and delete controls in Chromium (issue 15): the file chooser, a dropped file, the
keyboard, two agents at once, and a phone's width."""

from __future__ import annotations

import base64
import io
import random
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.async_api import Page, expect

from api.demo import AGENT
from tests.browser.agents import OpenAgent
from tests.browser.contact_page import ContactPage, opened, stored_contact
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

PHONE = {"width": 390, "height": 844}
# A dragged file, as the browser makes one: a DataTransfer holding it (Playwright hands the handle to dispatch).
DATA_TRANSFER_JS = """([name, type, base64]) => {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type }));
  return transfer;
}"""


def has_class(name: str) -> re.Pattern[str]:
    return re.compile(rf"(^|\s){re.escape(name)}(\s|$)")


def picture(size: tuple[int, int] = (600, 400), color: str = "orange", kind: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, kind)
    return out.getvalue()


def noise_png(side: int) -> bytes:
    """A real PNG of 3 bytes a pixel that does not compress (seeded noise): 20 MB for 2,600 px a side."""
    noise = random.Random(side).randbytes(side * side * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), noise).save(out, "PNG")
    return out.getvalue()


async def admin_and_agent_on(
    open_agent: OpenAgent, app_server: RunningServer, name: str
) -> tuple[dict[str, Any], ContactPage, ContactPage]:
    """A new contact open for the administrator and for the agent, whose page already hears live changes."""
    contact = app_server.create_contact(name=name)
    admin = await opened(open_agent, app_server, contact["id"])
    colleague = await opened(open_agent, app_server, contact["id"], credentials=AGENT)
    await expect(colleague.testid("live-status")).to_have_attribute("aria-label", "Live updates are on")
    return contact, admin, colleague


async def choose_file(view: ContactPage, path: Path) -> None:
    """Click the camera button on the avatar and pick `path` in the file chooser it opens."""
    async with view.page.expect_file_chooser() as chooser:
        await view.testid("change-avatar").click()
    await (await chooser.value).set_files(str(path))


async def shows_loaded_picture(page: Page) -> None:
    """The avatar is the picture, loaded (a broken image would fall back to the initials)."""
    image = page.locator('[data-testid="contact-avatar"] img')
    await expect(image).to_be_visible()
    loaded = "(img) => img.complete && img.naturalWidth > 0"
    await page.wait_for_function(loaded, arg=await image.element_handle())


async def test_a_picture_picked_in_the_file_chooser_replaces_the_initials(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient, tmp_path: Path
) -> None:
    contact = app_server.create_contact(name="Chosen Picture")
    view = await opened(open_agent, app_server, contact["id"])
    await expect(view.testid("contact-initials")).to_have_text("CP")
    path = tmp_path / "me.png"
    path.write_bytes(picture())
    await choose_file(view, path)
    await expect(view.toast("Picture updated")).to_be_visible()
    await shows_loaded_picture(view.page)
    thumbnail = (await stored_contact(api, contact["id"]))["thumbnail"]
    assert thumbnail.startswith("/api/v1/accounts/1/contact_avatars/")
    await expect(view.testid("contact-avatar").locator("img")).to_have_attribute("src", thumbnail)
    await expect(view.testid("contact-initials")).to_have_count(0)


async def test_a_picture_dropped_on_the_avatar_is_uploaded(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    contact = app_server.create_contact(name="Dropped Picture")
    view = await opened(open_agent, app_server, contact["id"])
    box = view.page.locator(".avatar-box")
    transfer = await view.page.evaluate_handle(
        DATA_TRANSFER_JS, ["dropped.jpg", "image/jpeg", base64.b64encode(picture(kind="JPEG")).decode()]
    )
    await box.dispatch_event("dragover", {"dataTransfer": transfer})
    await expect(box).to_have_class(has_class("avatar-drop-target"))  # where it may go, while dragged over
    await box.dispatch_event("drop", {"dataTransfer": transfer})
    await expect(box).not_to_have_class(has_class("avatar-drop-target"))
    await expect(view.toast("Picture updated")).to_be_visible()
    await shows_loaded_picture(view.page)
    assert (await stored_contact(api, contact["id"]))["thumbnail"]


async def test_the_keyboard_opens_the_file_chooser(open_agent: OpenAgent, app_server: RunningServer) -> None:
    contact = app_server.create_contact(name="Keyboard Picture")
    view = await opened(open_agent, app_server, contact["id"])
    button = view.testid("change-avatar")
    async with view.page.expect_file_chooser() as chooser:
        # Playwright asks the browser to catch file choosers without waiting for it; a key press is quicker than a
        # click's checks, so a call to the page goes first (the browser takes them in order).
        await expect(button).to_have_attribute("aria-label", "Change picture")
        await button.focus()
        await view.page.keyboard.press("Enter")
    assert (await chooser.value).is_multiple() is False


@pytest.mark.parametrize(
    ("name", "content", "told"),
    [
        ("renamed.png", b"%PDF-1.7 a document renamed to look like a picture", "This file is not a picture"),
        ("huge.png", None, "The picture is too big (maximum is 10 MB)"),
        ("notes.txt", b"plain text", "This file is not a picture"),
    ],
    ids=["not-an-image-renamed-png", "20-mb", "text"],
)
async def test_bad_files_are_told_and_change_nothing(
    open_agent: OpenAgent,
    app_server: RunningServer,
    api: httpx.AsyncClient,
    tmp_path: Path,
    name: str,
    content: bytes | None,
    told: str,
) -> None:
    contact = app_server.create_contact(name="Bad File Target")
    view = await opened(open_agent, app_server, contact["id"])
    path = tmp_path / name
    path.write_bytes(content if content is not None else noise_png(2600))
    assert content is not None or path.stat().st_size > 20_000_000
    if name.endswith(".txt"):
        # The chooser offers pictures only, so a person cannot pick it; dropped, the browser refuses it alike.
        transfer = await view.page.evaluate_handle(
            DATA_TRANSFER_JS, [name, "text/plain", base64.b64encode(path.read_bytes()).decode()]
        )
        await view.page.locator(".avatar-box").dispatch_event("drop", {"dataTransfer": transfer})
    else:
        await choose_file(view, path)
    await expect(view.toast(f"Could not change the picture: {told}")).to_be_visible()
    await expect(view.testid("contact-initials")).to_be_visible()
    await expect(view.testid("avatar-busy")).to_be_hidden()
    assert await stored_contact(api, contact["id"]) == contact


async def test_remove_the_picture_with_the_keyboard(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient, tmp_path: Path
) -> None:
    contact = app_server.create_contact(name="Keyboard Remover")
    view = await opened(open_agent, app_server, contact["id"])
    path = tmp_path / "me.png"
    path.write_bytes(picture())
    await choose_file(view, path)
    await shows_loaded_picture(view.page)
    await view.testid("contact-actions").focus()
    await view.page.keyboard.press("Enter")
    remove = view.testid("remove-avatar")
    await expect(view.page.get_by_role("menu")).to_be_focused()  # the open menu takes the focus
    await view.page.keyboard.press("Tab")  # to its first item
    await expect(remove).to_be_focused()
    await view.page.keyboard.press("Enter")
    await expect(view.toast("Picture removed")).to_be_visible()
    await expect(view.testid("contact-initials")).to_have_text("KR")
    assert (await stored_contact(api, contact["id"]))["thumbnail"] == ""


async def test_blocking_shows_the_badge_here_and_to_another_agent(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    contact, admin, colleague = await admin_and_agent_on(open_agent, app_server, "Blocked Live")
    await admin.testid("contact-actions").click()
    await admin.testid("block-contact").click()
    await expect(admin.toast("Contact blocked")).to_be_visible()
    await expect(admin.testid("blocked-badge")).to_have_text("Blocked")
    await expect(colleague.testid("blocked-badge")).to_have_text("Blocked")
    assert (await stored_contact(api, contact["id"]))["blocked"] is True
    await colleague.testid("contact-actions").click()
    await expect(colleague.testid("block-contact")).to_have_text("Unblock contact")
    await colleague.testid("block-contact").click()
    await expect(colleague.testid("blocked-badge")).to_be_hidden()
    await expect(admin.testid("blocked-badge")).to_be_hidden()
    assert (await stored_contact(api, contact["id"]))["blocked"] is False


async def test_an_administrator_deletes_and_another_agent_sees_it(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    contact, admin, colleague = await admin_and_agent_on(open_agent, app_server, "Deleted By Admin")
    await colleague.testid("contact-actions").click()
    await expect(colleague.testid("block-contact")).to_be_visible()
    await expect(colleague.testid("delete-contact")).to_be_hidden()  # not for an agent
    await colleague.page.keyboard.press("Escape")

    await admin.testid("contact-actions").click()
    await admin.testid("delete-contact").click()
    dialog = admin.page.get_by_role("alertdialog")
    await expect(dialog).to_contain_text("Delete \u2068Deleted By Admin\u2069? This cannot be undone.")
    await admin.testid("delete-confirm").click()

    await admin.page.wait_for_url(f"{app_server.url}/contacts")
    await expect(admin.testid("page-notice")).to_contain_text("\u2068Deleted By Admin\u2069 was deleted")
    await expect(colleague.testid("deleted-message")).to_have_text(
        "\u2068Alex Admin\u2069 deleted this contact. It can no longer be edited."
    )
    await expect(colleague.testid("contact-actions")).to_be_hidden()
    await expect(colleague.testid("change-avatar")).to_be_hidden()
    assert await stored_contact(api, contact["id"]) is None


async def test_the_controls_fit_a_phone(open_agent: OpenAgent, app_server: RunningServer) -> None:
    contact = app_server.create_contact(name="Phone Sized Contact Name")
    view = await opened(open_agent, app_server, contact["id"], viewport=PHONE)
    for testid in ("change-avatar", "edit-contact", "contact-actions", "contact-name"):
        box = await view.testid(testid).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], testid
    assert await view.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await view.testid("contact-actions").click()
    menu = await view.testid("delete-contact").bounding_box()
    assert menu is not None and menu["x"] >= 0 and menu["x"] + menu["width"] <= PHONE["width"]


@pytest.mark.parametrize("width", [1440, 390])
async def test_deleting_in_the_embedded_panel_stays_in_the_embed(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient, width: int
) -> None:
    """A portal's frame keeps the panel (now read-only, saying why) instead of turning into the contacts list."""
    contact = app_server.create_contact(name="Deleted In Embed")
    page = (await open_agent(viewport={"width": width, "height": 900})).page
    embed = f"{app_server.url}/embed/contacts/{contact['id']}"
    await page.goto(embed)
    await page.get_by_test_id("contact-actions").click()
    await page.get_by_test_id("delete-contact").click()
    await page.get_by_test_id("delete-confirm").click()

    await expect(page.get_by_test_id("deleted-message")).to_have_text(
        "This contact has been deleted and can no longer be edited."
    )
    await expect(page.get_by_test_id("contact-actions")).to_be_hidden()
    await expect(page.locator(".q-notification")).to_contain_text("\u2068Deleted In Embed\u2069 was deleted")
    assert page.url == embed
    assert await stored_contact(api, contact["id"]) is None
