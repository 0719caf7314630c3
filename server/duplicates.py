"""Duplicate suggestions (`GET /contacts/{id}/duplicates`): the account's other contacts that may be the same person,
each with its reasons (api/duplicates.py says what they are), every one looked up through an index:

- `email`: `lower(email)` (migration 0006), the account checked on the few rows it finds;
- `phone_number`: the (account, phone number) unique index, asked for each text the number can be stored as
  (`api.duplicates.phone_forms`), the matches kept when libphonenumber reads the same number;
- `name`: migration 0008's (account, lower-cased company, lower-cased name, id) index. The names of a company
  are read around the contact's in sorted order, as written and with its words the other way round ("smith
  john": a typo in the first name then still sorts near), NAME_WINDOW each way: the "sorted neighbourhood" of
  record linkage. At most 4 x NAME_WINDOW rows, whatever the size of the company, compared with RapidFuzz here.
  A name that sorts far away with both orders (typos in the first letters of both words) is missed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.duplicates import MAX_SUGGESTIONS, DuplicateReason, name_similarity, phone_forms, phone_key, similar_names
from server import models

# Rows of a company's names read on each side of a contact's name, for each of its two orders.
NAME_WINDOW = 25
COMPANY_NAME_INDEX = "ix_contacts_account_company_name"


def company_sql(dialect: str) -> str:
    """A contact's company as migration 0008's index holds it (and the lookup compares it, written the same, so
    the planner matches the two): `company_name` lower-cased."""
    if dialect == "sqlite":
        return "lower(json_extract(additional_attributes, '$.company_name'))"
    return "lower(additional_attributes ->> 'company_name')"


@dataclass(kw_only=True, slots=True)
class Suggestion:
    """Another contact and why it may be the same person, in `api.duplicates.REASONS`' order."""

    contact: models.Contact
    reasons: list[DuplicateReason] = field(default_factory=list)


@dataclass(kw_only=True, slots=True, frozen=True)
class _Keys:
    """What the lookup compares of the contact, read as the database folds case."""

    email: str | None
    phone_number: str | None
    name: str
    name_key: str
    company_key: str | None


class DuplicateLookup:
    """The statements of one contact's lookup in an account (also read by the tests, for their plans)."""

    def __init__(self, session: AsyncSession, account_id: int, contact_id: int) -> None:
        self.session = session
        self.account_id = account_id
        self.contact_id = contact_id
        self.company: ColumnElement[Any] = literal_column(company_sql(session.get_bind().dialect.name))
        self.name_key: ColumnElement[str] = func.lower(models.Contact.name)

    def keys_statement(self) -> Select[int, str | None, str | None, str, str, Any]:
        """The contact's values, by its id alone (the primary key; its account is checked on the row)."""
        contact = models.Contact
        columns = (contact.account_id, contact.email, contact.phone_number, contact.name, self.name_key, self.company)
        return select(*columns).where(contact.id == self.contact_id)

    def _others(self) -> ColumnElement[bool]:
        return models.Contact.id != self.contact_id

    def email_statement(self, email: str) -> Select[int]:
        contact = models.Contact
        # `account_id + 0`: found by the address alone (few rows), not by walking the account's index.
        return (
            select(contact.id)
            .where(
                func.lower(contact.email) == func.lower(email),
                contact.account_id + 0 == self.account_id,
                self._others(),
            )
            .limit(MAX_SUGGESTIONS)
        )

    def phone_statement(self, forms: Sequence[str]) -> Select[int, str | None]:
        contact = models.Contact
        return select(contact.id, contact.phone_number).where(
            contact.account_id == self.account_id, contact.phone_number.in_(sorted(forms)), self._others()
        )

    def name_statement(self, company_key: str, name_key: str, *, after: bool) -> Select[int, str]:
        """NAME_WINDOW names of the company from `name_key` on (`after`), or the ones before it, nearest first."""
        contact = models.Contact
        key = self.name_key
        order: tuple[Any, ...]
        if after:
            side, order = key >= name_key, (key, contact.id)
        else:
            side, order = key < name_key, (key.desc(), contact.id.desc())
        return (
            select(contact.id, contact.name)
            .where(contact.account_id == self.account_id, self.company == company_key, side, self._others())
            .order_by(*order)
            .limit(NAME_WINDOW)
        )

    async def _keys(self) -> _Keys | None:
        row = (await self.session.execute(self.keys_statement())).one_or_none()
        if row is None or row[0] != self.account_id:
            return None
        _account_id, email, phone, name, name_key, company = row
        return _Keys(
            email=email or None,
            phone_number=phone or None,
            name=name or "",
            name_key=name_key or "",
            company_key=company if isinstance(company, str) and company.strip() else None,
        )

    async def suggestions(self) -> list[Suggestion] | None:
        """The suggestions, email matches first, then phone numbers, then names (the most alike first); None when
        the account has no such contact."""
        keys = await self._keys()
        if keys is None:
            return None
        found: dict[int, list[DuplicateReason]] = {}
        if keys.email:
            for contact_id in (await self.session.execute(self.email_statement(keys.email))).scalars():
                found.setdefault(contact_id, []).append("email")
        if keys.phone_number:
            number = phone_key(keys.phone_number)
            rows = await self.session.execute(self.phone_statement(sorted(phone_forms(keys.phone_number))))
            for contact_id, phone in rows:
                if phone and phone_key(phone) == number:
                    found.setdefault(contact_id, []).append("phone_number")
        for contact_id in await self._similar_names(keys):
            found.setdefault(contact_id, []).append("name")
        ids = list(found)[:MAX_SUGGESTIONS]
        if not ids:
            return []
        chosen = await self.session.execute(select(models.Contact).where(models.Contact.id.in_(ids)))
        contacts = {contact.id: contact for contact in chosen.scalars()}
        return [Suggestion(contact=contacts[i], reasons=found[i]) for i in ids if i in contacts]

    async def _similar_names(self, keys: _Keys) -> list[int]:
        """The company's contacts with a very similar name, the most alike first."""
        if keys.company_key is None or not keys.name.strip():
            return []
        name_keys = [keys.name_key]
        turned = " ".join(reversed(keys.name_key.split()))
        if turned != keys.name_key:
            name_keys.append(turned)
        names: dict[int, str] = {}
        for name_key in name_keys:
            for after in (True, False):
                statement = self.name_statement(keys.company_key, name_key, after=after)
                for contact_id, name in await self.session.execute(statement):
                    names[contact_id] = name
        alike = [(contact_id, name) for contact_id, name in names.items() if similar_names(keys.name, name)]
        alike.sort(key=lambda pair: (-name_similarity(keys.name, pair[1]), pair[0]))
        return [contact_id for contact_id, _name in alike]


async def duplicate_suggestions(session: AsyncSession, account_id: int, contact_id: int) -> list[Suggestion] | None:
    """The account's other contacts that may be the same person as the contact; None when it has no such contact."""
    return await DuplicateLookup(session, account_id, contact_id).suggestions()
