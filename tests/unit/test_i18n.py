"""Locale files and the translation helpers."""

from __future__ import annotations

import re
import time
from datetime import date
from decimal import Decimal

import pytest

from api.validation import _MESSAGES
from state import i18n
from state.i18n import (
    PLURAL_CATEGORIES,
    SUPPORTED_LOCALES,
    all_keys,
    format_at_least,
    format_date,
    format_datetime,
    format_list,
    format_number,
    format_percent,
    is_rtl,
    negotiate_locale,
    plural_categories,
    plural_category,
    relative_time,
    t,
)

PLACEHOLDER = re.compile(r"\{(\w+)\}")
TRANSLATED = [locale for locale in SUPPORTED_LOCALES if locale != "en"]
NOW = 1_800_000_000


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def counted(locale: str) -> dict[str, dict[str, str]]:
    """The locale's own counted texts (no fallback), by key: their forms by plural category."""
    return {key: forms for key, forms in i18n._catalog(locale).items() if isinstance(forms, dict)}


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_locale_has_exactly_the_english_keys(locale: str) -> None:
    english = all_keys("en")
    keys = all_keys(locale)
    assert sorted(english - keys) == [], "missing"
    assert sorted(keys - english) == [], "extra"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_counted_texts_are_counted_in_every_locale(locale: str) -> None:
    assert sorted(counted(locale)) == sorted(counted("en"))


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_counted_text_has_exactly_the_plural_forms_of_its_language(locale: str) -> None:
    needed = plural_categories(locale)
    assert {key: sorted(forms) for key, forms in counted(locale).items() if set(forms) != needed} == {}


def test_plural_categories_are_cldrs() -> None:
    assert plural_categories("en") == plural_categories("de") == {"one", "other"}
    assert plural_categories("es") == {"one", "many", "other"}  # "many": whole millions (CLDR 38 and later)
    assert plural_categories("ar") == PLURAL_CATEGORIES


def test_texts_with_a_count_are_counted_texts() -> None:
    """A `{count}` in a plain text would read the same for 1, 2 and 11: every one has its plural forms."""
    plain = [key for key in all_keys("en") if isinstance(i18n._catalog("en")[key], str)]
    assert [key for key in plain if "count" in placeholders(t(key, "en"))] == []


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_no_empty_values(locale: str) -> None:
    empty = [key for key in all_keys(locale) if not t(key, locale).strip()]
    assert empty == []
    empty_forms = [
        (key, category)
        for key, forms in counted(locale).items()
        for category, text in forms.items()
        if not text.strip()
    ]
    assert empty_forms == []


@pytest.mark.parametrize("locale", TRANSLATED)
def test_placeholders_match_english(locale: str) -> None:
    mismatched = {
        key: (placeholders(t(key, "en")), placeholders(t(key, locale)))
        for key in all_keys("en")
        if placeholders(t(key, "en")) != placeholders(t(key, locale))
    }
    assert mismatched == {}


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_plural_forms_use_only_the_english_placeholders(locale: str) -> None:
    """A form may leave `{count}` out ("a minute ago", "منذ دقيقتين"), never bring one English lacks."""
    english = counted("en")
    extra = {
        (key, category): placeholders(text) - placeholders(english[key]["other"])
        for key, forms in counted(locale).items()
        for category, text in forms.items()
        if placeholders(text) - placeholders(english[key]["other"])
    }
    assert extra == {}


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
        *(f"TIME.{unit}_AGO" for unit in ("MINUTES", "HOURS", "DAYS", "MONTHS", "YEARS")),
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


def test_count_picks_the_plural_form() -> None:
    assert t("CONTACTS_LIST.COUNT", "en", count=1) == "1 contact"
    assert t("CONTACTS_LIST.COUNT", "en", count=3) == "3 contacts"
    assert t("CONTACTS_LIST.COUNT", "en", count=0) == "0 contacts"
    assert t("HISTORY.UNREAD", "en", count=1) == "1 unread"
    assert t("HISTORY.COUNT", "de", count=1) == "1 Konversation"
    assert t("HISTORY.COUNT", "de", count=25) == "25 Konversationen"
    assert t("HISTORY.COUNT", "es", count=1) == "1 conversación"
    assert t("HISTORY.COUNT", "es", count=1_000_000) == "1.000.000 conversaciones"  # CLDR "many"


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, "لا جهات اتصال"),  # zero
        (1, "جهة اتصال واحدة"),  # one
        (2, "جهتا اتصال"),  # two
        (3, "3 جهات اتصال"),  # few: 3-10 (and 103-110...)
        (10, "10 جهات اتصال"),
        (11, "11 جهة اتصال"),  # many: 11-99
        (99, "99 جهة اتصال"),
        (100, "100 جهة اتصال"),  # other
        (103, "103 جهات اتصال"),  # few again: by the last two digits
        (12_345, "12,345 جهة اتصال"),  # many; CLDR's ar writes Latin digits
    ],
)
def test_arabic_counts_take_all_six_forms(count: int, expected: str) -> None:
    assert t("CONTACTS_LIST.COUNT", "ar", count=count) == expected


def test_the_count_is_written_as_the_locale_writes_numbers() -> None:
    assert t("CONTACTS_LIST.COUNT", "en", count=12_345) == "12,345 contacts"
    assert t("CONTACTS_LIST.COUNT", "de", count=12_345) == "12.345 Kontakte"
    assert t("CONTACTS_LIST.COUNT", "es", count=1_234) == "1234 contactos"


def at_least_count(count: int, locale: str) -> str:
    """The contacts list's capped count, as the list writes it."""
    return t("CONTACTS_LIST.COUNT_AT_LEAST", locale, count=count, at_least=format_at_least(count, locale))


@pytest.mark.parametrize(
    ("locale", "count", "expected"),
    [
        ("en", 10_000, "10,000+ contacts"),
        ("de", 10_000, "10.000+ Kontakte"),
        ("es", 10_000, "Contactos: más de 10.000"),
        ("ar", 10_000, "+10,000 جهة اتصال"),  # CLDR's Arabic "at least" puts the sign first; "other" form
        ("ar", 1_000, "+1,000 جهة اتصال"),
        ("ar", 1_011, "+1,011 جهة اتصال"),  # many
        ("ar", 1_003, "+1,003 جهات اتصال"),  # few
    ],
)
def test_a_capped_count_is_written_as_cldr_writes_at_least(locale: str, count: int, expected: str) -> None:
    assert at_least_count(count, locale) == expected


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en", "10,000+"), ("de", "10.000+"), ("es", "más de 10.000"), ("ar", "+10,000")],
)
def test_at_least_follows_cldr_and_writes_the_number_as_format_number(locale: str, expected: str) -> None:
    assert format_at_least(10_000, locale) == expected
    assert format_number(10_000, locale) in format_at_least(10_000, locale)


def test_every_locale_has_its_at_least_pattern() -> None:
    assert sorted(i18n._AT_LEAST) == sorted(SUPPORTED_LOCALES)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "Page 2 of 400+"),
        ("de", "Seite 2 von 400+"),
        ("es", "Página 2 de más de 400"),
        ("ar", "الصفحة 2 من +400"),
    ],
)
def test_the_page_of_a_capped_count(locale: str, expected: str) -> None:
    pages = format_at_least(400, locale)
    assert t("CONTACTS_LIST.PAGE", locale, page=format_number(2, locale), pages=pages) == expected


@pytest.mark.parametrize(
    ("locale", "expected", "either"),
    [
        ("en", "vip, billing, and bug", "vip or bug"),
        ("de", "vip, billing und bug", "vip oder bug"),
        ("es", "vip, billing y bug", "vip o bug"),
        ("ar", "vip وbilling وbug", "vip أو bug"),  # CLDR's Arabic joins every item with "و", no comma
    ],
)
def test_lists_are_joined_as_cldr_joins_them(locale: str, expected: str, either: str) -> None:
    assert format_list(["vip", "billing", "bug"], locale) == expected
    assert format_list(["vip", "bug"], locale, style="or") == either
    assert format_list(["vip"], locale) == "vip"
    assert format_list([], locale) == ""


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_whole_counts_are_cached_and_read_as_uncached(locale: str) -> None:
    """Rows call these per count; a whole count's answer is remembered, and it is the answer Babel gives."""
    for count in [*range(0, 120), 1_000, 1_003, 12_345, 1_000_000, -3]:
        exact = Decimal(count)
        assert plural_category(count, locale) == plural_category(exact, locale)
        assert format_number(count, locale) == format_number(exact, locale)
        assert t("HISTORY.COUNT", locale, count=count) == t("HISTORY.COUNT", locale, count=exact)
    caches = (i18n._whole_plural_category, i18n._whole_number)
    before = [cache.cache_info().hits for cache in caches]
    assert format_number(12_345, locale) == format_number(Decimal(12_345), locale)
    assert plural_category(12_345, locale) == plural_category(Decimal(12_345), locale)
    assert [cache.cache_info().hits for cache in caches] == [hits + 1 for hits in before]


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_dates_and_times_are_remembered_as_babel_writes_them(locale: str) -> None:
    """Every render of every open page shows its dates: each time is written once per locale, as Babel writes it."""
    i18n._format_datetime.cache_clear()
    for stamp in (0, 1_764_145_260, 1_764_145_260.5, 4_102_444_800):
        written = format_datetime(stamp, locale)
        assert written == i18n._format_datetime.__wrapped__(stamp, locale)
        assert format_datetime(stamp, locale) == written
    assert i18n._format_datetime.cache_info().hits == 4


def test_a_counted_text_without_a_count_reads_in_its_other_form() -> None:
    assert t("CONTACTS_LIST.COUNT", "en") == "{count} contacts"
    assert t("CONTACTS_LIST.COUNT", "en", count="many") == "many contacts"


def test_a_counted_text_falling_back_to_english_uses_its_other_form(monkeypatch: pytest.MonkeyPatch) -> None:
    original = i18n._catalog
    arabic = dict(original("ar"))
    del arabic["HISTORY.COUNT"]
    monkeypatch.setattr(i18n, "_catalog", lambda locale: arabic if locale == "ar" else original(locale))
    assert t("HISTORY.COUNT", "ar", count=3) == "3 conversations"  # Arabic "few", which English lacks
    assert t("HISTORY.COUNT", "ar", count=1) == "1 conversation"


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


def test_no_locale_means_english() -> None:
    assert t("APP.SIGN_OUT") == "Sign out"
    assert relative_time(NOW - 120, now=NOW) == "2 minutes ago"
    assert format_number(1234.5) == "1,234.5"


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
    assert relative_time(NOW - 60, now=NOW, locale="de") == "vor einer Minute"
    assert relative_time(NOW - 2 * 86400, now=NOW, locale="es") == "hace 2 días"
    assert relative_time(NOW - 365 * 86400, now=NOW, locale="es") == "hace un año"
    assert relative_time(NOW - 10, now=NOW, locale="de") == "gerade eben"


@pytest.mark.parametrize(
    ("unit", "seconds", "forms"),
    [
        # count:  1 (one), 2 (two), 3 (few), 11 (many), 100 (other), and 0 (zero), which relative_time never says
        ("MINUTES", 60, ("منذ دقيقة واحدة", "منذ دقيقتين", "منذ 3 دقائق", "منذ 11 دقيقة", "منذ 100 دقيقة")),
        ("HOURS", 3600, ("منذ ساعة واحدة", "منذ ساعتين", "منذ 3 ساعات", "منذ 11 ساعة", "منذ 100 ساعة")),
        ("DAYS", 86400, ("منذ يوم واحد", "منذ يومين", "منذ 3 أيام", "منذ 11 يومًا", "منذ 100 يوم")),
        ("MONTHS", 30 * 86400, ("منذ شهر واحد", "منذ شهرين", "منذ 3 أشهر", "منذ 11 شهرًا", "منذ 100 شهر")),
        ("YEARS", 365 * 86400, ("منذ سنة واحدة", "منذ سنتين", "منذ 3 سنوات", "منذ 11 سنة", "منذ 100 سنة")),
    ],
)
def test_arabic_relative_times_take_their_plural_forms(unit: str, seconds: int, forms: tuple[str, ...]) -> None:
    assert [t(f"TIME.{unit}_AGO", "ar", count=count) for count in (1, 2, 3, 11, 100)] == list(forms)
    assert t(f"TIME.{unit}_AGO", "ar", count=0) == forms[-1].replace("100", "0")
    one, two, few, many, other = forms
    assert relative_time(NOW - seconds, now=NOW, locale="ar") == one
    assert relative_time(NOW - 2 * seconds, now=NOW, locale="ar") == two
    assert relative_time(NOW - 3 * seconds - 1, now=NOW, locale="ar") == few
    if unit in {"MINUTES", "YEARS"}:  # hours, days and months give way to the next unit before 11 or 100
        assert relative_time(NOW - 11 * seconds, now=NOW, locale="ar") == many
    if unit == "YEARS":
        assert relative_time(NOW - 100 * seconds, now=NOW, locale="ar") == other


def test_relative_time_defaults_to_the_clock() -> None:
    assert relative_time(int(time.time()) - 7200, locale="en") == "2 hours ago"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "Nov 26, 2026, 8:21\u202fAM UTC"),
        ("de", "26.11.2026, 08:21 UTC"),
        ("es", "26 nov 2026, 8:21 UTC"),
        ("ar", "26\u200f/11\u200f/2026\u060c 8:21 \u0635 التوقيت العالمي"),
    ],
)
def test_format_datetime_is_cldrs_medium_date_and_short_time_in_utc(locale: str, expected: str) -> None:
    assert format_datetime(1_795_681_260, locale) == expected


def test_spanish_dates() -> None:
    assert format_datetime(0, "es") == "1 ene 1970, 0:00 UTC"
    assert format_datetime(1_777_777_777, "es") == "3 may 2026, 3:09 UTC"
    assert format_date(date(2024, 5, 1), "es") == "1 may 2024"
    assert format_date(date(2024, 9, 15), "es") == "15 sept 2024"


def test_format_date_per_locale() -> None:
    assert format_date(date(2024, 5, 1), "en") == "May 1, 2024"
    assert format_date(date(2024, 5, 1), "de") == "01.05.2024"
    assert format_date(date(2024, 5, 1), "ar") == "01\u200f/05\u200f/2024"


@pytest.mark.parametrize(
    ("locale", "value", "expected"),
    [
        ("en", 10_000, "10,000"),
        ("en", 999, "999"),
        ("de", 10_000, "10.000"),
        ("de", 1_000, "1.000"),
        ("es", 10_000, "10.000"),
        ("es", 1_000, "1000"),  # CLDR: Spanish groups from five digits (minimumGroupingDigits 2)
        ("ar", 10_000, "10,000"),  # CLDR 42 on: Arabic's (ar) default numbering system is Latin digits
        ("en", 1_234_567, "1,234,567"),
    ],
)
def test_numbers_are_written_as_cldr_writes_them(locale: str, value: int, expected: str) -> None:
    assert format_number(value, locale) == expected


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", ["1,234.5", "12,345.678", "0.5", "-1,234.5", "1,234.50", "9,876,543.21"]),
        ("de", ["1.234,5", "12.345,678", "0,5", "-1.234,5", "1.234,50", "9.876.543,21"]),
        ("es", ["1234,5", "12.345,678", "0,5", "-1234,5", "1234,50", "9.876.543,21"]),
        ("ar", ["1,234.5", "12,345.678", "0.5", "\u200e-1,234.5", "1,234.50", "9,876,543.21"]),
    ],
)
def test_decimals_per_locale(locale: str, expected: list[str]) -> None:
    shown = [
        format_number(1234.5, locale),
        format_number(12_345.678, locale),
        format_number(0.5, locale),
        format_number(-1234.5, locale),
        format_number(1234.5, locale, fraction_digits=2),
        format_number(9_876_543.206, locale, fraction_digits=2),
    ]
    assert shown == expected


def test_german_numbers() -> None:
    assert format_number(1_234_567.891, "de") == "1.234.567,891"
    assert format_number(0.1234, "de") == "0,123"  # up to three fraction digits
    assert format_number(4750, "de", fraction_digits=2) == "4.750,00"
    assert format_number(-0.5, "de") == "-0,5"
    assert format_percent(15, "de") == "15\u00a0%"
    assert format_percent(12.5, "de") == "12,5\u00a0%"


def test_spanish_grouping_counts_the_rounded_whole_part() -> None:
    assert format_number(9999.996, "es", fraction_digits=2) == "10.000,00"
    assert format_number(9999.99, "es", fraction_digits=2) == "9999,99"


@pytest.mark.parametrize(
    ("locale", "points", "expected"),
    [
        ("en", 15, "15%"),
        ("de", 15, "15\u00a0%"),  # a no-break space before the sign
        ("es", 15, "15\u00a0%"),
        ("ar", 15, "15\u200e%\u200e"),  # Arabic's sign carries left-to-right marks
        ("en", 12.5, "12.5%"),  # the fraction digits it has
        ("en", 33.3, "33.3%"),
        ("de", 1234, "1.234\u00a0%"),
        ("es", 1234, "1234\u00a0%"),
    ],
)
def test_percentages_per_locale(locale: str, points: float, expected: str) -> None:
    assert format_percent(points, locale) == expected
