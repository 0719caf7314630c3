"""New contact, Import and Export on the contacts list, in Chromium: real clicks, the file chooser, the download,
and another agent's list taking the new contacts live (issue 15)."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import uuid
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, ViewportSize, expect

from api.demo import AGENT
from tests.browser.agents import OpenAgent
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

PHONE: ViewportSize = {"width": 390, "height": 844}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def open_list(page: Page, base_url: str, query: str = "") -> None:
    await page.goto(f"{base_url}/contacts" + (f"?q={query}" if query else ""))
    await expect(page.get_by_test_id("list-status")).not_to_have_text(re.compile("Loading"))


async def fill_new_contact(page: Page, name: str, email: str) -> None:
    await page.get_by_test_id("new-contact").click()
    await expect(page.get_by_test_id("new-contact-form")).to_be_visible()
    await page.get_by_test_id("new-contact-name").fill(name)
    await page.get_by_test_id("new-contact-email").fill(email)


async def test_a_new_contact_opens_and_reaches_another_agents_list_live(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    word = unique("fresh")
    other = (await open_agent(AGENT)).page
    await open_list(other, app_server.url, word)
    await expect(other.get_by_test_id("list-status")).to_have_text(f"No contacts match “{word}”")

    page = (await open_agent()).page
    await open_list(page, app_server.url)
    await fill_new_contact(page, f"Frieda {word}", f"{word}@example.com")
    await page.get_by_test_id("new-contact-phone-number").fill("+44 20 7946 0875")
    await page.get_by_test_id("new-contact-save").click()

    await expect(page).to_have_url(re.compile(r"/contacts/\d+\?source=contacts_list$"))
    await expect(page.get_by_role("heading", name=f"Frieda {word}")).to_be_visible()
    contact_id = int(re.findall(r"/contacts/(\d+)", page.url)[0])
    saved = (await api.get(f"/contacts/{contact_id}")).json()["payload"]
    assert (saved["email"], saved["phone_number"]) == (f"{word}@example.com", "+442079460875")

    await expect(other.get_by_test_id(f"contact-row-{contact_id}")).to_have_text(f"Frieda {word}")
    await expect(other.get_by_test_id("list-status")).to_have_text("1 contact")


async def test_a_taken_email_offers_the_contact_that_has_it(open_agent: OpenAgent, app_server: RunningServer) -> None:
    existing = app_server.create_contact(name=unique("Holder"))
    page = (await open_agent()).page
    await open_list(page, app_server.url)
    await fill_new_contact(page, "Would Be Copy", existing["email"])
    await page.keyboard.press("Enter")
    link = page.get_by_test_id(f"existing-contact-{existing['id']}")
    await expect(link).to_be_visible()
    await expect(page.get_by_text(f"{existing['name']} already has this email address")).to_be_visible()
    await link.click()
    await expect(page).to_have_url(re.compile(rf"/contacts/{existing['id']}\?source=contacts_list$"))


async def test_escape_closes_the_dialog_and_creates_nothing(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    word = unique("cancelled")
    page = (await open_agent()).page
    await open_list(page, app_server.url)
    await fill_new_contact(page, f"Never {word}", f"{word}@example.com")
    await page.keyboard.press("Escape")
    await expect(page.get_by_test_id("new-contact-form")).to_be_hidden()
    assert (await api.get("/contacts/search", params={"q": word})).json()["payload"] == []


def import_file(tmp_path: Path, rows: list[list[str]]) -> Path:
    path = tmp_path / "contacts.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(rows)
    return path


async def choose_file(page: Page, path: Path) -> None:
    await page.get_by_test_id("import-contacts").click()
    uploader = page.get_by_test_id("import-upload")
    await expect(uploader).to_be_visible()
    async with page.expect_file_chooser() as chooser:
        await page.get_by_test_id("import-choose").click()
    await (await chooser.value).set_files(path)


async def test_an_import_through_the_file_chooser_shows_its_progress_and_report(
    open_agent: OpenAgent, app_server: RunningServer, tmp_path: Path
) -> None:
    word = unique("imported")
    other = (await open_agent(AGENT)).page
    await open_list(other, app_server.url, word)
    taken = app_server.create_contact(name="Already Imported")
    rows = [["name", "email", "city"], *([f"{word} {n}", f"{word}-{n}@example.com", "Berlin"] for n in range(300))]
    rows += [["Broken", "not-an-email", ""], ["Copy", taken["email"], ""]]
    page = (await open_agent()).page
    await open_list(page, app_server.url)
    await choose_file(page, import_file(tmp_path, rows))

    status = page.get_by_test_id("import-status")
    await expect(status).to_have_text("300 contacts imported. Rows not imported: 2")
    bar = page.get_by_test_id("import-progress")
    await expect(bar).to_have_attribute("aria-valuenow", "1")
    report = page.get_by_test_id("import-report")
    await expect(report.locator("tbody tr")).to_have_count(2)
    await expect(report.locator("tbody tr").first).to_contain_text("Enter a valid email address")
    await expect(report.get_by_test_id(f"report-contact-{taken['id']}")).to_be_visible()

    await expect(other.get_by_test_id("list-status")).to_have_text("300 contacts")  # live, for another agent


async def test_a_broken_file_is_refused_whole(open_agent: OpenAgent, app_server: RunningServer, tmp_path: Path) -> None:
    word = unique("never")
    path = tmp_path / "broken.csv"
    path.write_bytes(f'name,email\n{word},{word}@example.com\n"unclosed,quote\n'.encode())
    page = (await open_agent()).page
    await open_list(page, app_server.url)
    await choose_file(page, path)
    await expect(page.get_by_test_id("import-status")).to_contain_text("The file was not imported")
    await page.get_by_test_id("import-close").click()
    await open_list(page, app_server.url, word)
    await expect(page.get_by_test_id("list-status")).to_have_text(f"No contacts match “{word}”")


async def test_the_export_downloads_a_csv_and_shows_how_far_it_came(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    made = app_server.create_contact(name=unique("Exported"))
    page = (await open_agent()).page
    await open_list(page, app_server.url)
    async with page.expect_download() as waiting:
        await page.get_by_test_id("export-contacts").click()
    download = await waiting.value
    assert re.fullmatch(r"contacts_1_\d{8}\.csv", download.suggested_filename)
    text = await asyncio.to_thread(Path(await download.path()).read_text, encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert any(row["id"] == str(made["id"]) and row["name"] == made["name"] for row in rows)
    count = (await api.get("/contacts/export", params={"column_names[]": ["id"]})).headers["X-Contacts-Export-Rows"]
    assert len(rows) == int(count)
    await expect(page.get_by_test_id("export-status")).to_have_text(f"Exported {len(rows):,} contacts")
    await expect(page.get_by_test_id("export-bar")).to_have_attribute("aria-valuenow", "1")


@pytest.mark.parametrize("dialog", ["new-contact", "import-contacts"])
async def test_the_dialogs_fit_a_phone(open_agent: OpenAgent, app_server: RunningServer, dialog: str) -> None:
    page = (await open_agent(viewport=PHONE)).page
    await open_list(page, app_server.url)
    await page.get_by_test_id(dialog).click()
    card = page.get_by_test_id("new-contact-form" if dialog == "new-contact" else "import-dialog")
    await expect(card).to_be_visible()
    box = await card.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
