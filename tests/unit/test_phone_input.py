"""A phone number as agents type it is read into E.164 before it is checked and sent (issue 11, bug 3)."""

from __future__ import annotations

import pytest

from api.validation import normalize_phone, typed_phone
from components.contact_edit_form import ContactEditForm

LONDON = "+442079460999"


@pytest.mark.parametrize(
    "typed",
    [
        "+44 20 7946 0999",  # as the page shows it
        "  +44 20 7946 0999 ",
        "+44-20-7946-0999",
        "+44.20.7946.0999",
        "+44 (20) 7946 0999",
        "+44 (0)20 7946 0999",  # the national prefix in brackets, as British numbers are often written
        "0044 20 7946 0999",
        "00442079460999",
        "+44\u00a020\u00a07946\u00a00999",  # non-breaking spaces, as pasted from a web page
        "+٤٤ ٢٠ ٧٩٤٦ ٠٩٩٩",  # Arabic-Indic digits
        LONDON,
    ],
)
def test_what_people_type_becomes_e164(typed: str) -> None:
    assert typed_phone(typed) == LONDON
    assert normalize_phone(typed_phone(typed)) == LONDON


@pytest.mark.parametrize(
    "typed",
    [
        "020 7946 0999",  # no country code: which country is not ours to guess
        "+44 20 7946",  # too short to be a number
        "+44 20 7946 0999 ext. 12",  # an extension would be lost in E.164
        "1-800-FLOWERS",
        "+44 20 7946 0999 / 0998",
        "++44 20 7946 0999",
        "call me",
    ],
)
def test_what_is_not_a_number_stays_as_typed_for_the_rules_to_refuse(typed: str) -> None:
    assert typed_phone(typed) == typed.strip()
    with pytest.raises(ValueError, match="INVALID_PHONE"):
        normalize_phone(typed_phone(typed))


def test_the_edit_form_checks_and_sends_the_number_in_e164() -> None:
    form = ContactEditForm.__new__(ContactEditForm)  # _candidate needs no dialog
    assert form._candidate("phone_number", "+44 20 7946 0999") == LONDON
    assert form._candidate("phone_number", "0044 (20) 7946-0999") == LONDON
    assert form._candidate("phone_number", "  ") is None
    assert form._candidate("phone_number", "+44 20") == "+44 20"
