"""Locale files and the translation helpers."""

from __future__ import annotations

import asyncio
import re
import time

import pytest

from api.validation import _MESSAGES
from state import i18n
from state.i18n import (
    SUPPORTED_LOCALES,
    all_keys,
    current_locale,
    format_datetime,
    format_number,
    is_rtl,
    negotiate_locale,
    relative_time,
    t,
    use_locale,
)

PLACEHOLDER = re.compile(r"\{(\w+)\}")
TRANSLATED = [locale for locale in SUPPORTED_LOCALES if locale != "en"]
NOW = 1_800_000_000


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_locale_has_exactly_the_english_keys(locale: str) -> None:
    english = all_keys("en")
    keys = all_keys(locale)
    assert sorted(english - keys) == [], "missing"
    assert sorted(keys - english) == [], "extra"


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_no_empty_values(locale: str) -> None:
    empty = [key for key in all_keys(locale) if not t(key, locale).strip()]
    assert empty == []


@pytest.mark.parametrize("locale", TRANSLATED)
def test_placeholders_match_english(locale: str) -> None:
    mismatched = {
        key: (placeholders(t(key, "en")), placeholders(t(key, locale)))
        for key in all_keys("en")
        if placeholders(t(key, "en")) != placeholders(t(key, locale))
    }
    assert mismatched == {}


@pytest.mark.parametrize("locale", TRANSLATED)
def test_locales_are_translations_not_copies(locale: str) -> None:
    keys = all_keys("en")
    same = [key for key in keys if t(key, locale) == t(key, "en")]
    # Brand and language names, "OK", date masks may stay; everything else is translated.
    assert len(same) < len(keys) * 0.1, same


def test_required_keys_exist() -> None:
    keys = all_keys("en")
    required = {
        "APP.TITLE",
        "APP.SKIP_TO_CONTENT",
        "LOGIN.DEMO_HINT",
        "CONTACTS_LIST.NO_RESULTS",
        "CONTACT.UPDATE_CONFLICT_MESSAGE",
        "CONTACT.CONFLICT_FIELDS",
        "ATTRIBUTES.SELECT",
        "LABELS.REMOVE",
        "SOCIAL.TIKTOK",
        "HISTORY.PRIORITY_URGENT",
        "TIMELINE.FIELD_CHANGED",
        "NOTES.DELETE_CONFIRM",
        "CONVERSATION.CONTACT_PANEL",
        "EMBED.TITLE",
        "KIOSK.SIGNED_IN_AS",
        *(f"ERRORS.{code}" for code in ("REQUIRED", "UNKNOWN", "NETWORK", "UNAUTHORIZED", "NOT_FOUND", "SERVER")),
        *(f"TIME.{unit}_AGO" for unit in ("MINUTE", "MINUTES", "HOUR", "HOURS", "DAY", "DAYS", "MONTH", "MONTHS")),
        "TIME.YEAR_AGO",
        "TIME.YEARS_AGO",
        "TIME.JUST_NOW",
    }
    assert required - keys == set()


def test_every_validation_code_is_translated() -> None:
    assert {f"ERRORS.{code}" for code in _MESSAGES} - all_keys("en") == set()


def test_params_are_substituted() -> None:
    assert t("CONTACTS_LIST.PAGE", "en", page=2, pages=5) == "Page 2 of 5"
    assert t("CONTACTS_LIST.PAGE", "de", page=2, pages=5) == "Seite 2 von 5"
    assert t("TIMELINE.FIELD_CHANGED", "en", field="Email", old="a@x.io", new="b@x.io") == (
        "Email changed from “a@x.io” to “b@x.io”"
    )


def test_missing_param_leaves_its_placeholder() -> None:
    assert t("CONTACTS_LIST.PAGE", "en", page=2) == "Page 2 of {pages}"


def test_braces_in_param_values_are_not_reinterpreted() -> None:
    assert t("CONTACT.AVATAR_ALT", "en", name="{evil}") == "Avatar of {evil}"


def test_count_one_picks_the_singular_variant() -> None:
    assert t("CONTACTS_LIST.COUNT", "en", count=1) == "1 contact"
    assert t("CONTACTS_LIST.COUNT", "en", count=3) == "3 contacts"
    assert t("HISTORY.UNREAD", "en", count=1) == "1 unread"


def test_fallback_to_english_then_to_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    original = i18n._catalog
    german = dict(original("de"))
    del german["APP.RETRY"]
    monkeypatch.setattr(i18n, "_catalog", lambda locale: german if locale == "de" else original(locale))
    assert t("APP.RETRY", "de") == "Retry"
    assert t("APP.CLOSE", "de") == "Schließen"
    assert t("NO.SUCH_KEY", "de") == "NO.SUCH_KEY"


def test_unknown_locale_falls_back_to_english() -> None:
    assert t("APP.SIGN_OUT", "fr") == "Sign out"
    assert t("APP.SIGN_OUT", "de-AT") == "Abmelden"
    assert t("NO.SUCH_KEY", "fr") == "NO.SUCH_KEY"


def test_group_key_is_not_a_text() -> None:
    assert t("APP", "en") == "APP"


def test_current_locale_is_used_without_locale_argument() -> None:
    assert current_locale.get() == "en"
    with use_locale("es"):
        assert t("APP.SIGN_OUT") == "Cerrar sesión"
        with use_locale("xx"):
            assert t("APP.SIGN_OUT") == "Sign out"
        assert t("APP.SIGN_OUT", "de") == "Abmelden"
    assert t("APP.SIGN_OUT") == "Sign out"


async def test_current_locale_is_context_local() -> None:
    async def in_task(locale: str) -> str:
        use_locale(locale)
        await asyncio.sleep(0)
        return t("APP.CLOSE")

    results = await asyncio.gather(in_task("de"), in_task("es"), in_task("ar"))
    assert list(results) == ["Schließen", "Cerrar", "إغلاق"]
    assert t("APP.CLOSE") == "Close"


@pytest.mark.parametrize(
    ("header", "preferred", "expected"),
    [
        ("de-CH,de;q=0.9,en;q=0.8", None, "de"),
        ("fr-FR,fr;q=0.9,es;q=0.8,en;q=0.7", None, "es"),
        ("en;q=0.5,ar;q=0.9", None, "ar"),
        ("ES-mx", None, "es"),
        ("fr, ja", None, "en"),
        ("*", None, "en"),
        ("de;q=0, es", None, "es"),
        ("de;q=abc, es;q=0.1", None, "es"),
        ("en-US,en;q=0.9", "de", "de"),
        ("de", "ar-EG", "ar"),
        ("de", "fr", "de"),
        ("", None, "en"),
        (None, None, "en"),
        ("garbage;;;,,", None, "en"),
        ("de;q=0.5,es;q=0.5", None, "de"),
    ],
)
def test_negotiate_locale(header: str | None, preferred: str | None, expected: str) -> None:
    assert negotiate_locale(header, preferred) == expected


def test_is_rtl() -> None:
    assert is_rtl("ar")
    assert is_rtl("ar-SA")
    assert not is_rtl("en")
    assert not is_rtl("de")
    assert not is_rtl(None)


@pytest.mark.parametrize(
    ("seconds_ago", "expected"),
    [
        (-30, "just now"),
        (0, "just now"),
        (59, "just now"),
        (60, "a minute ago"),
        (5 * 60 + 10, "5 minutes ago"),
        (3600, "an hour ago"),
        (3 * 3600 + 59, "3 hours ago"),
        (86400, "a day ago"),
        (2 * 86400, "2 days ago"),
        (30 * 86400, "a month ago"),
        (4 * 30 * 86400, "4 months ago"),
        (365 * 86400, "a year ago"),
        (3 * 365 * 86400, "3 years ago"),
    ],
)
def test_relative_time_in_english(seconds_ago: int, expected: str) -> None:
    assert relative_time(NOW - seconds_ago, now=NOW, locale="en") == expected


def test_relative_time_translated() -> None:
    assert relative_time(NOW - 5 * 60, now=NOW, locale="de") == "vor 5 Minuten"
    assert relative_time(NOW - 2 * 86400, now=NOW, locale="es") == "hace 2 días"
    assert relative_time(NOW - 3600, now=NOW, locale="ar") == "منذ ساعة"
    with use_locale("de"):
        assert relative_time(NOW - 10, now=NOW) == "gerade eben"


def test_relative_time_defaults_to_the_clock() -> None:
    assert relative_time(int(time.time()) - 7200, locale="en") == "2 hours ago"


def test_format_datetime_is_iso_like_utc() -> None:
    assert format_datetime(0, "en") == "1970-01-01 00:00 UTC"
    assert format_datetime(1_795_681_260, "ar") == "2026-11-26 08:21 UTC"


@pytest.mark.parametrize(
    ("locale", "value", "expected"),
    [
        ("en", 10_000, "10,000"),
        ("en", 999, "999"),
        ("de", 10_000, "10.000"),
        ("de", 1_000, "1.000"),
        ("es", 10_000, "10.000"),
        ("es", 1_000, "1000"),  # CLDR: Spanish groups from five digits
        ("ar", 10_000, "\u0661\u0660\u066c\u0660\u0660\u0660"),  # Arabic-Indic digits, Arabic thousands separator
        ("en", 1_234_567, "1,234,567"),
    ],
)
def test_numbers_are_written_as_cldr_writes_them(locale: str, value: int, expected: str) -> None:
    assert format_number(value, locale) == expected
