"""Translations from `assets/locales/*.json`, locale negotiation and human-readable times.

Keys address nested JSON with dots (`ERRORS.INVALID_EMAIL`). A missing key falls
back to English, then to the key itself, so a gap shows as a readable key rather
than an empty label. Counted texts have a `<KEY>_ONE` variant that `t()` picks
when `count=1` is passed.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).resolve().parent.parent / "assets" / "locales"
SUPPORTED_LOCALES = ("en", "de", "es", "ar")
DEFAULT_LOCALE = "en"
RTL_LOCALES = frozenset({"ar"})

current_locale: contextvars.ContextVar[str] = contextvars.ContextVar("current_locale", default=DEFAULT_LOCALE)

_LANGUAGE_RANGE = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$|^\*$")
_MINUTE, _HOUR, _DAY = 60, 3600, 86400


@dataclass(frozen=True, slots=True)
class _NumberSymbols:
    """CLDR's whole-number formatting of a locale: its digits, group separator and minimum grouping digits."""

    digits: str
    group: str
    minimum_grouping: int = 1


# From CLDR (common/main/*.xml, numbers): Arabic's default numbering system is `arab`; Spanish groups only
# numbers of five digits or more (minimumGroupingDigits 2).
_NUMBERS = {
    "en": _NumberSymbols(digits="0123456789", group=","),
    "de": _NumberSymbols(digits="0123456789", group="."),
    "es": _NumberSymbols(digits="0123456789", group=".", minimum_grouping=2),
    "ar": _NumberSymbols(digits="٠١٢٣٤٥٦٧٨٩", group="٬"),
}


class _KeepMissing(dict[str, Any]):
    """Format parameters that leave an unknown `{placeholder}` as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@cache
def _catalog(locale: str) -> dict[str, str]:
    """The flattened translations of one locale, read once; empty when its file is missing or broken."""
    path = LOCALES_DIR / f"{locale}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        log.exception("Cannot read locale file %s", path)
        return {}
    flat: dict[str, str] = {}
    if isinstance(data, dict):
        _flatten(data, "", flat)
    return flat


def _flatten(node: dict[str, Any], prefix: str, into: dict[str, str]) -> None:
    for name, child in node.items():
        key = f"{prefix}.{name}" if prefix else name
        if isinstance(child, dict):
            _flatten(child, key, into)
        elif isinstance(child, str):
            into[key] = child


def supported_locale(locale: str | None) -> str | None:
    """The supported locale a tag like `de-CH` or `ES` stands for, None when there is none."""
    if not locale:
        return None
    primary = locale.strip().replace("_", "-").split("-")[0].lower()
    return primary if primary in SUPPORTED_LOCALES else None


def t(key: str, locale: str | None = None, **params: Any) -> str:
    """The text for `key` in `locale` (default: the current locale) with `{name}` placeholders filled."""
    code = supported_locale(locale if locale is not None else current_locale.get()) or DEFAULT_LOCALE
    if params.get("count") == 1 and _lookup(f"{key}_ONE", code) is not None:
        key = f"{key}_ONE"
    template = _lookup(key, code)
    if template is None:
        return key
    if not params:
        return template
    try:
        return template.format_map(_KeepMissing(params))
    except (ValueError, AttributeError, IndexError, KeyError):
        log.warning("Malformed placeholders in %s for locale %s", key, code)
        return template


def format_number(value: int, locale: str | None = None) -> str:
    """A whole number as the locale writes it (CLDR): `10,000` in English, `10.000` in German, Arabic-Indic
    digits in Arabic."""
    code = supported_locale(locale if locale is not None else current_locale.get()) or DEFAULT_LOCALE
    symbols = _NUMBERS[code]
    sign, digits = ("-", str(-value)) if value < 0 else ("", str(value))
    if len(digits) >= 4 + symbols.minimum_grouping - 1:
        groups: list[str] = []
        while len(digits) > 3:
            digits, tail = digits[:-3], digits[-3:]
            groups.insert(0, tail)
        digits = symbols.group.join([digits, *groups])
    return sign + digits.translate(str.maketrans("0123456789", symbols.digits))


def _lookup(key: str, locale: str) -> str | None:
    text = _catalog(locale).get(key)
    if text is None and locale != DEFAULT_LOCALE:
        text = _catalog(DEFAULT_LOCALE).get(key)
    return text


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


class LocaleScope:
    """A locale made current; leaving it as a `with` block restores the previous one."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self._token = current_locale.set(locale)

    def __enter__(self) -> str:
        return self.locale

    def __exit__(self, *exc_info: object) -> None:
        current_locale.reset(self._token)


def use_locale(locale: str | None) -> LocaleScope:
    """Make `locale` (unsupported: English) current for this context, e.g. at the top of a page function.

    Also usable as `with use_locale("de"):` to scope it to a block.
    """
    return LocaleScope(supported_locale(locale) or DEFAULT_LOCALE)


def relative_time(timestamp: int | float, now: int | float | None = None, locale: str | None = None) -> str:
    """`just now`, `5 minutes ago`, `3 hours ago`, `2 days ago`, `4 months ago`, `2 years ago`.

    Times in the future (clock skew between servers) read `just now`.
    """
    current = datetime.now(UTC).timestamp() if now is None else now
    seconds = int(current - timestamp)
    if seconds < _MINUTE:
        return t("TIME.JUST_NOW", locale)
    if seconds < _HOUR:
        return _ago("MINUTE", seconds // _MINUTE, locale)
    if seconds < _DAY:
        return _ago("HOUR", seconds // _HOUR, locale)
    days = seconds // _DAY
    if days < 30:
        return _ago("DAY", days, locale)
    if days < 365:
        return _ago("MONTH", days // 30, locale)
    return _ago("YEAR", days // 365, locale)


def _ago(unit: str, count: int, locale: str | None) -> str:
    key = f"TIME.{unit}_AGO" if count == 1 else f"TIME.{unit}S_AGO"
    return t(key, locale, count=count)


def format_datetime(timestamp: int | float, locale: str | None = None) -> str:
    """An absolute UTC date and time, the same in every locale: `2026-11-26 08:21 UTC`.

    `locale` is accepted so callers need not care which formats are localized; an
    ISO-like form reads unambiguously in all supported languages.
    """
    del locale
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")
