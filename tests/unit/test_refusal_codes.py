"""A server's refusal is told by the app's codes, so every locale can translate it (issue 11, bug 10); what has no
code keeps the server's words, typed apart from the codes (issue 14)."""

from __future__ import annotations

import json

import pytest

from api.error_codes import ErrorCode
from api.errors import ApiError, NetworkError, NotFound, RateLimited, Unauthorized, ValidationFailed
from state import problems
from state.i18n import LOCALES_DIR, SUPPORTED_LOCALES
from state.problems import ServerSaid, describe, problem_of


def test_a_refusal_of_one_kind_has_its_code() -> None:
    taken = ValidationFailed.from_body({"message": "Email has already been taken", "attributes": ["email"]})
    assert taken.code is ErrorCode.TAKEN
    assert problem_of(taken) is ErrorCode.TAKEN
    both = ValidationFailed.from_body(
        {
            "message": "Email has already been taken, Phone number has already been taken",
            "attributes": ["email", "phone_number"],
        }
    )
    assert both.code is ErrorCode.TAKEN


def test_a_refusal_without_fields_is_read_from_its_message() -> None:
    assert ValidationFailed.from_body({"message": "Identifier has already been taken"}).code is ErrorCode.TAKEN


def test_mixed_or_unknown_problems_keep_the_servers_words() -> None:
    mixed = ValidationFailed.from_body(
        {"message": "Email is invalid, Phone number has already been taken", "attributes": ["email", "phone_number"]}
    )
    assert mixed.code is None
    assert mixed.codes == {"email": ErrorCode.INVALID_EMAIL, "phone_number": ErrorCode.TAKEN}
    assert problem_of(mixed) == ServerSaid(mixed.message)
    odd = ValidationFailed.from_body({"message": "Name is reserved", "attributes": ["name"]})
    assert odd.code is None and problem_of(odd) == ServerSaid("Name is reserved")
    assert problem_of(ApiError("Bad request", 400)) == ServerSaid("Bad request")


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (NetworkError("ConnectError: All connection attempts failed"), ErrorCode.NETWORK),
        (NetworkError("server error 502: Bad Gateway", 502), ErrorCode.SERVER),
        (Unauthorized("Invalid Access Token", 401), ErrorCode.UNAUTHORIZED),
        (RateLimited("Too many attempts", 30), ErrorCode.RATE_LIMITED),
        (NotFound("Resource could not be found", 404), ErrorCode.NOT_FOUND),
    ],
)
def test_a_failed_request_is_told_by_its_code_never_the_exceptions_words(error: ApiError, code: ErrorCode) -> None:
    assert problem_of(error) is code
    told = describe(problem_of(error), "de")
    assert told == json.loads((LOCALES_DIR / "de.json").read_text())["ERRORS"][code.value]
    assert error.message not in told


def test_every_code_is_translated_in_every_locale_and_every_error_text_has_a_code() -> None:
    for locale in SUPPORTED_LOCALES:
        texts = json.loads((LOCALES_DIR / f"{locale}.json").read_text())["ERRORS"]
        assert set(texts) == {code.value for code in ErrorCode}, locale


def test_a_server_message_is_shown_as_it_came() -> None:
    assert describe(ServerSaid("Name is reserved"), "ar") == "Name is reserved"
    assert describe(None, "en") == ""


@pytest.mark.parametrize(
    ("code", "locale", "expected"),
    [
        (ErrorCode.TOO_LONG, "en", "Too long (maximum is 255 characters)"),
        (ErrorCode.TOO_LONG, "de", "Zu lang (höchstens 255 Zeichen)"),
        (ErrorCode.TOO_LONG, "ar", "طويل جدًا (الحد الأقصى 255 حرفًا)"),  # 255: Arabic's "many"
        (ErrorCode.TOO_MANY_KEYS, "en", "Too many entries (maximum is 100)"),
        (ErrorCode.TOO_MANY_KEYS, "ar", "عدد الإدخالات كبير جدًا (الحد الأقصى 100 إدخال)"),  # 100: "other"
        (ErrorCode.TOO_LARGE, "en", "Too much data in this contact's attributes (maximum is 64 KB)"),
        (ErrorCode.TOO_LARGE, "de", "Zu viele Daten in den Attributen dieses Kontakts (höchstens 64 KB)"),
        (ErrorCode.TOO_LARGE, "ar", "بيانات سمات جهة الاتصال هذه كثيرة جدًا (الحد الأقصى 64 كيلوبايت)"),
        (
            ErrorCode.NUMBER_OUT_OF_RANGE,
            "en",
            "Enter a number between -9,007,199,254,740,991 and 9,007,199,254,740,991",
        ),
        (
            ErrorCode.NUMBER_OUT_OF_RANGE,
            "de",
            "Geben Sie eine Zahl zwischen -9.007.199.254.740.991 und 9.007.199.254.740.991 ein",
        ),
        (
            ErrorCode.NUMBER_OUT_OF_RANGE,
            "ar",
            "أدخل رقمًا بين \u200e-9,007,199,254,740,991 و 9,007,199,254,740,991",
        ),
    ],
)
def test_a_limit_in_a_refusal_is_written_and_counted_as_the_locale_does(
    code: ErrorCode, locale: str, expected: str
) -> None:
    assert describe(code, locale) == expected


@pytest.mark.parametrize(("limit", "expected"), [(1, "حرف واحد"), (2, "حرفان"), (3, "3 أحرف"), (11, "11 حرفًا")])
def test_a_limit_takes_its_arabic_plural_form(monkeypatch: pytest.MonkeyPatch, limit: int, expected: str) -> None:
    monkeypatch.setitem(problems.LIMITS, ErrorCode.TOO_LONG, limit)
    assert describe(ErrorCode.TOO_LONG, "ar") == f"طويل جدًا (الحد الأقصى {expected})"
