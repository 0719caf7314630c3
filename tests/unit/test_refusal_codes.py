"""A server's refusal is told by the app's codes, so every locale can translate it (issue 11, bug 10)."""

from __future__ import annotations

from api.errors import ApiError, ValidationFailed
from state.actions import error_code


def test_a_refusal_of_one_kind_has_its_code() -> None:
    taken = ValidationFailed.from_body({"message": "Email has already been taken", "attributes": ["email"]})
    assert taken.code == "TAKEN"
    assert error_code(taken) == "TAKEN"
    both = ValidationFailed.from_body(
        {
            "message": "Email has already been taken, Phone number has already been taken",
            "attributes": ["email", "phone_number"],
        }
    )
    assert both.code == "TAKEN"


def test_a_refusal_without_fields_is_read_from_its_message() -> None:
    assert ValidationFailed.from_body({"message": "Identifier has already been taken"}).code == "TAKEN"


def test_mixed_or_unknown_problems_keep_the_servers_words() -> None:
    mixed = ValidationFailed.from_body(
        {"message": "Email is invalid, Phone number has already been taken", "attributes": ["email", "phone_number"]}
    )
    assert mixed.code is None and mixed.codes == {"email": "INVALID_EMAIL", "phone_number": "TAKEN"}
    assert error_code(mixed) == mixed.message
    odd = ValidationFailed.from_body({"message": "Name is reserved", "attributes": ["name"]})
    assert odd.code is None and error_code(odd) == "Name is reserved"
    assert error_code(ApiError("Bad request", 400)) == "Bad request"
