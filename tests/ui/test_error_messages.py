"""A page that cannot reach the server says so in the agent's language, never in the HTTP library's words."""

from __future__ import annotations

import pytest
from nicegui.testing import User

from state.i18n import t
from tests.support.tcp_proxy import TcpProxy
from tests.ui.interaction import choose_language, shown, wait_for

PAGES = [
    ("/contacts", "CONTACTS_LIST.LOAD_FAILED"),
    ("/conversations", "CONVERSATION.LOAD_FAILED"),
    ("/conversations/1", "CONVERSATION.LOAD_FAILED"),
    ("/conversations/1/contact", "CONVERSATION.LOAD_FAILED"),
]


@pytest.mark.parametrize(("path", "failed"), PAGES)
async def test_a_network_failure_is_told_translated(
    proxied_agent: User, proxy: TcpProxy, path: str, failed: str
) -> None:
    user = proxied_agent
    await user.open("/contacts")
    await choose_language(user, "de")
    proxy.cut()
    await user.open(path)
    told = f"{t(failed, locale='de')}: {t('ERRORS.NETWORK', locale='de')}"
    await wait_for(user, content=told)
    assert not shown(user, content="Error:")  # httpx's words, as in "ConnectError: All connection attempts failed"
