"""The app's CSS is one stylesheet every page links, served once and then taken from the browser's cache;
no page carries it inline (issue 10: it was kept in every open page's client and sent with every page).
That its rules apply is shown by the tests that check them (e.g. test_working_day_attributes: the pencil)."""

from __future__ import annotations

import pytest

from components.stylesheet import CACHE_FOREVER
from tests.browser.agents import OpenAgent
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

# A rule of assets/app.css and one a component adds (contact_meta_information.ATTRIBUTES_CSS).
BASE_RULE = ".icon-before"
COMPONENT_RULE = ".attribute-row .attribute-edit"
LINKED = """() => [...document.querySelectorAll('link[rel="stylesheet"]')]
    .map(link => link.href).filter(href => href.includes('/styles/'))"""
# Bytes over the network for the stylesheet: 0 when the browser took it from its cache.
TRANSFERRED = """href => performance.getEntriesByType('resource')
    .filter(entry => entry.name === href).map(entry => entry.transferSize)"""


async def test_one_cached_stylesheet_styles_every_page(open_agent: OpenAgent, app_server: RunningServer) -> None:
    agent = await open_agent()
    page = agent.page
    await page.goto(f"{app_server.url}/contacts/1")
    await page.get_by_test_id("contact-name").wait_for()
    links = await page.evaluate(LINKED)
    assert len(links) == 1, links
    rules = await page.evaluate(
        """href => [...document.styleSheets].filter(sheet => sheet.href === href)
                     .flatMap(sheet => [...sheet.cssRules].map(rule => rule.cssText))""",
        links[0],
    )
    assert any(BASE_RULE in rule for rule in rules), "assets/app.css is in the stylesheet"
    assert any(COMPONENT_RULE in rule for rule in rules), "the components' CSS is in the stylesheet"

    answer = await page.context.request.get(links[0])
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("text/css")
    assert answer.headers["cache-control"] == CACHE_FOREVER

    html = await (await page.context.request.get(f"{app_server.url}/contacts/1")).text()
    assert COMPONENT_RULE not in html and "icon-before-sm::before" not in html, "no page carries the CSS itself"

    # Another page of the app links the same stylesheet, and the browser does not fetch it again.
    await page.goto(f"{app_server.url}/conversations")
    await page.wait_for_load_state("load")
    assert await page.evaluate(LINKED) == links
    assert await page.evaluate(TRANSFERRED, links[0]) == [0]
