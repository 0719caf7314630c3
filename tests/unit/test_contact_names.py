"""What a contact is called where its name belongs (issue 11, bugs 8 and 9)."""

from __future__ import annotations

import pytest

from api.models import Contact
from state.contact_names import contact_display_name


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        ({"name": "Ada Lovelace", "email": "ada@example.com"}, "Ada Lovelace"),
        ({"name": "", "email": "ada@example.com", "phone_number": "+442079460999"}, "ada@example.com"),
        ({"name": "  ", "email": None, "phone_number": "+442079460999"}, "+44 20 7946 0999"),
        ({"name": None, "email": "", "phone_number": None}, "Unknown contact #7"),
    ],
)
def test_a_contact_goes_by_name_then_email_then_phone_then_number(fields: dict[str, str | None], shown: str) -> None:
    assert contact_display_name(Contact.model_validate({"id": 7, **fields}), "en") == shown


def test_the_unknown_contact_is_translated() -> None:
    assert contact_display_name(Contact(id=7, name=""), "ar") == "جهة اتصال غير معروفة رقم 7"
    assert contact_display_name(Contact(id=7, name=""), "de") == "Unbekannter Kontakt #7"
