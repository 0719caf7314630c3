"""A contact page's HTML carries the contact: the browser draws it once, not skeletons first (issue 10)."""

from __future__ import annotations

import uuid

import pytest

from tests.browser.agents import OpenAgent
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]


async def test_the_contact_page_html_already_holds_the_contact(
    open_agent: OpenAgent, app_server: RunningServer
) -> None:
    name = f"Prefilled {uuid.uuid4().hex[:6]}"
    company = f"Firm {uuid.uuid4().hex[:6]}"
    contact = app_server.create_contact(name=name, additional_attributes={"company_name": company})
    agent = await open_agent()

    # The page as the server sends it, before any script of it runs (the agent's cookies, no rendering).
    for path in (f"/contacts/{contact['id']}", f"/embed/contacts/{contact['id']}"):
        answer = await agent.page.context.request.get(f"{app_server.url}{path}")
        assert answer.status == 200, path
        html = await answer.text()
        assert name in html, f"{path}: the name comes later, over the websocket"
        assert company in html, path
