"""Chatwoot's contact filter (`POST /contacts/filter`) as one SQLAlchemy condition, on SQLite and PostgreSQL.

Follows Chatwoot's `Contacts::FilterService`, its `FilterService` and `lib/filters/filter_keys.yml`:

- each condition is `attribute_key`, `filter_operator`, `values`, and the `query_operator` (AND, OR)
  joining it to the next. Chatwoot writes the conditions into one SQL string, so AND binds before
  OR; the same grouping is built here as an OR of AND groups.
- `equal_to` and `not_equal_to` compare the first value, case-insensitively for text; `contains`
  and `does_not_contain` take every value (`ILIKE ANY`, `NOT ILIKE ALL`), `%` and `_` being
  wildcards as there. A phone number is compared with its `+`.
- a custom attribute is the account's contact attribute definition of that key, read by its type
  (text, link and list as text; number, currency and percent as numbers; date; checkbox); its
  `not_equal_to` also keeps contacts without the attribute, as Chatwoot's `OR ... IS NULL` does.
- dates compare by day in UTC (Chatwoot's `(...)::date`); `days_before N` is "before the day N
  days ago".

Values are always bound parameters, never written into the SQL.

At a million contacts the condition alone would be checked row by row, so `ContactFilter.plan` also names, per
OR group, the index-served supersets of its matches ("candidates"): a custom or additional attribute's value
from `contact_attribute_values` (one row per contact and key with the value as read here, kept in step by
triggers; migration 0006 says why a table and not expression indexes), a label's contacts, a lower-cased
standard column. The route counts each candidate up to a limit, and when every group has a small one it
visits only those contacts; the exact condition still decides, so a candidate may hold more, never fewer.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from operator import eq, gt, lt, ne
from typing import Any

from sqlalchemy import Float, Integer, Numeric, String, and_, case, cast, func, literal, not_, or_, select
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from api.validation import has_forbidden_characters
from server import models

DAY_SECONDS = 86_400
TEXT_OPERATORS = ("equal_to", "not_equal_to", "contains", "does_not_contain")
DATE_OPERATORS = ("is_greater_than", "is_less_than", "days_before")
EQUALITY_OPERATORS = ("equal_to", "not_equal_to")
PRESENCE_OPERATORS = ("is_present", "is_not_present")
VALUELESS_OPERATORS = frozenset(PRESENCE_OPERATORS)
QUERY_OPERATORS = frozenset({"AND", "OR"})
COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "equal_to": eq,
    "not_equal_to": ne,
    "is_greater_than": gt,
    "is_less_than": lt,
}
LIKE_ESCAPE = "\\"
# SQL builds the page and the count from this one condition; a thousand conditions is no filter anyone writes.
MAX_CONDITIONS = 100
# A compared number's power of ten, at most: far beyond any stored value (doubles end near 1e308), and within
# what PostgreSQL's numeric takes as a parameter or casts from text (which refuses 1e999999 and 1e-999999).
MAX_EXPONENT = 1000


@dataclass(kw_only=True, slots=True, frozen=True)
class StandardAttribute:
    """One entry of Chatwoot's `filter_keys.yml` `contacts:` section."""

    kind: str  # text, additional, labels, date, boolean
    operators: tuple[str, ...]


# In Chatwoot's order: its error message lists them so.
STANDARD_ATTRIBUTES: dict[str, StandardAttribute] = {
    "name": StandardAttribute(kind="text", operators=TEXT_OPERATORS),
    "phone_number": StandardAttribute(kind="text", operators=(*TEXT_OPERATORS, "starts_with")),
    "email": StandardAttribute(kind="text", operators=TEXT_OPERATORS),
    "identifier": StandardAttribute(kind="text", operators=EQUALITY_OPERATORS),
    "country_code": StandardAttribute(kind="additional", operators=EQUALITY_OPERATORS),
    "city": StandardAttribute(kind="additional", operators=TEXT_OPERATORS),
    "company": StandardAttribute(kind="additional", operators=TEXT_OPERATORS),
    "labels": StandardAttribute(kind="labels", operators=(*EQUALITY_OPERATORS, *PRESENCE_OPERATORS)),
    "created_at": StandardAttribute(kind="date", operators=DATE_OPERATORS),
    "last_activity_at": StandardAttribute(kind="date", operators=DATE_OPERATORS),
    "blocked": StandardAttribute(kind="boolean", operators=EQUALITY_OPERATORS),
}
STANDARD_COLUMNS = {
    "name": models.Contact.name,
    "phone_number": models.Contact.phone_number,
    "email": models.Contact.email,
    "identifier": models.Contact.identifier,
    "created_at": models.Contact.created_at,
    "last_activity_at": models.Contact.last_activity_at,
    "blocked": models.Contact.blocked,
}
# Chatwoot reads custom attributes by type (`FilterService::ATTRIBUTE_TYPES`); currency and percent are numbers here.
CUSTOM_KINDS = {
    "text": "text",
    "link": "text",
    "list": "text",
    "number": "number",
    "currency": "number",
    "percent": "number",
    "date": "date",
    "checkbox": "boolean",
}
CUSTOM_OPERATORS = {
    "text": (*TEXT_OPERATORS, *PRESENCE_OPERATORS),
    "number": (*EQUALITY_OPERATORS, *PRESENCE_OPERATORS, "is_greater_than", "is_less_than"),
    "date": (*EQUALITY_OPERATORS, *PRESENCE_OPERATORS, *DATE_OPERATORS),
    "boolean": (*EQUALITY_OPERATORS, *PRESENCE_OPERATORS),
}
BOOLEAN_WORDS = {
    "true": True,
    "t": True,
    "yes": True,
    "y": True,
    "on": True,
    "1": True,
    "false": False,
    "f": False,
    "no": False,
    "n": False,
    "off": False,
    "0": False,
}
_NUMBER_TEXT = re.compile(r"\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*", re.ASCII)
_WHOLE_NUMBER = re.compile(r"\s*[-+]?\d+\s*", re.ASCII)
# Stored text that reads as a number or a day, for the database to cast only what it can: PostgreSQL's numeric
# refuses '1e999999' (an error for the whole query), so a power of ten of more than three digits is not a number.
_PG_NUMBER = r"^\s*[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]{1,3})?\s*$"
_PG_DAY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
_SQLITE_DAY = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*"
_SQLITE_NOT_NUMBER = "*[^0-9.eE+ -]*"
_SQLITE_LONG_EXPONENTS = ("*[eE][0-9][0-9][0-9][0-9]*", "*[eE][-+][0-9][0-9][0-9][0-9]*")  # as _PG_NUMBER refuses


# contact_attribute_values.text_value holds a value's first characters (an index entry has a size limit).
TEXT_PREFIX = 100
ADDITIONAL_KEYS = frozenset({"city", "country_code", "company"})  # read from additional_attributes; migration 0006
LOWERED_COLUMNS = frozenset({"name", "email", "phone_number", "identifier"})  # lower(column) indexes


class AttributeValue(models.Base):
    """A contact's attribute value as the filter reads it, by key; written only by the triggers of migration 0006."""

    __tablename__ = "contact_attribute_values"
    __table_args__ = {"sqlite_with_rowid": False}

    contact_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(16), primary_key=True)  # custom, additional
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    account_id: Mapped[int] = mapped_column(Integer)
    text_value: Mapped[str | None] = mapped_column(String(TEXT_PREFIX))  # lower-cased, the first TEXT_PREFIX
    number_value: Mapped[float | None] = mapped_column(Float().with_variant(Numeric(), "postgresql"))
    day_value: Mapped[str | None] = mapped_column(String(10))  # YYYY-MM-DD


class FilterInvalid(Exception):
    """A filter Chatwoot refuses with 422 (`CustomExceptions::CustomFilter`); `str()` is its message."""


class InvalidAttribute(FilterInvalid):
    def __init__(self, key: str) -> None:
        super().__init__(
            f"Invalid attribute key - [{key}]. The key should be one of [{','.join(STANDARD_ATTRIBUTES)}] "
            "or a custom attribute defined in the account."
        )


class InvalidOperator(FilterInvalid):
    def __init__(self, key: str, allowed: Sequence[str]) -> None:
        super().__init__(f"Invalid operator. The allowed operators for {key} are [{','.join(allowed)}].")


class InvalidQueryOperator(FilterInvalid):
    def __init__(self) -> None:
        super().__init__('Query operator must be either "AND" or "OR".')


class InvalidValue(FilterInvalid):
    def __init__(self, key: str) -> None:
        super().__init__(f"Invalid value. The values provided for {key} are invalid")


@dataclass(kw_only=True, slots=True, frozen=True)
class Condition:
    """One entry of the request's `payload`, as sent."""

    attribute_key: str
    filter_operator: str
    values: Any
    query_operator: str | None


@dataclass(kw_only=True, slots=True, frozen=True)
class DayBounds:
    """A compared moment as days: after it means a later day, before it an earlier one (UTC)."""

    after: datetime.date
    before: datetime.date


@dataclass(kw_only=True, slots=True, frozen=True)
class Candidate:
    """A SELECT of one column, `contact_id`, naming each contact at most once: every contact a condition matches,
    and when not `exact` maybe others (other accounts' too)."""

    ids: Select[Any]
    exact: bool


@dataclass(kw_only=True, slots=True, frozen=True)
class FilterPlan:
    """The exact condition, and per OR group the candidates of its conditions that an index serves."""

    condition: ColumnElement[bool]
    candidates: list[list[Candidate]]
    # Per group: every condition has an exact candidate, so together they are exactly the group's matches.
    exact: list[bool]


def conditions_of(payload: Sequence[Mapping[str, Any]]) -> list[Condition]:
    """The conditions of a request's `payload`; raises InvalidQueryOperator first, as Chatwoot checks them first."""
    conditions = [
        Condition(
            attribute_key=str(item.get("attribute_key")),
            filter_operator=str(item.get("filter_operator")),
            values=item.get("values"),
            query_operator=item.get("query_operator"),
        )
        for item in payload
    ]
    for index, condition in enumerate(conditions):
        operator = condition.query_operator
        is_last = index == len(conditions) - 1
        if operator is None or operator == "":
            # Chatwoot would join two conditions with nothing between them and fail in the database.
            if not is_last:
                raise InvalidQueryOperator
        elif not isinstance(operator, str) or operator.upper() not in QUERY_OPERATORS:
            raise InvalidQueryOperator
    return conditions


class ContactFilter:
    """Builds the SQL condition for a list of conditions, for one account's attribute definitions."""

    def __init__(self, definitions: Mapping[str, str], *, postgres: bool, today: datetime.date) -> None:
        """`definitions` maps the account's contact attribute keys to their display types."""
        self.definitions = definitions
        self.postgres = postgres
        self.today = today

    def condition(self, conditions: Sequence[Condition]) -> ColumnElement[bool]:
        """All conditions chained by their query operators, AND before OR."""
        groups: list[list[ColumnElement[bool]]] = [[]]
        for index, condition in enumerate(conditions):
            groups[-1].append(self._one(condition))
            if _ends_group(conditions, index):
                groups.append([])
        return or_(*(and_(*group) for group in groups))

    def plan(self, conditions: Sequence[Condition], account_id: int) -> FilterPlan:
        """The condition, and the index-served candidates of each OR group (none for a group no index serves)."""
        condition = self.condition(conditions)  # raises FilterInvalid before any candidate is built
        groups: list[list[Candidate]] = [[]]
        exact = [True]
        for index, item in enumerate(conditions):
            candidate = self._candidate(item, account_id)
            if candidate is not None:
                groups[-1].append(candidate)
            exact[-1] = exact[-1] and candidate is not None and candidate.exact
            if _ends_group(conditions, index):
                groups.append([])
                exact.append(True)
        return FilterPlan(condition=condition, candidates=groups, exact=exact)

    def _candidate(self, condition: Condition, account_id: int) -> Candidate | None:
        """Contact ids an index finds, among them every contact `condition` matches; None where no index serves."""
        key, operator, values = condition.attribute_key, condition.filter_operator, _as_list(condition.values)
        standard = STANDARD_ATTRIBUTES.get(key)
        if standard is None:
            kind = CUSTOM_KINDS.get(self.definitions[key], "text")
            return self._value_candidate(account_id, "custom", key, kind, operator, values)
        if key in ADDITIONAL_KEYS:
            return self._value_candidate(account_id, "additional", key, "text", operator, values)
        if key == "labels" and operator == "equal_to":
            labelled = select(models.ContactLabel.contact_id).where(
                models.ContactLabel.title == _text(key, values[0]).lower()
            )
            return Candidate(ids=labelled, exact=False)  # every account's
        if key in LOWERED_COLUMNS and operator in ("equal_to", "starts_with"):
            # The condition alone, served by the index on lower(column) of migration 0006; with the account's
            # equality beside it SQLite's planner (no statistics) would rather scan a covering index of the account.
            return Candidate(ids=select(models.Contact.id.label("contact_id")).where(self._one(condition)), exact=False)
        if key == "last_activity_at":
            ids = select(models.Contact.id.label("contact_id")).where(
                models.Contact.account_id == account_id, self._one(condition)
            )
            return Candidate(ids=ids, exact=True)
        return None

    def _value_candidate(
        self, account_id: int, source: str, key: str, kind: str, operator: str, values: list[Any]
    ) -> Candidate | None:
        if operator not in ("equal_to", "is_present", *DATE_OPERATORS):
            return None  # the others also match contacts without the value, or need every value read
        value: Any = AttributeValue.text_value
        matched: ColumnElement[bool]
        if kind == "number":
            value = AttributeValue.number_value
        elif kind == "date":
            value = AttributeValue.day_value
        exact = True  # the same reading as the condition's, of the same account
        if operator == "is_present":
            matched = value.is_not(None)
        elif kind in ("text", "boolean"):
            wanted = (
                _text(key, values[0]).lower() if kind == "text" else ("true" if _boolean(key, values[0]) else "false")
            )
            matched = value == wanted[:TEXT_PREFIX]
            # A shorter text equal to a value's first characters is the whole value; a longer one only its start.
            exact = len(wanted) < TEXT_PREFIX
        else:
            matched = self._custom_comparison(key, kind, value, operator, values)
        ids = select(AttributeValue.contact_id).where(
            AttributeValue.account_id == account_id,
            AttributeValue.source == source,
            AttributeValue.key == key,
            matched,
        )
        return Candidate(ids=ids, exact=exact)

    def _one(self, condition: Condition) -> ColumnElement[bool]:
        key, operator = condition.attribute_key, condition.filter_operator
        standard = STANDARD_ATTRIBUTES.get(key)
        if standard is not None and operator not in standard.operators:
            raise InvalidOperator(key, standard.operators)
        if operator not in VALUELESS_OPERATORS and _blank(condition.values):
            raise InvalidValue(key)
        if standard is not None:
            return self._standard(key, standard, operator, _as_list(condition.values))
        display_type = self.definitions.get(key)
        if display_type is None:
            raise InvalidAttribute(key)
        kind = CUSTOM_KINDS.get(display_type, "text")
        if operator not in CUSTOM_OPERATORS[kind]:
            raise InvalidOperator(key, CUSTOM_OPERATORS[kind])
        return self._custom(key, kind, operator, _as_list(condition.values))

    # Standard attributes

    def _standard(
        self, key: str, attribute: StandardAttribute, operator: str, values: list[Any]
    ) -> ColumnElement[bool]:
        if attribute.kind == "labels":
            return self._labels(key, operator, values)
        if attribute.kind == "date":
            return self._timestamp(key, STANDARD_COLUMNS[key], operator, values)
        if attribute.kind == "boolean":
            column = STANDARD_COLUMNS[key]
            wanted = _boolean(key, values[0])
            return column == wanted if operator == "equal_to" else column != wanted
        text = (
            self._json_text(models.Contact.additional_attributes, key)
            if attribute.kind == "additional"
            else STANDARD_COLUMNS[key]
        )
        if operator == "starts_with":
            # In Chatwoot's list for phone numbers, but its `filter_operation` has no case for it and
            # falls back to `= value`: the same as equal_to.
            operator = "equal_to"
        if key == "phone_number" and operator in EQUALITY_OPERATORS:
            values = [f"+{_text(key, values[0]).replace('+', '')}"]
        return _text_comparison(key, func.lower(text), operator, values)

    def _labels(self, key: str, operator: str, values: list[Any]) -> ColumnElement[bool]:
        labelled = (
            select(models.ContactLabel.contact_id)
            .where(models.ContactLabel.contact_id == models.Contact.id)
            .correlate(models.Contact)
        )
        if operator in PRESENCE_OPERATORS:
            return labelled.exists() if operator == "is_present" else ~labelled.exists()
        titles = [_text(key, value) for value in values]  # each checked, the first compared
        having = labelled.where(models.ContactLabel.title == titles[0].lower()).exists()
        return having if operator == "equal_to" else ~having

    def _timestamp(self, key: str, column: Any, operator: str, values: list[Any]) -> ColumnElement[bool]:
        """Unix seconds compared by day: bounds on the column itself, so an index can serve them."""
        bounds = self._day_bounds(key, operator, values[0])
        if operator == "is_greater_than":
            # In seconds, not as the next day's date: after 9999-12-31 is a valid question with no date to name.
            return column >= _midnight(bounds.after) + DAY_SECONDS  # type: ignore[no-any-return]
        return column < _midnight(bounds.before)  # type: ignore[no-any-return]

    def _day_bounds(self, key: str, operator: str, value: Any) -> DayBounds:
        if operator == "days_before":
            day = self.today - datetime.timedelta(days=_whole_days(key, value))
            return DayBounds(after=day, before=day)
        return _moment_bounds(key, value)

    # Custom attributes

    def _custom(self, key: str, kind: str, operator: str, values: list[Any]) -> ColumnElement[bool]:
        typed = self._custom_value(key, kind)
        if operator in PRESENCE_OPERATORS:
            return typed.is_not(None) if operator == "is_present" else typed.is_(None)
        matched = self._custom_comparison(key, kind, typed, operator, values)
        # Chatwoot's `OR (...) IS NULL`: "not equal to x" keeps the contacts that have no value at all.
        return or_(matched, typed.is_(None)) if operator == "not_equal_to" else matched

    def _custom_value(self, key: str, kind: str) -> ColumnElement[Any]:
        """The attribute as its type reads it: a number, a YYYY-MM-DD day, or lower-case text; NULL otherwise."""
        column = models.Contact.custom_attributes
        if kind == "number":
            return self._json_number(column, key)
        if kind == "date":
            return self._json_day(column, key)
        return func.lower(self._json_text(column, key))

    def _custom_comparison(
        self, key: str, kind: str, typed: ColumnElement[Any], operator: str, values: list[Any]
    ) -> ColumnElement[bool]:
        if kind == "number":
            numbers = [_number(key, value) for value in values]  # each checked, the first compared
            bound = literal(numbers[0], Numeric()) if self.postgres else literal(float(numbers[0]), Float())
            return _compared(typed, operator, bound)
        if kind == "date":
            if operator == "days_before":
                bounds = self._day_bounds(key, operator, values[0])
            else:
                checked = [_moment_bounds(key, value) for value in values]  # each checked, the first compared
                bounds = checked[0]
            if operator in EQUALITY_OPERATORS:
                return _compared(typed, operator, literal(bounds.after.isoformat()))
            if operator == "is_greater_than":
                return typed > bounds.after.isoformat()
            return typed < bounds.before.isoformat()
        if kind == "boolean":
            return _compared(typed, operator, literal("true" if _boolean(key, values[0]) else "false"))
        return _text_comparison(key, typed, operator, values)

    # JSON, read alike on both databases

    def _json_text(self, column: Any, key: str) -> ColumnElement[Any]:
        """The value as text (`->>`): NULL when missing or null, `true`/`false` for booleans."""
        if self.postgres:
            return column[key].as_string()  # type: ignore[no-any-return]
        path = _sqlite_path(key)
        kind = func.json_type(column, path)
        return case((kind.in_(["true", "false"]), kind), else_=func.json_extract(column, path))

    def _json_number(self, column: Any, key: str) -> ColumnElement[Any]:
        """The value as a number: JSON numbers and text that reads as one; NULL for anything else."""
        if self.postgres:
            kind = func.json_typeof(column[key])
            text = column[key].as_string()
            return case(
                (kind == "number", cast(text, Numeric())),
                (and_(kind == "string", text.regexp_match(_PG_NUMBER)), cast(text, Numeric())),
                else_=None,
            )
        path = _sqlite_path(key)
        kind = func.json_type(column, path)
        value = func.json_extract(column, path)
        trimmed = func.trim(value)
        return case(
            (kind.in_(["integer", "real"]), value),
            (
                and_(
                    kind == "text",
                    trimmed != "",
                    trimmed.op("NOT GLOB")(_SQLITE_NOT_NUMBER),
                    *(trimmed.op("NOT GLOB")(pattern) for pattern in _SQLITE_LONG_EXPONENTS),
                ),
                cast(value, Float()),
            ),
            else_=None,
        )

    def _json_day(self, column: Any, key: str) -> ColumnElement[Any]:
        """The value's day as YYYY-MM-DD text when it starts with one, else NULL; compared as text."""
        text = self._json_text(column, key)
        is_day = text.regexp_match(_PG_DAY) if self.postgres else text.op("GLOB")(_SQLITE_DAY)
        return case((is_day, func.substr(text, 1, 10)), else_=None)


def _ends_group(conditions: Sequence[Condition], index: int) -> bool:
    """True when the condition at `index` is joined to the next one by OR."""
    joiner = conditions[index].query_operator
    return index < len(conditions) - 1 and isinstance(joiner, str) and joiner.upper() == "OR"


def _blank(values: Any) -> bool:
    """Rails' `blank?`: nil, false, empty or whitespace-only string, empty list or object."""
    if values is None or values is False:
        return True
    if isinstance(values, str):
        return not values.strip()
    if isinstance(values, list | dict):
        return not values
    return False


def _as_list(values: Any) -> list[Any]:
    return values if isinstance(values, list) else [values]


def _text(key: str, value: Any) -> str:
    if not isinstance(value, str) or has_forbidden_characters(value):
        raise InvalidValue(key)
    return value


def _text_comparison(key: str, lowered: Any, operator: str, values: list[Any]) -> ColumnElement[bool]:
    texts = [_text(key, value) for value in values]
    if operator in EQUALITY_OPERATORS:
        return _compared(lowered, operator, literal(texts[0].lower()))
    # `%` and `_` stay wildcards as in Chatwoot's ILIKE; a backslash is only a character (PostgreSQL would
    # refuse a pattern ending in one).
    patterns = [f"%{text.strip().lower().replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)}%" for text in texts]
    if operator == "contains":
        return or_(*(lowered.like(pattern, escape=LIKE_ESCAPE) for pattern in patterns))
    return and_(*(not_(lowered.like(pattern, escape=LIKE_ESCAPE)) for pattern in patterns))


def _compared(expression: Any, operator: str, value: Any) -> ColumnElement[bool]:
    compare = COMPARISONS[operator]
    return compare(expression, value)  # type: ignore[no-any-return]


def _boolean(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in BOOLEAN_WORDS:
        return BOOLEAN_WORDS[value.strip().lower()]
    raise InvalidValue(key)


def _number(key: str, value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidValue(key)
    if isinstance(value, str) and not _NUMBER_TEXT.fullmatch(value):
        raise InvalidValue(key)
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidValue(key)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise InvalidValue(key) from error
    if abs(number.adjusted()) > MAX_EXPONENT:
        raise InvalidValue(key)  # PostgreSQL's numeric cannot even be sent it
    return number


def _whole_days(key: str, value: Any) -> int:
    """Chatwoot's `to_i`, for the numbers people send: a whole number or its digits."""
    if isinstance(value, bool):
        raise InvalidValue(key)
    if isinstance(value, float) and math.isfinite(value):
        value = int(value)
    if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value):
        value = int(value)
    if not isinstance(value, int) or abs(value) > 36_500:
        raise InvalidValue(key)
    return value


def _moment_bounds(key: str, value: Any) -> DayBounds:
    """The days a date or an ISO datetime is compared against, as PostgreSQL compares `date` with them."""
    if not isinstance(value, str):
        raise InvalidValue(key)
    text = value.strip()
    try:
        if len(text) == 10:
            day = datetime.date.fromisoformat(text)
            return DayBounds(after=day, before=day)
        moment = datetime.datetime.fromisoformat(text)
        if moment.tzinfo is not None:
            moment = moment.astimezone(datetime.UTC).replace(tzinfo=None)
        day = moment.date()
        # A day is later than the moment when it starts after it, earlier when it starts before it.
        later = day if moment.time() == datetime.time() else day + datetime.timedelta(days=1)
    except (ValueError, OverflowError) as error:  # OverflowError: a moment past the calendar's ends once in UTC
        raise InvalidValue(key) from error
    return DayBounds(after=day, before=later)


def _midnight(day: datetime.date) -> int:
    return int(datetime.datetime.combine(day, datetime.time(), datetime.UTC).timestamp())


def _sqlite_path(key: str) -> str:
    """A JSON path naming `key` exactly (Chatwoot's attribute keys are letters, digits, `_`, `-` and `.`)."""
    return f'$."{key}"'
