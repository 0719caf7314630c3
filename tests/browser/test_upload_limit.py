"""A page's upload element takes no more than its own limit: NiceGUI's upload route read any size (issue 15).

The browser keeps `max_file_size` itself; a hostile client does not. These tests send straight to the route of
an upload element of a signed-in page, with that page's cookies, as such a client would.
"""

from __future__ import annotations

import asyncio
import re
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.async_api import Page, expect

from api.validation import AVATAR_MAX_BYTES
from tests.browser.agents import OpenAgent
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]


async def avatar_upload_url(page: Page, base_url: str, contact_id: int) -> str:
    """The upload route of the contact page's picture uploader (its element id is the DOM id after `c`)."""
    await page.goto(f"{base_url}/contacts/{contact_id}")
    await expect(page.get_by_test_id("change-avatar")).to_be_visible()
    element = await page.locator(".q-uploader").first.get_attribute("id")
    client = await page.evaluate("window.clientId")
    assert element is not None and re.fullmatch(r"c\d+", element), element
    return f"{base_url}/_nicegui/client/{client}/upload/{element[1:]}"


async def page_cookies(page: Page) -> dict[str, str]:
    return {cookie["name"]: cookie["value"] for cookie in await page.context.cookies()}


async def declared_answer(url: str, cookies: dict[str, str], length: int) -> int:
    """The status of a POST declaring `length` bytes and sending none, over a raw socket (httpx refuses to)."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
        writer.write(
            f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nOrigin: {parts.scheme}://{parts.netloc}\r\n"
            f"Cookie: {cookie}\r\nContent-Type: multipart/form-data; boundary=x\r\n"
            f"Content-Length: {length}\r\n\r\n".encode()
        )
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), 5)
    finally:
        writer.close()
    return int(status_line.split()[1])


async def test_an_upload_over_the_elements_limit_is_413_and_changes_nothing(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    contact = app_server.create_contact(name="Upload Limit")
    page = (await open_agent()).page
    url = await avatar_upload_url(page, app_server.url, contact["id"])
    picture = b"\x89PNG\r\n\x1a\n" + b"\0" * (AVATAR_MAX_BYTES + 200 * 1024)
    async with httpx.AsyncClient(cookies=await page_cookies(page), timeout=30) as http:
        answer = await http.post(
            url, files={"file": ("big.png", picture, "image/png")}, headers={"Origin": app_server.url}
        )
        assert answer.status_code == 413, answer.text
    # Declared too big: refused at once, without reading the body (none is sent; a reader would wait for it).
    assert await declared_answer(url, await page_cookies(page), 10 * AVATAR_MAX_BYTES) == 413
    assert (await api.get(f"/contacts/{contact['id']}")).json()["payload"]["thumbnail"] == ""


async def test_an_upload_within_the_limit_still_reaches_the_element(
    open_agent: OpenAgent, app_server: RunningServer
) -> None:
    """The limit is the element's, with room for the form around the file: a file of exactly the limit passes
    the route (the uploader itself then judges it, as before)."""
    contact = app_server.create_contact(name="Upload Within")
    page = (await open_agent()).page
    url = await avatar_upload_url(page, app_server.url, contact["id"])
    async with httpx.AsyncClient(cookies=await page_cookies(page), timeout=30) as http:
        answer = await http.post(
            url, files={"file": ("x.png", b"\0" * AVATAR_MAX_BYTES, "image/png")}, headers={"Origin": app_server.url}
        )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"upload": "success"}
