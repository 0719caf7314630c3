"""The rules of api/validation.py added for issue 9, case by case (tests/fuzz searches them further)."""

from __future__ import annotations

import pytest

from api.error_codes import ErrorCode
from api.validation import (
    MAX_ATTRIBUTE_KEYS,
    MAX_SAFE_INTEGER,
    ContactInvalid,
    FieldProblem,
    check_attribute_value,
    check_contact_changes,
    image_source,
    problem_code,
    safe_http_url,
    stored_attribute_problems,
    whole_date,
)

NUMBER = {"attribute_display_type": "number"}


def codes(changes: dict[str, object]) -> list[tuple[str, str]]:
    with pytest.raises(ContactInvalid) as refused:
        check_contact_changes(changes, {"seats": NUMBER})
    return [(p.field, p.code) for p in refused.value.problems]


def test_integers_beyond_what_a_double_holds_are_refused_wherever_they_are() -> None:
    assert codes({"custom_attributes": {"x": 2**70}}) == [("custom_attributes.x", "NUMBER_OUT_OF_RANGE")]
    assert codes({"custom_attributes": {"seats": -(2**53)}}) == [("custom_attributes.seats", "NUMBER_OUT_OF_RANGE")]
    assert codes({"additional_attributes": {"a": {"b": [2**64]}}}) == [
        ("additional_attributes.a.b.0", "NUMBER_OUT_OF_RANGE")
    ]
    assert check_attribute_value(NUMBER, "9007199254740993") == ("9007199254740993", "NUMBER_OUT_OF_RANGE")
    kept = {"x": MAX_SAFE_INTEGER, "y": -MAX_SAFE_INTEGER, "t": True, "f": 1e300}
    assert check_contact_changes({"custom_attributes": kept})["custom_attributes"] == kept


def test_the_messages_name_the_field_and_the_limit_and_map_back_to_their_codes() -> None:
    problem = FieldProblem(field="custom_attributes.score", code=ErrorCode.NUMBER_OUT_OF_RANGE)
    assert problem.message == "Score must be a number between -9007199254740991 and 9007199254740991"
    large = FieldProblem(field="custom_attributes", code=ErrorCode.TOO_LARGE)
    assert large.message == "Custom attributes is too large (maximum is 64 KB for a contact's attributes together)"
    invisible = FieldProblem(field="name", code=ErrorCode.INVISIBLE_TEXT)
    assert invisible.message == "Name must contain visible characters"
    for item in (problem, large, invisible):
        assert problem_code(item.message, item.field) == item.code


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("2024-01-01", "2024-01-01"),
        (" 2024-02-29 ", "2024-02-29"),
        ("2024-01-01T00:00:00Z", "2024-01-01"),
        ("2024-01-01T10:00:00.000+02:00", "2024-01-01"),
        ("2024-12-31T23:59", "2024-12-31"),
        ("2024-01-01garbage", None),
        ("2024-01-01T10:00:00Zjunk", None),
        ("2024-01-01 ", "2024-01-01"),
        ("2023-02-29", None),
        ("20240101", None),
        ("2024-W01-1", None),
        (20240101, None),
    ],
)
def test_a_date_attribute_takes_a_whole_date_or_datetime_and_keeps_the_date(sent: object, kept: str | None) -> None:
    assert whole_date(sent) == kept
    assert check_attribute_value({"attribute_display_type": "date"}, sent) == (
        (kept, None) if kept else (sent, "INVALID_DATE")
    )


@pytest.mark.parametrize("field", ["name", "identifier"])
def test_a_name_of_zero_width_and_bidi_characters_is_refused(field: str) -> None:
    for value in ("\u200b\u200d\u202e", " \u200b\t\u2066 \u2069", "\ufeff", "\u3164"):
        assert codes({field: value}) == [(field, "INVISIBLE_TEXT")]
    assert check_contact_changes({field: "\u200bAda\u200d"})[field] == "\u200bAda\u200d"
    assert check_contact_changes({field: "   "})[field] == ("" if field == "name" else None)


@pytest.mark.parametrize(
    "url", ["http:// 0", "https://exa mple.com", "https://example.com/\u200b", "http://example.com:99999", "http://:80"]
)
def test_a_link_with_whitespace_or_without_a_valid_host_is_refused(url: str) -> None:
    assert safe_http_url(url) is None


def test_stored_limits_count_the_merged_result_and_let_an_old_oversized_contact_shrink() -> None:
    full = {f"k{n}": n for n in range(MAX_ATTRIBUTE_KEYS)}
    assert stored_attribute_problems({"custom_attributes": full}) == []
    one_more = {**full, "extra": 1}
    assert stored_attribute_problems({"custom_attributes": one_more}, {"custom_attributes": full}) == [
        FieldProblem(field="custom_attributes", code=ErrorCode.TOO_MANY_KEYS)
    ]
    legacy = {f"k{n}": n for n in range(1006)}
    edited = {**legacy, "k1": "changed"}
    assert stored_attribute_problems({"custom_attributes": edited}, {"custom_attributes": legacy}) == []
    assert stored_attribute_problems({"custom_attributes": {**legacy, "new": 1}}, {"custom_attributes": legacy})
    big = {"a": "x" * 40_000}
    after = {"additional_attributes": big, "custom_attributes": {"b": "y" * 30_000}}
    assert stored_attribute_problems(after, {"additional_attributes": big}) == [
        FieldProblem(field="custom_attributes", code=ErrorCode.TOO_LARGE)
    ]


def test_a_pattern_that_backtracks_forever_is_cut_short() -> None:
    """An administrator's pattern such as `(a|aa)+$` must not stall the server on a value it backtracks on
    (its time doubles with every two more letters: 40 of them take Python's `re` about 10 s)."""
    import time

    slow = {"attribute_display_type": "text", "regex_pattern": "(a|aa)+$"}
    started = time.monotonic()
    assert check_attribute_value(slow, "a" * 40 + "!") == ("a" * 40 + "!", "PATTERN_TOO_SLOW")
    assert time.monotonic() - started < 1.0
    assert check_attribute_value(slow, "aaaa") == ("aaaa", None)  # a quick match still passes


@pytest.mark.parametrize(
    ("changes", "refused"),
    [
        ({"email": 42}, ("email", ErrorCode.NOT_TEXT)),
        ({"email": "a\x00@example.com"}, ("email", ErrorCode.INVALID_CHARACTERS)),
        ({"email": "x" * 250 + "@example.com"}, ("email", ErrorCode.TOO_LONG)),
        ({"email": "not an address"}, ("email", ErrorCode.INVALID_EMAIL)),
        ({"phone_number": ["+442071838750"]}, ("phone_number", ErrorCode.NOT_TEXT)),
        ({"name": 7}, ("name", ErrorCode.NOT_TEXT)),
        ({"identifier": "x" * 256}, ("identifier", ErrorCode.TOO_LONG)),
        ({"name": "Ada\x00"}, ("name", ErrorCode.INVALID_CHARACTERS)),
        ({"blocked": "yes"}, ("blocked", ErrorCode.NOT_BOOLEAN)),
        ({"custom_attributes": ["plan"]}, ("custom_attributes", ErrorCode.NOT_OBJECT)),
        ({"custom_attributes": {"plan": "x" * 256}}, ("custom_attributes.plan", ErrorCode.TOO_LONG)),
        ({"custom_attributes": {"plan": "pro\x00"}}, ("custom_attributes.plan", ErrorCode.INVALID_CHARACTERS)),
        ({"custom_attributes": {"ratio": float("nan")}}, ("custom_attributes.ratio", ErrorCode.INVALID_NUMBER)),
        ({"custom_attributes": {"k" * 256: 1}}, ("custom_attributes", ErrorCode.TOO_LONG)),
        ({"custom_attributes": {"k\x00": 1}}, ("custom_attributes", ErrorCode.INVALID_CHARACTERS)),
        (
            {"additional_attributes": {"a": {"b": {"c": {"d": {"e": 1}}}}}},
            ("additional_attributes.a.b.c.d", ErrorCode.TOO_NESTED),
        ),
        ({"custom_attributes": {"seats": "many"}}, ("custom_attributes.seats", ErrorCode.INVALID_NUMBER)),
        ({"custom_attributes": {"seats": True}}, ("custom_attributes.seats", ErrorCode.INVALID_NUMBER)),
    ],
)
def test_each_refusal_names_the_field_and_its_rule(changes: dict[str, object], refused: tuple[str, ErrorCode]) -> None:
    """The code the form translates for each broken rule, on the field (or attribute key) that broke it."""
    assert refused in codes(changes)


@pytest.mark.parametrize(
    ("changes", "kept"),
    [
        ({"email": "  Ada@Example.COM "}, {"email": "ada@example.com"}),
        ({"email": "   ", "phone_number": None}, {"email": None, "phone_number": None}),
        ({"name": None, "identifier": None}, {"name": "", "identifier": None}),
        ({"name": "  Ada  ", "identifier": " crm-1 "}, {"name": "Ada", "identifier": "crm-1"}),
        ({"custom_attributes": {"seats": "12"}}, {"custom_attributes": {"seats": 12}}),
        ({"custom_attributes": {"seats": " 1.5 "}}, {"custom_attributes": {"seats": 1.5}}),
    ],
)
def test_what_is_accepted_is_kept_normalized(changes: dict[str, object], kept: dict[str, object]) -> None:
    assert check_contact_changes(changes, {"seats": NUMBER}) == kept


@pytest.mark.parametrize(
    ("definition", "value", "outcome"),
    [
        ({"attribute_display_type": "checkbox"}, True, (True, None)),
        ({"attribute_display_type": "checkbox"}, "yes", ("yes", ErrorCode.INVALID_CHECKBOX)),
        ({"attribute_display_type": "list", "attribute_values": ["a", "b"]}, "b", ("b", None)),
        ({"attribute_display_type": "list", "attribute_values": ["a", "b"]}, "c", ("c", ErrorCode.INVALID_LIST_VALUE)),
        ({"attribute_display_type": "link"}, "https://example.com/x", ("https://example.com/x", None)),
        ({"attribute_display_type": "link"}, "javascript:alert(1)", ("javascript:alert(1)", ErrorCode.INVALID_LINK)),
        ({"attribute_display_type": "text"}, 5, (5, ErrorCode.NOT_TEXT)),
        ({"attribute_display_type": "text", "regex_pattern": "[a-z]+"}, "abc", ("abc", None)),
        ({"attribute_display_type": "currency"}, float("inf"), (float("inf"), ErrorCode.INVALID_NUMBER)),
        ({"attribute_display_type": "percent"}, 2**60, (2**60, ErrorCode.NUMBER_OUT_OF_RANGE)),
        ({"attribute_display_type": "number"}, "", (None, None)),
    ],
)
def test_attribute_values_by_display_type(definition: dict[str, object], value: object, outcome: tuple) -> None:
    assert check_attribute_value(definition, value) == outcome


KEPT = "/api/v1/accounts/1/contact_avatars/Zx9_-abc"


@pytest.mark.parametrize(
    ("thumbnail", "origin", "source"),
    [
        ("https://images.example.com/ada.png", "http://api:3000", "https://images.example.com/ada.png"),
        (KEPT, "", KEPT),  # embedded: the API is the page's own origin
        (KEPT, "http://127.0.0.1:3000/", f"http://127.0.0.1:3000{KEPT}"),
        ("//evil.example/x.png", "", None),  # another host, without saying so
        ("/api/../../etc/passwd", "", None),
        ("/a b.png", "", None),
        ("javascript:alert(1)", "", None),
        ("avatar.png", "", None),  # relative to whatever page shows it
        ("", "", None),
    ],
)
def test_an_avatar_loads_from_a_link_or_from_the_apis_server(thumbnail: str, origin: str, source: str | None) -> None:
    assert image_source(thumbnail, origin) == source


def test_avatar_refusals_read_back_as_their_codes() -> None:
    """The server words a picture's refusal as Chatwoot words a model error; the client reads the code back."""
    for code in (ErrorCode.AVATAR_NOT_IMAGE, ErrorCode.AVATAR_TOO_BIG, ErrorCode.AVATAR_TOO_MANY_PIXELS):
        assert problem_code(FieldProblem(field="avatar", code=code).message, "avatar") is code
