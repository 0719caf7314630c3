"""Contacts over HTTP: show, update (plain and conditional), validation, delete, create, list, search, merge."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.api.account_api import TIMEOUT, TLS, AccountApi
from tests.api.sample_data import give_conversations, unique_email, unique_phone, unique_token
from tests.api.shapes import assert_contact, assert_contact_page, error_body, invalid_fields
from tests.support import in_process
from tests.support.processes import RunningServer

NOT_FOUND = {"error": "Resource could not be found"}
NOT_YOUR_ACCOUNT = {"error": "You are not authorized to access this account"}
ADMIN_ONLY = {"error": "You are not authorized to do this action"}
RACE_ROUNDS = 10


def new_contact(server: RunningServer, **fields: Any) -> dict[str, Any]:
    contact = server.create_contact(**fields)
    assert_contact(contact)
    return contact


# --- show -------------------------------------------------------------------------------------------


def test_show_answers_the_contact_with_an_etag(server: RunningServer, admin_api: AccountApi) -> None:
    created = new_contact(server, name="Grace Hopper", phone_number=unique_phone(), identifier=unique_token())
    answer = admin_api.get(f"/contacts/{created['id']}")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"payload"}
    assert_contact(body["payload"])
    assert body["payload"] == created
    assert answer.headers["ETag"].startswith('"') and answer.headers["ETag"].endswith('"')


def test_unknown_contact_is_404(admin_api: AccountApi) -> None:
    assert error_body(admin_api.get("/contacts/987654321"), 404) == NOT_FOUND


def test_another_accounts_contact_is_404(server: RunningServer, other_admin_api: AccountApi) -> None:
    """Account 2's administrator asks its own account for a contact of account 1."""
    created = new_contact(server, name="Acme Only")
    path = f"/contacts/{created['id']}"
    assert other_admin_api.account_id == 2
    assert error_body(other_admin_api.get(path), 404) == NOT_FOUND
    assert error_body(other_admin_api.put(path, json={"name": "Stolen"}), 404) == NOT_FOUND
    assert error_body(other_admin_api.delete(path), 404) == NOT_FOUND
    assert error_body(other_admin_api.get(f"{path}/conversations"), 404) == NOT_FOUND
    assert error_body(other_admin_api.get(f"{path}/notes"), 404) == NOT_FOUND
    assert error_body(other_admin_api.get(f"{path}/labels"), 404) == NOT_FOUND


def test_an_account_not_the_users_is_401(server: RunningServer, http: httpx.Client) -> None:
    created = new_contact(server, name="Acme Only")
    for who in ("agent", "admin"):
        outsider = AccountApi.of(http, server, who, account_id=2)
        assert error_body(outsider.get("/contacts"), 401) == NOT_YOUR_ACCOUNT
        assert error_body(outsider.get(f"/contacts/{created['id']}"), 401) == NOT_YOUR_ACCOUNT
        assert error_body(outsider.put(f"/contacts/{created['id']}", json={"name": "x"}), 401) == NOT_YOUR_ACCOUNT


# --- update -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_update_changes_only_the_fields_sent(server: RunningServer, admin_api: AccountApi, method: str) -> None:
    phone = unique_phone()
    created = new_contact(
        server,
        name="Before",
        phone_number=phone,
        identifier=f"crm-{unique_token()}",
        custom_attributes={"plan": "pro", "vat_id": "GB101"},
        additional_attributes={
            "city": "London",
            "company_name": "Acme",
            "social_profiles": {"github": "a", "twitter": "b"},
        },
    )
    answer = admin_api.request(
        method,
        f"/contacts/{created['id']}",
        json={
            "name": "After",
            "blocked": True,
            "custom_attributes": {"plan": "enterprise", "seats": 12},
            "additional_attributes": {"city": "Paris", "social_profiles": {"github": "c"}},
        },
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"payload"}
    updated = body["payload"]
    assert_contact(updated)
    assert updated["name"] == "After"
    assert updated["blocked"] is True
    # Fields not sent are left alone.
    assert (updated["email"], updated["phone_number"], updated["identifier"]) == (
        created["email"],
        phone,
        created["identifier"],
    )
    assert updated["created_at"] == created["created_at"]
    # The attribute objects are merged one level deep: keys not sent survive, sent keys replace whole values.
    assert updated["custom_attributes"] == {"plan": "enterprise", "vat_id": "GB101", "seats": 12}
    assert updated["additional_attributes"] == {
        "city": "Paris",
        "company_name": "Acme",
        "social_profiles": {"github": "c"},
    }
    assert admin_api.contact(created["id"]) == updated


def test_email_is_stored_lower_case(server: RunningServer, admin_api: AccountApi) -> None:
    token = unique_token()
    created = new_contact(server, email=f"Mixed.Case-{token}@Example.COM")
    assert created["email"] == f"mixed.case-{token}@example.com"
    answer = admin_api.put(f"/contacts/{created['id']}", json={"email": f"UPPER-{token}@EXAMPLE.COM"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["payload"]["email"] == f"upper-{token}@example.com"
    assert admin_api.contact(created["id"])["email"] == f"upper-{token}@example.com"


def test_invalid_email_is_422_and_nothing_is_written(server: RunningServer, admin_api: AccountApi) -> None:
    created = new_contact(server, name="Unchanged")
    path = f"/contacts/{created['id']}"
    etag = admin_api.get(path).headers["ETag"]
    answer = admin_api.put(path, json={"name": "Half-applied?", "email": "not-an-email"})
    assert invalid_fields(answer) == {"message": "Email is invalid", "attributes": ["email"]}
    after = admin_api.get(path)
    assert after.json()["payload"] == created
    assert after.headers["ETag"] == etag


@pytest.mark.parametrize("phone", ["12345", "+0441234567", "+44 20 7183", "+4420718387501234567", "tel:+4420"])
def test_invalid_phone_is_422(server: RunningServer, admin_api: AccountApi, phone: str) -> None:
    created = new_contact(server)
    body = invalid_fields(admin_api.put(f"/contacts/{created['id']}", json={"phone_number": phone}))
    assert body["attributes"] == ["phone_number"]
    assert body["message"].startswith("Phone number ")
    assert admin_api.contact(created["id"])["phone_number"] is None


def test_name_of_256_characters_is_422_and_255_is_fine(server: RunningServer, admin_api: AccountApi) -> None:
    created = new_contact(server, name="Short")
    path = f"/contacts/{created['id']}"
    body = invalid_fields(admin_api.put(path, json={"name": "n" * 256}))
    assert body == {"message": "Name is too long (maximum is 255 characters)", "attributes": ["name"]}
    assert admin_api.contact(created["id"])["name"] == "Short"
    answer = admin_api.put(path, json={"name": "n" * 255})
    assert answer.status_code == 200, answer.text
    assert answer.json()["payload"]["name"] == "n" * 255


def test_several_invalid_fields_are_reported_together(server: RunningServer, admin_api: AccountApi) -> None:
    created = new_contact(server)
    body = invalid_fields(
        admin_api.put(f"/contacts/{created['id']}", json={"email": "bad", "phone_number": "123", "name": "x" * 300})
    )
    assert set(body["attributes"]) == {"email", "phone_number", "name"}
    assert "Email is invalid" in body["message"].split(", ")


def test_duplicate_email_is_taken_case_insensitively(server: RunningServer, admin_api: AccountApi) -> None:
    email = unique_email("dup")
    new_contact(server, email=email)
    taken = {"message": "Email has already been taken", "attributes": ["email"]}
    assert invalid_fields(admin_api.post("/contacts", json={"name": "Copy", "email": email.upper()})) == taken
    other = new_contact(server)
    assert invalid_fields(admin_api.put(f"/contacts/{other['id']}", json={"email": email.title()})) == taken
    assert admin_api.contact(other["id"])["email"] == other["email"]


@pytest.mark.parametrize(
    ("field", "value", "label", "method"),
    [
        ("phone_number", unique_phone, "Phone number", "PATCH"),
        ("identifier", lambda: f"crm-{unique_token()}", "Identifier", "PUT"),
    ],
)
def test_duplicate_phone_or_identifier_is_taken(
    server: RunningServer, admin_api: AccountApi, field: str, value: Callable[[], str], label: str, method: str
) -> None:
    taken_value = value()
    new_contact(server, **{field: taken_value})
    taken = {"message": f"{label} has already been taken", "attributes": [field]}
    assert invalid_fields(admin_api.post("/contacts", json={field: taken_value})) == taken
    other = new_contact(server)
    assert invalid_fields(admin_api.request(method, f"/contacts/{other['id']}", json={field: taken_value})) == taken


def test_a_contact_keeps_its_own_unique_values(server: RunningServer, admin_api: AccountApi) -> None:
    """Re-sending a contact's own email (in other case), phone and identifier is not a clash with itself."""
    created = new_contact(server, phone_number=unique_phone(), identifier=unique_token())
    answer = admin_api.put(
        f"/contacts/{created['id']}",
        json={
            "email": created["email"].upper(),
            "phone_number": created["phone_number"],
            "identifier": created["identifier"],
        },
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["payload"] == created


def test_same_values_in_another_account_are_not_taken(server: RunningServer, other_admin_api: AccountApi) -> None:
    created = new_contact(server, phone_number=unique_phone(), identifier=unique_token())
    fields = {key: created[key] for key in ("email", "phone_number", "identifier")}
    answer = other_admin_api.post("/contacts", json={"name": "Globex twin", **fields})
    assert answer.status_code == 200, answer.text
    twin = answer.json()["payload"]["contact"]
    assert {key: twin[key] for key in fields} == fields
    assert twin["id"] != created["id"]


# --- conditional update (ETag / If-Match) -----------------------------------------------------------


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_if_match_with_the_current_etag_succeeds(server: RunningServer, admin_api: AccountApi, method: str) -> None:
    created = new_contact(server, name="Versioned")
    path = f"/contacts/{created['id']}"
    etag = admin_api.get(path).headers["ETag"]
    answer = admin_api.request(method, path, json={"name": "Versioned 2"}, headers={"If-Match": etag})
    assert answer.status_code == 200, answer.text
    assert answer.json()["payload"]["name"] == "Versioned 2"
    new_etag = answer.headers["ETag"]
    assert new_etag != etag
    assert admin_api.get(path).headers["ETag"] == new_etag


def test_stale_if_match_is_409_with_the_current_contact(server: RunningServer, admin_api: AccountApi) -> None:
    created = new_contact(server, name="Original")
    path = f"/contacts/{created['id']}"
    stale = admin_api.get(path).headers["ETag"]
    first = admin_api.put(path, json={"name": "First save"}, headers={"If-Match": stale})
    assert first.status_code == 200, first.text

    conflict = admin_api.put(path, json={"name": "Second save"}, headers={"If-Match": stale})
    assert conflict.status_code == 409, conflict.text
    body = conflict.json()
    assert set(body) == {"error", "message", "payload"}
    assert body["error"] == "CONFLICT"
    assert isinstance(body["message"], str) and body["message"]
    assert_contact(body["payload"])
    assert body["payload"] == first.json()["payload"]
    assert admin_api.contact(created["id"])["name"] == "First save"

    # The 409 carries the current version, so a client can retry on top of it.
    retried = admin_api.put(path, json={"name": "Second save"}, headers={"If-Match": conflict.headers["ETag"]})
    assert retried.status_code == 200, retried.text
    assert retried.json()["payload"]["name"] == "Second save"


def test_stale_if_match_with_invalid_fields_still_writes_nothing(server: RunningServer, admin_api: AccountApi) -> None:
    created = new_contact(server, name="Kept")
    path = f"/contacts/{created['id']}"
    answer = admin_api.put(path, json={"email": "bad"}, headers={"If-Match": '"0-0"'})
    assert answer.status_code in {409, 422}, answer.text
    assert admin_api.contact(created["id"]) == created


async def _contact_and_etag(client: httpx.AsyncClient, name: str) -> tuple[str, str]:
    created = await client.post("/contacts", json={"name": name, "email": unique_email("race")})
    assert created.status_code == 200, created.text
    path = f"/contacts/{created.json()['payload']['contact']['id']}"
    shown = await client.get(path)
    return path, shown.headers["ETag"]


def _async_client(server: RunningServer) -> httpx.AsyncClient:
    return in_process.async_client(
        base_url=f"{server.url}/api/v1/accounts/1", headers=server.admin.headers, timeout=TIMEOUT, verify=TLS
    )


async def test_concurrent_puts_with_the_same_if_match_one_wins(server: RunningServer) -> None:
    """Two agents save the same version at once: exactly one 200, one 409, and the winner's write is what stays."""
    async with _async_client(server) as client:
        for round_ in range(RACE_ROUNDS):
            path, etag = await _contact_and_etag(client, f"Race {round_}")
            writes = [
                {"name": f"Agent A {round_}", "custom_attributes": {"vat_id": f"GBA{round_}"}},
                {"name": f"Agent B {round_}", "custom_attributes": {"vat_id": f"GBB{round_}"}},
            ]
            answers = await asyncio.gather(*(client.put(path, json=w, headers={"If-Match": etag}) for w in writes))
            statuses = [a.status_code for a in answers]
            assert sorted(statuses) == [200, 409], [a.text for a in answers]
            winner = statuses.index(200)
            won, lost = answers[winner], answers[1 - winner]

            final = await client.get(path)
            contact = final.json()["payload"]
            assert contact["name"] == writes[winner]["name"]
            assert contact["custom_attributes"] == writes[winner]["custom_attributes"]
            assert contact == won.json()["payload"]
            assert final.headers["ETag"] == won.headers["ETag"]
            assert lost.json()["error"] == "CONFLICT"
            assert lost.json()["payload"] == contact


async def test_concurrent_puts_without_if_match_lose_no_field(server: RunningServer) -> None:
    """Last write wins per field: two agents saving different fields at once both keep their change."""
    async with _async_client(server) as client:
        for round_ in range(RACE_ROUNDS):
            path, _etag = await _contact_and_etag(client, "Before")
            identifier = f"crm-{unique_token()}"
            writes = [
                {"name": f"Renamed {round_}"},
                {"identifier": identifier, "custom_attributes": {"vat_id": f"GBV{round_}"}},
            ]
            answers = await asyncio.gather(*(client.put(path, json=w) for w in writes))
            assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
            contact = (await client.get(path)).json()["payload"]
            assert contact["name"] == f"Renamed {round_}"
            assert contact["identifier"] == identifier
            assert contact["custom_attributes"] == {"vat_id": f"GBV{round_}"}


async def test_concurrent_updates_to_the_same_email_never_fail_with_500(server: RunningServer) -> None:
    """Two contacts given the same new email at once: one 200, the other 422 "has already been taken"."""
    for _round in range(RACE_ROUNDS):
        async with _async_client(server) as client:
            first, _ = await _contact_and_etag(client, "Twin A")
            second, _ = await _contact_and_etag(client, "Twin B")
            email = unique_email("twin")
            answers = await asyncio.gather(*(client.put(path, json={"email": email}) for path in (first, second)))
            assert sorted(a.status_code for a in answers) == [200, 422], [(a.status_code, a.text) for a in answers]
            refused = next(a for a in answers if a.status_code == 422)
            assert refused.json() == {"message": "Email has already been taken", "attributes": ["email"]}


async def test_concurrent_creates_with_the_same_email_make_one_contact(server: RunningServer) -> None:
    async with _async_client(server) as client:
        for _round in range(RACE_ROUNDS):
            email = unique_email("twin")
            answers = await asyncio.gather(*(client.post("/contacts", json={"email": email}) for _ in range(2)))
            assert sorted(a.status_code for a in answers) == [200, 422], [a.text for a in answers]
            refused = next(a for a in answers if a.status_code == 422)
            assert refused.json() == {"message": "Email has already been taken", "attributes": ["email"]}
            found = await client.get("/contacts/search", params={"q": email})
            assert [c["email"] for c in found.json()["payload"]] == [email]


# --- delete -----------------------------------------------------------------------------------------


def test_an_agent_cannot_delete(server: RunningServer, agent_api: AccountApi) -> None:
    created = new_contact(server, name="Protected")
    assert error_body(agent_api.delete(f"/contacts/{created['id']}"), 401) == ADMIN_ONLY
    assert agent_api.contact(created["id"]) == created


def test_an_administrator_deletes(server: RunningServer, admin_api: AccountApi) -> None:
    created = new_contact(server, name="Doomed")
    path = f"/contacts/{created['id']}"
    answer = admin_api.delete(path)
    assert answer.status_code == 200, answer.text
    assert answer.content == b""
    assert error_body(admin_api.get(path), 404) == NOT_FOUND
    assert error_body(admin_api.delete(path), 404) == NOT_FOUND
    assert error_body(admin_api.put(path, json={"name": "Zombie"}), 404) == NOT_FOUND


# --- create -----------------------------------------------------------------------------------------


def test_create_answers_contact_and_contact_inbox(admin_api: AccountApi) -> None:
    email = unique_email("new")
    phone = unique_phone()
    answer = admin_api.post(
        "/contacts",
        json={
            "name": "  Katherine Johnson  ",
            "email": email,
            "phone_number": phone,
            "custom_attributes": {"plan": "starter"},
            "additional_attributes": {"city": "Hampton"},
            "inbox_id": 1,
        },
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"payload"}
    assert set(body["payload"]) == {"contact", "contact_inbox"}
    contact = body["payload"]["contact"]
    assert_contact(contact)
    assert contact["name"] == "Katherine Johnson"
    assert (contact["email"], contact["phone_number"], contact["blocked"]) == (email, phone, False)
    assert contact["custom_attributes"] == {"plan": "starter"}
    assert contact["additional_attributes"] == {"city": "Hampton"}
    assert "last_activity_at" not in contact
    contact_inbox = body["payload"]["contact_inbox"]
    assert contact_inbox["inbox"]["id"] == 1
    assert isinstance(contact_inbox["source_id"], str) and contact_inbox["source_id"]
    assert [link["inbox"]["id"] for link in contact["contact_inboxes"]] == [1]
    assert admin_api.contact(contact["id"]) == contact


def test_create_without_inbox_has_an_empty_contact_inbox(admin_api: AccountApi) -> None:
    answer = admin_api.post("/contacts", json={"name": "No inbox"})
    assert answer.status_code == 200, answer.text
    payload = answer.json()["payload"]
    assert payload["contact_inbox"] == {"inbox": None, "source_id": None}
    assert payload["contact"]["contact_inboxes"] == []
    assert payload["contact"]["email"] is None


def test_create_with_another_accounts_inbox_is_422(admin_api: AccountApi, other_admin_api: AccountApi) -> None:
    globex_contacts = other_admin_api.get("/contacts").json()["payload"]
    globex_inbox = next(link["inbox"]["id"] for c in globex_contacts for link in c["contact_inboxes"])
    email = unique_email("inbox")
    answer = admin_api.post("/contacts", json={"email": email, "inbox_id": globex_inbox})
    assert invalid_fields(answer)["attributes"] == ["inbox_id"]
    assert admin_api.get("/contacts/search", params={"q": email}).json()["payload"] == []


# --- list and search --------------------------------------------------------------------------------


def test_list_pages_of_15_with_meta(admin_api: AccountApi) -> None:
    first = admin_api.get("/contacts", params={"page": 1})
    assert first.status_code == 200, first.text
    page_one = assert_contact_page(first.json(), "page 1")
    meta = first.json()["meta"]
    assert meta["current_page"] == 1
    assert meta["count"] >= 200
    assert len(page_one) == 15

    second = admin_api.get("/contacts", params={"page": 2})
    page_two = assert_contact_page(second.json(), "page 2")
    assert second.json()["meta"]["current_page"] == 2
    assert len(page_two) == 15
    assert not {c["id"] for c in page_one} & {c["id"] for c in page_two}

    last_page = math.ceil(meta["count"] / 15)
    last = admin_api.get("/contacts", params={"page": last_page}).json()
    assert len(last["payload"]) == last["meta"]["count"] - 15 * (last_page - 1)
    beyond = admin_api.get("/contacts", params={"page": last_page + 1}).json()
    assert beyond["payload"] == []
    assert beyond["meta"] == {"count": last["meta"]["count"], "current_page": last_page + 1}


def test_list_is_newest_activity_first_by_default(admin_api: AccountApi) -> None:
    payload = admin_api.get("/contacts").json()["payload"]
    activity = [c["last_activity_at"] for c in payload if "last_activity_at" in c]
    assert activity, "the demo data has recently active contacts"
    assert activity == sorted(activity, reverse=True)
    assert all("last_activity_at" in c for c in payload[: len(activity)]), "contacts without activity come last"


def test_search_matches_name_email_phone_and_identifier(server: RunningServer, admin_api: AccountApi) -> None:
    token = unique_token()
    phone = unique_phone()
    by_name = new_contact(server, name=f"Zebulon {token}")
    by_email = new_contact(server, email=f"searchable-{token}@example.com")
    by_phone = new_contact(server, phone_number=phone)
    by_identifier = new_contact(server, identifier=f"CRM-{token}-ID")
    queries = {
        token.upper(): {by_name["id"], by_email["id"], by_identifier["id"]},
        f"zebulon {token}": {by_name["id"]},
        f"searchable-{token}@example": {by_email["id"]},
        phone: {by_phone["id"]},
        f"crm-{token}-id": {by_identifier["id"]},
    }
    for query, expected in queries.items():
        answer = admin_api.get("/contacts/search", params={"q": query})
        assert answer.status_code == 200, answer.text
        payload = assert_contact_page(answer.json(), f"search {query!r}")
        assert {c["id"] for c in payload} == expected, query
        assert answer.json()["meta"] == {"count": len(expected), "current_page": 1, "has_more": False}


def test_search_stays_in_the_account(server: RunningServer, other_admin_api: AccountApi) -> None:
    token = unique_token()
    new_contact(server, name=f"Acme {token}")
    assert other_admin_api.get("/contacts/search", params={"q": token}).json()["payload"] == []


@pytest.mark.parametrize("params", [{"q": ""}, {"q": "   "}, {}], ids=["empty", "blank", "missing"])
def test_search_without_a_query_is_422(admin_api: AccountApi, params: dict[str, str]) -> None:
    body = error_body(admin_api.get("/contacts/search", params=params), 422)
    assert set(body) == {"error"}


# --- custom attributes and merge --------------------------------------------------------------------


def test_destroy_custom_attributes_removes_only_those_keys(server: RunningServer, admin_api: AccountApi) -> None:
    created = new_contact(server, custom_attributes={"plan": "pro", "vat_id": "GB99", "favourite_colour": "teal"})
    answer = admin_api.post(
        f"/contacts/{created['id']}/destroy_custom_attributes",
        json={"custom_attributes": ["vat_id", "favourite_colour", "never_set"]},
    )
    assert answer.status_code == 200, answer.text
    payload = answer.json()["payload"]
    assert_contact(payload)
    assert payload["custom_attributes"] == {"plan": "pro"}
    assert admin_api.contact(created["id"])["custom_attributes"] == {"plan": "pro"}


def test_merge_moves_the_mergees_history_into_the_base(server: RunningServer, admin_api: AccountApi) -> None:
    base = new_contact(server, name="Base", custom_attributes={"plan": "pro"})
    mergee_phone = unique_phone()
    mergee = new_contact(
        server,
        name="Mergee",
        phone_number=mergee_phone,
        custom_attributes={"plan": "free", "vat_id": "GB42"},
        additional_attributes={"city": "Leeds"},
    )
    give_conversations(server, mergee["id"], 3)
    moved = {c["id"] for c in admin_api.get(f"/contacts/{mergee['id']}/conversations").json()["payload"]}
    assert len(moved) == 3
    assert admin_api.post(f"/contacts/{mergee['id']}/labels", json={"labels": ["vip"]}).status_code == 200
    assert admin_api.post(f"/contacts/{mergee['id']}/notes", json={"content": "Met at the fair"}).status_code == 200

    answer = admin_api.post(
        "/actions/contact_merge", json={"base_contact_id": base["id"], "mergee_contact_id": mergee["id"]}
    )
    assert answer.status_code == 200, answer.text
    merged = answer.json()
    assert_contact(merged, "merged (a bare contact)")
    assert merged["id"] == base["id"]
    assert merged["name"] == "Base"
    assert merged["email"] == base["email"]
    assert merged["phone_number"] == mergee_phone
    assert merged["custom_attributes"] == {"plan": "pro", "vat_id": "GB42"}
    assert merged["additional_attributes"] == {"city": "Leeds"}
    assert merged["contact_inboxes"], "the mergee's inbox links move too"
    assert admin_api.contact(base["id"]) == merged

    conversations = admin_api.get(f"/contacts/{base['id']}/conversations").json()["payload"]
    assert {c["id"] for c in conversations} == moved
    assert all(c["meta"]["sender"]["id"] == base["id"] for c in conversations)
    assert admin_api.get(f"/contacts/{base['id']}/labels").json()["payload"] == ["vip"]
    assert [n["content"] for n in admin_api.get(f"/contacts/{base['id']}/notes").json()] == ["Met at the fair"]
    assert error_body(admin_api.get(f"/contacts/{mergee['id']}"), 404) == NOT_FOUND


def test_merge_with_itself_or_a_missing_contact_is_refused(server: RunningServer, admin_api: AccountApi) -> None:
    base = new_contact(server)
    same = admin_api.post(
        "/actions/contact_merge", json={"base_contact_id": base["id"], "mergee_contact_id": base["id"]}
    )
    assert invalid_fields(same)["attributes"] == ["mergee_contact_id"]
    missing = admin_api.post(
        "/actions/contact_merge", json={"base_contact_id": base["id"], "mergee_contact_id": 987654321}
    )
    assert error_body(missing, 404) == NOT_FOUND
    assert admin_api.contact(base["id"]) == base
