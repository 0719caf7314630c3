"""A page's elements go out once, in its HTML: no prop, class or style change is queued while it is built.

NiceGUI queues an element for the websocket when it is made (itself and its parent), and again for every prop,
class or style set on it; `Client.build_response` then drops the queue (the HTML carries every element as it is).
`pages/nicegui_speedups.py` skips the queueing of changes before the HTML; a change made after it is still sent.
"""

from __future__ import annotations

from typing import Any

import pytest
from nicegui import Client, context
from nicegui.element import Element
from nicegui.outbox import Outbox
from nicegui.testing import User

from components import page_frame
from tests.ui.interaction import wait_for


async def test_a_contact_page_queues_no_changes_while_it_is_built(
    agent: User, make_contact: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    contact = make_contact(name="Built Once", phone_number="+442079460999")
    queued: list[int] = []
    original_enqueue, original_build = Outbox.enqueue_update, Client.build_response

    def enqueue(self: Outbox, element: Element) -> None:
        queued.append(element.id)
        original_enqueue(self, element)

    # From the page's first element (its frame) to its HTML: what the page makes and queues.
    at_start: list[tuple[int, int]] = []
    at_build: list[tuple[int, int]] = []
    original_frame = page_frame.apply_locale_and_theme

    def frame(locale: str) -> None:
        client = context.client
        at_start.append((len(client.elements), len(queued)))
        original_frame(locale)

    def build(self: Client, *args: Any, **kwargs: Any) -> Any:
        at_build.append((len(self.elements), len(queued)))
        return original_build(self, *args, **kwargs)

    monkeypatch.setattr(Outbox, "enqueue_update", enqueue)
    monkeypatch.setattr(Client, "build_response", build)
    monkeypatch.setattr(page_frame, "apply_locale_and_theme", frame)
    await agent.open(f"/contacts/{contact['id']}")
    await wait_for(agent, "edit-contact")
    made, queued_by_page = at_build[0][0] - at_start[0][0], at_build[0][1] - at_start[0][1]
    assert made > 40
    # Each element is queued when it is made, with its parent, and never again before the HTML.
    assert queued_by_page <= 2 * made

    # Once the HTML is out, a change is queued for the browser as before.
    toggle = agent.find(marker="theme-toggle").elements.pop()
    toggle.props["aria-busy"] = "true"
    assert toggle.id in toggle.client.outbox.updates
