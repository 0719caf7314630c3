"""The values a timeline entry shows ("Seats changed from 5 to 12,345"), written as the page's locale writes them."""

from __future__ import annotations

from typing import Any

import pytest

from api.models import AttributeDefinition
from components.contact_activity_timeline import MAX_VALUE, shown_value


def definition(kind: str) -> AttributeDefinition:
    return AttributeDefinition(
        id=1, attribute_display_name=kind.title(), attribute_key=kind, attribute_display_type=kind
    )


@pytest.mark.parametrize(
    ("value", "locale", "expected"),
    [
        (12_345, "en", "12,345"),
        (12_345, "de", "12.345"),
        (1_234, "es", "1234"),  # Spanish groups from five digits
        (12_345, "ar", "12,345"),  # CLDR's Arabic writes Latin digits
        (0.5, "de", "0,5"),
        (-1234.5, "ar", "\u200e-1,234.5"),
        (True, "en", "Yes"),
        (False, "de", "Nein"),
        (True, "ar", "نعم"),
        (False, "ar", "لا"),
        ("12345", "de", "12345"),  # text stays as typed
        ("True", "de", "True"),
    ],
)
def test_numbers_and_booleans_follow_the_locale(value: Any, locale: str, expected: str) -> None:
    assert shown_value(value, locale) == expected


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "vip, billing, and 3"),
        ("de", "vip, billing und 3"),
        ("ar", "vip وbilling و3"),
    ],
)
def test_a_list_is_joined_as_the_locale_joins_lists(locale: str, expected: str) -> None:
    assert shown_value(["vip", "billing", 3], locale) == expected


def test_an_object_shows_its_pairs_as_a_list_leaving_out_empty_ones() -> None:
    value = {"github": "ada", "twitter": "", "seats": 1200, "trial": False, "x": None}
    assert shown_value(value, "de") == "github: ada, seats: 1.200 und trial: Nein"
    assert shown_value(value, "ar") == "github: ada وseats: 1,200 وtrial: لا"


@pytest.mark.parametrize(
    ("kind", "value", "locale", "expected"),
    [
        ("date", "2024-05-01", "en", "May 1, 2024"),
        ("date", "2024-05-01", "de", "01.05.2024"),
        ("date", "2024-05-01", "ar", "01\u200f/05\u200f/2024"),
        ("currency", 4750, "de", "4.750,00"),
        ("percent", 15, "ar", "15\u200e%\u200e"),
        ("number", 2.5, "de", "2,50"),
        ("checkbox", True, "ar", "نعم"),
        ("list", "Pro", "ar", "Pro"),
        ("text", "2024-05-01", "de", "2024-05-01"),  # a text attribute's value is text, whatever it looks like
    ],
)
def test_a_custom_attribute_reads_as_its_display_type_shows_it(
    kind: str, value: Any, locale: str, expected: str
) -> None:
    assert shown_value(value, locale, definition(kind)) == expected


def test_nothing_shows_as_empty_and_long_values_are_cut() -> None:
    assert shown_value(None, "ar") == ""
    assert shown_value("", "de") == ""
    assert shown_value([], "en") == ""
    long = shown_value("x" * 200, "en")
    assert len(long) == MAX_VALUE and long.endswith("…")
    many = shown_value(list(range(1_000, 1_100)), "de")
    assert len(many) == MAX_VALUE and many.startswith("1.000, 1.001, ")
