"""Duplicate suggestions come from indexes, not a scan (issue 15: fast at a million contacts), read from the
database's own plans on SQLite and PostgreSQL; and migration 0008 gives an existing database the index of names
by company, which then finds what was stored before it.

The plans are those of the statements `server.duplicates.DuplicateLookup` runs, for a contact that has an email,
a phone number, a name and a company. On PostgreSQL the table is analyzed and sequential scans priced out first
(`enable_seqscan=off`): on a table this small the planner rightly prefers reading it whole, so what is checked is
that an index can serve each statement, as it does at scale (bench/duplicate_scale.py measures the lookup at a
million contacts). Each plan must name the expected index with a condition on it, and the name windows must read
the index in order (no sort: a company's names are not all read).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from server.db import alembic_config, create_engine, sessions
from server.duplicates import COMPANY_NAME_INDEX, DuplicateLookup
from tests.api.sample_data import unique_email, unique_phone, unique_token
from tests.api.test_integrity import run_sql
from tests.support.databases import database_at
from tests.support.processes import RunningServer

# SQLite names a unique constraint's index itself; the plan's condition says which one it is. On PostgreSQL the
# (account, phone) key, or the search's trigram index of phone numbers, which answers `=` too (pg_trgm 1.6): on
# the tests' few rows the planner's estimates pick either from run to run; both are index reads, never a scan.
PHONE_INDEX: dict[str, str | tuple[str, ...]] = {
    "sqlite": "(account_id=? AND phone_number=?)",
    "postgresql": ("uq_contacts_account_phone", "ix_contacts_trgm_phone"),
}
EMAIL_INDEX = "ix_contacts_lower_email"


def _statements(lookup: DuplicateLookup, email: str, phone: str, company: str, name: str) -> dict[str, Any]:
    return {
        "keys": lookup.keys_statement(),
        "email": lookup.email_statement(email),
        "phone": lookup.phone_statement(["+440" + phone.removeprefix("+44"), phone]),
        "names after": lookup.name_statement(company, name, after=True),
        "names before": lookup.name_statement(company, name, after=False),
    }


async def _explain(session: AsyncSession, statement: Any) -> Any:
    """The plan of `statement` with its values written in: SQLite's EXPLAIN QUERY PLAN rows' details, or
    PostgreSQL's JSON plan."""
    bind = session.get_bind()
    sql = str(statement.compile(dialect=bind.dialect, compile_kwargs={"literal_binds": True}))
    connection = await session.connection()
    if bind.dialect.name == "sqlite":
        return [row[-1] for row in await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
    await connection.execute(text("SET LOCAL enable_seqscan = off"))
    # Statistics as autovacuum keeps them: without any, every index of a small table looks alike to the planner.
    await connection.execute(text("ANALYZE contacts"))
    plan = (await connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {sql}")).scalar_one()
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]


def plans_of(url: str, contact_id: int, **values: str) -> tuple[str, dict[str, Any]]:
    """The database's dialect, and the plan of each of the lookup's statements for the contact."""

    async def explain() -> tuple[str, dict[str, Any]]:
        engine = create_engine(url)
        try:
            async with sessions(engine)() as session:
                lookup = DuplicateLookup(session, 1, contact_id)
                statements = _statements(lookup, **values)
                return engine.dialect.name, {name: await _explain(session, s) for name, s in statements.items()}
        finally:
            await engine.dispose()

    return asyncio.run(explain())


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def assert_served_by(dialect: str, plan: Any, index: str | tuple[str, ...] | None, *, in_order: bool = False) -> None:
    """The plan reads contacts only through `index` (None: the primary key; a tuple: any of them), with a
    condition on it."""
    accepted = (index,) if isinstance(index, str) or index is None else index
    if dialect == "sqlite":
        details = [detail for detail in plan if "contacts" in detail]
        assert details, plan
        for detail in details:
            assert detail.startswith("SEARCH contacts USING"), plan  # never "SCAN contacts"
            assert ("PRIMARY KEY" in detail) if index is None else any(name in detail for name in accepted), plan
        if in_order:
            assert not any("TEMP B-TREE" in detail for detail in plan), plan
        return
    reads = [node for node in _nodes(plan) if node.get("Relation Name") == "contacts" or "Index Name" in node]
    assert reads, plan
    for node in reads:
        assert node["Node Type"] in {"Index Scan", "Index Only Scan", "Bitmap Heap Scan", "Bitmap Index Scan"}, plan
        if "Index Name" in node:
            assert node["Index Name"] in (accepted if index is not None else ("contacts_pkey",)), plan
            assert "Index Cond" in node, plan
    if in_order:
        assert not any(node["Node Type"] in {"Sort", "Incremental Sort"} for node in _nodes(plan)), plan


def assert_every_lookup_is_indexed(dialect: str, plans: dict[str, Any]) -> None:
    assert_served_by(dialect, plans["keys"], None)
    assert_served_by(dialect, plans["email"], EMAIL_INDEX)
    assert_served_by(dialect, plans["phone"], PHONE_INDEX[dialect])
    assert_served_by(dialect, plans["names after"], COMPANY_NAME_INDEX, in_order=True)
    assert_served_by(dialect, plans["names before"], COMPANY_NAME_INDEX, in_order=True)


def test_every_lookup_is_served_by_an_index(server: RunningServer) -> None:
    token = unique_token()
    email, phone = unique_email("plan"), unique_phone()
    contact = server.create_contact(
        name="Planned Person", email=email, phone_number=phone, additional_attributes={"company_name": f"Plan {token}"}
    )
    dialect, plans = plans_of(
        server.database_url, contact["id"], email=email, phone=phone, company=f"plan {token}", name="planned person"
    )
    assert_every_lookup_is_indexed(dialect, plans)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_at_0007(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database migrated to revision 0007 (before the index of names by company), dropped afterwards."""
    with database_at(request.param, tmp_path, "0007") as url:
        yield url


def _insert_contact(url: str, contact_id: int, name: str, company: str, phone: str | None = None) -> None:
    run_sql(
        url,
        "INSERT INTO contacts (id, account_id, name, email, phone_number, thumbnail, blocked, additional_attributes,"
        " custom_attributes, created_at, updated_at, version)"
        " VALUES (:id, 1, :name, :email, :phone, '', false, :additional, '{}', 0, 0, 1)",
        id=contact_id,
        name=name,
        email=f"old-{contact_id}@example.com",
        phone=phone,
        additional=json.dumps({"company_name": company}),
    )


def _suggested(url: str, contact_id: int) -> list[tuple[int, list[str]]]:
    async def look_up() -> list[tuple[int, list[str]]]:
        engine = create_engine(url)
        try:
            async with sessions(engine)() as session:
                found = await DuplicateLookup(session, 1, contact_id).suggestions()
                assert found is not None
                return [(suggestion.contact.id, list(suggestion.reasons)) for suggestion in found]
        finally:
            await engine.dispose()

    return asyncio.run(look_up())


def _has_index(url: str) -> bool:
    if url.startswith("sqlite"):
        query = "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = :name"
    else:
        query = "SELECT count(*) FROM pg_indexes WHERE indexname = :name"
    return run_sql(url, query, name=COMPANY_NAME_INDEX) == [(1,)]


def test_upgrading_a_database_indexes_the_names_it_has(database_at_0007: str) -> None:
    url = database_at_0007
    run_sql(url, "INSERT INTO accounts (id, name, created_at) VALUES (1, 'Acme', 0)")
    _insert_contact(url, 1, "Ada Lovelace", "Analytical Engines", "+442079460999")
    _insert_contact(url, 2, "Lovelace, Ada", "ANALYTICAL ENGINES")
    _insert_contact(url, 3, "Ada Lovelace", "Difference Engines", "+4402079460999")
    assert not _has_index(url)

    command.upgrade(alembic_config(url), "head")
    assert _has_index(url)
    assert _suggested(url, 1) == [(3, ["phone_number"]), (2, ["name"])]
    dialect, plans = plans_of(
        url, 1, email="old-1@example.com", phone="+442079460999", company="analytical engines", name="ada lovelace"
    )
    # Three rows: the planner may take any index for the other lookups; the names' is this one.
    assert_served_by(dialect, plans["names after"], COMPANY_NAME_INDEX, in_order=True)
    assert_served_by(dialect, plans["names before"], COMPANY_NAME_INDEX, in_order=True)

    command.downgrade(alembic_config(url), "0007")
    assert not _has_index(url)
    assert run_sql(url, "SELECT count(*) FROM contacts") == [(3,)]
