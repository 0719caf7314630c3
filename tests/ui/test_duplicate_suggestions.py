"""Possible duplicates on the contact panel with NiceGUI's `User` (issue 15): in the agent's language, looked up
again when the contact's name changes, and a failed lookup told in that language with a Retry that works."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from nicegui import ui
from nicegui.testing import User

from state.i18n import t
from tests.support.tcp_proxy import TcpProxy
from tests.ui.interaction import act, choose_language, click, open_contact, shown, text_of, wait_for, wait_gone

MakeContact = Callable[..., dict[str, Any]]


def company() -> dict[str, str]:
    return {"company_name": f"UI Co {uuid.uuid4().hex[:8]}"}


async def test_suggestions_are_told_in_the_agents_language(agent: User, make_contact: MakeContact) -> None:
    attributes = company()
    contact = make_contact(name="Rosalind Franklin", additional_attributes=attributes)
    other = make_contact(name="Rosalind Franklyn", additional_attributes=attributes)
    await agent.open("/contacts")
    await choose_language(agent, "de")
    await open_contact(agent, contact["id"], live=False)
    await wait_for(agent, f"duplicate-{other['id']}")
    assert text_of(agent, "duplicate-name") == "Rosalind Franklyn"
    assert text_of(agent, "duplicate-reasons") == t("DUPLICATES.REASON_NAME", locale="de")
    assert shown(agent, content=t("DUPLICATES.TITLE", locale="de"))
    link = shown(agent, "duplicate-open", kind=ui.link)[0]
    assert link.props["href"] == f"/contacts/{other['id']}?source=duplicates"
    assert link.props["aria-label"] == t("DUPLICATES.OPEN_LABEL", locale="de", name="Rosalind Franklyn")


async def test_a_failed_lookup_is_told_translated_and_retried(
    proxied_agent: User, proxy: TcpProxy, make_contact: MakeContact
) -> None:
    """The server out of reach while the agent renames the contact: the lookups for the new name (and the old one,
    once the save rolls back) fail, and the panel says so in German; Retry, once it is back, finds the duplicate."""
    user = proxied_agent
    attributes = company()
    contact = make_contact(name="Lise Meitner", additional_attributes=attributes)
    other = make_contact(name="Lise Meitnerin", additional_attributes=attributes)
    await user.open("/contacts")
    await choose_language(user, "de")
    await open_contact(user, contact["id"], live=False)
    await wait_for(user, f"duplicate-{other['id']}")

    await click(user, "edit-contact")
    name = await wait_for(user, "field-name", kind=ui.input)
    act(user, name).clear().type("Otto Hahn")
    proxy.cut()
    act(user, name).trigger("keydown.enter")
    await wait_for(user, "save-error")
    told = t("DUPLICATES.LOAD_FAILED", locale="de", reason=t("ERRORS.NETWORK", locale="de"))
    await wait_for(user, content=told)
    assert not shown(user, content="Error:")  # httpx's words

    proxy.restore()
    await click(user, "duplicates-retry")
    await wait_gone(user, "duplicates-error")
    await wait_for(user, f"duplicate-{other['id']}")
