"""Translations from `assets/locales/*.json`, locale negotiation, and numbers, lists, dates and times as each locale
writes them (CLDR, through Babel).

Keys address nested JSON with dots (`ERRORS.INVALID_EMAIL`). A missing key falls back to English, then to the key
itself, so a gap shows as a readable key rather than an empty label. A counted text is an object of CLDR plural
categories, with those its language has (`{"one": "{count} contact", "other": "{count} contacts"}`; Arabic:
zero, one, two, few, many, other): `t(key, count=n)` picks the form CLDR's rules give for `n` and writes `{count}`
as the locale writes numbers. No locale given means English.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal

from babel import Locale
from babel import dates as babel_dates
from babel import lists as babel_lists
from babel import numbers as babel_numbers

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).resolve().parent.parent / "assets" / "locales"
SUPPORTED_LOCALES = ("en", "de", "es", "ar")
DEFAULT_LOCALE = "en"
RTL_LOCALES = frozenset({"ar"})
PLURAL_CATEGORIES = frozenset({"zero", "one", "two", "few", "many", "other"})

_LANGUAGE_RANGE = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$|^\*$")
_MINUTE, _HOUR, _DAY = 60, 3600, 86400
# CLDR's minimumGroupingDigits, which Babel does not apply: Spanish groups only numbers of five digits or more
# (common/main/es.xml: "1234", but "12.345"). The other supported locales group from four digits.
_MINIMUM_GROUPING_DIGITS = {"es": 2}
# CLDR's "at least" patterns (common/main/<language>.xml, miscPatterns atLeast), which Babel does not load. Spanish's
# is "Más de {0}", capitalised as if it stood alone; here it always stands inside a sentence.
_AT_LEAST = {"en": "{0}+", "de": "{0}+", "es": "más de {0}", "ar": "+{0}"}
# Whole counts repeat (every row of a list shows one), and Babel takes tens of microseconds per number.
_WHOLE_NUMBERS_CACHED = 4096

Message = str | dict[str, str]
"""A text, or a counted text's forms by CLDR plural category."""


class _KeepMissing(dict[str, Any]):
    """Format parameters that leave an unknown `{placeholder}` as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@cache
def _catalog(locale: str) -> dict[str, Message]:
    """The flattened translations of one locale, read once; empty when its file is missing or broken."""
    path = LOCALES_DIR / f"{locale}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        log.exception("Cannot read locale file %s", path)
        return {}
    flat: dict[str, Message] = {}
    if isinstance(data, dict):
        _flatten(data, "", flat)
    return flat


def _flatten(node: dict[str, Any], prefix: str, into: dict[str, Message]) -> None:
    for name, child in node.items():
        key = f"{prefix}.{name}" if prefix else name
        if _is_plural(child):
            into[key] = dict(child)
        elif isinstance(child, dict):
            _flatten(child, key, into)
        elif isinstance(child, str):
            into[key] = child


def _is_plural(node: Any) -> bool:
    """True for an object of plural forms: only CLDR categories as keys, `other` among them, texts as values."""
    return (
        isinstance(node, dict)
        and "other" in node
        and node.keys() <= PLURAL_CATEGORIES
        and all(isinstance(text, str) for text in node.values())
    )


@cache
def _babel_locale(code: str) -> Locale:
    return Locale.parse(code)


def _code(locale: str | None) -> str:
    return supported_locale(locale) or DEFAULT_LOCALE


def supported_locale(locale: str | None) -> str | None:
    """The supported locale a tag like `de-CH` or `ES` stands for, None when there is none."""
    if not locale:
        return None
    primary = locale.strip().replace("_", "-").split("-")[0].lower()
    return primary if primary in SUPPORTED_LOCALES else None


def plural_categories(locale: str) -> frozenset[str]:
    """The CLDR plural categories the locale's language tells apart, `other` included (English: one, other)."""
    return frozenset(_babel_locale(_code(locale)).plural_form.tags | {"other"})


def plural_category(count: float | Decimal, locale: str | None = None) -> str:
    """The CLDR plural category of `count` in the locale: Arabic 0 `zero`, 1 `one`, 2 `two`, 3 `few`, 11 `many`,
    100 `other`."""
    code = _code(locale)
    if type(count) is int:
        return _whole_plural_category(count, code)
    return str(_babel_locale(code).plural_form(count))


@lru_cache(maxsize=_WHOLE_NUMBERS_CACHED)
def _whole_plural_category(count: int, code: str) -> str:
    return str(_babel_locale(code).plural_form(count))


def t(key: str, locale: str | None = None, **params: Any) -> str:
    """The text for `key` in `locale` with `{name}` placeholders filled.

    A numeric `count` picks a counted text's plural form and is written as the locale writes numbers; without one,
    a counted text reads in its `other` form.
    """
    code = _code(locale)
    message = _lookup(key, code)
    if message is None:
        return key
    count = params.get("count")
    number = count if isinstance(count, int | float | Decimal) and not isinstance(count, bool) else None
    if isinstance(message, dict):
        category = "other" if number is None else plural_category(number, code)
        # An English fallback lacks the categories English does not have.
        template = message.get(category, message["other"])
    else:
        template = message
    if number is not None:
        params["count"] = format_number(number, code)
    if not params:
        return template
    try:
        return template.format_map(_KeepMissing(params))
    except (ValueError, AttributeError, IndexError, KeyError):
        log.warning("Malformed placeholders in %s for locale %s", key, code)
        return template


def format_number(value: float | Decimal, locale: str | None = None, *, fraction_digits: int | None = None) -> str:
    """A number as the locale writes it (CLDR): `1,234.5` in English, `1.234,5` in German, `1234,5` and
    `12.345,5` in Spanish, `1,234.5` in Arabic (CLDR's `ar` writes Latin digits).

    Up to three fraction digits, or exactly `fraction_digits` (rounded half to even, as CLDR does).
    """
    code = _code(locale)
    if type(value) is int and fraction_digits is None:
        return _whole_number(value, code)
    return _formatted_number(value, code, fraction_digits)


@lru_cache(maxsize=_WHOLE_NUMBERS_CACHED)
def _whole_number(value: int, code: str) -> str:
    return _formatted_number(value, code, None)


def _formatted_number(value: float | Decimal, code: str, fraction_digits: int | None) -> str:
    pattern = _babel_locale(code).decimal_formats[None]
    if fraction_digits is not None:
        pattern = copy.copy(pattern)
        pattern.frac_prec = (fraction_digits, fraction_digits)
    text = babel_numbers.format_decimal(
        value,
        format=pattern,
        locale=_babel_locale(code),
        group_separator=_grouped(value, code, pattern.frac_prec[1]),
        numbering_system="default",
    )
    return _with_locale_signs(text, code)


def format_at_least(value: float | Decimal, locale: str | None = None) -> str:
    """A number that is a lower bound, as the locale writes "at least" (CLDR): `10,000+`, `10.000+`,
    `más de 10.000`, `+10,000` in Arabic; the number as `format_number` writes it."""
    code = _code(locale)
    return _AT_LEAST[code].replace("{0}", format_number(value, code))


def format_list(
    items: Iterable[str], locale: str | None = None, *, style: Literal["standard", "or"] = "standard"
) -> str:
    """Items joined as the locale joins a list (CLDR): `a, b, and c`, `a, b und c`, `a وb وc`; with `style="or"`,
    `a, b, or c`, `a أو b أو c`."""
    return babel_lists.format_list(list(items), style=style, locale=_babel_locale(_code(locale)))


def format_percent(points: float | Decimal, locale: str | None = None) -> str:
    """A percentage given in points (15 means 15 %) with the fraction digits it has: `15%` in English and Arabic
    (with Arabic's left-to-right marks), `15 %` (no-break space) in German and Spanish."""
    code = _code(locale)
    # Through the decimal's text, so 33.3 points stay 0.333 rather than a float's 0.33299999999999996.
    value = Decimal(str(points)) / 100
    text = babel_numbers.format_percent(
        value,
        locale=_babel_locale(code),
        decimal_quantization=False,
        group_separator=_grouped(points, code, None),
        numbering_system="default",
    )
    return _with_locale_signs(text, code)


def _grouped(value: float | Decimal, code: str, fraction_digits: int | None) -> bool:
    """Whether the locale groups the whole part of `value` as written (CLDR's minimumGroupingDigits)."""
    shown = Decimal(str(value)) if fraction_digits is None else round(Decimal(str(value)), fraction_digits)
    return bool(abs(shown) >= 10 ** (2 + _MINIMUM_GROUPING_DIGITS.get(code, 1)))


def _with_locale_signs(text: str, code: str) -> str:
    """`text` with the locale's own minus and percent signs (Arabic's carry left-to-right marks, as in Chromium's
    Intl): Babel writes a pattern's `-` and `%` as they are."""
    babel_locale = _babel_locale(code)
    symbols = babel_locale.number_symbols[babel_locale.default_numbering_system]
    if text.startswith("-"):
        text = symbols["minusSign"] + text[1:]
    return text.replace("%", symbols["percentSign"])


def _lookup(key: str, locale: str) -> Message | None:
    message = _catalog(locale).get(key)
    if message is None and locale != DEFAULT_LOCALE:
        message = _catalog(DEFAULT_LOCALE).get(key)
    return message


def all_keys(locale: str) -> set[str]:
    """Every dotted key the locale's own file defines (no fallback)."""
    return set(_catalog(locale))


def is_rtl(locale: str | None) -> bool:
    """True for right-to-left scripts (Arabic)."""
    return supported_locale(locale) in RTL_LOCALES


def negotiate_locale(accept_language: str | None, preferred: str | None = None) -> str:
    """The locale to show: the agent's own setting if supported, else the browser's best match, else English."""
    chosen = supported_locale(preferred)
    if chosen:
        return chosen
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, rest = part.strip().partition(";")
        tag = tag.strip()
        if not tag or not _LANGUAGE_RANGE.match(tag):
            continue
        quality = 1.0
        for parameter in rest.split(";"):
            name, _, value = parameter.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, position, tag))
    for _, _, tag in sorted(ranked):
        match = supported_locale(tag)
        if match:
            return match
    return DEFAULT_LOCALE


def relative_time(timestamp: int | float, now: int | float | None = None, locale: str | None = None) -> str:
    """`just now`, `a minute ago`, `5 minutes ago`, `3 hours ago`, `2 days ago`, `4 months ago`, `a year ago`.

    Times in the future (clock skew between servers) read `just now`.
    """
    current = datetime.now(UTC).timestamp() if now is None else now
    seconds = int(current - timestamp)
    if seconds < _MINUTE:
        return t("TIME.JUST_NOW", locale)
    if seconds < _HOUR:
        return t("TIME.MINUTES_AGO", locale, count=seconds // _MINUTE)
    if seconds < _DAY:
        return t("TIME.HOURS_AGO", locale, count=seconds // _HOUR)
    days = seconds // _DAY
    if days < 30:
        return t("TIME.DAYS_AGO", locale, count=days)
    if days < 365:
        return t("TIME.MONTHS_AGO", locale, count=days // 30)
    return t("TIME.YEARS_AGO", locale, count=days // 365)


def format_datetime(timestamp: int | float, locale: str | None = None) -> str:
    """An absolute date and time in UTC, as the locale writes a medium date and a short time (CLDR):
    `Nov 26, 2026, 8:21 AM UTC`, `26.11.2026, 08:21 UTC`, `26 nov 2026, 8:21 UTC`,
    `26/11/2026، 8:21 ص التوقيت العالمي` (with right-to-left marks).

    UTC because the server does not know the agent's time zone, and says so. Remembered per time and locale:
    every open page shows its contact's dates on each render, and Babel takes ~50 us to write one.
    """
    return _format_datetime(timestamp, _code(locale))


@lru_cache(maxsize=4096)
def _format_datetime(timestamp: int | float, code: str) -> str:
    babel_locale = _babel_locale(code)
    moment = datetime.fromtimestamp(timestamp, UTC)
    day = babel_dates.format_date(moment, "medium", locale=babel_locale)
    # CLDR's short times have no zone: the short time, then the zone's short name (`z`).
    time = babel_dates.format_time(
        moment, f"{babel_locale.time_formats['short'].pattern} z", tzinfo=UTC, locale=babel_locale
    )
    # Joined by the locale's own pattern: `{1}, {0}` (date, then time), `{1}، {0}` in Arabic.
    joined = str(babel_locale.datetime_formats["medium"]).replace("'", "")
    return joined.replace("{1}", day).replace("{0}", time)


def format_date(day: date, locale: str | None = None) -> str:
    """A calendar date as the locale writes it in medium length (CLDR): `May 1, 2024`, `01.05.2024`,
    `1 may 2024`, `01/05/2024` in Arabic (with right-to-left marks)."""
    return babel_dates.format_date(day, "medium", locale=_babel_locale(_code(locale)))
