"""`POST /contacts/filter`: Chatwoot's contact filter (issue 12 item 4).

Written from Chatwoot's `Contacts::FilterService`, its `FilterService` and filter helpers,
`lib/filters/filter_keys.yml` and their specs: each condition is `attribute_key`, `filter_operator`,
`values` and the `query_operator` joining it to the next; the conditions are chained as SQL chains
them (AND binds before OR). Equality and `contains` ignore case; `equal_to` compares the first value;
a custom attribute's `not_equal_to` also finds contacts without it; dates compare by day (UTC).
Bad filters answer 422 `{"error": ...}` with Chatwoot's `CustomExceptions::CustomFilter` messages.

The demo seed gives account 1 contact attributes of every type (`account_manager` text, `seats`
number, `mrr` currency, `crm_url` link, `signed_up` date, `plan` list, `newsletter` checkbox) and
account 2 only `plan`. Every test names its contacts with a fresh token and filters on it first,
so contacts of other tests never match.
"""

from __future__ import annotations

import asyncio
import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from server import models
from server.db import create_engine, sessions
from tests.api.account_api import AccountApi
from tests.api.sample_data import unique_phone, unique_token
from tests.api.shapes import assert_contact_page
from tests.support.processes import RunningServer

DAY = 86_400
STANDARD_KEYS = (
    "name,phone_number,email,identifier,country_code,city,company,labels,created_at,last_activity_at,blocked"
)


def condition(key: str, operator: str, values: Any = (), query_operator: str | None = None) -> dict[str, Any]:
    return {
        "attribute_key": key,
        "filter_operator": operator,
        "values": list(values) if isinstance(values, tuple | list) else values,
        "query_operator": query_operator,
    }


def named(token: str, then: str = "AND") -> dict[str, Any]:
    """The condition that keeps a test to its own contacts."""
    return condition("name", "contains", [token], then)


def filtered(api: AccountApi, *conditions: dict[str, Any], **params: Any) -> httpx.Response:
    return api.post("/contacts/filter", json={"payload": list(conditions)}, params=params)


def found(api: AccountApi, *conditions: dict[str, Any], **params: Any) -> list[int]:
    """The ids of the page's contacts, after checking the answer's shape."""
    answer = filtered(api, *conditions, **params)
    assert answer.status_code == 200, answer.text
    payload = assert_contact_page(answer.json(), "filter")
    assert answer.json()["meta"]["count"] >= len(payload)
    return sorted(contact["id"] for contact in payload)


def refused(api: AccountApi, *conditions: dict[str, Any]) -> str:
    answer = filtered(api, *conditions)
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert set(body) == {"error"}, body
    message: str = body["error"]
    return message


def create(server: RunningServer, token: str, name: str = "", **fields: Any) -> int:
    contact = server.create_contact(name=f"{name} {token}".strip(), **fields)
    contact_id: int = contact["id"]
    return contact_id


def set_columns(server: RunningServer, contact_id: int, **values: Any) -> None:
    """Give a contact values the API does not set (times, untyped attributes), straight in its database."""

    async def write() -> None:
        engine = create_engine(server.database_url)
        try:
            async with sessions(engine)() as session:
                await session.execute(update(models.Contact).where(models.Contact.id == contact_id).values(**values))
                await session.commit()
        finally:
            await engine.dispose()

    asyncio.run(write())


def midnight_days_ago(days: int) -> int:
    today = datetime.datetime.now(datetime.UTC).date()
    start = datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time(), datetime.UTC)
    return int(start.timestamp())


# Standard attributes


def test_name_equal_to_ignores_case_and_answers_a_contact_page(server: RunningServer, admin_api: AccountApi) -> None:
    token = unique_token()
    ada = create(server, token, "Ada")
    create(server, token, "Bob")
    answer = filtered(admin_api, condition("name", "equal_to", [f"ADA {token.upper()}"]))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [contact["id"] for contact in assert_contact_page(body, "filter")] == [ada]
    assert body["meta"] == {"count": 1, "current_page": 1, "has_more": False}
    assert body["payload"][0] == admin_api.contact(ada), "the same contact object as everywhere else"


def test_equal_to_compares_the_first_value_only(server: RunningServer, admin_api: AccountApi) -> None:
    token = unique_token()
    ada = create(server, token, "Ada")
    create(server, token, "Bob")
    assert found(admin_api, condition("name", "equal_to", [f"Ada {token}", f"Bob {token}"])) == [ada]


def test_phone_number_matches_with_or_without_its_plus(server: RunningServer, admin_api: AccountApi) -> None:
    token = unique_token()
    phone = unique_phone()
    having = create(server, token, phone_number=phone)
    create(server, token, phone_number=unique_phone())
    assert found(admin_api, condition("phone_number", "equal_to", [phone])) == [having]
    assert found(admin_api, condition("phone_number", "equal_to", [phone[1:]])) == [having]


def test_phone_number_starts_with_is_equal_to_as_in_chatwoot(server: RunningServer, admin_api: AccountApi) -> None:
    """The YAML allows `starts_with` for phone numbers; Chatwoot's query builder then falls back to `= value`."""
    token = unique_token()
    phone = unique_phone()
    having = create(server, token, phone_number=phone)
    assert found(admin_api, condition("phone_number", "starts_with", [phone[1:]])) == [having]
    assert found(admin_api, named(token), condition("phone_number", "starts_with", [phone[:6]])) == []


def test_contains_and_does_not_contain(server: RunningServer, admin_api: AccountApi) -> None:
    token = unique_token()
    ada = create(server, token, "Ada", email=f"ada-{token}@analytical.example")
    bob = create(server, token, "Bob", email=f"bob-{token}@babbage.example")
    no_email = create(server, token, "Cy", email=None)
    assert found(admin_api, named(token), condition("email", "contains", ["ANALYTICAL"])) == [ada]
    assert found(admin_api, named(token), condition("email", "contains", ["analytical", "babbage"])) == [ada, bob]
    assert found(admin_api, named(token), condition("email", "does_not_contain", ["analytical"])) == [bob]
    assert found(admin_api, named(token), condition("email", "does_not_contain", ["analytical", "babbage"])) == []
    # `%` and `_` are wildcards as in Chatwoot's ILIKE; a trailing backslash is a plain character.
    assert found(admin_api, named(token), condition("email", "contains", ["ada_%analytical"])) == [ada]
    assert found(admin_api, named(token), condition("email", "contains", ["analytical\\"])) == []
    assert found(admin_api, named(token), condition("name", "not_equal_to", [f"ada {token}"])) == [bob, no_email]
    # SQL's != leaves out contacts without the value, as Chatwoot's query does.
    assert found(admin_api, named(token), condition("email", "not_equal_to", [f"ada-{token}@analytical.example"])) == [
        bob
    ]


def test_identifier_equal_to(server: RunningServer, admin_api: AccountApi) -> None:
    token = unique_token()
    having = create(server, token, identifier=f"CRM-{token}")
    create(server, token, identifier=f"crm-other-{token}")
    assert found(admin_api, condition("identifier", "equal_to", [f"crm-{token}"])) == [having]


def test_blocked_true_and_false(server: RunningServer, admin_api: AccountApi) -> None:
    token = unique_token()
    blocked = create(server, token, "Blocked", blocked=True)
    free = create(server, token, "Free")
    assert found(admin_api, named(token), condition("blocked", "equal_to", ["true"])) == [blocked]
    assert found(admin_api, named(token), condition("blocked", "equal_to", [True])) == [blocked]
    assert found(admin_api, named(token), condition("blocked", "equal_to", [False])) == [free]
    assert found(admin_api, named(token), condition("blocked", "not_equal_to", ["false"])) == [blocked]


def test_additional_attributes_ignore_case(server: RunningServer, admin_api: AccountApi) -> None:
    token = unique_token()
    greek = create(server, token, additional_attributes={"country_code": "gr", "city": "Athens", "company": "Acme"})
    british = create(server, token, additional_attributes={"country_code": "GB", "city": "London"})
    assert found(admin_api, named(token), condition("country_code", "equal_to", ["GR"])) == [greek]
    assert found(admin_api, named(token), condition("country_code", "equal_to", ["gb"])) == [british]
    assert found(admin_api, named(token), condition("city", "contains", ["thEN"])) == [greek]
    assert found(admin_api, named(token), condition("city", "does_not_contain", ["athens"])) == [british]
    assert found(admin_api, named(token), condition("company", "equal_to", ["acme"])) == [greek]


def test_labels(server: RunningServer, admin_api: AccountApi) -> None:
    token = unique_token()
    support, other = f"support-{token}", f"other-{token}"
    both = create(server, token, "Both")
    only_support = create(server, token, "Support")
    none = create(server, token, "None")
    for contact_id, labels in ((both, [support, other]), (only_support, [support])):
        answer = admin_api.post(f"/contacts/{contact_id}/labels", json={"labels": labels})
        assert answer.status_code == 200, answer.text
    assert found(admin_api, named(token), condition("labels", "equal_to", [support.upper()])) == [both, only_support]
    assert found(admin_api, named(token), condition("labels", "equal_to", [other])) == [both]
    assert found(admin_api, named(token), condition("labels", "not_equal_to", [other])) == [only_support, none]
    assert found(admin_api, named(token), condition("labels", "is_present")) == [both, only_support]
    assert found(admin_api, named(token), condition("labels", "is_not_present", [])) == [none]


def test_created_at_compares_days(server: RunningServer, admin_api: AccountApi) -> None:
    token = unique_token()
    today = datetime.datetime.now(datetime.UTC).date()
    new = create(server, token, "New")
    old = create(server, token, "Old")
    set_columns(server, old, created_at=midnight_days_ago(10) + 3600)
    tomorrow, yesterday = (today + datetime.timedelta(days=1)).isoformat(), (today - datetime.timedelta(days=1))
    assert found(admin_api, named(token), condition("created_at", "is_less_than", [tomorrow])) == [new, old]
    assert found(admin_api, named(token), condition("created_at", "is_greater_than", [yesterday.isoformat()])) == [new]
    assert found(admin_api, named(token), condition("created_at", "is_less_than", [today.isoformat()])) == [old]
    ten_days_ago = (today - datetime.timedelta(days=10)).isoformat()
    assert found(admin_api, named(token), condition("created_at", "is_greater_than", [ten_days_ago])) == [new]
    assert found(admin_api, named(token), condition("created_at", "is_less_than", [ten_days_ago])) == []


def test_last_activity_at_days_before(server: RunningServer, admin_api: AccountApi) -> None:
    """Chatwoot's spec: active 4, 5 and 2 days ago; `days_before 3` finds the first two."""
    token = unique_token()
    four, five, two = (create(server, token, name) for name in ("Four", "Five", "Two"))
    never = create(server, token, "Never")
    for contact_id, days in ((four, 4), (five, 5), (two, 2)):
        set_columns(server, contact_id, last_activity_at=midnight_days_ago(days))
    assert found(admin_api, named(token), condition("last_activity_at", "days_before", [3])) == [four, five]
    assert found(admin_api, named(token), condition("last_activity_at", "days_before", ["2"])) == [four, five]
    assert found(admin_api, named(token), condition("last_activity_at", "days_before", [1])) == [four, five, two]
    assert never not in found(admin_api, named(token), condition("last_activity_at", "days_before", [0]))


# Custom attributes


def test_custom_list_and_text_attributes(server: RunningServer, admin_api: AccountApi) -> None:
    token = unique_token()
    enterprise = create(server, token, custom_attributes={"plan": "enterprise", "account_manager": "Alex Admin"})
    starter = create(server, token, custom_attributes={"plan": "starter", "account_manager": "Sam"})
    none = create(server, token)
    assert found(admin_api, named(token), condition("plan", "equal_to", ["Enterprise"])) == [enterprise]
    assert found(admin_api, named(token), condition("account_manager", "contains", ["admin"])) == [enterprise]
    assert found(admin_api, named(token), condition("account_manager", "does_not_contain", ["admin"])) == [starter]
    # A custom attribute's not_equal_to also finds the contacts without it (Chatwoot's `OR ... IS NULL`).
    assert found(admin_api, named(token), condition("plan", "not_equal_to", ["enterprise"])) == [starter, none]
    assert found(admin_api, named(token), condition("plan", "is_present")) == [enterprise, starter]
    assert found(admin_api, named(token), condition("plan", "is_not_present")) == [none]


def test_custom_number_attributes_compare_as_numbers(server: RunningServer, admin_api: AccountApi) -> None:
    token = unique_token()
    nine = create(server, token, custom_attributes={"seats": 9, "mrr": 99.5})
    hundred = create(server, token, custom_attributes={"seats": 100, "mrr": 1000})
    none = create(server, token)
    assert found(admin_api, named(token), condition("seats", "is_greater_than", ["10"])) == [hundred]
    assert found(admin_api, named(token), condition("seats", "is_less_than", [10])) == [nine]
    assert found(admin_api, named(token), condition("seats", "equal_to", [100])) == [hundred]
    assert found(admin_api, named(token), condition("seats", "not_equal_to", ["100"])) == [nine, none]
    assert found(admin_api, named(token), condition("mrr", "is_greater_than", ["99.25"])) == [nine, hundred]
    assert found(admin_api, named(token), condition("mrr", "is_less_than", [99.75])) == [nine]


def test_a_number_stored_as_text_compares_as_a_number(server: RunningServer, admin_api: AccountApi) -> None:
    """Chatwoot's spec stores `lifetime_value: '120.50'` and finds it with `is_greater_than 100.25`."""
    token = unique_token()
    text_number = create(server, token)
    words = create(server, token)
    set_columns(server, text_number, custom_attributes={"seats": "120.50"})
    set_columns(server, words, custom_attributes={"seats": "many"})
    assert found(admin_api, named(token), condition("seats", "is_greater_than", ["100.25"])) == [text_number]
    assert found(admin_api, named(token), condition("seats", "is_less_than", ["1000"])) == [text_number]


def test_custom_date_attributes_compare_days(server: RunningServer, admin_api: AccountApi) -> None:
    token = unique_token()
    january = create(server, token, custom_attributes={"signed_up": "2022-01-19"})
    june = create(server, token, custom_attributes={"signed_up": "2022-06-01"})
    none = create(server, token)
    assert found(admin_api, named(token), condition("signed_up", "is_less_than", ["2022-01-20"])) == [january]
    assert found(admin_api, named(token), condition("signed_up", "is_less_than", ["2022-01-19"])) == []
    assert found(admin_api, named(token), condition("signed_up", "is_greater_than", ["2022-01-19"])) == [june]
    assert found(admin_api, named(token), condition("signed_up", "equal_to", ["2022-06-01"])) == [june]
    assert found(admin_api, named(token), condition("signed_up", "not_equal_to", ["2022-06-01"])) == [january, none]
    assert found(admin_api, named(token), condition("signed_up", "days_before", [30])) == [january, june]


def test_custom_checkbox_and_link_attributes(server: RunningServer, admin_api: AccountApi) -> None:
    token = unique_token()
    subscribed = create(server, token, custom_attributes={"newsletter": True, "crm_url": "https://crm.example.com/1"})
    unsubscribed = create(server, token, custom_attributes={"newsletter": False})
    assert found(admin_api, named(token), condition("newsletter", "equal_to", [True])) == [subscribed]
    assert found(admin_api, named(token), condition("newsletter", "equal_to", ["false"])) == [unsubscribed]
    assert found(admin_api, named(token), condition("crm_url", "contains", ["crm.example"])) == [subscribed]


def test_custom_and_standard_attributes_together(server: RunningServer, admin_api: AccountApi) -> None:
    """Chatwoot's spec: a list attribute, a label and a date attribute, all AND."""
    token = unique_token()
    label = f"support-{token}"
    wanted = create(server, token, custom_attributes={"plan": "pro", "signed_up": "2022-01-19"})
    unlabelled = create(server, token, custom_attributes={"plan": "pro", "signed_up": "2022-01-19"})
    create(server, token, custom_attributes={"plan": "starter", "signed_up": "2022-01-19"})
    assert unlabelled
    for contact_id in (wanted,):
        assert admin_api.post(f"/contacts/{contact_id}/labels", json={"labels": [label]}).status_code == 200
    assert found(
        admin_api,
        named(token),
        condition("plan", "equal_to", ["pro"], "AND"),
        condition("labels", "equal_to", [label], "AND"),
        condition("signed_up", "is_less_than", ["2022-01-20"]),
    ) == [wanted]


# Chaining


def test_and_binds_before_or_as_in_sql(server: RunningServer, admin_api: AccountApi) -> None:
    """`A OR B AND C` is `A OR (B AND C)`: Chatwoot joins the conditions into one SQL string."""
    token = unique_token()
    ada = create(server, token, "Ada")
    blocked = create(server, token, "Blocked", blocked=True)
    create(server, token, "Free")
    assert found(
        admin_api,
        condition("name", "equal_to", [f"ada {token}"], "OR"),
        named(token),
        condition("blocked", "equal_to", [True]),
    ) == [ada, blocked]
    assert found(
        admin_api,
        named(token),
        condition("blocked", "equal_to", [True], "or"),
        condition("name", "equal_to", [f"ada {token}"]),
    ) == [ada, blocked]


def test_the_last_query_operator_is_ignored(server: RunningServer, admin_api: AccountApi) -> None:
    token = unique_token()
    ada = create(server, token, "Ada")
    assert found(admin_api, named(token), condition("name", "equal_to", [f"Ada {token}"], "AND")) == [ada]


# Paging and sorting


def test_pages_of_fifteen_with_the_count(server: RunningServer, admin_api: AccountApi) -> None:
    token = unique_token()
    names = [f"{letter} {token}" for letter in "QBMAZKDRHXCJPEWYN"]  # 17
    for name in names:
        server.create_contact(name=name)
    first = filtered(admin_api, named(token), sort="name")
    assert first.status_code == 200, first.text
    assert [contact["name"] for contact in first.json()["payload"]] == sorted(names)[:15]
    assert first.json()["meta"] == {"count": 17, "current_page": 1, "has_more": True}
    second = filtered(admin_api, named(token), sort="name", page=2)
    assert [contact["name"] for contact in second.json()["payload"]] == sorted(names)[15:]
    assert second.json()["meta"] == {"count": 17, "current_page": 2, "has_more": False}
    beyond = filtered(admin_api, named(token), page=3)
    assert beyond.json() == {"meta": {"count": 17, "current_page": 3, "has_more": False}, "payload": []}


def test_labels_come_only_when_asked(server: RunningServer, admin_api: AccountApi) -> None:
    token = unique_token()
    contact_id = create(server, token)
    assert admin_api.post(f"/contacts/{contact_id}/labels", json={"labels": ["zeta", "alpha"]}).status_code == 200
    plain = filtered(admin_api, named(token))
    assert "labels" not in plain.json()["payload"][0]
    with_labels = filtered(admin_api, named(token), include_labels="true")
    assert with_labels.json()["payload"][0]["labels"] == ["alpha", "zeta"]


# Accounts


def test_only_the_callers_account(server: RunningServer, admin_api: AccountApi, other_admin_api: AccountApi) -> None:
    token = unique_token()
    create(server, token, custom_attributes={"plan": "enterprise"})
    assert found(other_admin_api, named(token, "OR"), condition("plan", "is_present")) != []
    assert all(
        other_admin_api.contact(contact_id)
        for contact_id in found(other_admin_api, named(token, "OR"), condition("plan", "is_present"))
    ), "every contact found is account 2's own"
    assert found(other_admin_api, named(token)) == []
    theirs = other_admin_api.post("/contacts", json={"name": f"Theirs {token}", "custom_attributes": {"plan": "pro"}})
    assert theirs.status_code == 200, theirs.text
    theirs_id = theirs.json()["payload"]["contact"]["id"]
    assert found(other_admin_api, named(token)) == [theirs_id]
    assert theirs_id not in found(admin_api, named(token))
    # Account 2 has no `seats` attribute: account 1's definition does not count there.
    assert refused(other_admin_api, condition("seats", "equal_to", [1])).startswith("Invalid attribute key - [seats].")


def test_another_accounts_filter_is_refused(admin_api: AccountApi, http: httpx.Client, server: RunningServer) -> None:
    answer = AccountApi.of(http, server, "admin", account_id=server.other_admin.account_id).post(
        "/contacts/filter", json={"payload": [condition("name", "contains", ["a"])]}
    )
    assert answer.status_code == 401
    assert answer.json() == {"error": "You are not authorized to access this account"}


def test_an_agent_filters_too(server: RunningServer, agent_api: AccountApi) -> None:
    token = unique_token()
    having = create(server, token)
    assert found(agent_api, named(token)) == [having]


def test_plain_mode_filters(plain_api_server: RunningServer, http: httpx.Client) -> None:
    api = AccountApi.of(http, plain_api_server, "admin")
    token = unique_token()
    having = create(plain_api_server, token)
    assert found(api, named(token), include_labels="true") == [having]
    answer = filtered(api, named(token), include_labels="true").json()
    assert "labels" not in answer["payload"][0]
    assert answer["meta"] == {"count": 1, "current_page": 1}  # Chatwoot's: no has_more, never count_capped


# Bad filters


def test_an_unknown_attribute(admin_api: AccountApi) -> None:
    assert refused(admin_api, condition("shoe_size", "equal_to", ["42"])) == (
        f"Invalid attribute key - [shoe_size]. The key should be one of [{STANDARD_KEYS}] "
        "or a custom attribute defined in the account."
    )


def test_a_conversation_attribute_is_not_a_contact_attribute(admin_api: AccountApi) -> None:
    assert refused(admin_api, condition("issue_type", "equal_to", ["billing"])).startswith(
        "Invalid attribute key - [issue_type]."
    )


@pytest.mark.parametrize(
    ("key", "operator", "allowed"),
    [
        ("name", "is_present", "equal_to,not_equal_to,contains,does_not_contain"),
        ("identifier", "contains", "equal_to,not_equal_to"),
        ("created_at", "equal_to", "is_greater_than,is_less_than,days_before"),
        ("blocked", "contains", "equal_to,not_equal_to"),
        ("labels", "contains", "equal_to,not_equal_to,is_present,is_not_present"),
        ("name", "matches", "equal_to,not_equal_to,contains,does_not_contain"),
    ],
)
def test_an_operator_the_attribute_does_not_allow(admin_api: AccountApi, key: str, operator: str, allowed: str) -> None:
    assert refused(admin_api, condition(key, operator, ["x"])) == (
        f"Invalid operator. The allowed operators for {key} are [{allowed}]."
    )


def test_an_operator_a_custom_attribute_type_does_not_allow(admin_api: AccountApi) -> None:
    assert refused(admin_api, condition("seats", "contains", ["1"])).startswith(
        "Invalid operator. The allowed operators for seats are ["
    )
    assert refused(admin_api, condition("plan", "is_greater_than", ["1"])).startswith(
        "Invalid operator. The allowed operators for plan are ["
    )


@pytest.mark.parametrize("query_operator", ["XOR", "and not", "1=1"])
def test_a_query_operator_other_than_and_or(admin_api: AccountApi, query_operator: str) -> None:
    message = refused(
        admin_api, condition("name", "equal_to", ["a"], query_operator), condition("name", "equal_to", ["b"])
    )
    assert message == 'Query operator must be either "AND" or "OR".'


def test_a_missing_query_operator_between_conditions(admin_api: AccountApi) -> None:
    message = refused(admin_api, condition("name", "equal_to", ["a"]), condition("name", "equal_to", ["b"]))
    assert message == 'Query operator must be either "AND" or "OR".'


@pytest.mark.parametrize(
    ("key", "operator", "values"),
    [
        ("name", "equal_to", []),
        ("name", "contains", None),
        ("name", "equal_to", [5]),
        ("labels", "equal_to", [{"a": 1}]),
        ("email", "contains", ["a\x00b"]),
        ("seats", "is_greater_than", ["many"]),
        ("seats", "equal_to", [True]),
        ("mrr", "is_less_than", ["NaN"]),
        ("created_at", "is_less_than", ["yesterday"]),
        ("created_at", "is_greater_than", ["2024-02-30"]),
        ("last_activity_at", "is_greater_than", ["2024-01-01'::date OR (SELECT pg_sleep(5)) IS NOT NULL --"]),
        ("signed_up", "is_less_than", ["2024-01-01'::date OR (SELECT pg_sleep(5)) IS NOT NULL --"]),
        ("signed_up", "equal_to", ["soon"]),
        ("last_activity_at", "days_before", ["three"]),
        ("last_activity_at", "days_before", [10**9]),
        ("blocked", "equal_to", ["maybe"]),
        ("newsletter", "equal_to", [1]),
    ],
)
def test_a_bad_value(admin_api: AccountApi, key: str, operator: str, values: Any) -> None:
    assert refused(admin_api, condition(key, operator, values)) == (
        f"Invalid value. The values provided for {key} are invalid"
    )


@pytest.mark.parametrize("body", [{}, {"payload": []}, {"payload": "name"}, {"payload": [1]}])
def test_a_body_without_conditions(admin_api: AccountApi, body: dict[str, Any]) -> None:
    answer = admin_api.post("/contacts/filter", json=body)
    assert answer.status_code == 422, answer.text
