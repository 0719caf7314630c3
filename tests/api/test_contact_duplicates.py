"""Duplicate suggestions (issue 15, `GET /contacts/{id}/duplicates`, an extension): the account's other contacts with
the same email (case-insensitively), the same phone number once normalized, or a very similar name in the same
company, each with its reasons; never the contact itself, never another account's contacts. On SQLite and
PostgreSQL, over HTTP; without the extension (plain-Chatwoot mode) the route is not there.

Each test makes its own company and values, so the contacts other tests leave on the shared server cannot match.
"""

from __future__ import annotations

from typing import Any

import httpx

from api.protocol import EXTENSIONS_HEADER
from server.contract import DuplicateSuggestions
from tests.api.account_api import AccountApi
from tests.api.sample_data import unique_email, unique_phone, unique_token
from tests.api.shapes import assert_contact, assert_shape, error_body
from tests.api.test_integrity import run_sql
from tests.support.processes import RunningServer


def suggestions(api: AccountApi, contact_id: int) -> list[dict[str, Any]]:
    answer = api.get(f"/contacts/{contact_id}/duplicates")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert_shape(body, DuplicateSuggestions, "duplicates")
    for suggestion in body["payload"]:
        assert_contact(suggestion["contact"], with_contact_inboxes=False)
    payload: list[dict[str, Any]] = body["payload"]
    return payload


def found(api: AccountApi, contact_id: int) -> list[tuple[int, list[str]]]:
    """The suggested contacts' ids and reasons, in the answer's order."""
    return [(item["contact"]["id"], item["reasons"]) for item in suggestions(api, contact_id)]


def set_email(server: RunningServer, contact_id: int, email: str) -> None:
    """Give a contact an address as written, not lower-cased as the API stores it (a raw write)."""
    run_sql(server.database_url, "UPDATE contacts SET email = :email WHERE id = :id", email=email, id=contact_id)


def company(token: str) -> dict[str, str]:
    return {"company_name": f"Duplicate Co {token}"}


def test_the_same_email_whatever_its_case(server: RunningServer, admin_api: AccountApi) -> None:
    email = unique_email("same")
    first = server.create_contact(name="First Person", email=email)
    second = server.create_contact(name="Quite Someone Else")
    # The API stores addresses lower-cased; one written otherwise (an older database, a raw write) differs in case.
    set_email(server, second["id"], email.upper())
    assert found(admin_api, first["id"]) == [(second["id"], ["email"])]
    assert found(admin_api, second["id"]) == [(first["id"], ["email"])]
    shown = suggestions(admin_api, first["id"])[0]["contact"]
    assert shown["name"] == "Quite Someone Else" and shown["email"] == email.upper()


def test_the_same_phone_number_once_normalized(server: RunningServer, admin_api: AccountApi) -> None:
    phone = unique_phone()  # +4420...
    with_trunk_zero = "+440" + phone.removeprefix("+44")  # "+44 (0)20 ...", typed without the brackets
    first = server.create_contact(name="Phone One", phone_number=phone)
    second = server.create_contact(name="Phone Two", phone_number=with_trunk_zero)
    unrelated = server.create_contact(name="Phone Three", phone_number=unique_phone())
    assert second["phone_number"] == with_trunk_zero  # stored as sent: Chatwoot's rule takes both
    assert found(admin_api, first["id"]) == [(second["id"], ["phone_number"])]
    assert found(admin_api, second["id"]) == [(first["id"], ["phone_number"])]
    assert found(admin_api, unrelated["id"]) == []


def test_a_very_similar_name_in_the_same_company(server: RunningServer, admin_api: AccountApi) -> None:
    token = unique_token()
    contact = server.create_contact(name="John Smith", additional_attributes=company(token))
    swapped = server.create_contact(name="Smith, John", additional_attributes=company(token))
    typo = server.create_contact(name="Jon Smith", additional_attributes={"company_name": f"DUPLICATE CO {token}"})
    server.create_contact(name="Jane Smith", additional_attributes=company(token))  # someone else
    server.create_contact(name="John Smith", additional_attributes=company(f"{token}-other"))  # another company
    server.create_contact(name="John Smith")  # no company
    # The most alike first.
    assert found(admin_api, contact["id"]) == [(swapped["id"], ["name"]), (typo["id"], ["name"])]
    assert (contact["id"], ["name"]) in found(admin_api, typo["id"])


def test_a_typo_in_the_first_name_is_found_among_many_names_of_the_company(
    server: RunningServer, admin_api: AccountApi
) -> None:
    """The names read are the company's nearest in sorted order, as written and with the words the other way round:
    "Katherine Johnson" sorts far from "Catherine Johnson", "johnson katherine" right beside "johnson catherine"."""
    token = unique_token()
    contact = server.create_contact(name="Catherine Johnson", additional_attributes=company(token))
    for letter in "defghij":  # names between the two, more than a window would hold were it not for the turn
        for number in range(5):
            server.create_contact(name=f"{letter}{number} Person", additional_attributes=company(token))
    typo = server.create_contact(name="Katherine Johnson", additional_attributes=company(token))
    assert found(admin_api, contact["id"]) == [(typo["id"], ["name"])]


def test_reasons_add_up_and_email_matches_come_first(server: RunningServer, admin_api: AccountApi) -> None:
    token = unique_token()
    email, phone = unique_email("sum"), unique_phone()
    contact = server.create_contact(
        name="Maria Garcia", email=email, phone_number=phone, additional_attributes=company(token)
    )
    by_name = server.create_contact(name="Maria García", additional_attributes=company(token))
    by_all = server.create_contact(
        name="Garcia Maria", phone_number="+440" + phone.removeprefix("+44"), additional_attributes=company(token)
    )
    run_sql(
        server.database_url, "UPDATE contacts SET email = :email WHERE id = :id", email=email.title(), id=by_all["id"]
    )
    assert found(admin_api, contact["id"]) == [
        (by_all["id"], ["email", "phone_number", "name"]),
        (by_name["id"], ["name"]),
    ]


def test_never_the_contact_itself_nor_another_accounts_contacts(
    server: RunningServer, admin_api: AccountApi, other_admin_api: AccountApi
) -> None:
    token = unique_token()
    email, phone = unique_email("mine"), unique_phone()
    contact = server.create_contact(
        name="Alone Here", email=email, phone_number=phone, additional_attributes=company(token)
    )
    assert found(admin_api, contact["id"]) == []
    # Account 2 has a contact with all of it: the same email, number and name in a company of the same name.
    answer = other_admin_api.post(
        "/contacts",
        json={"name": "Alone Here", "email": email, "phone_number": phone, "additional_attributes": company(token)},
    )
    assert answer.status_code == 200, answer.text
    theirs = answer.json()["payload"]["contact"]
    assert found(admin_api, contact["id"]) == []
    assert found(other_admin_api, theirs["id"]) == []
    # Nor can account 2 ask about account 1's contact.
    error_body(other_admin_api.get(f"/contacts/{contact['id']}/duplicates"), 404)


def test_an_unknown_contact_is_not_found(admin_api: AccountApi) -> None:
    error_body(admin_api.get("/contacts/2000000000/duplicates"), 404)


def test_an_agent_may_ask_too(server: RunningServer, agent_api: AccountApi) -> None:
    contact = server.create_contact(name="Asked By Agent")
    assert found(agent_api, contact["id"]) == []


def test_the_extension_is_announced(admin_api: AccountApi) -> None:
    answer = admin_api.get("/contacts", params={"page": 1})
    assert "duplicates" in answer.headers[EXTENSIONS_HEADER].split(",")


def test_plain_mode_has_no_such_route(plain_api_server: RunningServer, http: httpx.Client) -> None:
    api = AccountApi.of(http, plain_api_server, "admin")
    contact = plain_api_server.create_contact(name="Plain Contact")
    answer = api.get(f"/contacts/{contact['id']}/duplicates")
    error_body(answer, 404)
    assert EXTENSIONS_HEADER not in answer.headers
