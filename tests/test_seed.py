"""The demo seed and the benchmark data generators, on SQLite and the machine's PostgreSQL."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.demo import ADMIN, AGENT, DEMO_SIGN_INS, OTHER_ADMIN
from api.validation import SOCIAL_NETWORKS, check_attribute_value, normalize_email, normalize_phone
from bench.bulk_contacts import add_bulk_contacts, bulk_phone
from server import models
from server.auth import verify_password
from server.db import create_engine, migrate, sessions
from server.seed.command import main
from server.seed.demo_data import DAY, HOUR, MINUTE, SHOWCASE_CONVERSATIONS, SHOWCASE_EMAIL
from server.seed.writer import add_conversations, seed_demo_if_empty

Factory = async_sessionmaker[AsyncSession]
DISPLAY_TYPES = {"text", "number", "currency", "percent", "link", "date", "list", "checkbox"}
STATUSES = {"open", "resolved", "pending", "snoozed"}
VOLATILE_AGENT_COLUMNS = {"password_hash", "access_token", "pubsub_token"}
NOW = 1_800_000_000  # a moment of seeding for the tests that compare seeds
DEMO_TABLES = (
    models.Contact,
    models.Conversation,
    models.Message,
    models.ContactEvent,
    models.Note,
    models.ContactInbox,
    models.ContactLabel,
)


@asynccontextmanager
async def migrated(url: str) -> AsyncIterator[Factory]:
    await migrate(url)
    engine = create_engine(url)
    try:
        yield sessions(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def seeded_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database migrated and seeded once per run (a second or two each time); `seeded` hands out copies."""
    path = tmp_path_factory.mktemp("seeded") / "t.db"

    async def seed() -> None:
        async with migrated(f"sqlite+aiosqlite:///{path}") as factory:
            assert await seed_demo_if_empty(factory) is True

    asyncio.run(seed())
    return path


@pytest.fixture(scope="session")
def seeded_at_now(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database migrated and seeded once per run at `NOW`: one of the two seeds the comparing tests compare."""
    path = tmp_path_factory.mktemp("seeded-at-now") / "t.db"

    async def seed() -> None:
        async with migrated(f"sqlite+aiosqlite:///{path}") as factory:
            assert await seed_demo_if_empty(factory, now=NOW) is True

    asyncio.run(seed())
    return path


@pytest.fixture(scope="session")
def snapshot_at_now(seeded_at_now: Path) -> dict[str, list[dict[str, Any]]]:
    """Every demo row of `seeded_at_now` (the tests only read it)."""

    async def read() -> dict[str, list[dict[str, Any]]]:
        engine = create_engine(f"sqlite+aiosqlite:///{seeded_at_now}")
        try:
            return await snapshot(sessions(engine))
        finally:
            await engine.dispose()

    return asyncio.run(read())


@pytest.fixture
async def seeded(seeded_once: Path, tmp_path: Path) -> AsyncIterator[Factory]:
    """A freshly seeded database of this test's own."""
    copy = tmp_path / "t.db"
    shutil.copyfile(seeded_once, copy)
    engine = create_engine(f"sqlite+aiosqlite:///{copy}")
    try:
        yield sessions(engine)
    finally:
        await engine.dispose()


async def rows(factory: Factory, model: type[models.Base], *order: Any) -> list[dict[str, Any]]:
    """Every row of a table as plain column dicts, in a stable order."""
    table = model.__table__
    async with factory() as session:
        result = await session.execute(select(table).order_by(*order))
        return [dict(row._mapping) for row in result]


async def count(factory: Factory, model: type[models.Base], *where: Any) -> int:
    async with factory() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def account_id(factory: Factory, name: str) -> int:
    async with factory() as session:
        found = await session.scalar(select(models.Account.id).where(models.Account.name == name))
        assert found is not None
        return found


async def test_seeds_an_empty_database_once(seeded: Factory) -> None:
    assert await seed_demo_if_empty(seeded) is False
    assert await count(seeded, models.Account) == 2
    assert await count(seeded, models.Agent) == 3


async def test_contacts_per_account(seeded: Factory) -> None:
    acme, globex = await account_id(seeded, "Acme Support"), await account_id(seeded, "Globex Help")
    assert await count(seeded, models.Contact, models.Contact.account_id == acme) == 200
    assert await count(seeded, models.Contact, models.Contact.account_id == globex) == 10


async def test_documented_sign_ins_and_roles(seeded: Factory) -> None:
    agents = {row["email"]: row for row in await rows(seeded, models.Agent, models.Agent.id)}
    assert set(agents) == {sign_in.email for sign_in in DEMO_SIGN_INS}
    for email, password in DEMO_SIGN_INS:
        assert verify_password(password, agents[email]["password_hash"])
        assert agents[email]["access_token"] != agents[email]["pubsub_token"]
    roles = {
        (agent["email"], membership["account_id"]): membership["role"]
        for membership in await rows(seeded, models.AccountAgent, models.AccountAgent.agent_id)
        for agent in agents.values()
        if agent["id"] == membership["agent_id"]
    }
    acme, globex = await account_id(seeded, "Acme Support"), await account_id(seeded, "Globex Help")
    assert roles == {
        (ADMIN.email, acme): "administrator",
        (AGENT.email, acme): "agent",
        (OTHER_ADMIN.email, globex): "administrator",
    }


async def test_every_attribute_type_and_model(seeded: Factory) -> None:
    acme = await account_id(seeded, "Acme Support")
    definitions = [row for row in await rows(seeded, models.CustomAttributeDefinition) if row["account_id"] == acme]
    contact_definitions = [row for row in definitions if row["attribute_model"] == 1]
    assert {row["attribute_display_type"] for row in contact_definitions} == DISPLAY_TYPES
    assert any(row["attribute_model"] == 0 for row in definitions)
    plan = next(row for row in contact_definitions if row["attribute_key"] == "plan")
    assert plan["attribute_values"] == ["free", "starter", "pro", "enterprise"]
    vat = next(row for row in contact_definitions if row["attribute_key"] == "vat_id")
    assert vat["regex_pattern"] and vat["regex_cue"]


async def test_contact_fields_are_valid_and_unique(seeded: Factory) -> None:
    contacts = await rows(seeded, models.Contact, models.Contact.id)
    definitions = {
        (row["account_id"], row["attribute_key"]): row
        for row in await rows(seeded, models.CustomAttributeDefinition)
        if row["attribute_model"] == 1
    }
    for contact in contacts:
        if contact["email"] is not None:
            assert normalize_email(contact["email"]) == contact["email"]
        if contact["phone_number"] is not None:
            assert normalize_phone(contact["phone_number"]) == contact["phone_number"]
        assert contact["email"] or contact["phone_number"]
        assert set(contact["additional_attributes"]["social_profiles"]) == set(SOCIAL_NETWORKS)
        for key, value in contact["custom_attributes"].items():
            assert check_attribute_value(definitions[(contact["account_id"], key)], value) == (value, None), key
        if contact["last_activity_at"] is not None:
            assert contact["created_at"] <= contact["last_activity_at"] <= time.time()
    for field in ("email", "phone_number", "identifier"):
        values = [(c["account_id"], c[field]) for c in contacts if c[field] is not None]
        assert len(values) == len(set(values)), field
    names = {contact["name"] for contact in contacts}
    assert {"Zoë Müller", "محمد علي", "李雷", ""} <= names
    thumbnails = Counter(
        "broken" if "invalid.example" in c["thumbnail"] else "avatar" if c["thumbnail"] else "none" for c in contacts
    )
    assert thumbnails["broken"] == 3
    assert 40 <= thumbnails["avatar"] <= 100
    assert 3 <= sum(c["blocked"] for c in contacts) <= 5
    assert any(c["last_activity_at"] is None for c in contacts)


async def test_conversations_are_consistent(seeded: Factory) -> None:
    conversations = await rows(seeded, models.Conversation, models.Conversation.id)
    messages = await rows(seeded, models.Message, models.Message.id)
    contacts = {c["id"]: c for c in await rows(seeded, models.Contact)}
    assert {c["status"] for c in conversations} == STATUSES
    assert {c["priority"] for c in conversations} == {None, "low", "medium", "high", "urgent"}
    by_account: dict[int, list[int]] = {}
    for conversation in conversations:
        by_account.setdefault(conversation["account_id"], []).append(conversation["display_id"])
    for display_ids in by_account.values():
        assert sorted(display_ids) == list(range(1, len(display_ids) + 1))
    thread: dict[int, list[dict[str, Any]]] = {}
    for message in messages:
        thread.setdefault(message["conversation_id"], []).append(message)
    for conversation in conversations:
        lines = thread[conversation["id"]]
        assert 1 <= len(lines) <= 6
        assert [m["message_type"] for m in lines] == [n % 2 for n in range(len(lines))]
        assert conversation["last_activity_at"] == lines[-1]["created_at"]
        assert contacts[conversation["contact_id"]]["created_at"] < conversation["created_at"]
        assert 0 <= conversation["unread_count"] <= 5
        for message in lines:
            expected = "user" if message["message_type"] == 1 else "contact"
            assert message["sender_type"] == expected
    for contact in contacts.values():
        own = [c["last_activity_at"] for c in conversations if c["contact_id"] == contact["id"]]
        if own:
            assert contact["last_activity_at"] == max(own)


async def test_showcase_contact(seeded: Factory) -> None:
    contacts = await rows(seeded, models.Contact, models.Contact.id)
    ada = contacts[0]
    assert (ada["name"], ada["email"], ada["phone_number"], ada["identifier"], ada["thumbnail"]) == (
        "Ada Lovelace",
        SHOWCASE_EMAIL,
        "+442071838750",
        "crm-1001",
        "",
    )
    socials = ada["additional_attributes"]["social_profiles"]
    assert (socials["github"], socials["twitter"], socials["linkedin"]) == ("ada", "ada", "ada-l")
    assert len(ada["custom_attributes"]) == 9
    assert await count(seeded, models.Conversation, models.Conversation.contact_id == ada["id"]) == 25
    assert SHOWCASE_CONVERSATIONS == 25
    assert await count(seeded, models.ContactLabel, models.ContactLabel.contact_id == ada["id"]) == 3
    assert await count(seeded, models.Note, models.Note.contact_id == ada["id"]) == 3
    statuses = {c["status"] for c in await rows(seeded, models.Conversation) if c["contact_id"] == ada["id"]}
    assert statuses == STATUSES
    assert await count(seeded, models.ContactInbox, models.ContactInbox.contact_id == ada["id"]) == 3


async def test_activity_trail_matches_the_data(seeded: Factory) -> None:
    events = await rows(seeded, models.ContactEvent, models.ContactEvent.id)
    kinds = Counter(event["kind"] for event in events)
    assert kinds["created"] == await count(seeded, models.Contact)
    assert kinds["conversation_opened"] == await count(seeded, models.Conversation)
    assert kinds["conversation_resolved"] == await count(
        seeded, models.Conversation, models.Conversation.status == "resolved"
    )
    assert kinds["note_added"] == await count(seeded, models.Note)
    assert kinds["label_added"] == await count(seeded, models.ContactLabel)
    trails: dict[int, list[int]] = {}
    for event in events:
        trails.setdefault(event["contact_id"], []).append(event["created_at"])
    assert all(times == sorted(times) for times in trails.values())
    labels = {(row["account_id"], row["title"]) for row in await rows(seeded, models.Label)}
    contacts = {c["id"]: c["account_id"] for c in await rows(seeded, models.Contact)}
    for link in await rows(seeded, models.ContactLabel):
        assert (contacts[link["contact_id"]], link["title"]) in labels


async def snapshot(factory: Factory) -> dict[str, list[dict[str, Any]]]:
    """Every demo row of a database, agents without their secrets."""
    taken = {model.__tablename__: await rows(factory, model, *model.__mapper__.primary_key) for model in DEMO_TABLES}
    taken["agents"] = [
        {k: v for k, v in row.items() if k not in VOLATILE_AGENT_COLUMNS}
        for row in await rows(factory, models.Agent, models.Agent.id)
    ]
    return taken


async def snapshot_of_seed(url: str, now: int) -> dict[str, list[dict[str, Any]]]:
    """Every demo row of a database seeded at `now`, agents without their secrets."""
    async with migrated(url) as factory:
        assert await seed_demo_if_empty(factory, now=now)
        return await snapshot(factory)


async def test_same_data_on_every_run(tmp_path: Path, snapshot_at_now: dict[str, list[dict[str, Any]]]) -> None:
    again = await snapshot_of_seed(f"sqlite+aiosqlite:///{tmp_path}/again.db", NOW)
    assert len(snapshot_at_now["contacts"]) == 210
    assert snapshot_at_now == again


def relative(snapshot: dict[str, list[dict[str, Any]]], now: int) -> dict[str, list[dict[str, Any]]]:
    """The snapshot with every time as seconds before `now`, and sign-up dates left out (they are whole days)."""

    def row_relative(row: dict[str, Any]) -> dict[str, Any]:
        shifted = {
            key: now - value if key.endswith("_at") and isinstance(value, int) else value for key, value in row.items()
        }
        if isinstance(shifted.get("custom_attributes"), dict):
            shifted["custom_attributes"] = {k: v for k, v in shifted["custom_attributes"].items() if k != "signed_up"}
        return shifted

    return {table: [row_relative(row) for row in table_rows] for table, table_rows in snapshot.items()}


async def test_times_are_relative_to_the_moment_of_seeding(
    tmp_path: Path, snapshot_at_now: dict[str, list[dict[str, Any]]]
) -> None:
    later = NOW + 3 * DAY + 1_234
    first = snapshot_at_now
    second = await snapshot_of_seed(f"sqlite+aiosqlite:///{tmp_path}/second.db", later)
    assert first != second
    assert relative(first, NOW) == relative(second, later)


async def test_the_demo_looks_alive(seeded: Factory) -> None:
    """Seeded just now: conversations from minutes, hours, days and months ago, nothing in the future."""
    now = time.time()
    for model in (*DEMO_TABLES, models.Agent, models.Account):
        for row in await rows(seeded, model):
            times = [value for key, value in row.items() if key.endswith("_at") and isinstance(value, int)]
            assert all(value <= now for value in times), (model.__tablename__, row)
    conversations = await rows(seeded, models.Conversation)
    ages = sorted(now - c["last_activity_at"] for c in conversations)
    assert ages[0] < 30 * MINUTE
    assert sum(age < HOUR for age in ages) >= 5
    assert sum(HOUR <= age < DAY for age in ages) >= 30
    assert sum(DAY <= age < 7 * DAY for age in ages) >= 30
    assert sum(age >= 30 * DAY for age in ages) >= 100
    open_ages = [now - c["last_activity_at"] for c in conversations if c["status"] == "open"]
    assert max(open_ages) <= 7 * DAY
    contacts = await rows(seeded, models.Contact, models.Contact.id)
    ada = contacts[0]
    assert ada["email"] == SHOWCASE_EMAIL
    assert now - ada["last_activity_at"] < HOUR
    own = sorted(c["last_activity_at"] for c in conversations if c["contact_id"] == ada["id"])
    assert now - own[0] > 365 * DAY  # history to page through, a year and more back


async def test_bulk_contacts(seeded: Factory) -> None:
    acme = await account_id(seeded, "Acme Support")
    reported: list[int] = []
    await add_bulk_contacts(seeded, acme, 2_000, batch=500, progress=lambda done, _seconds: reported.append(done))
    assert reported == [500, 1_000, 1_500, 2_000]
    await add_bulk_contacts(seeded, acme, 300)
    contacts = await rows(seeded, models.Contact, models.Contact.id)
    bulk = [c for c in contacts if (c["email"] or "").startswith("bulk-")]
    assert len(bulk) == 2_300
    assert await count(seeded, models.Contact, models.Contact.account_id == acme) == 2_500
    for contact in bulk:
        assert normalize_email(contact["email"]) == contact["email"]
        if contact["phone_number"]:
            assert normalize_phone(contact["phone_number"]) == contact["phone_number"]
    assert len({c["email"] for c in contacts if c["email"]}) == len([c for c in contacts if c["email"]])
    phones = [c["phone_number"] for c in contacts if c["phone_number"]]
    assert len(phones) == len(set(phones))


def _derived_rows(connection: sqlite3.Connection, schema: str) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """What the triggers derive in a database (`main` or an attached one): the search table's terms with where
    they occur (fts5vocab reads a contentless table's index), and the filter's attribute value rows."""
    vocabulary = f"vocabulary_{schema}"
    connection.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{vocabulary} USING fts5vocab({schema}, contacts_search, instance)"
    )
    terms = set(connection.execute(f"SELECT term, doc, col, offset FROM temp.{vocabulary}"))
    values = set(connection.execute(f"SELECT * FROM {schema}.contact_attribute_values"))
    return terms, values


async def test_a_bulk_load_derives_what_the_triggers_derive(tmp_path: Path, seeded_at_now: Path) -> None:
    """Loaded with the triggers off, the contacts get the same search and filter rows as contacts inserted one by one
    through the triggers, and the triggers are back afterwards."""
    bulk, inserted = tmp_path / "bulk.db", tmp_path / "inserted.db"
    for path in (bulk, inserted):
        shutil.copyfile(seeded_at_now, path)
    engine = create_engine(f"sqlite+aiosqlite:///{bulk}")
    try:
        factory = sessions(engine)
        await add_bulk_contacts(factory, await account_id(factory, "Acme Support"), 700, batch=300)
    finally:
        await engine.dispose()
    with sqlite3.connect(inserted) as connection:
        connection.execute("ATTACH DATABASE ? AS bulk", (str(bulk),))
        (demo,) = connection.execute("SELECT count(*) FROM main.contacts").fetchone()
        connection.execute(
            "INSERT INTO main.contacts SELECT * FROM bulk.contacts WHERE id > (SELECT max(id) FROM main.contacts)"
        )
        assert connection.execute("SELECT count(*) FROM main.contacts").fetchone() == (demo + 700,)
        assert _derived_rows(connection, "bulk") == _derived_rows(connection, "main")
        triggers = "SELECT name, sql FROM {}.sqlite_master WHERE type = 'trigger' ORDER BY name"
        assert (
            connection.execute(triggers.format("bulk")).fetchall()
            == connection.execute(triggers.format("main")).fetchall()
        )


def test_bulk_phones_are_valid_and_distinct_far_out() -> None:
    numbers = [*range(0, 2_000), *range(1_000_000, 1_000_500), *range(4_000_000, 4_000_300)]
    phones = [phone for phone in map(bulk_phone, numbers) if phone]
    assert len(phones) == len(set(phones)) > 1_500
    for phone in phones[::7]:
        assert normalize_phone(phone) == phone
        assert phone[5:10] != "55501"


async def test_add_conversations(seeded: Factory) -> None:
    contacts = await rows(seeded, models.Contact, models.Contact.id)
    target = contacts[5]
    before = await count(seeded, models.Conversation, models.Conversation.contact_id == target["id"])
    messages = await count(seeded, models.Message)
    await add_conversations(seeded, target["id"], 500)
    conversations = [c for c in await rows(seeded, models.Conversation) if c["contact_id"] == target["id"]]
    assert len(conversations) == before + 500
    all_display = [(c["account_id"], c["display_id"]) for c in await rows(seeded, models.Conversation)]
    assert len(all_display) == len(set(all_display))
    assert await count(seeded, models.Message) == messages + 500
    refreshed = next(c for c in await rows(seeded, models.Contact) if c["id"] == target["id"])
    assert refreshed["last_activity_at"] == max(c["last_activity_at"] for c in conversations)
    with pytest.raises(LookupError):
        await add_conversations(seeded, 10_000_000, 1)


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.db"
    main(["--database-url", url, "--contacts", "1000", "--conversations-for", "1", "--count", "40"])
    output = capsys.readouterr().out
    assert "Demo data seeded" in output
    assert "Added 1,000 contacts" in output
    assert "Added 40 conversations to contact 1" in output
    main(["--database-url", url])
    assert "already present" in capsys.readouterr().out


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    name = f"seedtest_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(host="127.0.0.1", port=5432, user="postgres", database="postgres")
    try:
        await admin.execute(f"CREATE DATABASE {name}")
        yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()


@pytest.mark.postgres
async def test_postgres_seeds_once_when_processes_race(postgres_url: str) -> None:
    async with migrated(postgres_url) as first, migrated(postgres_url) as second:
        results = await asyncio.gather(seed_demo_if_empty(first), seed_demo_if_empty(second))
        assert sorted(results) == [False, True]
        assert await count(first, models.Account) == 2
        acme = await account_id(first, "Acme Support")
        assert await count(first, models.Contact, models.Contact.account_id == acme) == 200
        assert await count(first, models.Contact) == 210
        await add_bulk_contacts(first, acme, 1_000)
        await add_conversations(first, 1, 50)
        assert await count(first, models.Contact) == 1_210
        assert await count(first, models.Conversation, models.Conversation.contact_id == 1) == 75
        async with first() as session:
            # The sequences moved on, so the API can still insert after the seed.
            session.add(models.Account(name="Later"))
            await session.commit()
