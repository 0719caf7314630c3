"""Search served by indexes (issue 13): the same contacts as a scan of every contact finds, best matches first,
kept in step with writes, on SQLite and PostgreSQL.

The demo data is read whole through the list, and every search's answer is compared with a scan of it in Python
(the definition in server/search.py: three or more characters anywhere in a lower-cased name, email, phone,
identifier or company name; fewer at the start of a value or of a word in it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.api.account_api import AccountApi
from tests.api.sample_data import unique_token
from tests.support.in_process import InProcessServer, fresh_server
from tests.support.processes import RunningServer


def _every_contact(api: AccountApi) -> list[dict[str, Any]]:
    contacts: list[dict[str, Any]] = []
    page = 1
    while True:
        answer = api.get("/contacts", params={"page": page, "include_contact_inboxes": "false"})
        assert answer.status_code == 200, answer.text
        payload = answer.json()["payload"]
        contacts += payload
        if len(payload) < 15:
            return contacts
        page += 1


def _searched(api: AccountApi, query: str, **params: Any) -> tuple[list[int], dict[str, Any]]:
    ids: list[int] = []
    page = 1
    while True:
        answer = api.get("/contacts/search", params={"q": query, "page": page, **params})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        ids += [contact["id"] for contact in body["payload"]]
        if not body["meta"]["has_more"]:
            return ids, body["meta"]
        page += 1


def _ascii_lower(value: str) -> str:
    return "".join(char.lower() if char.isascii() else char for char in value)


def _scan(contacts: list[dict[str, Any]], query: str) -> set[int]:
    text = query.strip().lower()
    found = set()
    for contact in contacts:
        company = contact["additional_attributes"].get("company_name")
        fields = [contact["name"], contact["email"], contact["phone_number"], contact["identifier"], company]
        values = [_ascii_lower(value) for value in fields if isinstance(value, str)]
        if len(text) < 3:
            hit = any(value.startswith(text) or f" {text}" in value for value in values)
        else:
            hit = any(text in value for value in values)
        if hit:
            found.add(contact["id"])
    return found


def _queries(contacts: list[dict[str, Any]]) -> list[str]:
    """Pieces of the demo data: word starts, substrings, whole emails, company names, some misses."""
    queries = {"a", "Jo", "zz", "smith", "SMITH", "example.com", "+44", "acme", "no such contact anywhere"}
    for contact in contacts[::7]:
        name = contact["name"] or ""
        queries.update({name[:2], name[1:5], name.upper()})
        if contact["email"]:
            queries.update({contact["email"], contact["email"][2:8]})
        if contact["phone_number"]:
            queries.add(contact["phone_number"][3:9])
        company = contact["additional_attributes"].get("company_name")
        if isinstance(company, str):
            queries.add(company[:6])
    return sorted(query for query in queries if query.strip() and query.isascii())


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def demo_only(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server of this module's own holding the demo data and nothing else: the shared one also holds every
    contact the other tests made, so what the scan covers (and its cost, a search per few contacts) would grow
    with the suite and depend on the order it runs in."""
    directory = tmp_path_factory.mktemp("demo-only")
    with fresh_server(InProcessServer, directory, request.param) as running:
        yield running


def test_search_finds_what_a_scan_of_the_demo_data_finds(demo_only: RunningServer, http: httpx.Client) -> None:
    admin_api = AccountApi.of(http, demo_only, "admin")
    contacts = _every_contact(admin_api)
    for query in _queries(contacts):
        ids, meta = _searched(admin_api, query)
        assert set(ids) == _scan(contacts, query), query
        assert len(ids) == len(set(ids)), query
        assert meta["count"] == len(ids) or meta.get("count_capped"), query


def test_an_equal_email_comes_first_then_names_starting_with_the_query(
    server: RunningServer, admin_api: AccountApi
) -> None:
    word = f"rank{unique_token()}"[:14].lower()
    inside = server.create_contact(name=f"Someone {word}son")  # a word starting with it: a name start
    starts = server.create_contact(name=f"{word.capitalize()} Smith")
    elsewhere = server.create_contact(name="Nobody", email=f"x{word}@example.com")  # only inside an email
    exact = server.create_contact(name="Exact", email=f"{word}@example.com")
    ids, _ = _searched(admin_api, f"{word}@example.com")
    assert ids == [exact["id"], elsewhere["id"]]
    ids, _ = _searched(admin_api, word, sort="-created_at")
    assert ids == [starts["id"], inside["id"], exact["id"], elsewhere["id"]]


def test_the_index_follows_creates_updates_and_deletes(server: RunningServer, admin_api: AccountApi) -> None:
    word = f"follow{unique_token()}"
    contact = server.create_contact(name=f"Before {word}", additional_attributes={"company_name": f"Co {word}"})
    assert _searched(admin_api, f"before {word}")[0] == [contact["id"]]
    assert admin_api.put(f"/contacts/{contact['id']}", json={"name": "After"}).status_code == 200
    assert _searched(admin_api, f"before {word}")[0] == []
    assert _searched(admin_api, f"co {word}")[0] == [contact["id"]]  # the company still matches
    assert admin_api.delete(f"/contacts/{contact['id']}").status_code == 200
    assert _searched(admin_api, word)[0] == []


def test_another_accounts_contacts_are_never_found(
    server: RunningServer, admin_api: AccountApi, other_admin_api: AccountApi
) -> None:
    word = f"mine{unique_token()}"
    server.create_contact(name=word)
    assert _searched(other_admin_api, word) == ([], {"count": 0, "current_page": 1, "has_more": False})


@pytest.mark.parametrize("query", ["%", "a_b", "100%", '"quoted"', "back\\slash", "ünïcödé"])
def test_odd_queries_are_answered(admin_api: AccountApi, query: str) -> None:
    answer = admin_api.get("/contacts/search", params={"q": query})
    assert answer.status_code == 200, answer.text


def test_small_counts_are_exact_and_not_flagged(admin_api: AccountApi) -> None:
    meta = admin_api.get("/contacts", params={"page": 2}).json()["meta"]
    assert "count_capped" not in meta and meta["count"] > 15
