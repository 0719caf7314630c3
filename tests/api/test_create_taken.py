"""A create whose email, phone number or identifier another contact has: Chatwoot's 422, and with the extension
asked for, the contact that has it (always one of the caller's account)."""

from __future__ import annotations

import httpx

from api.protocol import EXISTING_CONTACT_EXTENSION, EXTENSIONS_HEADER
from tests.api.account_api import AccountApi
from tests.api.sample_data import unique_email, unique_phone
from tests.api.shapes import invalid_fields
from tests.support.processes import RunningServer

NAME_THEM = {EXTENSIONS_HEADER: EXISTING_CONTACT_EXTENSION}


def test_asked_for_the_422_names_the_contact_having_each_value(server: RunningServer, admin_api: AccountApi) -> None:
    by_email = server.create_contact(name="Has The Email")
    by_phone = server.create_contact(name="Has The Phone", phone_number=unique_phone())
    body = {"name": "New", "email": by_email["email"].upper(), "phone_number": by_phone["phone_number"]}
    answer = admin_api.post("/contacts", json=body, headers=NAME_THEM)
    assert answer.status_code == 422
    assert answer.json() == {
        "message": "Email has already been taken, Phone number has already been taken",
        "attributes": ["email", "phone_number"],
        "existing_contact_ids": {"email": by_email["id"], "phone_number": by_phone["id"]},
    }


def test_not_asked_for_it_is_chatwoots_422(server: RunningServer, admin_api: AccountApi) -> None:
    existing = server.create_contact()
    body = invalid_fields(admin_api.post("/contacts", json={"email": existing["email"]}))
    assert body == {"message": "Email has already been taken", "attributes": ["email"]}


def test_another_accounts_contact_is_never_named(server: RunningServer, other_admin_api: AccountApi) -> None:
    """The same email in account 1 does not stop account 2, so nothing of account 1 can be named."""
    theirs = server.create_contact(name="Acme Only")
    answer = other_admin_api.post("/contacts", json={"email": theirs["email"]}, headers=NAME_THEM)
    assert answer.status_code == 200, answer.text
    mine = answer.json()["payload"]["contact"]
    again = other_admin_api.post("/contacts", json={"email": theirs["email"]}, headers=NAME_THEM)
    assert again.json()["existing_contact_ids"] == {"email": mine["id"]}
    assert mine["id"] != theirs["id"]


def test_plain_chatwoot_mode_never_names_them(plain_api_server: RunningServer, http: httpx.Client) -> None:
    api = AccountApi.of(http, plain_api_server)
    email = unique_email("plain-taken")
    api.post("/contacts", json={"email": email}).raise_for_status()
    assert invalid_fields(api.post("/contacts", json={"email": email}, headers=NAME_THEM))["attributes"] == ["email"]
