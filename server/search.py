"""Contact search and list pages that indexes serve, with counts that stop at a bound.

A search for `q` (lower-cased, stripped) finds the contacts whose name, email, phone, identifier or company
name contains it, case-insensitively as the database folds case (SQLite: ASCII letters; PostgreSQL: every
letter). A query of one or two characters finds the values, or words of a value, that start with it: a trigram
index cannot serve shorter substrings, and at a million contacts a scan for them would take seconds.

Matches are ranked: an email or phone number equal to `q` first, then names (or a word of them) starting
with `q`, then the rest, each group in the requested sort.

SQLite answers from `contacts_search` (FTS5, trigram, see migration 0005), which holds the same lower-cased
values the SQL comparison reads, so the index's answer is the comparison's; PostgreSQL from `pg_trgm`
GIN indexes on the compared expressions. A query with LIKE's wildcards (`%`, `_`, kept as Chatwoot keeps them)
is compared row by row on SQLite.

A group with few matches is looked up and sorted; one with many is read by walking the sort's index and
keeping the rows that match, which stops after a page (an early page is first looked for in the sort's first
rows, before asking the index how many matches there are). Counts stop at `COUNT_LIMIT`.

On PostgreSQL each statement is planned for its values (server.db.plan_for_a_page) and without sequential
scans, and the trigram indexes are asked for the query's rare words only (server.value_samples).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, case, column, func, literal_column, or_, select, table, true, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from api.validation import without_forbidden_characters
from server import models
from server.db import plan_for_a_page
from server.value_samples import Samples, column_samples, index_pattern, rare_words

COUNT_LIMIT = 10_000  # the list's
SEARCH_COUNT_LIMIT = 1_000  # a search's: counting its matches costs a look at each
# Up to this many matches, a group's page is sorted from its matches; beyond, the sort's index is walked.
SORTED_FROM_MATCHES = 1_000
# The first pages of a group (up to its EARLY_MATCHES-th match) are looked for in the sort's FIRST_ROWS first.
FIRST_ROWS = 2_000
EARLY_MATCHES = 100
SHORT_QUERY = 3  # characters a trigram needs
WORD_START = "\x02\x02"  # marks each word start in the FTS table's `starts` columns
FTS_FIELDS = "{name email phone_number identifier company}"
WILDCARDS = ("%", "_")
SEARCH_TABLE = table("contacts_search", column("rowid"))
# Up to this many labelled contacts a labels[] page is read from the labels and sorted (SQLite).
FEW_LABELLED = 10_000


@dataclass(kw_only=True, slots=True, frozen=True)
class PageIds:
    """The ids of one page, in order, and what is known of the total."""

    ids: list[int]
    count: int
    # `count` is a lower bound: more than COUNT_LIMIT match, and counting further was not asked for.
    capped: bool
    has_more: bool


def needle(query: str) -> str:
    """The text a search compares: as typed, without forbidden characters, stripped, lower-cased."""
    return without_forbidden_characters(query).strip().lower()


@dataclass(kw_only=True, slots=True, frozen=True)
class _Group:
    """Matches of one rank: a SQL condition on contacts (or a subquery's columns), and on SQLite the FTS query
    that finds them. Asked for the query's rare words only (server.value_samples), the FTS query (not `exact`)
    or on PostgreSQL `candidates` find every match and maybe others: then `condition` decides."""

    condition: Callable[[Any], ColumnElement[bool]]
    fts: str | None
    exact: bool = True
    candidates: Callable[[Any], ColumnElement[bool]] | None = None


def _fields(source: Any, dialect: str) -> list[ColumnElement[Any]]:
    """The compared values of a contact, lower-cased (email is stored lower-case, a phone number has no case)."""
    if dialect == "sqlite":
        company: ColumnElement[Any] = func.json_extract(source.additional_attributes, "$.company_name")
    else:
        # Written as the GIN index's expression (a bound key would not match it).
        company = source.additional_attributes.op("->>")(literal_column("'company_name'"))
    return [
        func.lower(source.name),
        source.email,
        source.phone_number,
        func.lower(source.identifier),
        func.lower(company),
    ]


def _word_start(value: ColumnElement[Any], text: str) -> ColumnElement[bool]:
    return or_(value.like(f"{text}%"), value.like(f"% {text}%"))


def _fts_ids(fts: str) -> Select[Any]:
    """The ids (rowids) the FTS query finds."""
    return select(SEARCH_TABLE.c.rowid).where(literal_column("contacts_search").op("MATCH")(fts))


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


@dataclass(kw_only=True, slots=True, frozen=True)
class _Search:
    """The groups of a search for `text`: every match, names starting with it, the rest."""

    text: str
    matches: _Group
    named: _Group
    rest: _Group

    @classmethod
    def of(cls, text: str, account_id: int, dialect: str, samples: Samples) -> _Search:
        short = len(text) < SHORT_QUERY
        literal = dialect == "sqlite" and not any(mark in text for mark in WILDCARDS)
        patterns = [index_pattern(text, sample) for sample in samples]

        def matches(source: Any) -> ColumnElement[bool]:
            fields = _fields(source, dialect)
            if short:
                return or_(*(_word_start(field, text) for field in fields))
            return or_(*(field.like(f"%{text}%") for field in fields))

        def rarer_words(source: Any) -> ColumnElement[bool]:
            return or_(
                *(field.like(pattern) for field, pattern in zip(_fields(source, dialect), patterns, strict=True))
            )

        candidates = None if short or all(pattern == f"%{text}%" for pattern in patterns) else rarer_words

        def named(source: Any) -> ColumnElement[bool]:
            return _word_start(func.lower(source.name), text)

        account = f'account : "#{account_id}#"'
        rare = None if short else rare_words(text, samples)
        if short:
            found = f"starts : {_phrase(WORD_START + text)}"
        elif rare:
            found = "(" + " AND ".join(f"{FTS_FIELDS} : {_phrase(word)}" for word in rare) + ")"
        else:
            found = f"{FTS_FIELDS} : {_phrase(text)}"
        name = f"name_starts : {_phrase(WORD_START + text)}"
        return cls(
            text=text,
            matches=_Group(
                condition=matches,
                fts=f"{account} AND {found}" if literal else None,
                exact=not rare,
                candidates=candidates,
            ),
            named=_Group(condition=named, fts=f"{account} AND {name}" if literal else None),
            rest=_Group(
                condition=lambda source: matches(source) & ~named(source),
                fts=f"{account} AND ({found} NOT {name})" if literal else None,
                exact=not rare,
                candidates=candidates,
            ),
        )

    def rank(self, source: Any) -> ColumnElement[int]:
        """0 for an email or phone equal to the text, 1 for a name starting with it, 2 for the rest."""
        exact = or_(source.email == self.text, source.phone_number == self.text)
        return case((exact, 0), (self.named.condition(source), 1), else_=2)


class ContactPages:
    """Pages of an account's contacts in a session: the list (optionally filtered) and the search."""

    def __init__(self, session: AsyncSession, account_id: int, order: Sequence[Any], exact_count: bool) -> None:
        self._session = session
        self._account_id = account_id
        self._order = order
        self._exact_count = exact_count
        self._dialect = session.get_bind().dialect.name

    async def labelled(self, titles: set[str], offset: int, size: int) -> PageIds:
        """A page of the list narrowed to the contacts having any of the label `titles` (lower-cased)."""
        labelled = models.Contact.id.in_(
            select(models.ContactLabel.contact_id).where(models.ContactLabel.title.in_(titles))
        )
        return await self.listing(labelled, offset, size, few=await self._few_labelled(titles))

    async def _few_labelled(self, titles: set[str]) -> bool:
        """On SQLite, whether at most FEW_LABELLED contacts (of any account) have one of the titles, counted from
        the (title, contact_id) index up to that bound.

        SQLite's planner, which has no statistics here, walks the account's contacts in the list's order and
        looks each one up among the labelled ones: at a million contacts and 41 labelled ones, 151 ms for what
        reading the 41 and sorting them does in 1. PostgreSQL's planner finds that on its own.
        """
        if self._dialect != "sqlite" or not titles:
            return False
        labelled = select(models.ContactLabel.contact_id).where(models.ContactLabel.title.in_(titles))
        counted = select(func.count()).select_from(labelled.limit(FEW_LABELLED + 1).subquery())
        return int((await self._session.execute(counted)).scalar_one()) <= FEW_LABELLED

    async def listing(self, condition: Any, offset: int, size: int, *, few: bool = False) -> PageIds:
        """A page of the list, `condition` (or None) narrowing it.

        `few`: the condition matches few contacts, found through an index of their own; the account's test is
        then written so that no index serves it (`account_id + 0`), and SQLite reads those few and sorts them
        rather than walking all of the account's contacts in the list's order.
        """
        account = models.Contact.account_id + 0 if few else models.Contact.account_id
        where = account == self._account_id
        if condition is not None:
            where = where & condition
        rows = await self._session.execute(
            select(models.Contact.id).where(where).order_by(*self._order).offset(offset).limit(size + 1)
        )
        ids = list(rows.scalars())
        if len(ids) <= size and (ids or not offset):
            return PageIds(ids=ids, count=offset + len(ids), capped=False, has_more=False)  # the last page
        limit = None if self._exact_count else COUNT_LIMIT + 1
        counted = select(models.Contact.id).where(where).limit(limit).subquery()
        total = int((await self._session.execute(select(func.count()).select_from(counted))).scalar_one())
        return _page(ids, offset, size, total, COUNT_LIMIT if limit else None)

    async def search(self, query: str, offset: int, size: int) -> PageIds:
        """A page of the search for `query` (not blank), best matches first."""
        text = needle(query)
        if not text:
            return await self.listing(None, offset, size)  # what `LIKE '%%'` found: every contact
        short = len(text) < SHORT_QUERY
        search = _Search.of(text, self._account_id, self._dialect, await column_samples(self._session))
        # The planner prices the comparison of five values per row far below its cost: at 10,000 contacts it
        # scanned them all (16 ms) where the trigram indexes answer in 2. Every other step has an index of its
        # own (the sort's, the primary key, the email's and the phone's), so nothing here needs a scan.
        await plan_for_a_page(self._session, **({} if short else {"enable_seqscan": "off"}))
        found = await self._some_ids(search.matches, SEARCH_COUNT_LIMIT + 1)
        if len(found) <= SEARCH_COUNT_LIMIT:
            # Few: ranked and sorted from their ids.
            contact = models.Contact
            ordered = select(contact.id).where(contact.id.in_(found)).order_by(search.rank(contact), *self._order)
            ids = list((await self._session.execute(ordered.offset(offset).limit(size + 1))).scalars())
            return PageIds(ids=ids[:size], count=len(found), capped=False, has_more=len(ids) > size)
        exact = await self._exact_ids(text)
        ids = exact[offset : offset + size + 1]
        skip = max(0, offset - len(exact))
        for group in (search.named, search.rest):
            wanted = size + 1 - len(ids)
            if not wanted:
                break
            page, group_size = await self._group_ids(group, skip, wanted, exact)
            ids += page
            skip = max(0, skip - group_size) if not page else 0
        if self._exact_count:
            return _page(ids, offset, size, await self._count(search.matches), None)
        return _page(ids, offset, size, SEARCH_COUNT_LIMIT + 1, SEARCH_COUNT_LIMIT)

    async def _exact_ids(self, text: str) -> list[int]:
        """The contacts whose email or phone number is `text`, in the requested order (at most two)."""
        contact = models.Contact
        equal = union_all(
            select(contact.id).where(contact.account_id == self._account_id, contact.email == text),
            select(contact.id).where(contact.account_id == self._account_id, contact.phone_number == text),
        )
        query = select(contact.id).where(contact.id.in_(equal)).order_by(*self._order)
        return list((await self._session.execute(query)).scalars())

    async def _some_ids(self, group: _Group, limit: int) -> list[int]:
        """Up to `limit` ids of the group's contacts, in no particular order, found through an index."""
        return list((await self._session.execute(self._found(group).limit(limit))).scalars())

    async def _count(self, group: _Group) -> int:
        """How many contacts the group has."""
        counted = select(func.count()).select_from(self._found(group).subquery())
        return int((await self._session.execute(counted)).scalar_one())

    def _found(self, group: _Group) -> Select[Any]:
        """The ids of the group's contacts: from the FTS table (checked when it finds more), or looked up in the
        account by the group's condition or candidates."""
        contact = models.Contact
        if group.fts is not None:
            if group.exact:
                return _fts_ids(group.fts)
            return select(contact.id).where(contact.id.in_(_fts_ids(group.fts)), group.condition(contact))
        in_account = contact.account_id == self._account_id
        if group.candidates is None:
            return select(contact.id).where(in_account, group.condition(contact))
        # OFFSET 0: the planner would otherwise hand the index the whole condition too, and read every list.
        candidates = select(contact).where(in_account, group.candidates(contact)).offset(0).subquery()
        return select(candidates.c.id).where(group.condition(candidates.c))

    async def _group_ids(self, group: _Group, offset: int, limit: int, exclude: list[int]) -> tuple[list[int], int]:
        """`limit` ids of the group in the requested order from `offset`, those in `exclude` left out; and the
        group's size when the page is empty (what the next group's offset is reduced by)."""
        contact = models.Contact
        if offset + limit <= EARLY_MATCHES:
            # An early page of a group with a match in every 20 rows or more lies within the sort's first rows:
            # reading them (2 ms) spares finding a thousand of its matches through the index (13 ms for the
            # names starting with 'smith' among a million contacts).
            page = list((await self._session.execute(self._walk(group, offset, limit, exclude, FIRST_ROWS))).scalars())
            if len(page) == limit:
                return page, offset + limit
        some = await self._some_ids(group, SORTED_FROM_MATCHES + 1 + len(exclude))
        if len(some) <= SORTED_FROM_MATCHES + len(exclude):
            # Few: looked up and sorted.
            kept = [contact_id for contact_id in some if contact_id not in exclude]
            query = select(contact.id).where(contact.id.in_(kept)).order_by(*self._order)
            page = list((await self._session.execute(query.offset(offset).limit(limit))).scalars())
            return page, len(kept)
        page = list((await self._session.execute(self._walk(group, offset, limit, exclude, None))).scalars())
        if page:
            return page, offset + len(page)
        excluded = select(contact.id).where(contact.id.in_(exclude), group.condition(contact))
        overlap = len(list((await self._session.execute(excluded)).scalars())) if exclude else 0
        return page, await self._count(group) - overlap

    def _walk(self, group: _Group, offset: int, limit: int, exclude: list[int], rows: int | None) -> Select[Any]:
        """The group's ids from `offset`, found by walking the sort's index (its first `rows` rows, or all) and
        testing each row until `limit` are found. The subquery's LIMIT or OFFSET 0 keeps the planner from
        answering the condition from the trigram index first (it would then sort every match)."""
        contact = models.Contact
        walked = select(contact).where(contact.account_id == self._account_id).order_by(*self._order)
        found = (walked.offset(0) if rows is None else walked.limit(rows)).subquery()
        left_out = found.c.id.not_in(exclude) if exclude else true()
        return select(found.c.id).where(group.condition(found.c), left_out).offset(offset).limit(limit)


def _page(ids: list[int], offset: int, size: int, total: int, bound: int | None) -> PageIds:
    """The page's ids and count: exact when the page is the last or `total` is within `bound`, else a lower bound."""
    has_more = len(ids) > size
    if not has_more and (ids or not offset):
        return PageIds(ids=ids, count=offset + len(ids), capped=False, has_more=False)
    if bound is None or total <= bound:
        return PageIds(ids=ids[:size], count=total, capped=False, has_more=has_more)
    return PageIds(ids=ids[:size], count=max(bound, offset + len(ids)), capped=True, has_more=has_more)
