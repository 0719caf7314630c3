"""The client's duplicate suggestions (issue 15) through `state.reads`: from the embedded server's extension, or, on
a server without it (plain-Chatwoot mode, as on Chatwoot), from its search for the contact's email and phone
number, keeping only equal values; a failure is a `LoadFailed` the panel can tell in the agent's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from api.client import ChatwootClient
from api.error_codes import ErrorCode
from api.models import Contact, DuplicateSuggestion
from state import reads
from state.problems import LoadFailed
from state.session import AgentSession
from tests.api.sample_data import unique_email, unique_phone, unique_token
from tests.support.processes import RunningServer

Connect = Callable[..., ChatwootClient]


async def signed_in(connect: Connect, server: RunningServer) -> AgentSession:
    client = connect(server)
    profile = await client.profile()  # also learns which extensions the server offers
    assert client.account_id is not None
    return AgentSession(profile=profile, account_id=client.account_id, client=client)


def pairs(found: list[DuplicateSuggestion]) -> list[tuple[int, list[str]]]:
    return [(suggestion.contact.id, suggestion.reasons) for suggestion in found]


def contact(created: dict[str, Any]) -> Contact:
    return Contact.model_validate(created)


async def test_the_extension_answers_with_every_reason(api_server: RunningServer, connect: Connect) -> None:
    session = await signed_in(connect, api_server)
    assert session.client.supports_duplicates
    company = {"company_name": f"Client Co {unique_token()}"}
    phone = unique_phone()
    mine = api_server.create_contact(name="Ada Byron", phone_number=phone, additional_attributes=company)
    by_name = api_server.create_contact(name="Byron, Ada", additional_attributes=company)
    by_phone = api_server.create_contact(name="Someone", phone_number="+440" + phone.removeprefix("+44"))
    found = await reads.duplicate_suggestions(session, contact(mine))
    assert pairs(found) == [(by_phone["id"], ["phone_number"]), (by_name["id"], ["name"])]
    assert found[1].contact.name == "Byron, Ada"


async def test_without_the_extension_the_search_finds_equal_numbers_only(
    plain_api_server: RunningServer, connect: Connect
) -> None:
    session = await signed_in(connect, plain_api_server)
    assert not session.client.supports_duplicates
    company = {"company_name": f"Plain Co {unique_token()}"}
    email, phone = unique_email("plain"), unique_phone()
    mine = plain_api_server.create_contact(
        name="Ada Byron", email=email, phone_number=phone, additional_attributes=company
    )
    same_number = plain_api_server.create_contact(name="Other", phone_number="+440" + phone.removeprefix("+44"))
    plain_api_server.create_contact(name="Longer Address", email=f"x{email}")  # the search finds it: not equal
    plain_api_server.create_contact(name="Byron, Ada", additional_attributes=company)  # no names without the index
    assert pairs(await reads.duplicate_suggestions(session, contact(mine))) == [(same_number["id"], ["phone_number"])]
    assert pairs(await reads.duplicate_suggestions(session, contact(same_number))) == [(mine["id"], ["phone_number"])]


async def test_a_failed_lookup_says_why(api_server: RunningServer, connect: Connect) -> None:
    session = await signed_in(connect, api_server)
    gone = api_server.create_contact(name="Soon Gone")
    with api_server.http_client() as http:
        answer = http.delete(
            f"{api_server.url}/api/v1/accounts/1/contacts/{gone['id']}", headers=api_server.admin.headers
        )
    assert answer.status_code == 200, answer.text
    with pytest.raises(LoadFailed) as failed:
        await reads.duplicate_suggestions(session, contact(gone))
    assert failed.value.problem is ErrorCode.NOT_FOUND
