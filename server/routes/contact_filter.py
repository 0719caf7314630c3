"""Contacts filter: Chatwoot's `POST /contacts/filter`, a page of the contacts matching a list of conditions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Integer, any_, func, literal, select, text, true, union
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from server import models
from server.contact_filter import MAX_CONDITIONS, ContactFilter, FilterInvalid, FilterPlan, conditions_of
from server.contact_service import add_labels, attribute_definitions, contacts_payload
from server.contract import ContactPage, PageMeta
from server.db import plan_for_a_page
from server.deps import CallerDep, RuntimeDep, SessionDep
from server.errors import ApiProblem, account_router
from server.routes.contacts import PAGE_SIZE as PAGE_SIZE  # the list's (re-exported: tests set it here)
from server.routes.contacts import SORTS
from server.routes.params import PageNumber
from server.search import SEARCH_COUNT_LIMIT

router = account_router("contacts")

# With the extensions on, `meta.count` is exact up to COUNT_LIMIT matches and beyond a lower bound with
# `meta.count_capped: true`, as the list and search count (CONTRACT.md): counting every match of a broad filter
# over a million contacts would read them all for every page. The search's bound, not the list's: a filter's
# count too costs a look at each match.
COUNT_LIMIT = SEARCH_COUNT_LIMIT
# A group whose smallest candidate holds at most this many contacts is answered by visiting those contacts
# (and sorting the matches); a bigger one by walking the contacts in the page's order until the page is full.
# (SQLite: PostgreSQL's bounded matches tell it, see `_drivers`.)
DRIVE_LIMIT = 10_000


class FilterRequest(BaseModel):
    """The conditions; each is read by `server.contact_filter`, which answers Chatwoot's 422 for a bad one."""

    model_config = ConfigDict(extra="ignore")

    payload: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_CONDITIONS)


def _order(sort: str) -> tuple[Any, Any]:
    column = SORTS.get(sort.lstrip("-"), models.Contact.last_activity_at)
    ordered = column.desc() if sort.startswith("-") else column.asc()
    return ordered.nulls_last(), models.Contact.id.desc()


@dataclass(kw_only=True, slots=True, frozen=True)
class Drivers:
    """Each OR group's candidates as one, and whether every group's smallest holds at most DRIVE_LIMIT contacts."""

    candidates: list[Select[Any]]
    small: bool
    # Every group's candidates together are exactly its matches: counted from the indexes alone.
    exact: bool


async def _drivers(session: AsyncSession, plan: FilterPlan, *, sized: bool) -> Drivers | None:
    """Each OR group's candidates intersected, the smallest first when `sized`; None when a group has none.

    Not `sized` (PostgreSQL, counts bounded), the candidates are joined as the planner sees fit, and the
    matches found through them up to COUNT_LIMIT + 1 tell whether they are few: its statistics know how many
    rows each index holds, where counting two of a million contacts' candidates to DRIVE_LIMIT took 4 ms.
    """
    if not all(plan.candidates):
        return None
    if not sized:
        candidates = [_joined([candidate.ids for candidate in group]) for group in plan.candidates]
        return Drivers(candidates=candidates, small=False, exact=all(plan.exact))
    flat = [candidate.ids for group in plan.candidates for candidate in group]
    # Each counted to DRIVE_LIMIT + 1 at most, from its index alone, all in one round trip.
    sizes_query = select(
        *(
            select(func.count()).select_from(candidate.limit(DRIVE_LIMIT + 1).subquery()).scalar_subquery()
            for candidate in flat
        )
    )
    sizes = iter((await session.execute(sizes_query)).one())
    measured = [sorted((next(sizes), index) for index in range(len(group))) for group in plan.candidates]
    return Drivers(
        candidates=[
            _intersection([group[index].ids for _size, index in by_size])
            for group, by_size in zip(plan.candidates, measured, strict=True)
        ],
        small=all(by_size[0][0] <= DRIVE_LIMIT for by_size in measured),
        exact=all(plan.exact),
    )


def _intersection(candidates: list[Select[Any]]) -> Select[Any]:
    """The contacts of the first candidate that the others hold too.

    Each looked up by id in the others' indexes (an EXISTS, so no planner starts from a bigger one): "seats = 42
    and country_code = de" reads the 2,500 contacts with 42 seats in two indexes before visiting the 300 of them
    in Germany.
    """
    first = candidates[0].subquery()
    held = (
        candidate.where(candidate.selected_columns[0] == first.c.contact_id).exists() for candidate in candidates[1:]
    )
    return select(first.c.contact_id).where(*held)


def _joined(candidates: list[Select[Any]]) -> Select[Any]:
    """The contacts every candidate holds, as a join (each names a contact at most once, so none twice)."""
    first = candidates[0].subquery()
    joined: Any = first
    for candidate in candidates[1:]:
        other = candidate.subquery()
        joined = joined.join(other, other.c.contact_id == first.c.contact_id)
    return select(first.c.contact_id).select_from(joined)


def _opaque(condition: ColumnElement[bool], postgres: bool) -> ColumnElement[bool]:
    """On SQLite, `condition` as one term no index can serve, so the planner takes the access path chosen here.

    Without statistics SQLite's planner takes any index on an equality for selective: it would sort the sixth
    of a million contacts an index of `country_code = 'us'` finds, where walking the page's order stops after a
    few hundred. PostgreSQL's planner knows how many rows each index finds, and chooses well itself.
    """
    return condition if postgres else condition.is_(true())


def _matches(where: ColumnElement[bool], drivers: Drivers | None) -> Select[Any]:
    """The ids of the matches, found through the drivers when there are."""
    if drivers is None:
        return select(models.Contact.id).where(where)
    if drivers.exact:
        # The indexes alone: no contact is read.
        return union(*drivers.candidates) if len(drivers.candidates) > 1 else drivers.candidates[0]  # type: ignore[return-value]
    if len(drivers.candidates) == 1:
        # A join streams from the candidate's index and stops at a limit; `IN` would first read it all.
        driver = drivers.candidates[0].subquery()
        joined = driver.join(models.Contact, models.Contact.id == driver.c.contact_id)
        return select(models.Contact.id).select_from(joined).where(where)
    return select(models.Contact.id).where(where, _driven(drivers))


def _count_query(where: ColumnElement[bool], drivers: Drivers | None, unbounded: bool) -> Select[Any]:
    """The matches counted (to COUNT_LIMIT + 1 at most unless `unbounded`), through the drivers when there are."""
    matches = _matches(where, drivers).limit(None if unbounded else COUNT_LIMIT + 1)
    return select(func.count()).select_from(matches.subquery())


def _driven(drivers: Drivers) -> ColumnElement[bool]:
    return models.Contact.id.in_(union(*drivers.candidates))


def _among(ids: list[int], postgres: bool) -> ColumnElement[bool]:
    """The contact is one of `ids`: on PostgreSQL one array parameter, so the statement is the same for any
    number of them (asyncpg prepares each statement it sees)."""
    if postgres:
        return models.Contact.id == any_(literal(ids, ARRAY(Integer)))
    return models.Contact.id.in_(ids)


@router.post("/contacts/filter")
async def filter_contacts(
    runtime: RuntimeDep,
    session: SessionDep,
    body: FilterRequest,
    caller: CallerDep,
    page: PageNumber = 1,
    sort: str = Query("-last_activity_at", max_length=64),
    include_labels: str = Query("", max_length=16, description="Extension: `true` adds each contact's `labels`"),
) -> ContactPage:
    """The account's contacts matching every condition as chained, 15 a page, sorted as the list is.

    With the extensions on, `meta.has_more` tells whether another page follows and `meta.count` stops at
    COUNT_LIMIT (then `count_capped` is true); in plain mode the count is exact, as Chatwoot's.
    """
    postgres = runtime.engine.dialect.name == "postgresql"
    await plan_for_a_page(session)
    definitions = await attribute_definitions(session, caller.account_id)
    contact_filter = ContactFilter(
        {key: definition["attribute_display_type"] for key, definition in definitions.items()},
        postgres=postgres,
        today=datetime.datetime.now(datetime.UTC).date(),
    )
    try:
        plan = contact_filter.plan(conditions_of(body.payload), caller.account_id)
    except FilterInvalid as invalid:
        raise ApiProblem(422, {"error": str(invalid)}) from invalid
    exact_count = not runtime.extensions  # Chatwoot's clients get Chatwoot's exact count
    drivers = await _drivers(session, plan, sized=exact_count or not postgres)
    in_account = models.Contact.account_id == caller.account_id
    exact = _opaque(in_account & plan.condition, postgres)
    counted: int | None = None
    matched: list[int] | None = None  # every match's id, when they are few and were found
    if drivers is not None and not drivers.small:
        # Many candidates: their matches counted first tell whether the matches are few (then visited as
        # below) or many (then found soon by walking the page's order). On PostgreSQL, whose candidates are
        # joined as its planner chooses, the matches themselves are found (up to the count's bound): the page
        # fetches them by id rather than joining the candidates again.
        if exact_count or not postgres:
            counted = (await session.execute(_count_query(exact, drivers, exact_count))).scalar_one()
        else:
            bounded = _matches(exact, drivers).limit(COUNT_LIMIT + 1)
            found_ids = list((await session.execute(bounded)).scalars())
            counted = len(found_ids)
            matched = found_ids if counted <= COUNT_LIMIT else None
    offset = (page - 1) * PAGE_SIZE
    if drivers is not None and (drivers.small or (counted is not None and counted <= COUNT_LIMIT)):
        # Contacts fetched by id, checked (unless the candidates are exact) and sorted; the account too is
        # checked, not searched. Counted as they are sorted (all of them are read for that anyway). The
        # matches found are the account's, and nothing else: tested again, the account would let the planner
        # walk the whole account in the page's order, 10,000 contacts for 222.
        if matched is not None:
            page_where = _among(matched, postgres)
        else:
            page_where = (_opaque(in_account, postgres) if drivers.exact else exact) & _driven(drivers)
        rows = await session.execute(
            select(models.Contact, func.count().over())
            .where(page_where)
            .order_by(*_order(sort))
            .offset(offset)
            .limit(PAGE_SIZE + 1)
        )
        found = list(rows.all())
        contacts = [contact for contact, _total in found]
        if found and counted is None:
            counted = found[0][1]
    else:
        page_where = in_account & _opaque(plan.condition, postgres)
        walk = postgres and counted is not None
        if walk:
            # More than COUNT_LIMIT match, so walking the page's order finds a page soon. PostgreSQL's planner
            # cannot know: it takes each JSON comparison for rare (0.5 %), so it would rather read the whole
            # account and sort the few it expects (600 ms at a million contacts, against 15).
            await session.execute(text("SET LOCAL enable_sort = off"))
        rows = await session.execute(
            select(models.Contact).where(page_where).order_by(*_order(sort)).offset(offset).limit(PAGE_SIZE + 1)
        )
        contacts = list(rows.scalars())
        if walk:
            await session.execute(text("SET LOCAL enable_sort = on"))
    if counted is None and not _is_last(offset, len(contacts)):
        # Counted from the smallest candidates when there are, else over the account's contacts.
        where = exact if drivers else page_where
        counted = (await session.execute(_count_query(where, drivers, exact_count))).scalar_one()
    meta = _meta(page, offset, len(contacts), counted, bounded=not exact_count)
    contacts = contacts[:PAGE_SIZE]
    payload = await contacts_payload(session, contacts)
    if include_labels == "true" and runtime.extensions:
        await add_labels(session, payload)
    if not runtime.extensions:
        meta.has_more = None  # Chatwoot's filter sends none
    return ContactPage(meta=meta, payload=payload)


def _is_last(offset: int, found: int) -> bool:
    """A page that found `found` rows of PAGE_SIZE + 1 asked is the last one (an empty first page too)."""
    return found <= PAGE_SIZE and (found > 0 or offset == 0)


def _meta(page: int, offset: int, found: int, counted: int | None, *, bounded: bool) -> PageMeta:
    """`meta` for a page that found `found` rows of PAGE_SIZE + 1 asked, `counted` matches (None: not counted).

    As the list and search count: exact on the last page or within COUNT_LIMIT; beyond (when `bounded`), the
    larger of the limit and the contacts up to this page and one more, with `count_capped`.
    """
    meta = PageMeta(count=offset + found, current_page=page, has_more=found > PAGE_SIZE)
    if not _is_last(offset, found) and counted is not None:
        if bounded and counted > COUNT_LIMIT:
            meta.count, meta.count_capped = max(COUNT_LIMIT, offset + found), True
        else:
            meta.count = counted
    return meta
