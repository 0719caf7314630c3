"""The benchmarks' light page client holds a real NiceGUI page: it signs in, sees pushed updates, and is
turned away where a browser is (no sign-in: the sign-in page; an unknown contact: the not-found banner)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.demo import AGENT
from bench.page_client import LightBrowser, Redirected, SignInFailed
from state.i18n import DEFAULT_LOCALE, t
from tests.support.processes import RunningServer

NAME = "contact-name"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    directory: Path = tmp_path_factory.mktemp("light-page-client")
    with RunningServer.in_directory(directory, module="main").running() as process:
        yield process


async def test_a_light_page_sees_a_name_put_over_the_api(app: RunningServer) -> None:
    contact = app.create_contact(name="Light Before", email="light-before@example.com")
    async with LightBrowser(app.url) as browser:
        await browser.sign_in(AGENT)
        page = await browser.open(f"/contacts/{contact['id']}")
        await page.wait_for_text(NAME, "Light Before", within=10)
        label = page.find(NAME)
        answer = httpx.put(
            f"{app.url}/api/v1/accounts/1/contacts/{contact['id']}",
            json={"name": "Light After"},
            headers=app.admin.headers,
        )
        assert answer.status_code == 200
        await page.wait_for_text(NAME, "Light After", within=10)
        assert page.find(NAME) is not label  # replaced by the pushed update, not the same dict mutated
        assert page.connected


async def test_an_unknown_contact_shows_the_not_found_banner(app: RunningServer) -> None:
    async with LightBrowser(app.url) as browser:
        await browser.sign_in()
        page = await browser.open("/contacts/987654321")
        await page.wait_for(lambda shown: shown.is_shown("load-error"), within=10)
        assert t("CONTACT.NOT_FOUND", locale=DEFAULT_LOCALE) in page.text_content("load-error")
        assert not page.is_shown(NAME)


async def test_without_sign_in_the_contact_page_sends_to_the_sign_in_page(app: RunningServer) -> None:
    contact = app.create_contact(name="Not For Strangers", email="strangers@example.com")
    async with LightBrowser(app.url) as browser:
        with pytest.raises(Redirected) as redirected:
            await browser.open(f"/contacts/{contact['id']}")
        assert redirected.value.location == f"/login?next=/contacts/{contact['id']}"


async def test_a_wrong_password_is_refused_with_the_sign_in_pages_message(app: RunningServer) -> None:
    async with LightBrowser(app.url) as browser:
        with pytest.raises(SignInFailed, match=re.escape(t("LOGIN.INVALID_CREDENTIALS", locale=DEFAULT_LOCALE))):
            await browser.sign_in((AGENT[0], "not-the-password"))
        with pytest.raises(Redirected):
            await browser.open("/contacts")
