"""The app's CSS is one stylesheet every page links, served once and then taken from the browser's cache;
no page carries it inline (issue 10: it was kept in every open page's client and sent with every page).
So are the Tailwind classes the app uses, compiled by `make css`: NiceGUI's browser build of Tailwind, which
compiled them in every page, is off (issue 10). That their rules apply is shown by the tests that check them
(e.g. test_working_day_attributes: the pencil; test_tailwind: every page as the browser build styled it)."""

from __future__ import annotations

import pytest

from components.stylesheet import CACHE_FOREVER, address, tailwind_stylesheet
from tests.browser.agents import OpenAgent
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

# A rule of assets/app.css and one a component adds (contact_meta_information.ATTRIBUTES_CSS).
BASE_RULE = ".icon-before"
COMPONENT_RULE = ".attribute-row .attribute-edit"
TAILWIND_RULE = ".gap-2"
LINKED = """() => [...document.querySelectorAll('link[rel="stylesheet"]')]
    .map(link => new URL(link.href).pathname).filter(path => path.startsWith('/styles/'))"""
RULES = """path => [...document.styleSheets].filter(sheet => sheet.href && new URL(sheet.href).pathname === path)
    .flatMap(sheet => [...sheet.cssRules].map(rule => rule.cssText))"""
# Bytes over the network for a stylesheet: 0 when the browser took it from its cache.
TRANSFERRED = """path => performance.getEntriesByType('resource')
    .filter(entry => new URL(entry.name).pathname === path).map(entry => entry.transferSize)"""


async def test_cached_stylesheets_style_every_page(open_agent: OpenAgent, app_server: RunningServer) -> None:
    agent = await open_agent()
    page = agent.page
    await page.goto(f"{app_server.url}/contacts/1")
    await page.get_by_test_id("contact-name").wait_for()
    # The Tailwind classes come after the app's CSS, where the browser build put them.
    links = await page.evaluate(LINKED)
    assert len(links) == 2 and links[1] == address(tailwind_stylesheet()), links
    app_rules, tailwind_rules = [await page.evaluate(RULES, link) for link in links]
    assert any(BASE_RULE in rule for rule in app_rules), "assets/app.css is in the stylesheet"
    assert any(COMPONENT_RULE in rule for rule in app_rules), "the components' CSS is in the stylesheet"
    assert any(TAILWIND_RULE in rule for rule in tailwind_rules), "assets/tailwind.css is in the other one"

    for link in links:
        answer = await page.context.request.get(app_server.url + link)
        assert answer.status == 200
        assert answer.headers["content-type"].startswith("text/css")
        assert answer.headers["cache-control"] == CACHE_FOREVER

    html = await (await page.context.request.get(f"{app_server.url}/contacts/1")).text()
    assert COMPONENT_RULE not in html and "icon-before-sm::before" not in html, "no page carries the CSS itself"
    assert "tailwindcss.min.js" not in html and "text/tailwindcss" not in html, "no browser build of Tailwind"

    # Another page of the app links the same stylesheets, and the browser does not fetch them again.
    await page.goto(f"{app_server.url}/conversations")
    await page.wait_for_load_state("load")
    assert await page.evaluate(LINKED) == links
    for link in links:
        assert await page.evaluate(TRANSFERRED, link) == [0]
