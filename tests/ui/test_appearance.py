"""Theme, language and direction, accessible names, keyboard landmarks, loading and error states."""

from __future__ import annotations

from nicegui import app, ui
from nicegui.testing import User

from components.app_header import AppHeader
from components.document_settings import DocumentSettings
from tests.support.tcp_proxy import TcpProxy
from tests.ui.interaction import act, choose_language, click, eventually, shown, wait_for, wait_for_entry

ADA = 1


def document(user: User) -> dict:
    """The attributes the page sets on `<html>`."""
    return shown(user, kind=DocumentSettings)[0].document


async def open_ada(user: User) -> None:
    await user.open(f"/contacts/{ADA}")
    await wait_for(user, "history-count")
    await wait_for_entry(user, "note_added")


async def test_dark_mode_is_toggled_and_remembered(agent: User) -> None:
    await open_ada(agent)
    assert shown(agent, kind=DocumentSettings)[0].dark is False
    toggle = await wait_for(agent, "theme-toggle")
    assert toggle.props["aria-label"] == "Dark mode"
    page = agent.client
    act(agent, toggle).click()
    await eventually(lambda: agent.client is not page)
    await wait_for(agent, "contact-name", content="Ada Lovelace")
    assert shown(agent, kind=DocumentSettings)[0].dark is True
    assert (await wait_for(agent, "theme-toggle")).props["aria-label"] == "Light mode"
    await agent.open("/contacts")
    assert shown(agent, kind=DocumentSettings)[0].dark is True


async def test_arabic_reads_right_to_left(agent: User) -> None:
    await open_ada(agent)
    assert document(agent) == {"lang": "en", "dir": "ltr"}
    await choose_language(agent, "ar")
    await wait_for(agent, "contact-name", content="Ada Lovelace")
    assert document(agent) == {"lang": "ar", "dir": "rtl"}
    with agent:
        assert app.storage.user["locale"] == "ar"
    assert (await wait_for(agent, "edit-contact")).props["aria-label"] == "تعديل جهة الاتصال"
    await wait_for(agent, content="المحادثات السابقة")
    phone = shown(agent, "contact-phone")[0]
    assert phone.props["dir"] == "ltr" and phone.text == "+44 20 7183 8750"  # numbers stay left to right


async def test_german_texts(agent: User) -> None:
    await open_ada(agent)
    await choose_language(agent, "de")
    await wait_for(agent, "history-count", content="25 Konversationen")
    assert document(agent) == {"lang": "de", "dir": "ltr"}
    assert (await wait_for(agent, "edit-contact")).props["aria-label"] == "Kontakt bearbeiten"
    assert (await wait_for(agent, "theme-toggle")).props["aria-label"] == "Dunkler Modus"
    assert shown(agent, content="Notizen")


async def test_every_control_has_an_accessible_name(agent: User) -> None:
    await open_ada(agent)
    await click(agent, "edit-contact")
    await wait_for(agent, "edit-form")
    unnamed: list[ui.element] = []
    for element in shown(agent, kind=ui.element):
        if isinstance(element, ui.button | ui.input | ui.select | ui.switch | ui.number | ui.textarea):
            name = element.props.get("aria-label") or element.props.get("label") or getattr(element, "text", "")
            if not name:
                unnamed.append(element)
        elif isinstance(element, ui.icon) and not (element.props.get("aria-hidden") or element.props.get("aria-label")):
            unnamed.append(element)  # an icon either means something (and says what) or is decoration
    assert unnamed == []
    header = shown(agent, "app-header", kind=AppHeader)[0]
    assert header.props["skip"] == {"text": "Skip to main content", "href": "#main"}
    assert header.props["sign_out"] == {"action": "/logout", "label": "Sign out"}, "the sign-out button's name"
    # The skip link's target; Quasar's page is the one `main` landmark, so the column must not be a second one.
    assert any(
        column.props.get("id") == "main" and "role" not in column.props for column in shown(agent, kind=ui.column)
    )


async def test_sections_show_skeletons_then_an_error_with_retry(proxied_agent: User, proxy: TcpProxy) -> None:
    user = proxied_agent
    proxy.cut()
    await user.open(f"/contacts/{ADA}")
    assert shown(user, "basic-info-loading")  # the skeleton while the contact is on its way
    await wait_for(user, "load-error")
    assert shown(user, content="The contact could not be loaded")
    assert not shown(user, "contact-name")
    proxy.restore()
    await click(user, "retry-load")
    await wait_for(user, "contact-name", content="Ada Lovelace")
    await wait_for(user, "label-vip")
    await wait_for(user, "history-count")
    await wait_for(user, "note-1")
    assert not shown(user, "load-error")


async def test_a_page_that_cannot_reach_the_server_says_so(proxied_agent: User, proxy: TcpProxy) -> None:
    proxy.cut()
    await proxied_agent.open("/conversations/1")
    await wait_for(proxied_agent, content="The conversation could not be loaded")
    assert shown(proxied_agent, kind=ui.button, content="Retry")


async def test_the_conversations_list_links_to_conversations(agent: User) -> None:
    await agent.open("/conversations?status=all")

    def conversation_links() -> list[str]:
        hrefs = [link.props["href"] for link in shown(agent, kind=ui.link)]
        return [href for href in hrefs if href.startswith("/conversations/") and href.split("/")[-1].isdigit()]

    assert len(await eventually(conversation_links)) >= 10
