"""`POST /contacts/filter` answers what a plain Python reading of the same conditions over the same contacts says.

Searched with Hypothesis on SQLite and PostgreSQL, through the server's own app in this process (the route's
plan is the thing under test: which index-served candidates it visits, whether it walks the page's order, how
it counts). Each example writes a fresh account's contacts straight into the database, so the triggers of
migration 0006 fill `contact_attribute_values` as any writer would, then asks for the filter three ways:
as configured, with every candidate too big to visit (the matches counted first), and with a count cap of 3
(so the page walks the order and the count stops at the cap).

The values are those both databases read alike: ASCII text (SQLite lower-cases ASCII only), numbers as JSON
numbers or plain decimal text, days as YYYY-MM-DD; condition values hold no LIKE wildcards.
"""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from api.demo import ADMIN
from api.settings import Settings
from server import models, search
from server.app import create_app
from server.db import create_engine, sessions
from server.routes import contact_filter as route
from tests.support.databases import create_postgres_database, drop_postgres_database

DAY = 86_400
NOW = int(datetime.datetime.now(datetime.UTC).timestamp())
DEFINITIONS = {
    "plan": "list",
    "account_manager": "text",
    "seats": "number",
    "mrr": "currency",
    "signed_up": "date",
    "newsletter": "checkbox",
}
LONG = "x" * 120  # past contact_attribute_values' 100-character prefix
STORED_TEXT = ["pro", "Pro", "PRO", " pro", "free", "", "a_b%", LONG, LONG[:-1] + "y", 7]
STORED_NUMBER = [1, 7, 7.5, 200, -3, "7", " 8 ", "7.5", "abc", "", True]
STORED_DAY = ["2024-01-05", "2024-01-06T10:00:00Z", "2023-12-31", "soon", 20240105]
STORED_CHECKBOX = [True, False, "true", "yes"]
MISSING = object()
TEXT_VALUES = ["pro", "PRO", " pro", "free", "x", LONG, "ab", "ada", "US", "berlin", "ID-1"]
NUMBER_VALUES = [7, 8, "7", 7.5, 0, "-3"]
DAY_VALUES = ["2024-01-05", "2024-01-06", "2023-12-31", "2024-01-05T12:00:00"]
DAYS_BEFORE = [0, 1, 800, 1000]
TEXT_OPERATORS = ["equal_to", "not_equal_to", "contains", "does_not_contain"]
PRESENCE = ["is_present", "is_not_present"]


@dataclass(kw_only=True)
class App:
    """The server's app in this process, on one database, with the demo administrator's token."""

    loop: asyncio.AbstractEventLoop
    client: httpx.AsyncClient
    url: str
    headers: dict[str, str]
    account_id: int

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    tmp: Path = tmp_path_factory.mktemp("filter-properties")
    url = f"sqlite+aiosqlite:///{tmp / 'contacts.db'}" if request.param == "sqlite" else create_postgres_database()
    server = create_app(Settings(database_url=url, demo_data=True, analytics_sink="", redis_url=None))
    loop = asyncio.new_event_loop()
    lifespan = server.router.lifespan_context(server)
    loop.run_until_complete(lifespan.__aenter__())
    account_id = loop.run_until_complete(_create_account(url))
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=server), base_url="http://filter.test")
    try:
        email, password = ADMIN
        answer = loop.run_until_complete(client.post("/auth/sign_in", json={"email": email, "password": password}))
        answer.raise_for_status()
        token = answer.json()["data"]["access_token"]
        yield App(loop=loop, client=client, url=url, headers={"api_access_token": token}, account_id=account_id)
    finally:
        loop.run_until_complete(client.aclose())
        loop.run_until_complete(lifespan.__aexit__(None, None, None))
        loop.close()
        if request.param == "postgres":
            drop_postgres_database(url)


# The data


@st.composite
def contacts(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Up to 12 contacts (one page holds them all), each with a few of the filter's attributes."""
    rows = []
    for index in range(draw(st.integers(min_value=0, max_value=12))):

        def some(values: list[Any]) -> Any:
            return draw(st.sampled_from([MISSING, None, *values]))

        custom = {
            "plan": some(STORED_TEXT),
            "account_manager": some(STORED_TEXT),
            "seats": some(STORED_NUMBER),
            "mrr": some(STORED_NUMBER),
            "signed_up": some(STORED_DAY),
            "newsletter": some(STORED_CHECKBOX),
        }
        additional = {"country_code": some(["US", "us", "DE", True]), "city": some(["Berlin", "berlin", "Rome"])}
        rows.append(
            {
                "name": draw(st.sampled_from(["Ada", "ada", "ADA B", "Bob", "x"])),
                "email": draw(st.sampled_from([None, f"c{index}@Ex.test"])),
                "phone_number": draw(st.sampled_from([None, f"+4930{index:07d}"])),
                "identifier": draw(st.sampled_from([None, f"Id-{index}", f"ID-{index}x"])),
                "blocked": draw(st.booleans()),
                "custom_attributes": {key: value for key, value in custom.items() if value is not MISSING},
                "additional_attributes": {key: value for key, value in additional.items() if value is not MISSING},
                "last_activity_at": draw(st.sampled_from([None, NOW - 5 * DAY, NOW - 900 * DAY, NOW - DAY // 2])),
                "created_at": draw(st.sampled_from([NOW - 3 * DAY, NOW - 1000 * DAY])),
                "labels": draw(st.sets(st.sampled_from(["vip", "lead"]))),
            }
        )
    return rows


def _condition(key: str, operator: st.SearchStrategy[str], values: st.SearchStrategy[Any]) -> Any:
    return st.fixed_dictionaries(
        {"attribute_key": st.just(key), "filter_operator": operator, "values": st.lists(values, min_size=1, max_size=2)}
    )


def _custom_condition(key: str) -> Any:
    kind = DEFINITIONS[key]
    if kind in ("text", "list"):
        return _condition(key, st.sampled_from([*TEXT_OPERATORS, *PRESENCE]), st.sampled_from(TEXT_VALUES))
    if kind in ("number", "currency"):
        operators = ["equal_to", "not_equal_to", "is_greater_than", "is_less_than", *PRESENCE]
        return _condition(key, st.sampled_from(operators), st.sampled_from(NUMBER_VALUES))
    if kind == "date":
        dates = _condition(
            key,
            st.sampled_from(["equal_to", "not_equal_to", "is_greater_than", "is_less_than", *PRESENCE]),
            st.sampled_from(DAY_VALUES),
        )
        return dates | _condition(key, st.just("days_before"), st.sampled_from(DAYS_BEFORE))
    return _condition(key, st.sampled_from(["equal_to", "not_equal_to", *PRESENCE]), st.booleans())


CONDITIONS = st.one_of(
    _condition("name", st.sampled_from(TEXT_OPERATORS), st.sampled_from(["ada", "Ada", "ADA B", "b", "zed"])),
    _condition("email", st.sampled_from(TEXT_OPERATORS), st.sampled_from(["c1@ex.test", "C2@EX.TEST", "ex.test"])),
    _condition("phone_number", st.sampled_from(["equal_to", "starts_with"]), st.sampled_from(["+49300000001"])),
    _condition("identifier", st.sampled_from(["equal_to", "not_equal_to"]), st.sampled_from(["id-1", "ID-2x"])),
    _condition("country_code", st.sampled_from(["equal_to", "not_equal_to"]), st.sampled_from(["us", "DE", "true"])),
    _condition("city", st.sampled_from(TEXT_OPERATORS), st.sampled_from(["berlin", "ROME", "er"])),
    _condition("labels", st.sampled_from(["equal_to", "not_equal_to", *PRESENCE]), st.sampled_from(["vip", "LEAD"])),
    _condition("blocked", st.sampled_from(["equal_to", "not_equal_to"]), st.booleans()),
    _condition("last_activity_at", st.sampled_from(["is_greater_than", "is_less_than"]), st.sampled_from(DAY_VALUES)),
    _condition("last_activity_at", st.just("days_before"), st.sampled_from([1, 10, 1000])),
    _condition("created_at", st.just("days_before"), st.sampled_from([1, 10, 2000])),
    *(_custom_condition(key) for key in DEFINITIONS),
)


@st.composite
def payloads(draw: st.DrawFn) -> list[dict[str, Any]]:
    conditions = draw(st.lists(CONDITIONS, min_size=1, max_size=3))
    joiners = [draw(st.sampled_from(["AND", "OR"])) for _ in conditions[:-1]]
    return [
        {**condition, "query_operator": joiner} for condition, joiner in zip(conditions, [*joiners, None], strict=True)
    ]


# The plain Python reading


def _text_reading(value: Any) -> str | None:
    """`->>`: a string as it is, true/false, a number's digits; None when missing or null."""
    if value is None or value is MISSING:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _number_reading(value: Any) -> float | None:
    if isinstance(value, bool) or value is None or value is MISSING:
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(value.strip()) if value.strip() else None
    except ValueError:
        return None


def _day_reading(value: Any) -> str | None:
    text = _text_reading(value)
    if text is None or len(text) < 10:
        return None
    try:
        datetime.date.fromisoformat(text[:10])
    except ValueError:
        return None
    return text[:10]


def _bounds(value: str) -> tuple[datetime.date, datetime.date]:
    """The days after and before which a date or a datetime lies (as the filter compares them, UTC)."""
    moment = datetime.datetime.fromisoformat(value)
    day = moment.date()
    return day, day if moment.time() == datetime.time() else day + datetime.timedelta(days=1)


def _today() -> datetime.date:
    return datetime.datetime.now(datetime.UTC).date()


def _midnight(day: datetime.date) -> int:
    return int(datetime.datetime.combine(day, datetime.time(), datetime.UTC).timestamp())


def _text_matches(reading: str | None, operator: str, values: list[Any], *, keep_missing: bool) -> bool:
    if reading is None:
        return (keep_missing and operator == "not_equal_to") or operator == "is_not_present"
    lowered = reading.lower()
    if operator == "is_present":
        return True
    if operator == "is_not_present":
        return False
    if operator == "equal_to":
        return lowered == str(values[0]).lower()
    if operator == "not_equal_to":
        return lowered != str(values[0]).lower()
    found = [str(value).strip().lower() in lowered for value in values]
    return any(found) if operator == "contains" else not any(found)


def _ordered(reading: Any, operator: str, wanted: Any, *, keep_missing: bool) -> bool:
    if operator == "is_present":
        return reading is not None
    if operator == "is_not_present":
        return reading is None
    if reading is None:
        return keep_missing and operator == "not_equal_to"
    return {
        "equal_to": reading == wanted,
        "not_equal_to": reading != wanted,
        "is_greater_than": reading > wanted,
        "is_less_than": reading < wanted,
    }[operator]


def _matches(contact: dict[str, Any], condition: dict[str, Any]) -> bool:
    key, operator, values = condition["attribute_key"], condition["filter_operator"], condition["values"]
    if key in ("name", "email", "phone_number", "identifier"):
        wanted = list(values)
        if key == "phone_number":
            operator, wanted = "equal_to", [f"+{str(values[0]).replace('+', '')}"]
        return _text_matches(contact[key], operator, wanted, keep_missing=False)
    if key in ("country_code", "city"):
        reading = _text_reading(contact["additional_attributes"].get(key))
        return _text_matches(reading, operator, values, keep_missing=False)
    if key == "labels":
        if operator in ("is_present", "is_not_present"):
            return bool(contact["labels"]) == (operator == "is_present")
        return (str(values[0]).lower() in contact["labels"]) == (operator == "equal_to")
    if key == "blocked":
        return (contact["blocked"] == values[0]) == (operator == "equal_to")
    if key in ("created_at", "last_activity_at"):
        moment = contact[key]
        if moment is None:
            return False
        if operator == "days_before":
            return bool(moment < _midnight(_today() - datetime.timedelta(days=values[0])))
        after, before = _bounds(values[0])
        if operator == "is_greater_than":
            return bool(moment >= _midnight(after) + DAY)
        return bool(moment < _midnight(before))
    stored = contact["custom_attributes"].get(key)
    kind = DEFINITIONS[key]
    if kind in ("number", "currency"):
        return _ordered(_number_reading(stored), operator, float(values[0]), keep_missing=True)
    if kind == "date":
        day = _day_reading(stored)
        if operator == "days_before":
            return day is not None and day < (_today() - datetime.timedelta(days=values[0])).isoformat()
        if operator in PRESENCE:
            return _ordered(day, operator, None, keep_missing=True)
        after, before = _bounds(values[0])
        bound = before.isoformat() if operator == "is_less_than" else after.isoformat()
        return _ordered(day, operator, bound, keep_missing=True)
    if kind == "checkbox":
        checked = ["true" if values[0] else "false"]
        return _text_matches(_text_reading(stored), operator, checked, keep_missing=True)
    return _text_matches(_text_reading(stored), operator, values, keep_missing=True)


def expected(rows: list[dict[str, Any]], payload: list[dict[str, Any]]) -> set[int]:
    """The indexes of the rows matching the payload: AND binds before OR."""
    groups: list[list[dict[str, Any]]] = [[]]
    for condition in payload:
        groups[-1].append(condition)
        if condition["query_operator"] == "OR":
            groups.append([])
    return {
        index
        for index, row in enumerate(rows)
        if any(all(_matches(row, condition) for condition in group) for group in groups)
    }


# Writing an example


async def _create_account(url: str) -> int:
    """The examples' account, the demo administrator a member (before the server first caches the agent)."""
    engine = create_engine(url)
    try:
        async with sessions(engine)() as session, session.begin():
            account = models.Account(name="filter properties")
            session.add(account)
            await session.flush()
            admin = await session.scalar(select(models.Agent.id).where(models.Agent.email == ADMIN[0]))
            session.add(models.AccountAgent(account_id=account.id, agent_id=admin, role="administrator"))
            for key, display_type in DEFINITIONS.items():
                session.add(
                    models.CustomAttributeDefinition(
                        account_id=account.id,
                        attribute_key=key,
                        attribute_display_name=key,
                        attribute_display_type=display_type,
                    )
                )
            return account.id
    finally:
        await engine.dispose()


async def _replace_contacts(url: str, account_id: int, rows: list[dict[str, Any]]) -> list[int]:
    """The account's contacts replaced by `rows` (deleted and inserted: the triggers see both); their ids."""
    engine = create_engine(url)
    try:
        async with sessions(engine)() as session, session.begin():
            await session.execute(delete(models.Contact).where(models.Contact.account_id == account_id))
            contacts = [
                models.Contact(
                    account_id=account_id,
                    **{key: value for key, value in row.items() if key != "labels"},
                    updated_at=row["created_at"],
                )
                for row in rows
            ]
            session.add_all(contacts)
            await session.flush()
            for contact, row in zip(contacts, rows, strict=True):
                session.add_all(models.ContactLabel(contact_id=contact.id, title=title) for title in row["labels"])
            return [contact.id for contact in contacts]
    finally:
        await engine.dispose()


@contextmanager
def limits(*, drive: int, count: int, page: int) -> Iterator[None]:
    """The route's limits and page size for a few requests (the app runs in this process)."""
    saved = route.DRIVE_LIMIT, route.COUNT_LIMIT, route.PAGE_SIZE
    route.DRIVE_LIMIT, route.COUNT_LIMIT, route.PAGE_SIZE = drive, count, page
    try:
        yield
    finally:
        route.DRIVE_LIMIT, route.COUNT_LIMIT, route.PAGE_SIZE = saved


# name -> the route's DRIVE_LIMIT, COUNT_LIMIT and PAGE_SIZE
PLANS = {
    "as configured": (route.DRIVE_LIMIT, route.COUNT_LIMIT, route.PAGE_SIZE),
    "every candidate too big: counted first": (0, route.COUNT_LIMIT, route.PAGE_SIZE),
    "many matches: walked": (0, 3, route.PAGE_SIZE),
    "pages of 2, counts capped at 3": (route.DRIVE_LIMIT, 3, 2),
}


def expected_meta(total: int, page: int, size: int, limit: int) -> dict[str, Any]:
    """The list's and search's counting rule: exact on the last page or within the limit, else a lower bound."""
    offset = (page - 1) * size
    shown = max(0, min(size, total - offset))
    has_more = total > offset + size
    if (not has_more and (shown or page == 1)) or total <= limit:
        return {"count": total, "current_page": page, "has_more": has_more}
    lower_bound = max(limit, offset + shown + has_more)
    return {"count": lower_bound, "current_page": page, "has_more": has_more, "count_capped": True}


def _row(**fields: Any) -> dict[str, Any]:
    """A contact of the explicit examples: only what they vary, the rest plain."""
    return {
        "name": "Ada",
        "email": None,
        "phone_number": None,
        "identifier": None,
        "blocked": False,
        "custom_attributes": {},
        "additional_attributes": {},
        "last_activity_at": NOW - 5 * DAY,
        "created_at": NOW - 3 * DAY,
        "labels": set(),
        **fields,
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rows=contacts(), payload=payloads())
@example(  # equal beyond the indexed prefix, then different
    rows=[_row(custom_attributes={"plan": LONG}), _row(custom_attributes={"plan": LONG[:-1] + "y"})],
    payload=[{"attribute_key": "plan", "filter_operator": "equal_to", "values": [LONG], "query_operator": None}],
)
@example(  # two OR groups, each served by its own index
    rows=[_row(custom_attributes={"seats": 7}), _row(email="c1@ex.test", labels={"vip"}), _row()],
    payload=[
        {"attribute_key": "seats", "filter_operator": "equal_to", "values": [7], "query_operator": "OR"},
        {"attribute_key": "email", "filter_operator": "equal_to", "values": ["C1@EX.test"], "query_operator": "OR"},
        {"attribute_key": "labels", "filter_operator": "equal_to", "values": ["vip"], "query_operator": None},
    ],
)
def test_filter_answers_as_python_reads_the_conditions(
    app: App, rows: list[dict[str, Any]], payload: list[dict[str, Any]]
) -> None:
    account_id = app.account_id
    ids = app.run(_replace_contacts(app.url, account_id, rows))
    matching = expected(rows, payload)
    # The list's order: latest activity first, never-active last, the newer id first among equals.
    want = [
        ids[index]
        for index in sorted(
            matching,
            key=lambda index: (
                rows[index]["last_activity_at"] is None,
                -(rows[index]["last_activity_at"] or 0),
                -ids[index],
            ),
        )
    ]
    for name, (drive, count, size) in PLANS.items():
        got: list[int] = []
        with limits(drive=drive, count=count, page=size):
            for page in range(1, len(want) // size + 2):
                answer = app.run(
                    app.client.post(
                        f"/api/v1/accounts/{account_id}/contacts/filter",
                        params={"page": page},
                        json={"payload": payload},
                        headers=app.headers,
                    )
                )
                assert answer.status_code == 200, (name, answer.text)
                body = answer.json()
                assert body["meta"] == expected_meta(len(want), page, size, count), (name, page)
                got.extend(contact["id"] for contact in body["payload"])
        assert got == want, name


@contextmanager
def few_labelled(limit: int) -> Iterator[None]:
    """The bound up to which a labels[] page is read from the labels (SQLite) for a few requests."""
    saved = search.FEW_LABELLED
    search.FEW_LABELLED = limit
    try:
        yield
    finally:
        search.FEW_LABELLED = saved


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    rows=contacts(),
    asked=st.lists(st.sampled_from(["vip", "LEAD", " Vip ", "nobody", ""]), min_size=1, max_size=3),
)
def test_the_labels_list_answers_as_python_reads_the_labels(
    app: App, rows: list[dict[str, Any]], asked: list[str]
) -> None:
    """`GET /contacts?labels[]=...`: the contacts having any of the labels, in the list's order, both when the
    labelled contacts are read first and sorted (few of them, SQLite) and when the account's order is walked."""
    account_id = app.account_id
    ids = app.run(_replace_contacts(app.url, account_id, rows))
    titles = {title.strip().lower() for title in asked if title.strip()}
    want = [
        ids[index]
        for index in sorted(
            (index for index, row in enumerate(rows) if row["labels"] & titles),
            key=lambda index: (
                rows[index]["last_activity_at"] is None,
                -(rows[index]["last_activity_at"] or 0),
                -ids[index],
            ),
        )
    ]
    for bound in (search.FEW_LABELLED, 0):
        with few_labelled(bound):
            answer = app.run(
                app.client.get(
                    f"/api/v1/accounts/{account_id}/contacts", params={"labels[]": asked}, headers=app.headers
                )
            )
        assert answer.status_code == 200, (bound, answer.text)
        body = answer.json()
        assert body["meta"] == {"count": len(want), "current_page": 1}, bound
        assert [contact["id"] for contact in body["payload"]] == want, bound
